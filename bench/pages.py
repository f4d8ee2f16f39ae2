"""Server time and queries per page, measured in-process against the database in the
environment (run by bench/run.py). Prints one JSON line per page."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))


def measure(client: Client, label: str, url: str, **extra) -> None:
    client.get(url)  # warm up
    timings = []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    print(
        json.dumps(
            {
                "name": f"page {label}",
                "queries": len(queries),
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
                **extra,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def team_pages(scale: str) -> None:
    from competition.models import Entry, Team

    team = Team.objects.annotate(n=Count("entries")).order_by("-n", "pk").first()
    entry = Entry.objects.filter(team=team).order_by("pk").first()
    client = Client()
    client.force_login(team.user)
    for label, url in {
        "team dashboard /my/": "/my/",
        "entry status page": f"/my/entries/{entry.public_id}/",
        "entry edit page": f"/my/entries/{entry.public_id}/edit/",
        "team profile": "/my/team/",
    }.items():
        measure(client, f"{label} ({scale})", url, team_entries=team.n)


def judge_pages(scale: str) -> None:
    from judging.models import Assignment, Judge

    judge = Judge.objects.annotate(n=Count("assignments")).order_by("-n", "pk").first()
    assignment = (
        Assignment.objects.filter(judge=judge).select_related("round", "round_entry").order_by("pk").first()
    )
    client = Client()
    client.force_login(judge.user)
    extra = {"judge_assignments": judge.n, "round_assignments": Assignment.objects.count()}
    measure(client, f"judge dashboard ({scale})", "/judging/", target_p95_ms=50, target_queries=15, **extra)
    measure(
        client,
        f"judge scoring page ({scale})",
        f"/judging/{assignment.round.code}/{assignment.round_entry.blind_code}/",
        target_p95_ms=50,
        target_queries=15,
        **extra,
    )


if __name__ == "__main__":
    setup_test_environment()
    scale = sys.argv[1]
    for part in sys.argv[2:]:
        {"team": team_pages, "judge": judge_pages}[part](scale)
