"""Audit records (before / after dictionaries) as lines a person reads: "字段：旧值 → 新值".

The apps say what their keys are called (``labels``) and how a key's values read (``values``:
a mapping of stored codes to labels, or a function, e.g. database ids to names looked up once
for the page); this module only lays them out. Times stored as ISO text are shown in the site's
time zone (Asia/Shanghai); nothing is shown as JSON.
"""

from collections.abc import Callable, Mapping
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext

EMPTY = "—"
Reader = Mapping | Callable[[object], str]


def local_time(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)


def plain(value) -> str:
    """A stored value without a reader of its own."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, list | tuple):
        return "、".join(plain(item) for item in value) if value else gettext("无")
    if isinstance(value, dict):
        return "；".join(f"{key}：{plain(item)}" for key, item in value.items()) if value else gettext("无")
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        try:
            return local_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def read(value, reader: Reader | None) -> str:
    if value is None or value == "" or value == {} or value == []:
        return EMPTY
    if reader is None:
        return plain(value)
    if callable(reader):
        return reader(value)
    if isinstance(value, list | tuple):
        return "、".join(read(item, reader) for item in value) if value else gettext("无")
    return str(reader.get(value, reader.get(str(value), plain(value))))


def change_lines(
    before: dict | None,
    after: dict | None,
    *,
    labels: Mapping[str, str],
    values: Mapping[str, Reader] | None = None,
    hidden: frozenset[str] = frozenset(),
) -> list[str]:
    """One line per key of either side, in ``labels`` order then the rest: "字段：旧 → 新" where
    both sides have the key and differ, "字段：新" or "字段：旧 → —" where one side has it."""
    before, after, values = before or {}, after or {}, values or {}
    keys = [key for key in labels if key in before or key in after]
    keys += sorted(key for key in {*before, *after} if key not in labels)
    lines = []
    for key in keys:
        if key in hidden:
            continue
        label = labels.get(key, key)
        old, new = (read(side.get(key), values.get(key)) for side in (before, after))
        if key in before and key in after:
            if old != new:
                lines.append(f"{label}：{old} → {new}")
        elif key in after:
            lines.append(f"{label}：{new}")
        else:
            lines.append(f"{label}：{old} → {EMPTY}")
    return lines


def person_name(user) -> str:
    """How a person is named in a record: the full name (family name first) or the account."""
    if user is None:
        return gettext("系统")
    full = f"{user.last_name}{user.first_name}".strip()
    return full or user.get_username()
