"""The public vote at scale (issue 14), `make bench BENCH_PARTS=votes`:

    python bench/votes.py attack [NORMAL_VOTERS] [SEEDS]
    python bench/votes.py throughput

attack: the anomaly flags (voting.flags, the pure functions the task runs) on a synthetic day of
votes: NORMAL_VOTERS people (numbers from many blocks, 1–3 entries each after human pauses,
their own address, a fifth behind 60 shared mobile networks, page views before voting) beside
scripts from 20 networks voting for one entry every ~15 s (bought numbers of 4 blocks verified
just before each vote, a new address and cookie every request, no page views). Figures: the
share of attack votes flagged (target ≥ 90 %) and of normal votes wrongly flagged (target
≤ 1 %), worst over the seeds, and the seconds the flagging takes.

throughput: votes through the real HTTP view under gunicorn, PostgreSQL and Redis.
1. bench/load.py's ``Site``: a fresh PostgreSQL database (dropped after), Redis db
   BENCH_VOTES_REDIS_DB (14, flushed before and after), DJANGO_DEBUG=false, gunicorn as
   `make serve` runs it (config/gunicorn.conf.py, its workers). DJANGO_TRUSTED_PROXIES=127.0.0.1
   as in production behind nginx (docs/deploy.md), so each simulated voter's address comes
   from X-Forwarded-For, as nginx would set it.
2. ``prepare``: a contest, a window open now over ENTRIES (40) eligible entries, 5 votes a
   number a day; BENCH_VOTES_VOTERS (3,000) voters who verified a number (Voter rows written
   as ``code_verify`` leaves them, numbers in 300 blocks of 7 digits) and a session each
   (the cached_db session ``voting.voters.session.remember`` writes, row and cached copy,
   written in bulk), a device cookie signed as the site signs it, addresses over 1,500 /24
   networks; the counters set from the database.
3. BENCH_VOTES_CONCURRENCY (12) clients (asyncio, raw HTTP/1.1, one connection a request as
   gunicorn's sync workers answer) take voters one after another for BENCH_VOTES_SECONDS
   (60). Each voter POSTs (JSON answer, its own nonce, CSRF cookie + header) one vote for
   each of 6 distinct entries: the 6th is over the daily limit; 1 in 20 accepted votes is sent
   again with the same nonce (must come back as a replay) and 1 in 20 voters votes twice for
   one entry with a new nonce (must be refused).
4. ``check``: the live counters, then the reconcile (``counts_reconcile``), then the window
   closed and frozen (``window_freeze``): per entry, valid vote rows = live counters =
   reconciled counters = frozen tally; every vote the clients saw accepted has its row (by
   nonce) and no row exists that no client saw accepted (a request that timed out could
   leave one: counted, not hidden); every row has its device id; no voter over the daily
   limit or twice for one entry.

Figures: accepted votes per second (target ≥ 500 on this machine), p50/p95/p99 of a vote
request (all and accepted only; the client's time includes the wait for a free worker),
refusals by reason, errors, the server's own times (access log), CPU per request of gunicorn,
the clients, PostgreSQL and Redis (psutil), the machine's busy share, the counts check, the
load average before and after. docs/load.md has the last figures and where the time goes.
"""

import asyncio
import contextlib
import json
import os
import random
import secrets
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

REDIS_DB = int(os.environ.get("BENCH_VOTES_REDIS_DB", "14"))
VOTERS = int(os.environ.get("BENCH_VOTES_VOTERS", "3000"))
CONCURRENCY = int(os.environ.get("BENCH_VOTES_CONCURRENCY", "12"))
SECONDS = float(os.environ.get("BENCH_VOTES_SECONDS", "60"))
VOTE_ENTRIES = 40
PER_DAY = 5
BLOCKS = 300
NETWORKS = 1500
CSRF = "votebenchcsrfsecret0123456789abc"  # 32 letters and digits, as Django's cookie secret
TIMEOUT = 30.0


def setup_django() -> None:
    import django

    django.setup()


setup_django()

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


# --- throughput: set-up inside Django (the throw-away database) -------------------------------


def prepare(path: str) -> None:
    from django.conf import settings
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.db import transaction
    from django.http import HttpResponse
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from tests.voting.factories import make_window
    from voting.models import VoteEntry, Voter
    from voting.tallies.services import counts_reconcile
    from voting.voters import keys, session

    started = time.perf_counter()
    window = make_window(entries=VOTE_ENTRIES, max_votes_per_day=PER_DAY)
    codes = list(VoteEntry.objects.filter(window=window, included=True).values_list("code", flat=True))
    now = timezone.now()
    numbers = [f"13{BLOCKS * 10 + n % BLOCKS:05d}{n // BLOCKS:04d}" for n in range(VOTERS)]
    with transaction.atomic():
        voters = Voter.objects.bulk_create(
            Voter(
                contest_id=window.contest_id,
                number_hash=keys.number_hash(number),
                prefix_hash=keys.prefix_hash(number),
                created_at=now,
                verified_at=now,
            )
            for number in numbers
        )

    def device_cookie() -> str:
        # Signed as the site signs it (the salt's form is Django's own business).
        response = HttpResponse()
        response.set_signed_cookie(session.DEVICE_COOKIE, secrets.token_hex(16), salt=session.DEVICE_SALT)
        return response.cookies[session.DEVICE_COOKIE].value

    # The sessions ``session.remember`` leaves (cached_db: a row and its copy in the cache),
    # written in bulk: one at a time takes minutes on a busy machine.
    until = (now + timedelta(hours=12)).isoformat()
    age = settings.SESSION_COOKIE_AGE
    people, rows, cached = [], [], {}
    for n, voter in enumerate(voters):
        key = get_random_string(32, VALID_KEY_CHARS)
        data = {session.SESSION_KEY: {str(window.contest_id): {"voter": voter.pk, "until": until}}}
        store = SessionStore(session_key=key)
        rows.append(
            Session(
                session_key=key, session_data=store.encode(data), expire_date=now + timedelta(seconds=age)
            )
        )
        cached[store.cache_key] = data
        network = n % NETWORKS
        people.append(
            {
                "voter": voter.pk,
                "session": key,
                "device": device_cookie(),
                "address": f"10.{network // 250}.{network % 250}.{n // NETWORKS + 1}",
            }
        )
    Session.objects.bulk_create(rows, batch_size=1000)
    caches[settings.SESSION_CACHE_ALIAS].set_many(cached, age)
    counts_reconcile(window=window)
    Path(path).write_text(
        json.dumps(
            {
                "window": window.pk,
                "slug": window.contest.slug,
                "codes": codes,
                "per_day": window.max_votes_per_day,
                "voters": people,
            }
        )
    )
    print(
        f"[votes] window {window.pk}: {len(codes)} entries, {len(people)} verified voters "
        f"in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )


# --- throughput: the simulated voters (outside Django) -----------------------------------------


REASONS = [
    ("已经为这个项目投过票", "same_entry_today"),
    ("票已经投完", "daily_limit"),
    ("操作过于频繁", "rate_limited"),
    ("号段", "block_daily_cap"),
    ("请求无效", "invalid_request"),
    ("验证手机号码", "not_verified"),
]


def reason_of(message: str) -> str:
    return next((key for text, key in REASONS if text in message), "other")


async def post_vote(port: int, slug: str, code: str, person: dict, nonce: str) -> tuple[int, dict, float]:
    """One vote request; (status, JSON answer, seconds). Status 0: no answer (connection
    error or timeout)."""
    body = f"nonce={nonce}".encode()
    head = (
        f"POST /vote/{slug}/e/{code}/vote/ HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Accept: application/json\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Cookie: sessionid={person['session']}; vote_device={person['device']}; csrftoken={CSRF}\r\n"
        f"X-CSRFToken: {CSRF}\r\n"
        f"X-Forwarded-For: {person['address']}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    started = time.perf_counter()
    try:
        async with asyncio.timeout(TIMEOUT):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(head + body)
            raw = await reader.read()
            writer.close()
    except (OSError, TimeoutError) as error:
        return 0, {"error": type(error).__name__}, time.perf_counter() - started
    elapsed = time.perf_counter() - started
    header, _, content = raw.partition(b"\r\n\r\n")
    try:
        status = int(header.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0, {"error": "bad answer"}, elapsed
    try:
        answer = json.loads(content)
    except ValueError:
        answer = {"error": content[:200].decode(errors="replace")}
    return status, answer, elapsed


async def simulate(port: int, fixture: dict, seconds: float, concurrency: int) -> tuple[list[dict], float]:
    """The clients: each takes the next voter and casts its votes, until the voters run out or
    ``seconds`` have passed. Returns every request's record and the seconds taken."""
    rng = random.Random(14)
    voters = list(fixture["voters"])
    rng.shuffle(voters)
    queue = iter(voters)
    codes, slug = fixture["codes"], fixture["slug"]
    records: list[dict] = []
    deadline = time.perf_counter() + seconds

    async def send(person, code, kind, nonce=None):
        nonce = nonce or secrets.token_urlsafe(18)
        status, answer, elapsed = await post_vote(port, slug, code, person, nonce)
        record = {
            "voter": person["voter"],
            "code": code,
            "nonce": nonce,
            "kind": kind,
            "status": status,
            "ok": bool(answer.get("ok")),
            "replay": bool(answer.get("replay")),
            "message": answer.get("message") or answer.get("error") or "",
            "seconds": elapsed,
            "at": time.perf_counter(),
        }
        records.append(record)
        return record

    async def client(n: int):
        local = random.Random(n)
        while time.perf_counter() < deadline:
            person = next(queue, None)
            if person is None:
                return
            chosen = local.sample(codes, fixture["per_day"] + 1)
            twice = local.random() < 0.05
            for k, code in enumerate(chosen):
                record = await send(person, code, "over_limit" if k == fixture["per_day"] else "vote")
                if record["ok"] and local.random() < 0.05:
                    await send(person, code, "replay", nonce=record["nonce"])
                if twice and k == 0:
                    await send(person, code, "same_entry")

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    return records, time.perf_counter() - started


def pick(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * fraction))] * 1000, 1)


def expected(record: dict) -> bool:
    """Whether the answer is the one the rules give this request."""
    kind, status = record["kind"], record["status"]
    if status == 0:
        return False
    if kind == "vote":
        return record["ok"] and not record["replay"]
    if kind == "replay":
        return record["ok"] and record["replay"]
    reason = reason_of(record["message"])
    if kind == "over_limit":
        return status == 409 and reason == "daily_limit"
    return status == 409 and reason == "same_entry_today"  # same_entry


# --- throughput: the check inside Django ------------------------------------------------------


def check(fixture_path: str, records_path: str) -> None:
    from django.db.models import Count
    from django.utils import timezone

    from voting.ballots import counters
    from voting.models import Vote, VoteEntry, VotingWindow
    from voting.tallies.services import counts_reconcile, database_counts, window_freeze

    fixture = json.loads(Path(fixture_path).read_text())
    records = json.loads(Path(records_path).read_text())
    window = VotingWindow.objects.get(pk=fixture["window"])
    ids = list(VoteEntry.objects.filter(window=window).values_list("pk", flat=True))
    live = counters.read(window_id=window.pk, vote_entry_ids=ids)
    rows = database_counts(window=window)
    started = time.perf_counter()
    counts_reconcile(window=window)
    reconcile_seconds = time.perf_counter() - started
    reconciled = counters.read(window_id=window.pk, vote_entry_ids=ids)
    now = timezone.now()
    VotingWindow.objects.filter(pk=window.pk).update(closes_at=now - timedelta(seconds=1))
    window.refresh_from_db()
    started = time.perf_counter()
    window_freeze(window=window)
    freeze_seconds = time.perf_counter() - started
    frozen = dict(VoteEntry.objects.filter(window=window).values_list("pk", "final_votes"))
    accepted = {r["nonce"] for r in records if r["ok"] and not r["replay"]}
    replayed = {r["nonce"] for r in records if r["ok"] and r["replay"]}
    nonces = set(Vote.objects.filter(window=window).values_list("nonce", flat=True))
    unanswered = {r["nonce"] for r in records if r["status"] == 0}
    unseen = nonces - accepted
    over_limit = (
        Vote.objects.filter(window=window)
        .values("voter", "day")
        .annotate(n=Count("pk"))
        .filter(n__gt=window.max_votes_per_day)
        .count()
    )
    twice = (
        Vote.objects.filter(window=window)
        .values("voter", "vote_entry", "day")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    with_device = Vote.objects.filter(window=window).exclude(device_id="").count()
    per_entry_equal = all(rows[pk] == live[pk] == reconciled[pk] == frozen[pk] for pk in ids)
    print(
        json.dumps(
            {
                "rows": sum(rows.values()),
                "live_counters": sum(v or 0 for v in live.values()),
                "reconciled_counters": sum(v or 0 for v in reconciled.values()),
                "frozen_tally": sum(v or 0 for v in frozen.values()),
                "entries_all_equal": per_entry_equal,
                "accepted_seen_by_clients": len(accepted),
                "accepted_without_row": len(accepted - nonces),
                "replays_without_row": len(replayed - nonces),
                "rows_no_client_saw_accepted": len(unseen),
                "of_which_unanswered_requests": len(unseen & unanswered),
                "rows_with_device_id": with_device,
                "voters_over_daily_limit": over_limit,
                "voters_twice_for_one_entry": twice,
                "reconcile_seconds": round(reconcile_seconds, 3),
                "freeze_seconds": round(freeze_seconds, 3),
                "ok": per_entry_equal
                and not (accepted - nonces)
                and not (replayed - nonces)
                and not (unseen - unanswered)
                and over_limit == 0
                and twice == 0
                and with_device == len(nonces),
            }
        )
    )


# --- throughput: the run ------------------------------------------------------------------------


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by gunicorn (master, workers, and the workers already recycled),
    this process (the clients), PostgreSQL and Redis (the machine's servers: other users' work
    counts too), and the machine as a whole (busy, all cores)."""
    import psutil

    def own(process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    def reaped(process) -> float:
        times = process.cpu_times()
        return times.children_user + times.children_system

    def named(name: str) -> float:
        total = 0.0
        for process in psutil.process_iter(["name"]):
            if process.info["name"] and process.info["name"].startswith(name):
                with contextlib.suppress(psutil.Error):
                    parent = process.parent()
                    first = parent is None or not (parent.name() or "").startswith(name)
                    total += own(process) + (reaped(process) if first else 0.0)
        return total

    master = psutil.Process(server_pid)
    app = own(master) + reaped(master)
    for worker in master.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            app += own(worker)
    machine = psutil.cpu_times()
    return {
        "app": app,
        "clients": own(psutil.Process()),
        "postgres": named("postgres"),
        "redis": named("redis-server"),
        "machine_busy": sum(machine) - machine.idle - getattr(machine, "iowait", 0.0),
        "machine_all": sum(machine),
    }


def cpu_figures(before: dict, after: dict, requests: int) -> dict:
    used = {key: after[key] - before[key] for key in before}
    per = {
        f"cpu_ms_per_request_{key}": round(1000 * used[key] / requests, 2)
        for key in ("app", "clients", "postgres", "redis")
    }
    per["machine_busy_share"] = (
        round(used["machine_busy"] / used["machine_all"], 3) if used["machine_all"] else None
    )
    return per


def throughput_part() -> None:
    import subprocess

    sys.path.insert(0, str(ROOT / "bench"))
    from load import Site, loadavg, log

    current = Site(
        "votes",
        entries=0,
        judges=0,
        redis_db=REDIS_DB,
        seed_demo=False,
        prepare=str(Path(__file__).resolve()),
        extra_env={"DJANGO_TRUSTED_PROXIES": "127.0.0.1"},
    )
    try:
        current.setup()
        current.start(
            int(os.environ["BENCH_VOTES_WORKERS"]) if os.environ.get("BENCH_VOTES_WORKERS") else None
        )
        fixture = current.fixture
        current.mark_access_log()
        load_before = loadavg()
        log(f"{CONCURRENCY} clients, {len(fixture['voters'])} voters, at most {SECONDS:.0f} s")
        cpu_before = cpu_seconds(current.server.pid)
        records, elapsed = asyncio.run(simulate(current.port, fixture, SECONDS, CONCURRENCY))
        cpu = cpu_figures(cpu_before, cpu_seconds(current.server.pid), max(1, len(records)))
        load_after = loadavg()
        server = current.access_summary()
        logs = current.error_log_counts()
        records_path = current.tmp / "records.json"
        records_path.write_text(json.dumps(records))
        done = subprocess.run(
            [sys.executable, __file__, "check", str(current.fixture_path), str(records_path)],
            cwd=ROOT,
            env=current.env,
            check=True,
            text=True,
            stdout=subprocess.PIPE,
        )
        counts = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        current.teardown()
    created = [r for r in records if r["ok"] and not r["replay"]]
    refusals = Counter(reason_of(r["message"]) for r in records if r["status"] in (409, 429))
    errors = Counter(
        (str(r["status"]) if r["status"] else r["message"])
        for r in records
        if r["status"] not in (200, 409, 429)
    )
    rate = len(created) / elapsed if elapsed else 0.0
    workers = os.environ.get("BENCH_VOTES_WORKERS") or "from config (2 × cores + 1)"
    print(
        json.dumps(
            {
                "name": (
                    f"votes: throughput ({CONCURRENCY} clients, gunicorn workers {workers}, "
                    f"PostgreSQL + Redis, {os.cpu_count()} cores shared with the clients)"
                ),
                "database": "postgresql",
                "seconds": round(elapsed, 1),
                "voters": len({r["voter"] for r in records}),
                "requests": len(records),
                "requests_per_s": round(len(records) / elapsed, 1),
                "accepted_votes": len(created),
                "accepted_votes_per_s": round(rate, 1),
                "p50_ms": pick([r["seconds"] for r in records], 0.5),
                "p95_ms": pick([r["seconds"] for r in records], 0.95),
                "p99_ms": pick([r["seconds"] for r in records], 0.99),
                "accepted_p50_ms": pick([r["seconds"] for r in created], 0.5),
                "accepted_p95_ms": pick([r["seconds"] for r in created], 0.95),
                "accepted_p99_ms": pick([r["seconds"] for r in created], 0.99),
                "replays": sum(1 for r in records if r["replay"]),
                "refusals": dict(sorted(refusals.items())),
                "errors": dict(sorted(errors.items())),
                "unexpected_answers": sum(1 for r in records if not expected(r)),
                **server,
                **cpu,
                **logs,
                "counts": counts,
                "load_average_before": load_before,
                "load_average_after": load_after,
                "target_accepted_votes_per_s": 500,
                "ok": rate >= 500 and counts["ok"] and not errors,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "attack"
    numbers = [int(arg) for arg in sys.argv[2:]] if mode == "attack" else []
    if mode == "attack":
        attack_part(*numbers)
    elif mode == "throughput":
        throughput_part()
    elif mode == "prepare":
        prepare(sys.argv[2])
    elif mode == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: bench/votes.py attack [NORMAL_VOTERS] [SEEDS] | throughput")
