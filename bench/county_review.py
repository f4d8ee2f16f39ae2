"""A coordinator's county at scale: the entries list, the xlsx export and bulk review.

Usage: python bench/county_review.py ENTRIES  (prints JSON lines). Runs against the migrated
throw-away database bench/run.py prepares; makes one county with ENTRIES submitted entries.
"""

import json
import os
import resource
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.roles import COORDINATORS  # noqa: E402
from competition import services  # noqa: E402
from competition.models import Category, Contest, Coordinator, County, Entry, Organization, Team  # noqa: E402

User = get_user_model()


def seed(count: int):
    now = timezone.now()
    county = County.objects.create(name="潞州区")
    contest = Contest.objects.create(
        title="2027年大赛",
        year=2027,
        slug="bench-2027",
        submission_opens=now - timedelta(days=30),
        submission_closes=now + timedelta(days=30),
        recommendation_quota=50,
    )
    contest.categories.set(Category.objects.all())
    category = Category.objects.first()
    organization = Organization.objects.create(
        name="潞州区第一新时代文明实践站", kind="station", county=county
    )
    users = User.objects.bulk_create(User(username=f"team{i:05d}") for i in range(count // 3 + 1))
    teams = Team.objects.bulk_create(
        Team(
            user=u,
            name=f"红马甲志愿服务队{i}",
            organization=organization,
            contact_name="张",
            contact_phone="13812341234",
        )
        for i, u in enumerate(users)
    )
    Entry.objects.bulk_create(
        Entry(
            contest=contest,
            team=teams[i // 3],
            category=category,
            title=f"七彩课堂{i}",
            status=Entry.Status.SUBMITTED,
            submitted_at=now - timedelta(minutes=i),
            volunteers=20,
            beneficiaries=300,
        )
        for i in range(count)
    )
    user = User.objects.create_user(username="coordinator", is_staff=True)  # logs in by force_login
    user.groups.add(Group.objects.get(name=COORDINATORS))
    Coordinator.objects.create(user=user, county=county)
    return contest, user


def timed(call, repeat=5):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def main():
    count = int(sys.argv[1])
    contest, user = seed(count)
    client = Client()
    client.force_login(user)
    client.get("/admin/competition/entries/")  # warm up
    _, seconds = timed(lambda: client.get("/admin/competition/entries/"))
    print(
        json.dumps(
            {
                "name": f"county: entries list, first page ({count} entries)",
                "seconds": round(seconds, 3),
            },
            ensure_ascii=False,
        )
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response, seconds = timed(lambda: client.get("/admin/competition/entries/export/"), repeat=1)
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(
        json.dumps(
            {
                "name": f"county: xlsx export ({count} entries)",
                "seconds": round(seconds, 2),
                "bytes": len(response.content),
                "peak_rss_growth_mb": round(growth, 1),
            },
            ensure_ascii=False,
        )
    )
    entries = list(Entry.objects.select_related("team__organization", "contest").order_by("pk")[:200])
    started = time.perf_counter()
    outcome = services.entries_decide_eligibility(entries=entries, eligible=True, reason="", by=user)
    decided = time.perf_counter() - started
    started = time.perf_counter()
    recommended = services.entries_set_recommended(entries=entries[:60], recommended=True, by=user)
    print(
        json.dumps(
            {
                "name": "county: bulk eligibility, 200 entries",
                "seconds": round(decided, 2),
                "done": len(outcome.done),
            },
            ensure_ascii=False,
        )
    )
    print(
        json.dumps(
            {
                "name": "county: bulk recommend, 60 entries against a quota of 50",
                "seconds": round(time.perf_counter() - started, 2),
                "done": len(recommended.done),
                "refused": len(recommended.failed),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
