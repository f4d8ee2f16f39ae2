"""Assign a fresh copy of the demo's first round end to end (DB read, solve, DB write) and
print the time and report summary as JSON (run by bench/run.py)."""

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

from django.utils import timezone  # noqa: E402

from judging.assignment.services import assign_round  # noqa: E402
from judging.models import Round  # noqa: E402
from judging.rounds.services import round_add_default_rubric, round_sync_entries  # noqa: E402

first = Round.objects.order_by("pk").first()
new_round = Round.objects.create(
    contest=first.contest,
    name="复评（基准）",
    order=first.order + 10,
    judges_per_entry=first.judges_per_entry,
    scoring_opens=timezone.now(),
    scoring_closes=timezone.now() + timedelta(days=7),
)
round_add_default_rubric(round=new_round)
round_sync_entries(round=new_round)
started = time.perf_counter()
report = assign_round(round=new_round)
seconds = time.perf_counter() - started
print(
    json.dumps(
        {
            "seconds": float(f"{seconds:.2f}"),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "assignments": report["assignments"],
            "entries": report["entries"],
            "judges": report["judges"],
            "uncovered": len(report["uncovered"]),
            "connected": report["connected"],
        }
    )
)
