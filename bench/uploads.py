"""CPU time and peak memory of one photo-upload request, as the entry form cleans it.

Usage: python bench/uploads.py SCENARIO  (prints one JSON line). Each scenario runs in its own
process, so that ``ru_maxrss`` (peak resident memory) is this request's alone.

Scenarios:
  bombs9   nine 39.9-megapixel PNGs (~1 MB request): the finding of issue 10, accepted before.
  worst    the worst request accepted now: PNGs of the largest accepted size, as many as
           the per-request pixel budget lets through (the rest are refused unread).
  phone9   nine 12-megapixel phone JPEGs (an ordinary full save).
  judge9   a judge's page of nine ~2 MB phone photos (issue 11): the bytes of its pictures
           before (the stored photos themselves) and after (thumbnails; the screen size only on
           a tap), and the time to make each rendition.
"""

import io
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image  # noqa: E402

from competition import uploads  # noqa: E402


def png(width: int, height: int, seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (seed * 20 % 256, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def phone_jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    image = Image.effect_noise((4032, 3024), 40 + seed).convert("RGB")
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def photo_like_jpeg(seed: int) -> bytes:
    """A 12 MP phone photo of ordinary entropy (about 2 MB, like the entries' photos): shapes on
    a gradient with sensor grain, not the pure noise of ``phone_jpeg``."""
    from PIL import ImageDraw

    width, height = 4032, 3024
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Image.blend(base, Image.new("RGB", (width, height), (60 + seed * 15, 120, 170 - seed * 10)), 0.6)
    draw = ImageDraw.Draw(image)
    for i in range(40):
        x, y = (i * 397 + seed * 91) % width, (i * 211 + seed * 53) % height
        draw.ellipse(
            (x, y, x + 300, y + 220), fill=((i * 40) % 256, (i * 90) % 256, (i * 20 + seed * 30) % 256)
        )
    image = Image.blend(image, Image.effect_noise((width, height), 30).convert("RGB"), 0.2)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def judge_page(photos: int = 9) -> dict:
    """The pictures of a judge's page of ``photos`` photos, before and after renditions."""
    from common import renditions

    stored = [
        uploads.clean_photo(SimpleUploadedFile(f"p{n}.jpg", photo_like_jpeg(n))).content
        for n in range(photos)
    ]
    made: dict[int, list[int]] = {}
    times: dict[int, list[float]] = {}
    for content in stored:
        for width in renditions.WIDTHS:
            started = time.perf_counter()
            made.setdefault(width, []).append(len(renditions.render(content, width)))
            times.setdefault(width, []).append(time.perf_counter() - started)
    return {
        "scenario": "judge9",
        "photos": photos,
        "before_page_kb": round(sum(map(len, stored)) / 1000),
        "after_page_kb_1x": round(sum(made[320]) / 1000),
        "after_page_kb_2x": round(sum(made[640]) / 1000),
        "screen_kb_each": round(sum(made[1280]) / len(stored) / 1000),
        **{f"render_ms_{w}": round(sum(t) / len(t) * 1000) for w, t in times.items()},
    }


def files(scenario: str) -> list[bytes]:
    if scenario == "bombs9":
        return [png(7300, 5466, i) for i in range(9)]  # 39.9 MP each
    if scenario == "worst":
        # As many of the largest accepted PNGs as the budget takes, then one that fills it
        # (under the old code, without a budget: nine of the largest, 39.9 MP).
        cap = settings.ENTRY_PHOTO_MAX_PIXELS
        budget = getattr(settings, "ENTRY_UPLOAD_PIXEL_BUDGET", 9 * cap)
        sizes = [cap] * min(9, budget // cap)
        if len(sizes) < 9 and budget - sum(sizes) > 0:
            sizes.append(budget - sum(sizes))
        return [
            png(int((p * 4 / 3) ** 0.5), int((p * 4 / 3) ** 0.5) * 3 // 4, i) for i, p in enumerate(sizes)
        ]
    if scenario == "phone9":
        return [phone_jpeg(i) for i in range(9)]
    raise SystemExit(f"unknown scenario {scenario}")


def clean_request(contents: list[bytes]) -> tuple[int, int]:
    """What EntryForm.clean_new_photos does with one request's photos."""
    budget = uploads.PixelBudget() if hasattr(uploads, "PixelBudget") else None
    accepted = refused = 0
    for number, content in enumerate(contents):
        upload = SimpleUploadedFile(f"photo-{number}.png", content)
        try:
            if budget is None:
                uploads.clean_photo(upload)
            else:
                uploads.clean_photo(upload, budget=budget)
            accepted += 1
        except ValidationError:
            refused += 1
    return accepted, refused


def main() -> None:
    scenario = sys.argv[1]
    if scenario == "judge9":
        before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        figure = judge_page()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({**figure, "peak_rss_growth_mb": round((peak - before_rss) / 1024, 1)}))
        return
    contents = files(scenario)
    request_bytes = sum(len(c) for c in contents)
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    accepted, refused = clean_request(contents)
    cpu = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "scenario": scenario,
                "request_mb": round(request_bytes / 1e6, 2),
                "accepted": accepted,
                "refused": refused,
                "cpu_seconds": round(cpu, 2),
                "peak_rss_growth_mb": round((peak - before_rss) / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
