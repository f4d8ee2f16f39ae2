"""The shortlist's audit log (``ShortlistEvent``) as the supervisor reads it: a sentence per
event naming the person and the entry, and the changes as "字段：旧值 → 新值" (common.audit),
with entries, objections and categories by name (looked up once per page)."""

from django.utils.translation import gettext as _

from awards.models import Objection, Shortlist, ShortlistEntry
from common.audit import change_lines, person_name
from competition.selectors import categories_in_order, entry_titles


def _labels() -> dict[str, str]:
    return {
        "status": _("状态"),
        "entry": _("项目"),
        "title": _("项目名称"),
        "rank": _("名次"),
        "via": _("入围方式"),
        "entries": _("入围项目"),
        "size": _("入围数量"),
        "county_cap": _("每县（市、区）上限"),
        "category_min": _("各类别下限"),
        "category_max": _("各类别上限"),
        "starts": _("公示开始"),
        "ends": _("公示结束"),
        "objection": _("异议人"),
        "answer": _("答复"),
        "featured": _("优秀项目"),
        "tier": _("奖项等次"),
        "tiers": _("奖项设置"),
    }


def _ids(value) -> list:
    return value if isinstance(value, list) else [value]


def describe_events(*, events) -> None:
    """Give each event of a page ``sentence`` and ``changes`` (three queries for the page)."""
    events = list(events)
    entry_ids = set()
    objection_ids = set()
    for event in events:
        for side in (event.before, event.after):
            for key in ("entry", "entries", "featured"):
                if isinstance(side.get(key), int | list):
                    entry_ids.update(_ids(side[key]))
            if side.get("objection"):
                objection_ids.add(side["objection"])
    titles = entry_titles(ids=entry_ids)
    objectors = dict(Objection.objects.filter(pk__in=objection_ids).values_list("pk", "name"))
    categories = {category.code: category.label for category in categories_in_order()}

    def entry(pk) -> str:
        return f"“{titles[pk]}”" if pk in titles else _("已删除的项目")

    def entries(value) -> str:
        if isinstance(value, int):  # a count (the notice's number of entries)
            return _("%(count)s 个") % {"count": value}
        return "、".join(entry(pk) for pk in value) if value else _("无")

    def per_category(counts) -> str:
        return (
            "；".join(f"{categories.get(code, code)} {n}" for code, n in counts.items())
            if counts
            else _("无")
        )

    def tiers(value) -> str:
        return "；".join(
            _("%(name)s %(places)s 个") % {"name": t.get("name", ""), "places": t.get("places", "")}
            for t in value
        )

    statuses = {**dict(Shortlist.Status.choices), **dict(Objection.Status.choices)}
    values = {
        "status": statuses,
        "entry": entry,
        "entries": entries,
        "featured": entries,
        "via": dict(ShortlistEntry.Via.choices),
        "category_min": per_category,
        "category_max": per_category,
        "objection": lambda pk: objectors.get(pk, _("已删除的异议")),
        "tiers": tiers,
    }
    labels = _labels()
    for event in events:
        event.sentence = _("%(actor)s %(action)s") % {
            "actor": person_name(event.actor) if event.actor_id else _("公众"),
            "action": event.get_kind_display(),
        }
        subject = event.after.get("entry") or event.before.get("entry")
        if isinstance(subject, int):
            event.sentence += _("：%(subject)s") % {"subject": entry(subject)}
        event.changes = change_lines(
            event.before, event.after, labels=labels, values=values, hidden=frozenset({"title"})
        )
