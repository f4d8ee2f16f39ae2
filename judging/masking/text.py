"""Masking identifying content in entry texts for blind review (DESIGN §4.1).

Two kinds of things are hidden: the names we know (team, organization, county, the people in
the team profile, the team's log-in name, and every short form a reader would recognise) and
things that look identifying whatever they are (phone numbers, e-mail addresses, ID-card
numbers, QQ and WeChat accounts). Each becomes 【已隐去】.

Names are matched after normalisation, so that spelling them differently does not unmask
them: NFKC (full-width letters and digits), zero-width characters and spacing removed,
traditional characters read as simplified (OpenCC), tone marks dropped, and pinyin (with or
without tones and spaces) for names of two to six characters. Every match maps back to the
original text: ``identifying_spans`` gives the spans to hide, ``mask_text`` hides them.

What cannot be known is not hidden: a nickname, a person named only by surname and title
("王老师"), a place not in the profile. Generic words are not names either: a team called
青年志愿服务队 does not make "青年" a term. Organizers review the masked texts before scoring.
"""

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import opencc
from pypinyin import Style, pinyin

MASK = "【已隐去】"

# Suffixes that turn a place into an organization or team name; what precedes them
# (e.g. "东和镇王村") identifies the entry on its own. Longest first.
ORGANIZATION_SUFFIXES = (
    "新时代文明实践中心",
    "新时代文明实践所",
    "新时代文明实践站",
    "志愿服务协会",
    "志愿者服务队",
    "文明实践中心",
    "文明实践所",
    "文明实践站",
    "志愿服务队",
    "志愿服务团",
    "志愿者协会",
    "志愿者队",
    "志愿队",
    "服务队",
)
PLACE_SUFFIXES = ("街道", "社区", "镇", "乡", "村")
COUNTY_SUFFIXES = ("区", "县", "市")
# The levels of a civilization-practice organization, and how people shorten its name:
# "王村新时代文明实践站" is also "王村文明实践站", "王村实践站" and "王村站".
ORGANIZATION_LEVELS = ("中心", "所", "站")
LEVEL_FORMS = ("新时代文明实践", "文明实践", "实践", "")

# Words a team or place is commonly named with that say nothing about which one it is. A core
# made only of these ("青年", "爱心妈妈", "党员先锋", a village called 光明) is not a term on its
# own; the full name (光明村, 青年志愿服务队 with its place) still is.
GENERIC_WORDS = frozenset(
    """
    志愿 志愿者 服务 爱心 关爱 青年 青春 巾帼 妇女 党员 先锋 红马甲 马甲 银龄 夕阳红 老年 五老 乡贤
    阳光 同心 文明 实践 新时代 雷锋 学雷锋 义工 公益 妈妈 大学生 少年 儿童 社区 邻里 平安 和谐 幸福
    美丽 团结 和平 前进 光明 东风 新华 向阳 红星 胜利 建设 友谊 民主 红色 温暖 暖心 贴心 连心 助老
    助残 助学 扶贫 帮扶 应急 救援 医疗 健康 法律 普法 环保 文化 文艺 科普 宣讲 理论 巡逻 治安 村民
    居民 群众 百姓 家园 快乐 希望 梦想 中心 新村 乡村 农村 振兴 之家 驿站 家庭 小 大 新 老 好 红 爱 心 队 团
    """.split()  # noqa: SIM905 (a word list reads best as words)
)

MIN_TERM_LENGTH = 2
# A log-in name is matched as a whole word and in any case ("WangCun_HMJ").
HANDLE_CHARS = "A-Za-z0-9_.-"
MIN_HANDLE_LENGTH = 4
# Pinyin is derived for names of this many characters (people, places, team cores).
PINYIN_LENGTHS = range(2, 7)
PINYIN_VARIANTS = 8


# --- Normalisation -----------------------------------------------------------------------------

_CHINESE_DIGITS = dict(zip("〇零○一幺二三四五六七八九", "0001123456789", strict=True))
_t2s = opencc.OpenCC("t2s.json")


def _fold(char: str, *, compact: bool) -> str:
    """One character as matching sees it: at most one character, "" when it is dropped."""
    if unicodedata.category(char) in ("Cf", "Mn"):  # zero-width joiners and spaces, tone marks
        return ""
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:  # "⑴" → "(1)": kept as it is, so spans map one to one
        folded = char
    if folded.isspace():
        return "" if compact else " "
    base = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    folded = base if len(base) == 1 else folded  # "á" → "a"
    lower = folded.lower()
    folded = lower if len(lower) == 1 else folded
    if ord(folded) >= 0x3400:
        simplified = _t2s.convert(folded)
        folded = simplified if len(simplified) == 1 else folded
    return _CHINESE_DIGITS.get(folded, folded)


class _FoldTable(dict):
    """``str.translate`` table that folds each character the first time it is met."""

    def __init__(self, *, compact: bool):
        super().__init__()
        self.compact = compact

    def __missing__(self, code: int) -> str:
        value = self[code] = _fold(chr(code), compact=self.compact)
        return value


_SPACED = _FoldTable(compact=False)  # for the contact patterns: words stay apart
_COMPACT = _FoldTable(compact=True)  # for names: "暖 阳", "wang jian guo" join up


@dataclass(frozen=True)
class _View:
    """A normalised view of a text and, for each of its characters, the index in the original."""

    text: str
    index: list[int] | None  # None: one to one

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self.index is None:
            return start, end
        return self.index[start], self.index[end - 1] + 1


def _with_dropped_tail(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span with the zero-width characters and tone marks that follow its last character."""
    start, end = span
    while end < len(text) and not text[end].isspace() and not _COMPACT[ord(text[end])]:
        end += 1
    return start, end


def _view(text: str, table: _FoldTable) -> _View:
    folded = text.translate(table)
    if len(folded) == len(text):
        return _View(folded, None)
    return _View(folded, [i for i, char in enumerate(text) if table[ord(char)]])


def normalise(text: str) -> str:
    """The text as names are matched: "暖 陽", "ＷＡＮＧ jian guó" → "暖阳", "wangjianguo"."""
    return (text or "").translate(_COMPACT)


# --- Patterns of contact data ------------------------------------------------------------------
# On the spaced view: lower case, NFKC (full-width digits and "（：＠"), zero-width characters
# removed, Chinese numerals read as digits ("一三八…", "〇三五五").

SEP = r"[ .\-/·—–~]"  # between the groups of a number: "139.1234.5678", "139/1234/5678"
PHONE_WORDS = ("电话", "热线", "座机", "手机", "传真", "联系", "咨询", "tel", "phone")
ACCOUNT_WORDS = (
    "qq",
    "扣扣",
    "微信",
    "威信",
    "薇信",
    "v信",
    "vx",
    "wx",
    "wechat",
    "weixin",
    "公众号",
    "视频号",
    "抖音",
    "快手",
    "微博",
    "小红书",
)


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# A match hides its group "v" when it has one, else all of it.
PATTERNS = [
    # ID-card number, 18 digits, also in groups: "1404 0219 8001 0112 3X"
    re.compile(r"(?<!\d)\d(?:[ .\-]?\d){16}[ .\-]?[\dx](?![\da-z])"),
    # e-mail address, also "wangcun at 163.com", "wangcun#163.com", "wangcun(at)163 dot com"
    re.compile(r"[a-z0-9._%+-]+ ?@ ?[a-z0-9-]+(?:\.[a-z0-9-]+)+"),
    re.compile(
        r"(?<![a-z0-9._%+-])[a-z0-9][a-z0-9._%+-]*"
        r"(?: ?(?:#|\(at\)|\[at\]|\{at\}|<at>|艾特) ?| at )"
        r"(?:[a-z0-9-]+(?:\.| ?(?:\(dot\)|\[dot\]|点) ?| dot ))+[a-z]{2,}(?![a-z0-9-])"
    ),
    # mobile phone: "+86 139 1234 5678", "139.1234.5678", "１３９…", "一三九一二三四五六七八"
    re.compile(rf"(?<!\d)(?:(?:\+|00)?86{SEP}?)?1{SEP}?[3-9](?:{SEP}?\d){{9}}(?!\d)"),
    # landline with area code: "0355-2021234", "(0355)5012345", "0355/202 1234"
    re.compile(rf"(?<!\d)(?:0\d{{2,3}}|\(0\d{{2,3}}\)){SEP}?\d(?:{SEP}?\d){{6,7}}(?!\d)"),
    # a local number before or after 电话
    re.compile(r"(?<!\d)[2-8]\d{6,7}(?!\d)(?=[^\d]*(?:电话|热线|咨询|联系))"),
    re.compile(
        rf"(?:{_alternatives(PHONE_WORDS)})(?:号码|号)?(?:[ :]|是|为){{0,3}}"
        rf"(?P<v>[2-8]\d{{2,3}}{SEP}?\d{{4}})(?!\d)"
    ),
    # QQ, WeChat and other accounts: "QQ：123456789", "VX: wangcun2020", "微信号是 kz_yinfa"
    re.compile(
        rf"(?<![a-z0-9])(?:{_alternatives(ACCOUNT_WORDS)})(?:号码|账号|号|id)?(?:[ :()\[\]=\-]|是|为){{0,3}}"
        r"(?P<v>[a-z0-9][-_a-z0-9]{4,19})(?![-_a-z0-9])"
    ),
    re.compile(r"(?<![a-z0-9])wxid_[a-z0-9_-]{4,30}"),
]


# --- Terms ------------------------------------------------------------------------------------


def _strip_suffix(name: str, suffixes: Iterable[str]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_TERM_LENGTH:
            return name[: -len(suffix)]
    return name


def _split_suffix(name: str, suffixes: Iterable[str]) -> tuple[str, str]:
    core = _strip_suffix(name, suffixes)
    return core, name[len(core) :]


def is_generic(core: str) -> bool:
    """True when *core* says nothing about who it is: shorter than two characters, or made only
    of ``GENERIC_WORDS`` ("青年", "爱心妈妈", "党员先锋")."""
    if len(core) < MIN_TERM_LENGTH:
        return True
    reachable = [True] + [False] * len(core)
    for end in range(1, len(core) + 1):
        reachable[end] = any(
            reachable[start] and core[start:end] in GENERIC_WORDS for start in range(max(0, end - 4), end)
        )
    return reachable[-1]


def _after_county(name: str, county_forms: list[str]) -> str:
    """*name* without its county (and whatever precedes it, e.g. the city)."""
    for county in county_forms:
        at = name.find(county)
        if at >= 0 and len(name) - at - len(county) >= MIN_TERM_LENGTH:
            return name[at + len(county) :]
    return name


def _organization_places(place: str) -> list[str]:
    """The places an organization's name is made of, town before village: "东和镇王村" →
    ["东和镇", "王村"], "郭村镇柳林村" → ["郭村镇", "柳林村"]; a bare place is one piece."""
    found = re.fullmatch(r"(.+?(?:街道|镇|乡))?(.+?(?:社区|村))?", place)
    pieces = [piece for piece in found.groups() if piece] if found else []
    return pieces or ([place] if len(place) >= MIN_TERM_LENGTH else [])


def _team_places(name: str, known: Iterable[str]) -> tuple[list[str], str]:
    """Split "西井镇东关村暖阳" into its places (["西井镇", "东关村"]) and the brand ("暖阳").
    Places known from the organization are taken first; another must look like one (two or
    more characters before 镇/乡/街道 or 村/社区) and leave a brand: "乡村振兴" is no place."""
    known = sorted(set(known), key=len, reverse=True)
    pieces = []
    while name:
        piece = next((k for k in known if name.startswith(k) and len(name) > len(k)), None)
        if piece is None:
            found = re.match(r"(.{2,4}?)(?:街道|社区|镇|乡|村)", name)
            if not found or len(found.group(0)) == len(name):
                break
            piece = found.group(0)
        pieces.append(piece)
        name = name[len(piece) :]
    return pieces, name


def _place_forms(pieces: list[str]) -> set[str]:
    """Each place with and without its suffix, and the places together ("东和镇王村")."""
    forms = set(pieces)
    if len(pieces) > 1:
        forms.add("".join(pieces))
    for piece in pieces:
        core = _strip_suffix(piece, PLACE_SUFFIXES)
        if core != piece and not is_generic(core):
            forms.add(core)
    return forms


def _organization_forms(name: str, county_forms: list[str]) -> set[str]:
    forms = {name}
    place, suffix = _split_suffix(name, ORGANIZATION_SUFFIXES)
    if not suffix:
        return forms  # a short name as the organization gave it ("王村实践站")
    forms.add(place)
    local = _after_county(place, county_forms)
    forms.add(local)
    pieces = _organization_places(local)
    forms |= _place_forms(pieces)
    level = next((lv for lv in ORGANIZATION_LEVELS if suffix.endswith(lv)), "")
    if level and pieces:
        # Short forms of the organization: "王村实践站", "王村站", "潞州中心".
        owners = {pieces[-1], _strip_suffix(pieces[-1], PLACE_SUFFIXES)}
        if local in county_forms:
            owners.update(county_forms)
        for owner in owners:
            if not is_generic(owner):
                forms.update(owner + form + level for form in LEVEL_FORMS)
    return forms


def _team_forms(name: str, county_forms: list[str], places: set[str]) -> set[str]:
    """ "沁县西井镇东关村暖阳志愿服务队" → also "暖阳志愿服务队", "暖阳", "西井镇东关村", …"""
    forms = {name}
    core, suffix = _split_suffix(name, ORGANIZATION_SUFFIXES)
    if not is_generic(core):
        forms.add(core)
    local = _after_county(core, county_forms)
    pieces, brand = _team_places(local, known=places)
    forms |= _place_forms(pieces)
    if brand and not is_generic(brand):
        forms.add(brand)
        if suffix:
            forms.add(brand + suffix)
        if pieces:
            forms.add(pieces[-1] + brand)
    return forms


def identifying_terms(
    *,
    team_names: Iterable[str] = (),
    organization_names: Iterable[str] = (),
    county_names: Iterable[str] = (),
    people: Iterable[str] = (),
    handles: Iterable[str] = (),
) -> list[str]:
    """Every name and short form to hide, longest first (so "潞州区" goes before "潞州"):
    the names as given, organizations and teams without their place prefixes and generic
    suffixes, places with and without 镇/乡/村, counties with and without 区/县/市.
    ``handles`` are log-in names (kept only from four characters on)."""

    def clean(names):
        return [n for n in ((n or "").strip() for n in names) if n]

    counties = clean(county_names)
    county_forms = sorted(
        set(counties) | {_strip_suffix(c, COUNTY_SUFFIXES) for c in counties}, key=len, reverse=True
    )
    county_forms = [c for c in county_forms if len(c) >= MIN_TERM_LENGTH]
    terms: set[str] = set(county_forms)
    for name in clean(organization_names):
        terms |= _organization_forms(name, county_forms)
    places = {t for t in terms if t.endswith(PLACE_SUFFIXES)}
    places |= {_strip_suffix(t, PLACE_SUFFIXES) for t in places} | set(county_forms)
    for name in clean(team_names):
        terms |= _team_forms(name, county_forms, places)
    terms.update(clean(people))
    terms.update(h for h in clean(handles) if len(h) >= MIN_HANDLE_LENGTH)
    return sorted((t for t in terms if len(t) >= MIN_TERM_LENGTH), key=lambda t: (-len(t), t))


def _is_han(text: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


@functools.lru_cache(maxsize=8192)
def _readings(char: str) -> tuple[str, ...]:
    """A character's pinyin readings without tones, the usual one first (at most three)."""
    return tuple(pinyin(char, style=Style.NORMAL, heteronym=True)[0][:3])


def pinyin_forms(name: str) -> tuple[str, ...]:
    """How *name* is written in pinyin, without tones and spaces (matching drops both): every
    reading of its characters (长子 zhangzi and changzi, 单 dan and shan), up to eight, and
    "lv" (lǚ) also as "lu"."""
    if len(name) not in PINYIN_LENGTHS or not _is_han(name):
        return ()
    forms = []
    for combination in itertools.islice(itertools.product(*map(_readings, name)), PINYIN_VARIANTS):
        spelled = "".join(combination)
        forms += [spelled, spelled.replace("v", "u")]
    return tuple(dict.fromkeys(f for f in forms if f.isascii() and f.isalpha()))


# --- Compiled terms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """Terms ready to match the normalised text: a trie of their forms, and for each form the
    term it comes from and, for forms in Latin letters, which characters may not touch it (a
    log-in name is a whole word; pinyin is not part of a longer word)."""

    trie: dict
    sources: dict[str, str]
    word_chars: dict[str, str]

    def __bool__(self) -> bool:
        return bool(self.sources)


_END = ""


def _trie(words: Iterable[str]) -> dict:
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = True
    return root


def compile_terms(terms: Iterable[str]) -> Terms | None:
    """The terms (``identifying_terms``) with their normalised and pinyin forms, ready for
    ``identifying_spans`` and ``mask_text``; None when there are none."""
    sources: dict[str, str] = {}
    word_chars: dict[str, str] = {}
    for term in terms:
        if not term:
            continue
        form = normalise(term)
        if len(form) < MIN_TERM_LENGTH:
            continue
        sources.setdefault(form, term)
        if form.isascii():
            word_chars.setdefault(form, "A-Za-z0-9_.-")
        for spelled in pinyin_forms(term.strip()):
            sources.setdefault(spelled, term)
            word_chars.setdefault(spelled, "a-z")
    if not sources:
        return None
    return Terms(_trie(sources), sources, word_chars)


@functools.lru_cache(maxsize=256)
def _compiled(terms: tuple[str, ...]) -> Terms | None:
    return compile_terms(terms)


def _as_terms(terms) -> Terms | re.Pattern | None:
    if terms is None or isinstance(terms, Terms | re.Pattern):
        return terms
    return _compiled(tuple(terms))


# --- Matching ----------------------------------------------------------------------------------


def _neighbour(text: str, at: int, step: int) -> str:
    """The character next to *at* (before it for step -1) in the original text, past dropped
    ones (zero-width, tone marks); "" at either end or at a space."""
    while 0 <= at < len(text):
        char = text[at]
        if char.isspace():
            return ""
        folded = _COMPACT[ord(char)]
        if folded:
            return folded
        at += step
    return ""


def _stands_alone(text: str, start: int, end: int, word_chars: str) -> bool:
    before, after = _neighbour(text, start - 1, -1), _neighbour(text, end, 1)
    if before and re.fullmatch(f"[{word_chars}]", before):
        return False
    if after and re.fullmatch(f"[{word_chars}]", after):
        # "wangcun_hmj." ends a sentence; "wangcun_hmj.cn" goes on.
        return after in ".-" and not re.fullmatch(f"[{word_chars}]", _neighbour(text, end + 1, 1) or " ")
    return True


def _forms_at(terms: Terms, folded: str, start: int) -> list[str]:
    """Every form that starts at *start*, longest first."""
    node, found = terms.trie, []
    for end in range(start, len(folded)):
        node = node.get(folded[end])
        if node is None:
            break
        if _END in node:
            found.append(folded[start : end + 1])
    return found[::-1]


def _term_matches(text: str, terms: Terms) -> list[tuple[int, int, str]]:
    """(start, end, form) of each term in *text*, on the original's indices, the longest form
    at each place."""
    view = _view(text, _COMPACT)
    folded, trie = view.text, terms.trie
    found = []
    after = 0  # where the last match ended: matches do not overlap
    for start, char in enumerate(folded):
        if start < after or char not in trie:
            continue
        for form in _forms_at(terms, folded, start):
            span = _with_dropped_tail(text, view.span(start, start + len(form)))
            chars = terms.word_chars.get(form)
            if chars is None or _stands_alone(text, *span, chars):
                found.append((*span, form))
                after = start + len(form)
                break
    return found


def _pattern_spans(text: str) -> list[tuple[int, int]]:
    view = _view(text, _SPACED)
    spans = []
    for pattern in PATTERNS:
        for match in pattern.finditer(view.text):
            group = "v" if "v" in pattern.groupindex else 0
            spans.append(_with_dropped_tail(text, view.span(*match.span(group))))
    return spans


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def identifying_spans(text: str, terms) -> list[tuple[int, int]]:
    """Where *text* identifies the entry: sorted, merged (start, end) spans of the original
    text, covering whatever a match spans (spaces and zero-width joiners inside a name too).
    *terms*: ``compile_terms``'s result, a list of terms, or None (contact data only)."""
    if not text:
        return []
    spans = _pattern_spans(text)
    terms = _as_terms(terms)
    if isinstance(terms, re.Pattern):
        spans += [match.span() for match in terms.finditer(text)]
    elif terms:
        spans += [(start, end) for start, end, _form in _term_matches(text, terms)]
    return _merged(spans)


def matched_terms(text: str, terms) -> list[str]:
    """The terms (as given to ``compile_terms``) that *text* still contains, in any spelling."""
    terms = _as_terms(terms)
    if not text or not isinstance(terms, Terms):
        return []
    return list(dict.fromkeys(terms.sources[form] for _start, _end, form in _term_matches(text, terms)))


def mask_text(text: str, terms) -> str:
    """Replace identifying content with 【已隐去】; runs of masks collapse into one."""
    if not text:
        return text or ""
    pieces, at = [], 0
    for start, end in identifying_spans(text, terms):
        pieces += [text[at:start], MASK]
        at = end
    pieces.append(text[at:])
    return re.sub(f"(?:{re.escape(MASK)})+", MASK, "".join(pieces))
