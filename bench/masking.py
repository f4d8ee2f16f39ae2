"""Masking CPU time per entry on demo-size texts, and for 2,000 entries (the city tier's freeze).

Pure: builds the demo's identities and texts (competition.demo) in memory and times what
``freeze_for_judges`` does per entry: derive the terms, compile them, mask the six texts and
the photo captions. Prints one JSON line.

Usage: python bench/masking.py [ENTRIES]
"""

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from competition import demo  # noqa: E402
from judging.masking.text import compile_terms, identifying_terms, mask_text  # noqa: E402


def identities(n: int, rng: random.Random) -> list[dict]:
    people = []
    for _i in range(n):
        county, short = rng.choice(demo.COUNTIES)
        town, village = rng.choice(demo.TOWNS), rng.choice(demo.VILLAGES)
        organization = f"{short}{town}镇{village}村新时代文明实践站"
        team = f"{county}{town}镇{village}村{rng.choice(demo.TEAM_STYLES)}志愿服务队"
        leader = demo._person(rng)
        brand, theme = rng.choice(demo.CATEGORY_PROJECTS["education"])
        volunteers = rng.randint(12, 300)
        texts = demo._entry_texts(
            rng,
            brand=brand,
            theme=theme,
            category="助学支教",
            place=f"{county}{town}镇{village}村",
            team_name=team,
            leader=leader,
            volunteers=volunteers,
            beneficiaries=rng.randint(200, 20000),
            hours=volunteers * 40,
        )
        people.append(
            {
                "terms": {
                    "team_names": [team],
                    "organization_names": [organization, f"{village}站"],
                    "county_names": [county, short],
                    "people": [leader, *(demo._person(rng) for _m in range(3))],
                    "handles": [f"team{rng.randrange(10000):04d}"],
                },
                "texts": [f"“{brand}”{theme}", *texts, "服务现场", "志愿者合影"],
            }
        )
    return people


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    entries = identities(n, random.Random(2021))
    chars = statistics.mean(sum(len(t) for t in e["texts"]) for e in entries)
    times = []
    started = time.thread_time()
    for entry in entries:
        t0 = time.thread_time()
        terms = compile_terms(identifying_terms(**entry["terms"]))
        for text in entry["texts"]:
            mask_text(text, terms)
        times.append(time.thread_time() - t0)
    total = time.thread_time() - started
    times.sort()
    print(
        json.dumps(
            {
                "name": f"masking per entry (demo texts, {n} entries)",
                "chars_per_entry": round(chars),
                "ms_p50": round(times[len(times) // 2] * 1000, 2),
                "ms_p95": round(times[int(len(times) * 0.95)] * 1000, 2),
                "seconds_total": round(total, 2),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
