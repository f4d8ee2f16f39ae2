"""Judge copies of PDFs (judging.masking.redact): time per page (p50, p95) and for a whole
20-page PDF, and the copy's size.

The PDF is like an entry's application material: A4 pages of Chinese text (38 lines of 34
characters at 10.5 pt, the team's name and a phone number among them) and a photo (1600×1200
JPEG) on every other page. The copy is made with the masking terms of a team, as the
background task does. Prints JSON lines.
"""

import io
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from judging.masking import redact  # noqa: E402
from judging.masking.text import compile_terms, identifying_spans, identifying_terms  # noqa: E402

PAGES = 20
TEAM = "沁县西井镇东关村暖阳志愿服务队"
WORDS = "志愿服务项目社区居民老人儿童活动开展组织帮助关爱文明实践学习辅导健康环境卫生宣传"


def photo(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.effect_noise((400, 300), 60).convert("RGB").resize((1600, 1200))
    image = Image.blend(image, Image.new("RGB", image.size, tuple(rng.randrange(256) for _ in range(3))), 0.5)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def material(pages: int) -> bytes:
    rng = random.Random(1)
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        None,
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /DW 1000 "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    kids = []
    for n in range(pages):
        lines = []
        for i in range(38 if n % 2 == 0 else 18):
            text = "".join(rng.choice(WORDS) for _ in range(34))
            if i % 9 == 3:
                text = TEAM + text[: 34 - len(TEAM)]
            if i % 13 == 5:
                text = "联系电话13812341234" + text[:19]
            code = text.encode("utf-16-be").hex().encode()
            lines.append(b"BT /F1 10.5 Tf 72 %.1f Td <%s> Tj ET\n" % (770 - i * 18, code))
        resources = b"/Font << /F1 3 0 R >>"
        if n % 2 == 1:
            jpeg = photo(n)
            bodies.append(
                b"<< /Type /XObject /Subtype /Image /Width 1600 /Height 1200 /ColorSpace /DeviceRGB "
                b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
                % len(jpeg)
                + jpeg
                + b"\nendstream"
            )
            resources += b" /XObject << /I %d 0 R >>" % len(bodies)
            lines.append(b"q 451 0 0 338 72 60 cm /I Do Q\n")
        stream = b"".join(lines)
        bodies.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        bodies.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << %s >> /Contents %d 0 R >>"
            % (resources, len(bodies))
        )
        kids.append(len(bodies))
    kids_list = b" ".join(b"%d 0 R" % k for k in kids)
    bodies[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(kids), kids_list)
    return redact.write_pdf(bodies)


def main() -> None:
    source = material(PAGES)
    terms = compile_terms(identifying_terms(team_names=[TEAM], people=["张建国"]))
    page_seconds: list[float] = []
    draw = redact._draw_page

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return draw(*args, **kwargs)
        finally:
            page_seconds.append(time.perf_counter() - started)

    redact._draw_page = timed
    redact.judge_copy(material(1), spans=lambda text: identifying_spans(text, terms))  # warm up
    totals = []
    for _ in range(3):
        page_seconds.clear()
        started = time.perf_counter()
        copy = redact.judge_copy(source, spans=lambda text: identifying_spans(text, terms))
        totals.append(time.perf_counter() - started)
    ordered = sorted(page_seconds)
    print(
        json.dumps(
            {
                "name": "judge copy per PDF page (render 120 dpi, black out, JPEG q80)",
                "p50_ms": round(statistics.median(ordered) * 1000, 1),
                "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
                "pages": len(ordered),
            }
        )
    )
    print(
        json.dumps(
            {
                "name": f"judge copy of a {PAGES}-page PDF (text and photos)",
                "seconds": round(statistics.median(totals), 2),
                "source_kb": len(source) // 1024,
                "copy_kb": len(copy.content) // 1024,
                "blacked_out": len(copy.found),
            }
        )
    )


if __name__ == "__main__":
    main()
