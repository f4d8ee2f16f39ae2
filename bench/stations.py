"""The station picker's search at city scale (run by bench/run.py, part "stations").

Against the database in the environment (a throw-away, freshly migrated one): seeds 13
counties, 150 towns and 5,000 stations (plus 100 unconfirmed ones, never offered), then sends
about 500 searches of the kinds people type (Chinese fragments of a station or town name, a
town's pinyin initials such as "xjz", full pinyin prefixes, some within a county or town) to
/places/stations/ through Django's test client, DEBUG off. Prints JSON lines: p50/p95 of the
request's server time (the whole Django stack, measured around the call) and of the query
alone, with the target p95 < 50 ms. Knob: BENCH_STATION_SEARCHES (default 500).
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

from django.test import Client  # noqa: E402
from pypinyin import Style, lazy_pinyin  # noqa: E402

from competition.models import County, Organization, Town, pinyin_key, pinyin_search_key  # noqa: E402
from competition.stations.search import search_stations  # noqa: E402

COUNTIES = [
    "潞州区",
    "上党区",
    "屯留区",
    "潞城区",
    "襄垣县",
    "平顺县",
    "黎城县",
    "壶关县",
    "长子县",
    "武乡县",
    "沁县",
    "沁源县",
    "高新区",
]
TOWNS = 150
STATIONS = 5000
UNCONFIRMED = 100
SEARCHES = int(os.environ.get("BENCH_STATION_SEARCHES", "500"))
TARGET_P95_MS = 50
# Characters village and town names are commonly made of.
STEMS = (
    "东西南北上下前后大小新老高王李张刘陈杨赵黄周吴河山水石桥庄沟坡岭峪家店堡寨营屯关泉湾坪塔柳杏桃槐松柏龙凤"
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def seed(rng: random.Random) -> tuple[list[Town], list[str]]:
    counties = [County.objects.create(name=name, sort_order=i) for i, name in enumerate(COUNTIES)]
    town_names: set[str] = set()
    while len(town_names) < TOWNS:
        town_names.add(
            rng.choice(STEMS) + rng.choice(STEMS) + rng.choice("镇乡")
            if rng.random() < 0.85
            else rng.choice(STEMS) + rng.choice(STEMS) + "街道"
        )
    towns = [
        Town(
            county=counties[i % len(counties)],
            name=name,
            sort_key=pinyin_key(name),
            search_key=pinyin_search_key(name),
        )
        for i, name in enumerate(sorted(town_names))
    ]
    Town.objects.bulk_create(towns)
    towns = list(Town.objects.select_related("county"))
    names: set[str] = set()
    rows = []
    while len(rows) < STATIONS + UNCONFIRMED:
        town = rng.choice(towns)
        village = rng.choice(STEMS) + rng.choice(STEMS)
        kind = rng.choice(["村", "社区"])
        name = f"{town.name[:2]}{village}{kind}新时代文明实践站"
        if name in names:
            continue
        names.add(name)
        rows.append(
            Organization(
                name=name,
                kind=Organization.Kind.STATION,
                county=town.county,
                town=town,
                sort_key=pinyin_key(name),
                search_key=pinyin_search_key(name),
                confirmed=len(rows) < STATIONS,
            )
        )
    Organization.objects.bulk_create(rows, batch_size=500)
    return towns, sorted(names)


def queries(rng: random.Random, towns: list[Town], names: list[str]) -> list[dict]:
    """What people type, in about these proportions."""
    asked = []
    for _ in range(SEARCHES):
        kind = rng.random()
        name = rng.choice(names)
        town = rng.choice(towns)
        if kind < 0.3:  # a Chinese fragment of the station's name
            start = rng.randrange(0, 4)
            asked.append({"q": name[start : start + rng.choice([2, 3])]})
        elif kind < 0.5:  # the town's initials: "xjz"
            asked.append({"q": "".join(lazy_pinyin(town.name, style=Style.FIRST_LETTER))})
        elif kind < 0.7:  # full pinyin, typed part of the way
            full = "".join(lazy_pinyin(name[:4]))
            asked.append({"q": full[: rng.randint(3, len(full))]})
        elif kind < 0.8:  # the town's initials and the village in Chinese
            asked.append({"q": "".join(lazy_pinyin(town.name, style=Style.FIRST_LETTER)) + " " + name[2:4]})
        elif kind < 0.9:  # county chosen, then a fragment
            asked.append({"county": town.county_id, "q": name[2:4]})
        else:  # county and town chosen, nothing typed (the cascade)
            asked.append({"county": town.county_id, "town": town.pk})
    return asked


def main() -> None:
    rng = random.Random(20261204)
    started = time.perf_counter()
    towns, names = seed(rng)
    seed_seconds = time.perf_counter() - started
    asked = queries(rng, towns, names)
    client = Client()
    client.get("/places/stations/", {"q": "warm"}, REMOTE_ADDR="10.9.0.1")  # the county/town lists
    request_ms, query_ms, found = [], [], 0
    for i, params in enumerate(asked):
        address = f"10.9.{i // 100}.{i % 100 + 2}"  # spread over addresses: the rate limit is per address
        began = time.perf_counter()
        response = client.get("/places/stations/", params, REMOTE_ADDR=address)
        request_ms.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
        found += bool(response.json()["results"])
        began = time.perf_counter()
        search_stations(query=params.get("q", ""), county_id=params.get("county"), town_id=params.get("town"))
        query_ms.append((time.perf_counter() - began) * 1000)
    p95 = percentile(request_ms, 0.95)
    print(
        json.dumps(
            {
                "name": f"stations: search at {STATIONS:,} stations, {TOWNS} towns (request)",
                "searches": len(asked),
                "with_results": found,
                "p50_ms": round(statistics.median(request_ms), 2),
                "p95_ms": round(p95, 2),
                "max_ms": round(max(request_ms), 2),
                "target_p95_ms": TARGET_P95_MS,
                "ok": p95 < TARGET_P95_MS,
                "seed_seconds": round(seed_seconds, 2),
            },
            ensure_ascii=False,
        )
    )
    print(
        json.dumps(
            {
                "name": f"stations: search at {STATIONS:,} stations (query alone)",
                "p50_ms": round(statistics.median(query_ms), 2),
                "p95_ms": round(percentile(query_ms, 0.95), 2),
            },
            ensure_ascii=False,
        )
    )
    # The sign-up page with the picker's results (no-script path), at this scale.
    page_ms = []
    for i in range(50):
        town = towns[i % len(towns)]
        began = time.perf_counter()
        response = client.get(
            "/accounts/signup/", {"county": town.county_id, "town": town.pk}, REMOTE_ADDR="10.8.0.1"
        )
        page_ms.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    print(
        json.dumps(
            {
                "name": f"stations: sign-up page with a town's stations listed, {STATIONS:,} stations",
                "p50_ms": round(statistics.median(page_ms), 2),
                "p95_ms": round(percentile(page_ms, 0.95), 2),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
