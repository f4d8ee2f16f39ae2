"""Results at scale, against the database in the environment (run by bench/run.py).

    python bench/results_bench.py prepare   # every sheet in (simulated), the round closed
    python bench/results_bench.py compute   # compute_round_results: seconds, peak memory
    python bench/results_bench.py export    # sheets export as xlsx: seconds, peak memory, rows

Each mode runs in its own process so that peak memory is the mode's own.
"""

import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from competition.demo import DemoContext  # noqa: E402
from judging import demo  # noqa: E402
from judging.models import Round, ScoreSheet  # noqa: E402
from judging.phases import CLOSED, round_phase  # noqa: E402
from judging.results.services import compute_round_results  # noqa: E402
from judging.rounds.services import round_set_status  # noqa: E402
from judging.spreadsheets.tables import sheets_table  # noqa: E402
from judging.spreadsheets.writers import write  # noqa: E402


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def first_round() -> Round:
    return Round.objects.select_related("contest").order_by("pk").first()


def prepare() -> None:
    round = first_round()
    context = DemoContext(
        entries=0, judges=0, seed=7, rng=random.Random(7), contest=round.contest, log=lambda m: None
    )
    demo.simulate_scores(context, round=round, share=1.0)
    ScoreSheet.objects.filter(assignment__round=round, status=ScoreSheet.Status.DRAFT).update(
        status=ScoreSheet.Status.SUBMITTED, submitted_at=timezone.now()
    )
    if round_phase(round).can_score:
        round_set_status(round=round, to=CLOSED, by=None)
    print(json.dumps({"sheets": ScoreSheet.objects.filter(assignment__round=round).count()}))


def compute() -> None:
    round = first_round()
    started = time.perf_counter()
    computation = compute_round_results(round=round)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": round_(seconds),
                "peak_mb": peak_mb(),
                "sheets": computation.sheets,
                "entries": computation.entries,
            }
        )
    )


def export() -> None:
    round = first_round()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheets.xlsx"
        started = time.perf_counter()
        with path.open("wb") as out:
            rows = write(sheets_table(round=round), out, format="xlsx", title="评分表")
        seconds = time.perf_counter() - started
        size = path.stat().st_size
    print(
        json.dumps(
            {
                "seconds": round_(seconds),
                "peak_mb": peak_mb(),
                "rows": rows,
                "file_mb": round_(size / 1024 / 1024),
            }
        )
    )


def round_(value: float) -> float:
    return float(f"{value:.2f}")


if __name__ == "__main__":
    {"prepare": prepare, "compute": compute, "export": export}[sys.argv[1]]()
