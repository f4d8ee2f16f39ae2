"""Fault injection (bench/run.py part "faults"; `make bench BENCH_PARTS=faults`). Not pytest.

DISRUPTIVE: it restarts this machine's PostgreSQL cluster and stops this machine's Redis
(every Redis database is emptied). Run it only when nothing else uses them; it refuses to
start while a pytest process is running unless BENCH_FAULTS_FORCE=1.

Set-up as bench/load.py (a throw-away PostgreSQL database, Redis db BENCH_FAULTS_REDIS_DB,
default 14, `seed_demo --stage published` with a scoring round reopened, gunicorn as `make
serve` runs it), then:

(a) PostgreSQL restarted (``pg_ctlcluster --skip-systemctl-redirect <version> main restart``)
    while a few clients keep going: anonymous readers (cached pages and uncached ones), a
    signed-in judge's dashboard, a team saving its entry again and again. Every answer is
    classified: 200/302, 500 or 503 with our Chinese error page (templates/500.html), or
    unclean (another status, a traceback, no answer within 30 s). Recovery = time from the
    restart command's return to the first 200 of a page that needs the database. Afterwards:
    every save the team saw succeed is in the database, the entry's version equals its number
    of saves (no half-saved edit), every photo row has its entry and its file, no photo file
    is without its row.
(b) Redis stopped (``redis-cli shutdown nosave``) and started again exactly as .ci/run does
    (bind, port, no persistence, the same dir and log file), in a ``finally``: pages and a
    signed-in judge's dashboard before, during and after; the judge must stay signed in
    (sessions are ``cached_db``: read from the database while Redis is down); slowdown as the
    ratio of median latencies.
(c) A task worker killed mid-task is covered by tests/config/test_tasks_worker.py.

Prints JSON lines (names start with "faults:").
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from htmlforms import multipart, parse_form  # noqa: E402
from load import HOST, emit, log, site  # noqa: E402

REDIS_DB = int(os.environ.get("BENCH_FAULTS_REDIS_DB", "14"))
ERROR_PAGE_MARK = "服务器开小差了"  # templates/500.html
TIMEOUT = 30


def pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[0]


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", HOST, "-p", "5432", "-q"], check=False).returncode == 0


def ensure_postgres() -> None:
    for _ in range(60):
        if pg_ready():
            return
        time.sleep(1)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "start"], check=False)


def redis_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["redis-cli", "-h", HOST, "-p", "6379", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=10,
    )


def redis_up() -> bool:
    try:
        return redis_cli("ping").stdout.strip() == "PONG"
    except subprocess.TimeoutExpired:
        return False


def redis_config() -> dict:
    config = {}
    for key in ("bind", "port", "dir", "logfile", "save", "appendonly"):
        lines = redis_cli("config", "get", key).stdout.splitlines()
        config[key] = lines[1] if len(lines) > 1 else ""
    return config


def redis_start(config: dict) -> None:
    """As .ci/run starts it, with the values the running server had."""
    args = ["redis-server", "--daemonize", "yes"]
    args += ["--bind", *(config.get("bind") or "127.0.0.1 -::1").split()]
    args += ["--port", config.get("port") or "6379", "--save", config.get("save", ""), "--appendonly"]
    args += [config.get("appendonly") or "no"]
    if config.get("dir"):
        args += ["--dir", config["dir"]]
    if config.get("logfile"):
        args += ["--logfile", config["logfile"]]
    subprocess.run(args, check=False)
    for _ in range(50):
        if redis_up():
            return
        time.sleep(0.2)


# --- Clients ------------------------------------------------------------------------------------


class Client:
    def __init__(self, port: int):
        self.base = f"http://{HOST}:{port}"
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "zh-CN,zh;q=0.9"

    def get(self, path: str, **kwargs):
        return self.session.get(self.base + path, timeout=TIMEOUT, allow_redirects=False, **kwargs)

    def post(self, path: str, data, **kwargs):
        headers = {"Origin": self.base, "Referer": self.base + path, **kwargs.pop("headers", {})}
        return self.session.post(
            self.base + path, data=data, headers=headers, timeout=TIMEOUT, allow_redirects=False, **kwargs
        )

    def login(self, username: str, password: str) -> None:
        page = self.get("/accounts/login/")
        token = dict(parse_form(page.text).fields)["csrfmiddlewaretoken"]
        response = self.post(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": ""},
        )
        assert response.status_code == 302, (username, response.status_code)


def classify(response) -> str:
    if response is None:
        return "no answer"
    status = response.status_code
    if status in (200, 302):
        return "ok"
    text = response.text
    if "Traceback" in text:
        return f"{status} traceback"
    if status in (500, 502, 503) and ERROR_PAGE_MARK in text:
        return f"{status} error page"
    return f"{status} other"


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[dict] = []

    def call(self, kind: str, fn, *args, **kwargs):
        started = time.monotonic()
        try:
            response = fn(*args, **kwargs)
        except requests.RequestException as error:
            response, failure = None, type(error).__name__
        else:
            failure = ""
        row = {
            "kind": kind,
            "start": started,
            "end": time.monotonic(),
            "status": response.status_code if response is not None else 0,
            "class": classify(response) if not failure else f"no answer ({failure})",
        }
        with self.lock:
            self.rows.append(row)
        return response, row


def team_save(client: Client, recorder: Recorder, entry: str, marks: list, n: int) -> None:
    path = f"/my/entries/{entry}/edit/"
    page, row = recorder.call("team: entry edit form", client.get, path)
    if row["class"] != "ok" or page.status_code != 200:
        return
    fields = dict(parse_form(page.text, "entry-form").fields)
    if "outcomes" not in fields:
        return
    marker = f"【故障测试 #{n} {os.urandom(4).hex()}】"
    fields["outcomes"] = f"{fields['outcomes'].split(chr(10) + '【故障测试 ')[0].rstrip()}\n{marker}"
    fields["save"] = "1"
    body, content_type = multipart(list(fields.items()), ["new_photos", "new_attachments"])
    response, row = recorder.call(
        "team: entry save (POST)", client.post, path, body, headers={"Content-Type": content_type}
    )
    saved = (
        row["class"] == "ok"
        and response.status_code == 302
        and "/accounts/login" not in (response.headers.get("Location") or "")
    )
    marks.append({"marker": marker, "believed_saved": saved, "class": row["class"]})


def traffic(current, stop: threading.Event, recorder: Recorder, judge: Client, team: Client, marks: list):
    fixture = current.fixture
    anonymous = Client(current.port)
    counter = {"n": 0}

    def readers():
        n = 0
        while not stop.is_set():
            n += 1
            recorder.call("public: home (cached)", anonymous.get, "/")
            recorder.call("public: project (cached)", anonymous.get, fixture["projects"][n % 50])
            # A query string of its own: the page cache misses, the page needs the database.
            recorder.call("public: showcase (uncached)", anonymous.get, f"{fixture['showcase']}?n={n}")
            time.sleep(0.1)

    def judging():
        while not stop.is_set():
            recorder.call("judge: dashboard", judge.get, "/judging/")
            time.sleep(0.2)

    def teams():
        while not stop.is_set():
            counter["n"] += 1
            team_save(team, recorder, fixture["teams"][0]["entry"], marks, counter["n"])
            time.sleep(0.3)

    threads = [threading.Thread(target=fn, daemon=True) for fn in (readers, readers, judging, teams)]
    for thread in threads:
        thread.start()
    return threads


# --- (a) PostgreSQL restart ---------------------------------------------------------------------


def entry_consistency(current, entry: str, version_before: int, marks: list) -> dict:
    import psycopg

    problems = []
    with psycopg.connect(current.database_url) as conn:
        (entry_id, version, outcomes) = conn.execute(
            "SELECT id, version, outcomes FROM competition_entry WHERE public_id = %s::uuid", [entry]
        ).fetchone()
        events = conn.execute(
            "SELECT changes FROM competition_entryevent WHERE entry_id = %s AND kind = 'saved' "
            "ORDER BY at, id",
            [entry_id],
        ).fetchall()
        texts = [(changes or {}).get("outcomes", [None, ""])[1] or "" for (changes,) in events]
        if version - version_before != len(events):
            problems.append(f"version went {version_before} → {version} with {len(events)} save events")
        if texts and texts[-1] != outcomes:
            problems.append("the entry's text is not its last save event's")
        lost = [m for m in marks if m["believed_saved"] and not any(m["marker"] in t for t in texts)]
        if lost:
            problems.append(f"{len(lost)} saves answered as saved are missing")
        saved_despite_error = sum(
            1 for m in marks if not m["believed_saved"] and any(m["marker"] in t for t in texts)
        )
        orphan_rows = conn.execute(
            "SELECT count(*) FROM competition_entryphoto p "
            "LEFT JOIN competition_entry e ON e.id = p.entry_id WHERE e.id IS NULL"
        ).fetchone()[0]
        files = [name for (name,) in conn.execute("SELECT file FROM competition_entryphoto").fetchall()]
    private = current.tmp / "media" / "private"
    missing_files = sum(1 for name in files if not (private / name).exists())
    on_disk = {str(p.relative_to(private)) for p in (private / "photos").rglob("*") if p.is_file()}
    orphan_files = len(on_disk - set(files))
    if orphan_rows or missing_files or orphan_files:
        problems.append(f"photos: {orphan_rows} rows without entry, {missing_files} rows without file, "
                        f"{orphan_files} files without row")  # fmt: skip
    return {
        "saves_attempted": len(marks),
        "saves_answered_saved": sum(1 for m in marks if m["believed_saved"]),
        "saves_refused_during_outage_but_committed": saved_despite_error,
        "entry_save_events": len(events),
        "photo_rows": len(files),
        "consistency_problems": problems,
    }


def fault_postgres(current, judge: Client, team: Client) -> None:
    import psycopg

    entry = current.fixture["teams"][0]["entry"]
    with psycopg.connect(current.database_url) as conn:
        (version_before,) = conn.execute(
            "SELECT version FROM competition_entry WHERE public_id = %s::uuid", [entry]
        ).fetchone()
    recorder, marks, stop = Recorder(), [], threading.Event()
    threads = traffic(current, stop, recorder, judge, team, marks)
    time.sleep(5)
    log("restarting PostgreSQL")
    restart_started = time.monotonic()
    done = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "restart"],
        capture_output=True,
        text=True,
        check=False,
    )
    restart_done = time.monotonic()
    ensure_postgres()
    time.sleep(12)
    stop.set()
    for thread in threads:
        thread.join(timeout=TIMEOUT + 5)
    rows = sorted(recorder.rows, key=lambda row: row["start"])
    needs_db = ("judge: dashboard", "public: showcase (uncached)", "team: entry edit form")
    after_restart = [r for r in rows if r["kind"] in needs_db and r["start"] >= restart_done]
    first_ok = next((r["end"] for r in after_restart if r["class"] == "ok"), None)
    during = [r for r in rows if r["end"] >= restart_started and r["start"] <= (first_ok or restart_done)]
    classes: dict[str, int] = {}
    for row in rows:
        classes[row["class"]] = classes.get(row["class"], 0) + 1
    unclean = sum(count for name, count in classes.items() if name != "ok" and "error page" not in name)
    cached_during = [r for r in during if r["kind"].endswith("(cached)")]
    consistency = entry_consistency(current, entry, version_before, marks)
    emit(
        name="faults: PostgreSQL restarted under load",
        restart_command_seconds=round(restart_done - restart_started, 2),
        restart_returncode=done.returncode,
        recovery_seconds_after_restart=round(first_ok - restart_done, 2) if first_ok else None,
        outage_seconds_seen_by_clients=round((first_ok or restart_done) - restart_started, 2),
        requests=len(rows),
        answers=classes,
        unclean_answers=unclean,
        max_latency_s=round(max(r["end"] - r["start"] for r in rows), 2),
        cached_pages_served_during_outage=f"{sum(1 for r in cached_during if r['class'] == 'ok')}"
        f"/{len(cached_during)}",
        **consistency,
        ok=bool(first_ok)
        and unclean == 0
        and not consistency["consistency_problems"]
        and first_ok - restart_done <= 10,
    )  # fmt: skip


# --- (b) Redis stopped ----------------------------------------------------------------------------


def sample(client: Client, path: str, n: int) -> tuple[float, int, list[int]]:
    timings, bad, statuses = [], 0, []
    for _ in range(n):
        started = time.perf_counter()
        try:
            response = client.get(path)
            statuses.append(response.status_code)
            if response.status_code != 200:
                bad += 1
        except requests.RequestException:
            bad += 1
            statuses.append(0)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return timings[len(timings) // 2], bad, statuses


def measure(current, judge: Client, label: str, n: int = 30) -> dict:
    anonymous = Client(current.port)
    fixture = current.fixture
    figures = {}
    for kind, client, path in [
        ("home", anonymous, "/"),
        ("project", anonymous, fixture["projects"][0]),
        ("judge dashboard", judge, "/judging/"),
    ]:
        p50, bad, statuses = sample(client, path, n)
        figures[kind] = {"p50_ms": round(p50, 1), "not_200": bad}
        if kind == "judge dashboard":
            figures[kind]["redirected_to_login"] = statuses.count(302)
    log(f"{label}: {figures}")
    return figures


def fault_redis(current, judge: Client) -> None:
    config = redis_config()
    before = measure(current, judge, "Redis up")
    stopped_at = None
    try:
        log("stopping Redis")
        redis_cli("shutdown", "nosave")
        for _ in range(50):
            if not redis_up():
                break
            time.sleep(0.1)
        stopped_at = time.monotonic()
        during = measure(current, judge, "Redis down")
        # One form save while Redis is down (the session and CSRF work without it).
        marks: list = []
        team = Client(current.port)
        team.login(current.fixture["teams"][1]["username"], current.fixture["password"])
        team_save(team, Recorder(), current.fixture["teams"][1]["entry"], marks, 1)
        down_seconds = time.monotonic() - stopped_at
    finally:
        log("starting Redis again")
        redis_start(config)
    after = measure(current, judge, "Redis back")
    emit(
        name="faults: Redis stopped (cache fails open, sessions from the database)",
        redis_down_seconds=round(down_seconds, 1),
        before=before,
        during=during,
        after=after,
        slowdown_home=round(during["home"]["p50_ms"] / max(before["home"]["p50_ms"], 0.1), 1),
        slowdown_project=round(during["project"]["p50_ms"] / max(before["project"]["p50_ms"], 0.1), 1),
        slowdown_judge_dashboard=round(
            during["judge dashboard"]["p50_ms"] / max(before["judge dashboard"]["p50_ms"], 0.1), 1
        ),
        judge_stayed_signed_in=during["judge dashboard"]["redirected_to_login"] == 0
        and after["judge dashboard"]["redirected_to_login"] == 0,
        team_save_while_down=marks[0]["believed_saved"] if marks else False,
        redis_restored=redis_up(),
        redis_config=config,
        ok=all(figure["not_200"] == 0 for phase in (during, after) for figure in phase.values())
        and bool(marks and marks[0]["believed_saved"]),
    )


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if os.environ.get("BENCH_FAULTS_FORCE") != "1":
        busy = subprocess.run(["pgrep", "-f", "pytest"], capture_output=True, text=True, check=False).stdout
        if busy.strip():
            sys.exit("faults: pytest is running (it uses PostgreSQL and Redis); BENCH_FAULTS_FORCE=1 insists")
    redis_before = redis_config() if redis_up() else {}
    try:
        with site("faults", entries=120, judges=20, redis_db=REDIS_DB, workers=3) as current:
            current.warm_up(["/", current.fixture["showcase"], *current.fixture["projects"][:50]])
            password = current.fixture["password"]
            judge = Client(current.port)
            judge.login(current.fixture["judges"][0], password)
            team = Client(current.port)
            team.login(current.fixture["teams"][0]["username"], password)
            fault_postgres(current, judge, team)
            fault_redis(current, judge)
    finally:
        ensure_postgres()
        if redis_before and not redis_up():
            redis_start(redis_before)
    emit(
        name="faults: task worker killed mid-task",
        covered_by="tests/config/test_tasks_worker.py (the task is retried, the e-mail is sent once)",
    )


if __name__ == "__main__":
    main()
