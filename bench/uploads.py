"""CPU time and peak memory of one photo-upload request, as the entry form cleans it.

Usage: python bench/uploads.py SCENARIO  (prints one JSON line). Each scenario runs in its own
process, so that ``ru_maxrss`` (peak resident memory) is this request's alone.

Scenarios:
  bombs9   nine 39.9-megapixel PNGs (~1 MB request): the finding of issue 10, accepted before.
  worst    the worst request accepted now: PNGs of the largest accepted size, as many as
           the per-request pixel budget lets through (the rest are refused unread).
  phone9   nine 12-megapixel phone JPEGs (an ordinary full save).
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
