"""Load test (bench/run.py part "load"; `make bench BENCH_PARTS=load`). Not part of pytest.

1. A fresh PostgreSQL database (postgres@127.0.0.1:5432, dropped afterwards) and Redis database
   BENCH_LOAD_REDIS_DB (default 13, flushed before and after) on 127.0.0.1:6379.
2. migrate; ``seed_demo --entries 600 --judges 60 --stage published`` (the public site with
   its featured projects and stories); then ``prepare`` (below) gives the teams' drafts to
   next year's contest, open for submission, and opens a second round (复评) for scoring,
   assigned by the real assigner to the 60 judges; collectstatic.
3. gunicorn as `make serve` runs it (config/gunicorn.conf.py, DJANGO_DEBUG=false, 127.0.0.1,
   workers as the config decides), on a free port.
4. locust headless (bench/locustfile.py): 500 readers, 60 judges, 50 teams for 2 minutes.
5. Every write the load test believed succeeded is looked up in the database (psycopg):
   each sheet save must have its audit event with the same scores and the sheet its last
   saved version, scores and comment; each entry save its audit event carrying the text's
   unique marker and the entry its last saved version and text.

Prints JSON lines (throughput, p50/p95/p99 per page type, errors, lost writes, load average).
Knobs: BENCH_LOAD_READERS (500), BENCH_LOAD_JUDGES (60), BENCH_LOAD_TEAMS (50),
BENCH_LOAD_SECONDS (120), BENCH_LOAD_SPAWN_RATE (50), BENCH_LOAD_ENTRIES (600),
BENCH_LOAD_LOGIN_SPREAD (20 s), BENCH_LOAD_STEADY_AFTER (40 s), BENCH_LOAD_REDIS_DB (13),
BENCH_LOAD_PG (postgres://postgres@127.0.0.1:5432). docs/load.md has the last figures.

bench/faults.py reuses the set-up (``Site``).
"""

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PG = os.environ.get("BENCH_LOAD_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_DB = int(os.environ.get("BENCH_LOAD_REDIS_DB", "13"))
READERS = int(os.environ.get("BENCH_LOAD_READERS", "500"))
JUDGES = int(os.environ.get("BENCH_LOAD_JUDGES", "60"))
TEAMS = int(os.environ.get("BENCH_LOAD_TEAMS", "50"))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "120"))
SPAWN_RATE = int(os.environ.get("BENCH_LOAD_SPAWN_RATE", "50"))
ENTRIES = int(os.environ.get("BENCH_LOAD_ENTRIES", "600"))
SECRET = "bench-only-secret-key-not-for-production-0123456789abcdef"  # noqa: S105
SEARCH_TERMS = ["助学", "敬老", "环保", "志愿服务", "社区", "乡村", "法律", "科普"]


def log(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


def emit(**figure) -> None:
    figure.setdefault("database", "postgresql")
    print(json.dumps(figure, ensure_ascii=False), flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def loadavg() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


# --- PostgreSQL and Redis ----------------------------------------------------------------------


def pg_admin():
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=10)


def create_database(name: str) -> str:
    from psycopg import sql

    with pg_admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{PG}/{name}"


def drop_database(name: str) -> None:
    from psycopg import sql

    for _ in range(30):  # PostgreSQL may be restarting (bench/faults.py)
        try:
            with pg_admin() as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            return
        except Exception as error:  # noqa: BLE001
            last = error
            time.sleep(1)
    log(f"could not drop database {name}: {last}")


def redis_flush(db: int) -> None:
    import redis

    try:
        redis.Redis(host=HOST, port=6379, db=db, socket_timeout=5).flushdb()
    except redis.RedisError as error:
        log(f"could not flush Redis db {db}: {error}")


# --- The site ------------------------------------------------------------------------------------


def manage(args: list[str], env: dict, capture: bool = False) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
    )
    return done.stdout or ""


def http_status(port: int, path: str, timeout: float = 5) -> int:
    url = f"http://{HOST}:{port}{quote(path, safe='/?=&')}"
    request = urllib.request.Request(url, headers={"Accept-Language": "zh-CN"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (127.0.0.1)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class Site:
    """A throw-away database + Redis db + media folder, seeded, and gunicorn serving it."""

    def __init__(
        self,
        name: str,
        *,
        entries: int,
        judges: int,
        redis_db: int = REDIS_DB,
        seed_demo: bool = True,
        prepare: str = __file__,
        extra_env: dict | None = None,
    ):
        """``seed_demo``: seed the demo contest first (``entries``, ``judges``); ``prepare``:
        the script whose ``prepare FIXTURE`` sets up what the run needs and writes the fixture
        (this file's by default); ``extra_env``: more settings for every process."""
        self.name = f"vc_{name}_{os.getpid()}"
        self.entries, self.judges, self.redis_db = entries, judges, redis_db
        self.seed_demo, self.prepare, self.extra_env = seed_demo, prepare, extra_env or {}
        self.tmp = Path(tempfile.mkdtemp(prefix=f"vc-{name}-"))
        self.server: subprocess.Popen | None = None
        self.port = 0
        self.fixture: dict = {}

    def setup(self) -> "Site":
        log(f"database {self.name}, Redis db {self.redis_db}, media {self.tmp}")
        self.database_url = create_database(self.name)
        redis_flush(self.redis_db)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://{HOST}:6379/{self.redis_db}",
            "MEDIA_ROOT": str(self.tmp / "media"),
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_HSTS_SECONDS": "0",
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
            "DJANGO_LOG_LEVEL": "WARNING",
            **self.extra_env,
        }
        started = time.perf_counter()
        manage(["migrate", "--noinput", "-v", "0"], self.env)
        log(f"migrated in {time.perf_counter() - started:.0f} s; seeding")
        started = time.perf_counter()
        if self.seed_demo:
            self._seed_demo()
        self.seed_seconds = time.perf_counter() - started
        log(f"seeded in {self.seed_seconds:.0f} s; preparing")
        fixture_path = self.tmp / "fixture.json"
        subprocess.run(
            [sys.executable, self.prepare, "prepare", str(fixture_path)], cwd=ROOT, env=self.env, check=True
        )
        self.fixture = json.loads(fixture_path.read_text())
        self.fixture_path = fixture_path
        manage(["collectstatic", "--noinput", "-v", "0"], self.env)
        return self

    def _seed_demo(self) -> None:
        manage(
            [
                "seed_demo",
                "--entries",
                str(self.entries),
                "--judges",
                str(self.judges),
                "--stage",
                "published",
                "--force",
            ],
            self.env,
        )

    def start(self, workers: int | None = None) -> None:
        self.port = free_port()
        env = {**self.env, "PORT": str(self.port), "GUNICORN_LOG_LEVEL": "warning"}
        if workers:
            env["GUNICORN_WORKERS"] = str(workers)
        self.access_log = open(self.tmp / "access.log", "w")  # noqa: SIM115
        self.error_log = open(self.tmp / "error.log", "w")  # noqa: SIM115
        self.server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=self.access_log,
            stderr=self.error_log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.server.returncode}: {self.error_tail()}")
            if http_status(self.port, "/healthz") == 200:
                log(f"gunicorn on {HOST}:{self.port}")
                return
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s: {self.error_tail()}")

    def public_paths(self) -> list[str]:
        fixture = self.fixture
        return [
            "/",
            fixture["showcase"],
            *(f"{fixture['showcase']}?page={n}" for n in range(2, 6)),
            *fixture["projects"],
            fixture["story_index"],
            *fixture["stories"],
            fixture["contest_page"],
            *(f"/search/?q={term}" for term in fixture["search_terms"]),
        ]

    def warm_up(self, paths: list[str] | None = None) -> tuple[float, int]:
        """Visit every public page once: the first view of a page makes its image renditions
        (several formats and sizes, up to ~2 s a page) and fills the page cache, as the
        first readers after publication do. Returns (seconds, pages not answering 200)."""
        started = time.perf_counter()
        paths = paths or self.public_paths()
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda path: http_status(self.port, path, timeout=120), paths))
        return time.perf_counter() - started, sum(1 for status in statuses if status != 200)

    def mark_access_log(self) -> None:
        self.access_log.flush()
        self.access_offset = (self.tmp / "access.log").stat().st_size

    def access_summary(self) -> dict:
        """Server-side time (gunicorn's access log since the mark) and status classes."""
        durations, statuses = [], Counter()
        with open(self.tmp / "access.log", "rb") as handle:
            handle.seek(getattr(self, "access_offset", 0))
            lines = handle.read().decode(errors="replace").splitlines()
        for line in lines:
            fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
            if "status" in fields and "duration_ms" in fields:
                statuses[fields["status"][0] + "xx"] += 1
                durations.append(int(fields["duration_ms"]))
        durations.sort()
        if not durations:
            return {}
        return {
            "server_requests": len(durations),
            "server_p50_ms": durations[len(durations) // 2],
            "server_p95_ms": durations[min(len(durations) - 1, int(len(durations) * 0.95))],
            "server_p99_ms": durations[min(len(durations) - 1, int(len(durations) * 0.99))],
            "server_status_classes": dict(sorted(statuses.items())),
        }

    def error_tail(self, chars: int = 3000) -> str:
        path = self.tmp / "error.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def error_log_counts(self) -> dict:
        text = (
            (self.tmp / "error.log").read_text(errors="replace") if (self.tmp / "error.log").exists() else ""
        )
        return {
            "tracebacks_in_log": text.count("Traceback (most recent call last)"),
            "worker_timeouts": text.count("WORKER TIMEOUT"),
            "redis_unavailable_warnings": text.count("Redis unavailable"),
        }

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server = None

    def teardown(self) -> None:
        self.stop()
        redis_flush(self.redis_db)
        drop_database(self.name)
        shutil.rmtree(self.tmp, ignore_errors=True)


@contextmanager
def site(
    name: str,
    *,
    entries: int,
    judges: int,
    redis_db: int = REDIS_DB,
    workers: int | None = None,
    **options,
):
    current = Site(name, entries=entries, judges=judges, redis_db=redis_db, **options)
    try:
        current.setup()
        current.start(workers)
        yield current
    finally:
        current.teardown()


# --- prepare (inside Django, in the throw-away database) --------------------------------------


def prepare(path: str) -> None:
    """Give the teams' drafts to next year's contest, open for submission, so that teams can
    edit and submit them; open a second round of the demo contest for scoring, assigned to
    every judge; and write the accounts and public pages the locust users need.

    The load test wants, at one moment, readers of a published contest, judges scoring and
    teams editing drafts. No real contest is in all three phases at once, and the phases
    refuse to open scoring after publication: this fixture sets the round's status directly
    and moves the drafts. The pages under load are the real ones."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from cms.models import ContestPage, ProjectPage, ShowcaseIndexPage, StoryIndexPage, StoryPage
    from competition.demo import DEMO_CONTEST_SLUG, DEMO_PASSWORD
    from competition.models import Category, Contest, County, Entry
    from judging.assignment.services import assign_round
    from judging.models import Assignment, Round
    from judging.phases import SCORING
    from judging.rounds.services import round_add_default_rubric

    now = timezone.now()
    contest = Contest.objects.get(slug=DEMO_CONTEST_SLUG)
    following = Contest.objects.create(
        title=f"{contest.year + 1}年志愿服务项目大赛",
        year=contest.year + 1,
        slug="load-next-contest",
        submission_opens=now - timedelta(days=1),
        submission_closes=now + timedelta(days=30),
        max_entries_per_team=contest.max_entries_per_team,
    )
    following.categories.set(contest.categories.all())
    Entry.objects.filter(contest=contest, status=Entry.Status.DRAFT).update(contest=following)
    organizer = get_user_model().objects.get(username="organizer")
    last = Round.objects.filter(contest=contest).order_by("-order").first()
    round = Round.objects.create(
        contest=contest,
        name="复评",
        order=(last.order if last else 0) + 1,
        judges_per_entry=3,
        scoring_opens=now - timedelta(days=1),
        scoring_closes=now + timedelta(days=14),
    )
    round_add_default_rubric(round=round)
    report = assign_round(round=round, by=organizer)
    Round.objects.filter(pk=round.pk).update(status=SCORING.status)
    judges = sorted(
        set(
            Assignment.objects.filter(round=round, judge__active=True).values_list(
                "judge__user__username", flat=True
            )
        )
    )
    teams, seen = [], set()
    for entry in (
        Entry.objects.filter(contest=following, status=Entry.Status.DRAFT)
        .select_related("team__user")
        .order_by("pk")
    ):
        if entry.team_id not in seen:
            seen.add(entry.team_id)
            teams.append({"username": entry.team.user.username, "entry": str(entry.public_id)})
    showcase = ShowcaseIndexPage.objects.live().first()
    fixture = {
        "password": DEMO_PASSWORD,
        "round": round.code,
        "assignments": report["assignments"],
        "judges": judges,
        "teams": teams,
        "showcase": showcase.url,
        "categories": list(Category.objects.values_list("code", flat=True)),
        "counties": [str(pk) for pk in County.objects.values_list("pk", flat=True)],
        "years": sorted({str(y) for y in ProjectPage.objects.live().values_list("year", flat=True) if y}),
        "projects": [p.url for p in ProjectPage.objects.live().order_by("path")],
        "story_index": StoryIndexPage.objects.live().first().url,
        "stories": [p.url for p in StoryPage.objects.live().order_by("path")],
        "contest_page": ContestPage.objects.live().first().url,
        "search_terms": SEARCH_TERMS,
    }
    Path(path).write_text(json.dumps(fixture, ensure_ascii=False))
    print(
        f"[load] round {round.name} {round.code}: {report['assignments']} assignments "
        f"to {len(judges)} judges; "
        f"{len(teams)} teams with a draft; {len(fixture['projects'])} project pages",
        file=sys.stderr,
    )


# --- The load run ------------------------------------------------------------------------------


def run_locust(current: Site) -> tuple[Path, Path, float]:
    prefix = current.tmp / "locust"
    writes = current.tmp / "writes.json"
    users = READERS + JUDGES + TEAMS
    env = {
        **os.environ,
        "LOAD_FIXTURE": str(current.fixture_path),
        "LOAD_WRITES": str(writes),
        "LOAD_SAMPLES": str(current.tmp / "samples.json"),
        "BENCH_LOAD_JUDGES": str(JUDGES),
        "BENCH_LOAD_TEAMS": str(TEAMS),
    }
    log(f"locust: {users} users ({READERS} readers, {JUDGES} judges, {TEAMS} teams) for {SECONDS} s")
    started = time.perf_counter()
    with open(current.tmp / "locust.log", "w") as out:
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f", "bench/locustfile.py",
                "--headless",
                "-u", str(users),
                "-r", str(SPAWN_RATE),
                "-t", f"{SECONDS}s",
                "--host", f"http://{HOST}:{current.port}",
                "--csv", str(prefix),
                "--only-summary",
                "--loglevel", "WARNING",
                "--stop-timeout", "10",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some requests failed (reported below)
        raise RuntimeError(
            f"locust exited with {done.returncode}: {(current.tmp / 'locust.log').read_text()[-3000:]}"
        )
    return Path(f"{prefix}_stats.csv"), writes, elapsed


def stats_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def failures(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- Verification -------------------------------------------------------------------------------


def verify_writes(database_url: str, writes: list[dict]) -> dict:
    """Each recorded write must be in the database. Returns counts and examples of the lost."""
    import psycopg

    sheet_writes = [w for w in writes if w["kind"] == "sheet"]
    entry_writes = [w for w in writes if w["kind"] == "entry"]
    lost: list[str] = []
    with psycopg.connect(database_url) as conn:
        # Sheets: audit events (one per save, with the scores saved) and the final state.
        if sheet_writes:
            round_code = sheet_writes[0]["round"]
            (round_id,) = conn.execute(
                "SELECT id FROM judging_round WHERE code = %s", [round_code]
            ).fetchone()
            positions = {
                criterion_id: str(n)
                for n, (criterion_id,) in enumerate(
                    conn.execute(
                        "SELECT id FROM judging_criterion WHERE round_id = %s ORDER BY sort_order, id",
                        [round_id],
                    ).fetchall(),
                    start=1,
                )
            }
            rows = conn.execute(
                """
                SELECT u.username, re.blind_code, a.judge_id, a.round_entry_id,
                       s.id, s.version, s.status, s.comment_to_organizers
                FROM judging_assignment a
                JOIN judging_judge j ON j.id = a.judge_id
                JOIN auth_user u ON u.id = j.user_id
                JOIN judging_roundentry re ON re.id = a.round_entry_id
                LEFT JOIN judging_scoresheet s ON s.assignment_id = a.id
                WHERE a.round_id = %s
                """,
                [round_id],
            ).fetchall()
            # (judge, blind code) -> (judge id, round entry id, sheet id, version, status, comment)
            sheets = {(row[0], row[1]): row[2:] for row in rows}
            scores: dict[int, dict[str, float]] = {}
            for sheet_id, criterion_id, points in conn.execute(
                """SELECT sc.sheet_id, sc.criterion_id, sc.points FROM judging_score sc
                   JOIN judging_scoresheet s ON s.id = sc.sheet_id
                   JOIN judging_assignment a ON a.id = s.assignment_id WHERE a.round_id = %s""",
                [round_id],
            ).fetchall():
                scores.setdefault(sheet_id, {})[positions[criterion_id]] = float(points)
            events = Counter()
            for judge_id, round_entry_id, kind, after in conn.execute(
                """SELECT judge_id, round_entry_id, kind, after FROM judging_judgingevent
                   WHERE round_id = %s AND kind IN ('sheet_saved', 'sheet_submitted')""",
                [round_id],
            ).fetchall():
                saved = tuple(sorted((positions[int(c)], float(p)) for c, p in after["scores"].items()))
                events[(judge_id, round_entry_id, kind == "sheet_submitted", saved)] += 1
            last: dict[tuple, dict] = {}
            submitted: set[tuple] = set()
            for write in sheet_writes:
                key = (write["judge"], write["blind"])
                row = sheets.get(key)
                if row is None:
                    lost.append(f"sheet {key}: no such assignment")
                    continue
                judge_id, round_entry_id = row[0], row[1]
                saved = tuple(sorted((n, float(p)) for n, p in write["points"].items() if p != ""))
                event = (judge_id, round_entry_id, write["submit"], saved)
                if events[event] > 0:
                    events[event] -= 1
                else:
                    lost.append(f"sheet {key} v{write['version']}: no audit event with the saved scores")
                last[key] = write
                if write["submit"]:
                    submitted.add(key)
            for key, write in last.items():
                _, _, sheet_id, version, status, comment = sheets[key]
                if sheet_id is None:
                    lost.append(f"sheet {key}: no sheet row")
                    continue
                expected = {n: float(p) for n, p in write["points"].items() if p != ""}
                if version != write["version"] or scores.get(sheet_id, {}) != expected:
                    lost.append(
                        f"sheet {key}: version {version}, expected {write['version']} with its scores"
                    )
                if comment != write["comment"]:
                    lost.append(f"sheet {key}: comment is not the last saved one")
                if key in submitted and status != "submitted":
                    lost.append(f"sheet {key}: submitted but status {status}")
        # Entries: each save's unique marker in an audit event, and the last one in the entry.
        if entry_writes:
            ids = sorted({w["entry"] for w in entry_writes})
            entries = {
                str(public_id): (version, status, outcomes)
                for public_id, version, status, outcomes in conn.execute(
                    "SELECT public_id, version, status, outcomes FROM competition_entry "
                    "WHERE public_id = ANY(%s::uuid[])",
                    [ids],
                ).fetchall()
            }
            saved_texts: dict[str, list[str]] = {}
            for public_id, changes in conn.execute(
                """SELECT e.public_id, ev.changes FROM competition_entryevent ev
                   JOIN competition_entry e ON e.id = ev.entry_id
                   WHERE ev.kind = 'saved' AND e.public_id = ANY(%s::uuid[])""",
                [ids],
            ).fetchall():
                outcome = (changes or {}).get("outcomes")
                if outcome:
                    saved_texts.setdefault(str(public_id), []).append(outcome[1] or "")
            last_entry: dict[str, dict] = {}
            for write in entry_writes:
                texts = saved_texts.get(write["entry"], [])
                if not any(write["marker"] in text for text in texts):
                    lost.append(f"entry {write['entry']} v{write['version']}: no audit event with its text")
                last_entry[write["entry"]] = write
            for public_id, write in last_entry.items():
                version, status, outcomes = entries.get(public_id, (None, None, ""))
                if version != write["version"] or write["marker"] not in (outcomes or ""):
                    lost.append(
                        f"entry {public_id}: version {version}, expected {write['version']} with its text"
                    )
                if (
                    any(w["submit"] for w in entry_writes if w["entry"] == public_id)
                    and status != "submitted"
                ):
                    lost.append(f"entry {public_id}: submitted but status {status}")
    return {
        "sheet_writes": len(sheet_writes),
        "sheet_submits": sum(1 for w in sheet_writes if w["submit"]),
        "sheets_touched": len({(w["judge"], w["blind"]) for w in sheet_writes}),
        "entry_writes": len(entry_writes),
        "entry_submits": sum(1 for w in entry_writes if w["submit"]),
        "entries_touched": len({w["entry"] for w in entry_writes}),
        "lost_writes": len(lost),
        "lost_examples": lost[:10],
    }


STEADY_AFTER = int(os.environ.get("BENCH_LOAD_STEADY_AFTER", "40"))


def steady_state(path: Path) -> dict[str, dict]:
    """Percentiles per page type of the requests started after the ramp-up and the log-in
    storm (STEADY_AFTER seconds), from the samples the locust users recorded."""
    if not path.exists():
        return {}
    samples = json.loads(path.read_text())
    if not samples:
        return {}
    start = min(sample[0] for sample in samples)
    by_name: dict[str, list] = {}
    for at, name, elapsed, failed in samples:
        if at - start >= STEADY_AFTER:
            by_name.setdefault(name, []).append((elapsed, failed))
            by_name.setdefault("total", []).append((elapsed, failed))
    window = max(sample[0] for sample in samples) - start - STEADY_AFTER
    figures = {}
    for name, values in sorted(by_name.items()):
        times = sorted(value for value, _ in values)

        def pick(fraction, times=times):
            return round(times[min(len(times) - 1, int(len(times) * fraction))], 1)

        figures[name] = {
            "requests": len(times),
            "errors": sum(1 for _, failed in values if failed),
            "rps": round(len(times) / window, 2) if window > 0 else None,
            "p50_ms": pick(0.5),
            "p95_ms": pick(0.95),
            "p99_ms": pick(0.99),
        }
    return figures


def ms(value: str) -> float | None:
    try:
        return round(float(value), 1)
    except (TypeError, ValueError):
        return None


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up (finally) when killed
    load_before = loadavg()
    # The demo needs a few judges for its results stage (its ICC); the load uses JUDGES of them.
    with site("load", entries=ENTRIES, judges=max(JUDGES, 20)) as current:
        fixture = current.fixture
        if len(fixture["judges"]) < JUDGES or len(fixture["teams"]) < TEAMS:
            raise SystemExit(
                f"not enough accounts: {len(fixture['judges'])} judges with assignments, "
                f"{len(fixture['teams'])} teams with a draft"
            )
        emit(
            name=f"load: seed_demo --entries {ENTRIES} --judges {max(JUDGES, 20)} --stage published",
            seconds=round(current.seed_seconds, 1),
            assignments_in_scoring_round=fixture["assignments"],
            project_pages=len(fixture["projects"]),
        )
        warm_seconds, warm_failed = current.warm_up()
        emit(
            name="load: warm-up, every public page viewed once (renditions made, page cache filled)",
            pages=len(current.public_paths()),
            seconds=round(warm_seconds, 1),
            not_200=warm_failed,
        )
        current.mark_access_log()  # the load test's own requests start here
        stats_path, writes_path, elapsed = run_locust(current)
        load_after = loadavg()
        logs = current.error_log_counts()
        workers_line = (
            f"gunicorn workers {os.environ.get('GUNICORN_WORKERS') or 'from config (2 × cores + 1)'}"
        )
        rows = stats_rows(stats_path)
        setting = (
            f"{READERS} readers + {JUDGES} judges + {TEAMS} teams, {SECONDS} s, {workers_line}, "
            f"PostgreSQL + Redis, {os.cpu_count()} cores shared with locust"
        )
        total = next(row for row in rows if row["Name"] == "Aggregated")
        for row in rows:
            if row["Name"] == "Aggregated":
                continue
            emit(
                name=f"load: {row['Name']}",
                requests=int(row["Request Count"]),
                errors=int(row["Failure Count"]),
                rps=round(float(row["Requests/s"]), 2),
                p50_ms=ms(row["50%"]),
                p95_ms=ms(row["95%"]),
                p99_ms=ms(row["99%"]),
                max_ms=ms(row["Max Response Time"]),
            )
        steady = steady_state(current.tmp / "samples.json")
        for label, figure in steady.items():
            emit(name=f"load (steady state, after {STEADY_AFTER} s): {label}", **figure)
        locust_log = (current.tmp / "locust.log").read_text(errors="replace")
        logs["locust_cpu_warnings"] = locust_log.count("CPU usage")
        writes = json.loads(writes_path.read_text()) if writes_path.exists() else []
        verified = verify_writes(current.database_url, writes)
        failed = failures(Path(str(stats_path).replace("_stats.csv", "_failures.csv")))
        errors = int(total["Failure Count"])
        emit(
            name=f"load: total ({setting})",
            requests=int(total["Request Count"]),
            errors=errors,
            rps=round(float(total["Requests/s"]), 2),
            p50_ms=ms(total["50%"]),
            p95_ms=ms(total["95%"]),
            p99_ms=ms(total["99%"]),
            seconds=round(elapsed, 1),
            error_examples=[
                f"{f['Method']} {f['Name']}: {f['Error']} ×{f['Occurrences']}" for f in failed[:5]
            ],
            **verified,
            **logs,
            **current.access_summary(),
            load_average_before=load_before,
            load_average_after=load_after,
            target="zero errors, zero lost writes",
            ok=errors == 0 and verified["lost_writes"] == 0 and verified["sheet_writes"] > 0
            and verified["entry_writes"] > 0,
        )  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        prepare(sys.argv[2])
    else:
        main()
