"""The certificates of 100 featured projects as one PDF (target ≤ 30 s).

Usage: python bench/certificates.py [COUNT]  (prints a JSON line). Runs against the migrated
throw-away database bench/run.py prepares: makes a finalized contest with COUNT featured
projects (rows made directly), then times ``build_all_certificates`` (which issues the
certificates first), with the file's size, pages and the process's peak memory.
"""

import json
import os
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from awards.documents.certificates import build_all_certificates  # noqa: E402
from awards.models import FeaturedProject, Shortlist  # noqa: E402
from competition.models import Contest, County, Entry, Organization, Team  # noqa: E402
from judging.models import Round  # noqa: E402

TARGET_SECONDS = 30


def finalized_contest(count: int) -> Contest:
    now = timezone.now()
    contest = Contest.objects.create(
        title="2027年度志愿服务项目大赛",
        year=2027,
        slug="bench-certificates-2027",
        submission_opens=now - timedelta(days=90),
        submission_closes=now - timedelta(days=60),
    )
    round = Round.objects.create(
        contest=contest,
        name="终评",
        order=1,
        scoring_opens=now - timedelta(days=50),
        scoring_closes=now - timedelta(days=40),
        judges_per_entry=1,
    )
    Shortlist.objects.create(
        contest=contest, round=round, status=Shortlist.Status.FINALIZED, finalized_at=now
    )
    county = County.objects.create(name="证书县")
    organization = Organization.objects.create(name="证书县文明实践中心", kind="station", county=county)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"cert-team-{n}") for n in range(count)
    )
    teams = Team.objects.bulk_create(
        Team(
            user=user,
            name=f"第{n + 1}志愿服务队",
            organization=organization,
            contact_name="张",
            contact_phone="13812341234",
        )
        for n, user in enumerate(users)
    )
    entries = Entry.objects.bulk_create(
        Entry(
            contest=contest,
            team=team,
            title=f"第{n + 1:03d}号银龄互助食堂项目",
            status=Entry.Status.SUBMITTED,
            submitted_at=now,
        )
        for n, team in enumerate(teams)
    )
    FeaturedProject.objects.bulk_create(
        FeaturedProject(contest=contest, entry=entry, rank=n, score=100 - n / 10)
        for n, entry in enumerate(entries, start=1)
    )
    return contest


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    contest = finalized_contest(count)
    steps = []
    started = time.perf_counter()
    built = build_all_certificates(contest, lambda done, total: steps.append(done))
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "name": f"certificates: {count} in one PDF (QR codes, embedded fonts)",
                "seconds": round(seconds, 2),
                "target_seconds": TARGET_SECONDS,
                "bytes": len(built.content),
                "progress_steps": len(steps),
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "ok": seconds <= TARGET_SECONDS,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
