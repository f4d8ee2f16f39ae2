"""The county report (县区统计) at city scale: 13 counties of ENTRIES entries each.

Usage: python bench/county_report.py ENTRIES  (prints JSON lines). Runs against the migrated
throw-away database bench/run.py prepares. Measures the page for an organizer (every county)
and for a coordinator (one county and the average), and its query count with 2 counties and
with 13, which must be the same.
"""

import json
import os
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.roles import COORDINATORS  # noqa: E402
from awards.models import FeaturedProject  # noqa: E402
from competition.models import Category, Contest, Coordinator, County, Entry, Organization, Team  # noqa: E402

User = get_user_model()
URL = "/admin/awards/county-report/"


def add_counties(contest, first: int, last: int, per_county: int) -> None:
    now = timezone.now()
    categories = list(Category.objects.all())
    for n in range(first, last):
        county = County.objects.create(name=f"第{n + 1}县", sort_order=n)
        organization = Organization.objects.create(
            name=f"第{n + 1}县文明实践所", kind="station", county=county
        )
        users = User.objects.bulk_create(User(username=f"t{n}-{i}") for i in range(per_county // 3 + 1))
        teams = Team.objects.bulk_create(
            Team(
                user=u,
                name=f"志愿服务队{n}-{i}",
                organization=organization,
                contact_name="张",
                contact_phone="13812341234",
            )
            for i, u in enumerate(users)
        )
        entries = Entry.objects.bulk_create(
            Entry(
                contest=contest,
                team=teams[i // 3],
                category=categories[i % len(categories)],
                title=f"项目{n}-{i}",
                status=Entry.Status.SUBMITTED,
                submitted_at=now,
                eligibility=Entry.Eligibility.ELIGIBLE if i % 2 else Entry.Eligibility.PENDING,
                recommended=i % 4 == 1,
            )
            for i in range(per_county)
        )
        FeaturedProject.objects.bulk_create(
            FeaturedProject(contest=contest, entry=entry, rank=n * 10 + k, score=80)
            for k, entry in enumerate(entries[1:40:4])
        )


def measure(client, contest) -> tuple[float, int]:
    client.get(URL, {"contest": contest.pk})  # warm up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"contest": contest.pk})
    count = len(queries)  # now: the next request clears the log the context reads from
    assert "第1县".encode() in response.content, response.content[:300]
    times = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(URL, {"contest": contest.pk})
        times.append(time.perf_counter() - started)
    assert response.status_code == 200, response.status_code
    return statistics.median(times), count


def main():
    per_county = int(sys.argv[1])
    now = timezone.now()
    contest = Contest.objects.create(
        title="2027年大赛",
        year=2027,
        slug="bench-2027",
        submission_opens=now - timedelta(days=30),
        submission_closes=now - timedelta(days=1),
    )
    contest.categories.set(Category.objects.all())
    organizer = User.objects.create_superuser(username="organizer")
    organizers = Client()
    organizers.force_login(organizer)
    add_counties(contest, 0, 2, per_county)
    _, two = measure(organizers, contest)
    add_counties(contest, 2, 13, per_county)
    seconds, thirteen = measure(organizers, contest)
    coordinator = User.objects.create_user(username="coordinator", is_staff=True)
    coordinator.groups.add(Group.objects.get(name=COORDINATORS))
    Coordinator.objects.create(user=coordinator, county=County.objects.first())
    coordinators = Client()
    coordinators.force_login(coordinator)
    coordinator_seconds, coordinator_queries = measure(coordinators, contest)
    total = 13 * per_county
    print(
        json.dumps(
            {
                "name": f"county_report: the page, 13 counties × {per_county} entries ({total}), organizer",
                "seconds": round(seconds, 3),
                "queries_2_counties": two,
                "queries_13_counties": thirteen,
                "ok": two == thirteen,
            },
            ensure_ascii=False,
        )
    )
    print(
        json.dumps(
            {
                "name": f"county_report: the page, 13 counties × {per_county} entries, coordinator",
                "seconds": round(coordinator_seconds, 3),
                "queries": coordinator_queries,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
