"""`make bench`: performance figures as JSON lines, also written to bench/results.json.

Not a test: it measures. Each figure has a target where the issue sets one. Runs against a
throw-away SQLite database (or DATABASE_URL if set) and a throw-away media folder.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
results: list[dict] = []


def emit(**figure) -> None:
    results.append(figure)
    print(json.dumps(figure, ensure_ascii=False), flush=True)


def manage(*args: str, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def bench_seed(env: dict) -> None:
    manage("migrate", "--noinput", "-v", "0", env=env)
    seconds = manage("seed_demo", "--entries", "2000", "--judges", "60", env=env)
    emit(
        name="seed_demo --entries 2000 --judges 60",
        seconds=round(seconds, 2),
        target_seconds=60,
        ok=seconds <= 60,
    )


def bench_pages() -> None:
    """Server time and queries per page for the team pages, measured in-process."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from competition.models import Entry, Team

    setup_test_environment()
    team = Team.objects.annotate(n=Count("entries")).order_by("-n", "pk").first()
    entry = Entry.objects.filter(team=team).order_by("pk").first()
    client = Client()
    client.force_login(team.user)
    pages = {
        "team dashboard /my/": "/my/",
        "entry status page": f"/my/entries/{entry.public_id}/",
        "entry edit page": f"/my/entries/{entry.public_id}/edit/",
        "team profile": "/my/team/",
    }
    for label, url in pages.items():
        client.get(url)  # warm up
        timings = []
        for _ in range(30):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        emit(
            name=f"page {label}",
            queries=len(queries),
            p50_ms=round(statistics.median(timings), 1),
            p95_ms=round(timings[int(len(timings) * 0.95) - 1], 1),
            team_entries=team.n,
        )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="vc-bench-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "MEDIA_ROOT": str(Path(tmp) / "media"),
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        if not env.get("DATABASE_URL"):
            env["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        bench_seed(env)
        bench_pages()
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
