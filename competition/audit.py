"""An entry's record (``EntryEvent``) as organizers, coordinators and the supervisor read it:
who did what, by name, and the changes as "字段：旧值 → 新值" (common.audit)."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from common.audit import change_lines, person_name

from .models import Entry, Team


def actor_name(user) -> str:
    """A team's account by the team's name; anyone else as common.audit names them."""
    try:
        return user.team.name
    except (AttributeError, Team.DoesNotExist):
        return person_name(user)


def _label(name: str) -> str:
    try:
        return str(Entry._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return {"photos": _("照片"), "attachments": _("附件")}.get(name, name)


def describe_entry_events(events) -> list:
    """The events with ``sentence`` and ``changes`` (no query: the actor is selected with them)."""
    events = list(events)
    values = {
        "status": dict(Entry.Status.choices),
        "eligibility": dict(Entry.Eligibility.choices),
    }
    for event in events:
        event.sentence = _("%(actor)s %(action)s") % {
            "actor": actor_name(event.actor),
            "action": event.get_kind_display(),
        }
        before, after = {}, {}
        for name, change in (event.changes or {}).items():
            if isinstance(change, list | tuple) and len(change) == 2:
                before[name], after[name] = change
            else:
                after[name] = change
        labels = {name: _label(name) for name in (event.changes or {})}  # in the order recorded
        event.change_lines = change_lines(before, after, labels=labels, values=values)
    return events
