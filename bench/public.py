"""The public site under production-like serving (run by bench/run.py, part "public").

Against the database in the environment (a throw-away SQLite copy seeded with
``seed_demo --stage published``), with DEBUG off and collected static files:

1. Throughput: gunicorn (2 sync workers, the reference views of config/bench_views.py
   switched on with BENCH_VIEWS=1) on a free 127.0.0.1 port, loaded from a second process
   (``bench/public.py load``: threads, one connection per request as gunicorn's sync workers
   close them anyway) for a fixed time per page, pages interleaved over a few rounds. Requests
   per second and p50/p99 latency of the home page, the showcase, a project page, a story
   and a search, each as a ratio to a trivial view measured in the same run. Target: every
   cached public page at least 70% of the trivial view's throughput.
2. Uncached render: in this process, each page rendered N times through the whole stack,
   missing the page cache (fragment caches warm; see ``uncached``), and again with the site's
   generation purged before every request (as after a publish); p50 and queries, beside the
   template-only page of about a project page's size. Targets (for the first): p50 at most
   15 ms, at most 12 queries.

Prints one JSON line per figure. Knobs: BENCH_PUBLIC_SECONDS (per page and round, default 4),
BENCH_PUBLIC_ROUNDS (2), BENCH_PUBLIC_CONCURRENCY (4), BENCH_RENDERS (50).
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WORKERS = 2
SECONDS = float(os.environ.get("BENCH_PUBLIC_SECONDS", "4"))
ROUNDS = int(os.environ.get("BENCH_PUBLIC_ROUNDS", "2"))
CONCURRENCY = int(os.environ.get("BENCH_PUBLIC_CONCURRENCY", "4"))
RENDERS = int(os.environ.get("BENCH_RENDERS", "50"))
WARM_SECONDS = 0.5
TARGET_RATIO = 0.7
TARGET_RENDER_MS = 15
TARGET_QUERIES = 12
TRIVIAL = "/bench/trivial/"
TEMPLATE = "/bench/template/"
SEARCH = "/search/?q=助学"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


# --- The load generator (a process of its own) --------------------------------------------------


def fetch(port: int, request: bytes) -> tuple[float, int, bool, int]:
    started = time.perf_counter()
    with socket.create_connection((HOST, port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while data := sock.recv(262144):
            chunks.append(data)
    elapsed = (time.perf_counter() - started) * 1000
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status = int(head[9:12]) if head[:5] == b"HTTP/" else 0
    return elapsed, status, b"\r\nx-cache: hit" in head.lower(), len(body)


def load(port: int, path: str, seconds: float) -> dict:
    request = (
        f"GET {quote(path, safe='/?=&')} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        "User-Agent: bench/public.py\r\nAccept: text/html\r\nAccept-Language: zh-CN,zh;q=0.9\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")
    deadline = time.perf_counter() + seconds

    def worker():
        done = []
        while time.perf_counter() < deadline:
            done.append(fetch(port, request))
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        futures = [pool.submit(worker) for _ in range(CONCURRENCY)]
        done = [item for future in futures for item in future.result()]
    return {
        "elapsed": time.perf_counter() - started,
        "latencies": [item[0] for item in done],
        "errors": sum(1 for item in done if item[1] != 200),
        "hits": sum(1 for item in done if item[2]),
        "bytes": done[-1][3] if done else 0,
    }


def load_main(port: int, pages: dict[str, str]) -> None:
    """Warm every page up (each worker has its own cache), then measure the pages in turn,
    ROUNDS times, so that the machine's other work spreads over all of them alike."""
    for path in pages.values():
        load(port, path, WARM_SECONDS)
    runs = {label: [] for label in pages}
    for _ in range(ROUNDS):
        for label, path in pages.items():
            runs[label].append(load(port, path, SECONDS))
    for label, measured in runs.items():
        latencies = [value for run in measured for value in run["latencies"]]
        elapsed = sum(run["elapsed"] for run in measured)
        print(
            json.dumps(
                {
                    "label": label,
                    "requests": len(latencies),
                    "rps": round(len(latencies) / elapsed, 1),
                    "p50_ms": round(statistics.median(latencies), 2),
                    "p99_ms": round(percentile(latencies, 0.99), 2),
                    "errors": sum(run["errors"] for run in measured),
                    "hit_ratio": round(sum(run["hits"] for run in measured) / len(latencies), 3),
                    "bytes": measured[-1]["bytes"],
                }
            ),
            flush=True,
        )


# --- The server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "--bind", f"{HOST}:{port}",
            "--workers", str(WORKERS),
            "--timeout", "60",
            "--log-level", "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "BENCH_VIEWS": "1"},
        stdout=log,
        stderr=log,
    )  # fmt: skip
    request = f"GET {TRIVIAL} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if fetch(port, request)[1] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def throughput(pages: dict[str, str]) -> dict[str, dict]:
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        server = start_gunicorn(port, log)
        try:
            done = subprocess.run(
                [sys.executable, __file__, "load", str(port), json.dumps(pages)],
                cwd=ROOT,
                check=True,
                text=True,
                stdout=subprocess.PIPE,
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.seek(0)
            errors = log.read().strip()
            if errors:
                print(errors[-3000:], file=sys.stderr)
    figures = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            figure = json.loads(line)
            figures[figure.pop("label")] = figure
    return figures


# --- Uncached renders, in this process -----------------------------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["BENCH_VIEWS"] = "1"
    import django

    django.setup()


def public_pages() -> dict[str, str]:
    from cms.models import ProjectPage, ShowcaseIndexPage, StoryPage

    pages = {"home page": "/"}
    showcase = ShowcaseIndexPage.objects.live().first()
    if showcase:
        pages["showcase index"] = showcase.url
    projects = list(ProjectPage.objects.live().order_by("path").values_list("pk", flat=True))
    if projects:
        pages["project page"] = ProjectPage.objects.get(pk=projects[len(projects) // 2]).url
    story = StoryPage.objects.live().order_by("path").first()
    if story:
        pages["story page"] = story.url
    pages["search (q=助学)"] = SEARCH
    return pages


def uncached(path: str, mode: str) -> dict:
    """Render the page RENDERS times through the whole stack, never from the page cache.

    mode "miss": a query parameter of its own per request, so the page cache misses while
    the fragment caches (navigation, key figures) stay warm: a page expiring, or a page as
    a signed-in reader gets it. mode "purge": the site's generation bumped before each
    request, as after a publish (the navigation is rebuilt too). mode "plain": as is (the
    template-only page, which is never cached).
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cms import cache as public_cache

    client = Client()
    for _ in range(3):  # warm up: imports, template loading, the cached template loader
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    timings, queries = [], 0
    for number in range(RENDERS):
        url = path
        if mode == "miss":
            url = f"{path}{'&' if '?' in path else '?'}bench={number}"
        elif mode == "purge":
            public_cache.purge()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        assert response.headers.get("X-Cache") != "hit", url
        queries = max(queries, len(captured))
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "queries": queries,
        "bytes": len(response.content),
    }


def emit(**figure) -> None:
    print(json.dumps(figure, ensure_ascii=False), flush=True)


def main() -> None:
    setup_django()
    from django.conf import settings

    pages = public_pages()
    missing = {"showcase index", "project page", "story page"} - set(pages)
    if missing:
        emit(name="public pages missing from the seeded site", missing=sorted(missing))
    served = throughput({"trivial view": TRIVIAL, "template-only page": TEMPLATE, **pages})
    trivial = served["trivial view"]
    setting = f"gunicorn {WORKERS} sync workers, {CONCURRENCY} client threads, {os.cpu_count()} cores shared"
    for label, figure in served.items():
        extra = {}
        if label != "trivial view":
            ratio = figure["rps"] / trivial["rps"]
            extra = {"ratio_to_trivial": round(ratio, 3)}
            if label in pages:
                extra |= {"target_ratio": TARGET_RATIO, "ok": ratio >= TARGET_RATIO and not figure["errors"]}
        path = {"trivial view": TRIVIAL, "template-only page": TEMPLATE}.get(label) or pages[label]
        emit(name=f"public throughput: {label} ({setting})", path=path, **figure, **extra)

    assert not settings.DEBUG, "measure with DJANGO_DEBUG=false"
    emit(
        name="uncached render: template-only page (same stack, no database)",
        path=TEMPLATE,
        renders=RENDERS,
        **uncached(TEMPLATE, "plain"),
    )
    for label, path in pages.items():
        figure = uncached(path, "miss")
        emit(
            name=f"uncached render: {label} (page cache missed, fragment caches warm)",
            path=path,
            renders=RENDERS,
            **figure,
            target_p50_ms=TARGET_RENDER_MS,
            target_queries=TARGET_QUERIES,
            ok=figure["p50_ms"] <= TARGET_RENDER_MS and figure["queries"] <= TARGET_QUERIES,
        )
    for label, path in pages.items():
        emit(
            name=f"uncached render after a purge: {label} (as after a publish)",
            path=path,
            renders=RENDERS,
            **uncached(path, "purge"),
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["load"]:
        load_main(int(sys.argv[2]), json.loads(sys.argv[3]))
    else:
        main()
