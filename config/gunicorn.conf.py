"""gunicorn settings for an app server: `gunicorn config.wsgi -c config/gunicorn.conf.py`.

Everything can be changed by environment variables (docs/deploy.md lists them):

GUNICORN_BIND       where to listen, e.g. "0.0.0.0:8000" or "unix:/run/contest/gunicorn.sock"
                    (default 127.0.0.1:$PORT, PORT defaulting to 8000)
GUNICORN_WORKERS    worker processes (default 2 × CPU cores + 1, cores usable by this process)
GUNICORN_TIMEOUT    seconds a request may take before its worker is killed and restarted (60)
GUNICORN_GRACEFUL_TIMEOUT  seconds workers get to finish their requests on restart/stop (30)
GUNICORN_MAX_REQUESTS      restart a worker after this many requests, 0 = never (1000)
FORWARDED_ALLOW_IPS proxies whose X-Forwarded-Proto gunicorn believes (default: the
                    addresses in DJANGO_TRUSTED_PROXIES, or 127.0.0.1 and ::1)
GUNICORN_CONTROL_SOCKET    path of gunicorn's control socket for gunicornc (default: none)
DJANGO_LOG_FORMAT   json: error and access logs as one JSON object per line, like Django's

The access log goes to stdout, the error log to stderr (journald or the container keeps them).
"""

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, not {raw!r}") from None


def _cores() -> int:
    # The cores this process may run on (taskset, cgroups cpusets), not all the machine has.
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


wsgi_app = "config.wsgi:application"
proc_name = "volunteer-contest"

bind = [os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{_int('PORT', 8000)}"]
workers = _int("GUNICORN_WORKERS", 2 * _cores() + 1)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind nginx, which keeps its own connections to clients: short keep-alive upstream.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (memory held by a big export or image goes back to the OS);
# the jitter keeps them from restarting all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
# Heartbeat files on a RAM disk where there is one (a slow disk would look like a hung worker).
if os.path.isdir("/dev/shm"):  # noqa: S108 (gunicorn's own heartbeat files, not shared data)
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# The reverse proxy on this machine (or the ones in DJANGO_TRUSTED_PROXIES) may say the
# request came in over https (X-Forwarded-Proto); nobody else may.
forwarded_allow_ips = (
    os.environ.get("FORWARDED_ALLOW_IPS") or os.environ.get("DJANGO_TRUSTED_PROXIES") or "127.0.0.1,::1"
)

# gunicorn's control socket (gunicornc) defaults to one path per user, which two app servers on
# one machine would fight over: off unless a path is given.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# key=value pairs, one request per line; the client as nginx saw it is in forwarded_for.
access_log_format = (
    'remote=%(h)s forwarded_for="%({x-forwarded-for}i)s" method=%(m)s path="%(U)s" '
    'query="%(q)s" status=%(s)s bytes=%(B)s duration_ms=%(M)s referer="%(f)s" user_agent="%(a)s"'
)

if os.environ.get("DJANGO_LOG_FORMAT", "").strip().lower() == "json":
    # The same JSON lines as Django's logs (config/logging.py); the access fields are under "http".
    access_log_format = "%(m)s %(U)s %(s)s"
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
        "handlers": {
            "access": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        "root": {"level": "INFO", "handlers": ["error"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }
