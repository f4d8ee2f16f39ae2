"""The compendium of 100 featured projects with 3 photos each (issue 12), against the database
and media folder in the environment (run by bench/run.py).

    python bench/compendium.py prepare N   # N featured projects, 3 photos of 3000×2000 each
    python bench/compendium.py build OUT   # build_compendium: seconds, peak memory, size, pages

Each mode runs in its own process, so that the peak memory (``ru_maxrss``, Django and all) is
the build's own, not the making of the test photos. The photos are JPEGs of a photo's entropy
(shapes on a gradient with sensor grain, about 1.5 MB each), every one different.
"""

import hashlib
import io
import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from awards.documents.compendium import build_compendium, compendium_projects  # noqa: E402
from awards.models import FeaturedProject  # noqa: E402
from common.storage import private_storage, random_file_name  # noqa: E402
from competition.models import Category, Contest, County, Entry, EntryPhoto, Organization, Team  # noqa: E402

User = get_user_model()
WIDTH, HEIGHT = 3000, 2000
PHOTOS = 3
STORY = (
    "社区里独居老人多，子女常年在外，日常照料和精神慰藉缺乏。"
    "志愿者每周两次上门探访，帮助打扫卫生、代购药品、陪伴聊天，并建立一对一结对档案。"
    "项目联合社区卫生服务站开展健康讲座和义诊，引导低龄老人参与互助。"
)


def photo(seed: int, base: Image.Image) -> bytes:
    image = base.copy()
    draw = ImageDraw.Draw(image)
    for i in range(12):
        x, y = (i * 397 + seed * 191) % WIDTH, (i * 211 + seed * 353) % HEIGHT
        draw.ellipse((x, y, x + 420, y + 300), fill=((i * 40 + seed) % 256, (i * 90) % 256, (seed * 7) % 256))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def grain_base() -> Image.Image:
    gradient = Image.linear_gradient("L").resize((WIDTH, HEIGHT)).convert("RGB")
    tinted = Image.blend(gradient, Image.new("RGB", (WIDTH, HEIGHT), (90, 140, 170)), 0.5)
    noise = Image.merge("RGB", [Image.effect_noise((WIDTH, HEIGHT), 40 + k * 5) for k in range(3)])
    return Image.blend(tinted, noise, 0.25)


def prepare(count: int) -> None:
    now = timezone.now()
    contest = Contest.objects.create(
        title="2027年志愿服务项目大赛",
        year=2027,
        slug="bench-compendium",
        submission_opens=now - timedelta(days=90),
        submission_closes=now - timedelta(days=60),
    )
    categories = list(Category.objects.order_by("sort_order"))
    contest.categories.set(categories)
    counties = [County.objects.create(name=f"第{n + 1}县区", sort_order=n) for n in range(13)]
    base = grain_base()
    storage = private_storage()
    for n in range(count):
        organization = Organization.objects.create(
            name=f"{counties[n % 13].name}第{n + 1}新时代文明实践站", kind="station", county=counties[n % 13]
        )
        team = Team.objects.create(
            user=User.objects.create(username=f"compendium-{n}"),
            name=f"红马甲志愿服务队{n + 1}",
            organization=organization,
            contact_name="张建国",
            contact_phone="13812341234",
        )
        entry = Entry.objects.create(
            contest=contest,
            team=team,
            category=categories[n % len(categories)],
            title=f"第{n + 1}号暖心助老志愿服务项目",
            summary=STORY[:200],
            need=STORY * 3,
            approach=STORY * 4,
            innovation=STORY * 2,
            outcomes=STORY * 4,
            volunteers=20 + n,
            beneficiaries=300 + n * 7,
            service_hours=1200 + n * 13,
            activities=40 + n,
            started_on=now.date() - timedelta(days=900 + n),
            status=Entry.Status.SUBMITTED,
            submitted_at=now - timedelta(days=70),
            consent_publish=True,
            consent_guardians=True,
        )
        for k in range(PHOTOS):
            content = photo(n * PHOTOS + k, base)
            name = storage.save(random_file_name("photos", "jpg"), ContentFile(content))
            EntryPhoto.objects.create(
                entry=entry,
                file=name,
                content_type="image/jpeg",
                width=WIDTH,
                height=HEIGHT,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                caption=f"志愿者入户探访{k + 1}",
                sort_order=k,
            )
        FeaturedProject.objects.create(contest=contest, entry=entry, rank=n + 1, score=95 - n / 10)
    sizes = list(EntryPhoto.objects.values_list("size", flat=True))
    print(
        json.dumps(
            {"projects": count, "photos": len(sizes), "photo_mb_avg": round(sum(sizes) / len(sizes) / 1e6, 2)}
        )
    )


def build(out: Path) -> None:
    contest = Contest.objects.get(slug="bench-compendium")
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Django and the apps
    started, cpu = time.perf_counter(), time.process_time()
    built = build_compendium(contest, lambda done, total: None)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write_bytes(built.content)
    titles = [featured.entry.title for featured in compendium_projects(contest=contest)]
    text = "".join(
        subprocess.run(
            ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    body = text[text.index(titles[-1]) + len(titles[-1]) :]  # after the contents
    positions = [body.find(title) for title in titles]
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    from pypdf import PdfReader

    print(
        json.dumps(
            {
                "name": f"compendium: {len(titles)} projects × {PHOTOS} photos of {WIDTH}×{HEIGHT}",
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu_seconds, 2),
                "peak_mb": round(peak_mb, 1),
                "before_mb": round(before_mb, 1),
                "size_mb": round(len(built.content) / 1e6, 1),
                "pages": len(PdfReader(out).pages),
                "titles_in_order": -1 not in positions and positions == sorted(positions),
                "fonts_embedded": all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]),
                "warnings": len(built.warnings),
                "target_seconds": 60,
                "target_peak_mb": 500,
                "ok": seconds <= 60 and peak_mb <= 500,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(int(sys.argv[2]))
    else:
        build(Path(sys.argv[2]))
