"""The public vote's defences at scale (issue 14), a skeleton of `make bench BENCH_PARTS=votes`:

    python bench/votes.py attack [NORMAL_VOTERS] [SEEDS]

attack: the anomaly flags (voting.flags, the pure functions the task runs) on a synthetic day of
votes: NORMAL_VOTERS people (numbers from many blocks, 1–3 entries each after human pauses,
their own address, a fifth behind 60 shared mobile networks, page views before voting) beside
scripts from 20 networks voting for one entry every ~15 s (bought numbers of 4 blocks verified
just before each vote, a new address and cookie every request, no page views). Figures: the
share of attack votes flagged (target ≥ 90 %) and of normal votes wrongly flagged (target
≤ 1 %), worst over the seeds, and the seconds the flagging takes.

Not yet here: votes per second and p95 latency under gunicorn with PostgreSQL + Redis, and the
check that rows = reconciled counters = tally after a run.
"""

import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from voting.flags import VoteRow, flags_of  # noqa: E402

ENTRIES = 40
SPAN = 12 * 3600


def day(normal_voters: int, seed: int) -> tuple[list[VoteRow], dict[int, int], set[int], set[int]]:
    rng = random.Random(seed)
    rows: list[VoteRow] = []
    views = dict.fromkeys(range(ENTRIES), 0)
    normal, attack = set(), set()
    weights = [rng.paretovariate(1.5) for _ in range(ENTRIES)]
    for person in range(normal_voters):
        block = f"13{rng.randrange(10**5):05d}"
        verified = rng.uniform(0, SPAN)
        if rng.random() < 0.2:
            subnet = f"100.64.{rng.randrange(60)}.0/24"
        else:
            subnet = f"10.{rng.randrange(256)}.{rng.randrange(256)}.0/24"
        address = subnet.replace(".0/24", f".{rng.randrange(1, 255)}")
        at = verified
        chosen = set()
        for _ in range(rng.randint(1, 3)):
            chosen.add(rng.choices(range(ENTRIES), weights)[0])
        for entry in chosen:
            at += rng.expovariate(1 / 45)
            views[entry] += 1 + (rng.random() < 0.4)
            pk = len(rows)
            rows.append(VoteRow(pk, entry, at, subnet, address, f"p{person}", person, block, verified))
            normal.add(pk)
    serial = 0
    for net in range(20):
        at = rng.uniform(0, SPAN - 600)
        for k in range(30):
            at += 15 + rng.uniform(-0.5, 0.5)
            pk = len(rows)
            voter = 10**7 + serial
            serial += 1
            subnet = f"203.0.{net}.0/24"
            address, device = f"203.0.{net}.{k + 1}", f"b{net}-{k}"
            rows.append(VoteRow(pk, 0, at, subnet, address, device, voter, f"b{net % 4}", at - 5))
            attack.add(pk)
    return rows, views, normal, attack


def attack_part(normal_voters: int = 20_000, seeds: int = 5) -> None:
    worst_attack, worst_normal, seconds = 1.0, 0.0, 0.0
    for seed in range(seeds):
        rows, views, normal, attack = day(normal_voters, seed)
        started = time.perf_counter()
        found = flags_of(rows, views)
        seconds = max(seconds, time.perf_counter() - started)
        flagged = set().union(*found.values())
        worst_attack = min(worst_attack, len(flagged & attack) / len(attack))
        worst_normal = max(worst_normal, len(flagged & normal) / len(normal))
    print(
        json.dumps(
            {
                "name": f"votes: attack flagged (20 networks × 30 votes beside {normal_voters:,} people)",
                "seeds": seeds,
                "votes": len(rows),
                "attack_flagged_share": round(worst_attack, 4),
                "normal_flagged_share": round(worst_normal, 4),
                "flagging_seconds": round(seconds, 2),
                "target_attack_share": 0.9,
                "target_normal_share": 0.01,
                "ok": worst_attack >= 0.9 and worst_normal <= 0.01,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "attack"
    numbers = [int(arg) for arg in sys.argv[2:]]
    if mode == "attack":
        attack_part(*numbers)
    else:
        sys.exit("usage: bench/votes.py attack [NORMAL_VOTERS] [SEEDS]")
