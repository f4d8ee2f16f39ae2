"""Writes of the public notice (公示): publishing it, objections from the public (rate-limited
by a keyed hash of the address) and the organizers' answers."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from awards import messages
from awards.errors import AwardsError
from awards.models import Objection, Shortlist, ShortlistEvent
from awards.phases import ON_NOTICE, shortlist_phase, takes_objections
from competition.models import Entry
from competition.phases import NOTICE, contest_phase
from competition.services import contest_enter_stage

OBJECTIONS_PER_HOUR = 3
OBJECTIONS_PER_DAY = 10


def notice_publish(*, shortlist: Shortlist, by, days: int = 5, now=None) -> Shortlist:
    """Put the committed shortlist on public notice for ``days`` days from now; the contest
    enters its notice phase."""
    now = now or timezone.now()
    if days < 1:
        raise AwardsError(_("公示期至少 1 天。"))
    with transaction.atomic():
        current = Shortlist.objects.select_for_update().select_related("contest").get(pk=shortlist.pk)
        here = shortlist_phase(current)
        if not here.can_publish_notice:
            raise AwardsError(_("入围名单已经公示过了。"))
        contest = contest_phase(current.contest, now=now)
        if not contest.can_publish_notice:
            raise AwardsError(
                _("大赛处于“%(phase)s”阶段，不能发布公示：请在所有评审轮次截止评分之后再发布。")
                % {"phase": contest.label}
            )
        contest_enter_stage(contest=current.contest, phase=NOTICE, now=now)
        current.status = ON_NOTICE.status
        current.notice_starts_at = now
        current.notice_ends_at = now + timedelta(days=days)
        current.save(update_fields=["status", "notice_starts_at", "notice_ends_at"])
        ShortlistEvent.objects.create(
            shortlist=current,
            kind=ShortlistEvent.Kind.NOTICE,
            actor=by,
            at=now,
            before={"status": here.status},
            after={
                "status": ON_NOTICE.status,
                "starts": now.isoformat(),
                "ends": current.notice_ends_at.isoformat(),
                "entries": current.items.count(),
            },
        )
        messages.notice_published(shortlist=current)
    return current


def address_hash(address: str) -> str:
    """Objections keep a keyed hash of the sender's address (for rate limits), not the address."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:objection:{address}".encode()).hexdigest()


def objection_file(
    *, shortlist: Shortlist, entry: Entry | None, name: str, phone: str, reason: str, address: str, now=None
) -> Objection:
    now = now or timezone.now()
    if not takes_objections(shortlist, now=now):
        raise AwardsError(_("公示期已结束，不再受理异议。"))
    if entry is not None and not shortlist.items.filter(entry=entry).exists():
        raise AwardsError(_("所选项目不在公示名单中。"))
    key = address_hash(address)
    recent = Objection.objects.filter(address_hash=key)
    if recent.filter(created_at__gte=now - timedelta(hours=1)).count() >= OBJECTIONS_PER_HOUR or (
        recent.filter(created_at__gte=now - timedelta(days=1)).count() >= OBJECTIONS_PER_DAY
    ):
        raise AwardsError(_("提交过于频繁，请稍后再试。"))
    with transaction.atomic():
        objection = Objection.objects.create(
            shortlist=shortlist,
            entry=entry,
            name=name.strip(),
            phone=phone.strip(),
            reason=reason.strip(),
            address_hash=key,
            created_at=now,
        )
        ShortlistEvent.objects.create(
            shortlist=shortlist,
            kind=ShortlistEvent.Kind.OBJECTION,
            at=now,
            after={"objection": objection.pk, "entry": entry.pk if entry else None},
        )
        messages.objection_filed(objection=objection)
    return objection


def objection_answer(*, objection: Objection, answer: str, by, now=None) -> Objection:
    now = now or timezone.now()
    answer = (answer or "").strip()
    if not answer:
        raise AwardsError(_("请填写答复内容。"))
    with transaction.atomic():
        current = Objection.objects.select_for_update().get(pk=objection.pk)
        before = {"status": current.status, "answer": current.answer}
        current.status = Objection.Status.ANSWERED
        current.answer = answer
        current.answered_by = by
        current.answered_at = now
        current.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        ShortlistEvent.objects.create(
            shortlist_id=current.shortlist_id,
            kind=ShortlistEvent.Kind.ANSWERED,
            actor=by,
            at=now,
            before=before,
            after={"status": current.status, "answer": answer, "objection": current.pk},
        )
        messages.objection_answered(objection=current)
    return current
