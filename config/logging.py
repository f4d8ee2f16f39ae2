"""One JSON object per line, for log collectors (DJANGO_LOG_FORMAT=json).

Used by Django's LOGGING (config/settings/base.py) and by gunicorn's own loggers
(config/gunicorn.conf.py), so that the application, error and access logs of an app server
all have the same shape: ``time``, ``level``, ``logger``, ``message``, ``process``, plus
``exception`` when there is one, the fields of a gunicorn access-log line under ``http``, and
any ``extra={...}`` the caller passed.
"""

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

# gunicorn access-log atoms (see gunicorn.glogging.Logger.atoms) and the names we give them.
ACCESS_FIELDS = {
    "h": "remote_addr",
    "{x-forwarded-for}i": "forwarded_for",
    "m": "method",
    "U": "path",
    "q": "query",
    "H": "protocol",
    "s": "status",
    "B": "bytes",
    "M": "duration_ms",
    "f": "referer",
    "a": "user_agent",
}


def _plain(value):
    """A value JSON can hold; Django's ``request`` extra becomes its method and path only
    (the query string may carry tokens)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    method, path = getattr(value, "method", None), getattr(value, "path", None)
    if method is not None and path is not None:
        return f"{method} {path}"
    return str(value)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            http = {}
            for atom, name in ACCESS_FIELDS.items():
                value = record.args.get(atom)
                if value not in (None, "", "-"):
                    http[name] = value
            if "status" in http:
                http["status"] = int(http["status"]) if str(http["status"]).isdigit() else http["status"]
            data["http"] = http
        for key, value in record.__dict__.items():
            if key not in STANDARD_ATTRIBUTES and key not in data and not key.startswith("_"):
                data[key] = _plain(value)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            data["exception"] = record.exc_text
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)
