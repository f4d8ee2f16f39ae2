"""Finalization: after the notice, the shortlisted entries become featured projects, the
contest's rounds are published, and teams are told."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from awards import messages
from awards.certificates.services import certificates_issue
from awards.errors import AwardsError
from awards.models import FeaturedProject, Objection, Shortlist, ShortlistEvent
from awards.outcomes.tasks import notify_teams_of_results
from awards.phases import FINALIZED, notice_over, shortlist_phase
from awards.signals import shortlist_finalized
from competition.phases import FINAL
from competition.services import contest_enter_stage
from judging.rounds.services import rounds_publish


def shortlist_finalize(*, shortlist: Shortlist, by, now=None) -> list[FeaturedProject]:
    """After the notice period, with every objection answered: the shortlisted entries become
    featured projects, the contest's rounds are published, and teams are told."""
    now = now or timezone.now()
    with transaction.atomic():
        current = (
            Shortlist.objects.select_for_update().select_related("round", "contest").get(pk=shortlist.pk)
        )
        here = shortlist_phase(current)
        if not here.can_finalize:
            raise AwardsError(_("只有公示中的入围名单才能正式公布。"))
        if not notice_over(current, now=now):
            raise AwardsError(_("公示期尚未结束。"))
        if current.objections.filter(status=Objection.Status.OPEN).exists():
            raise AwardsError(_("还有未答复的异议，请先答复。"))
        items = list(current.items.order_by("rank", "entry_id"))
        featured = FeaturedProject.objects.bulk_create(
            FeaturedProject(
                contest_id=current.contest_id,
                entry_id=item.entry_id,
                rank=position,
                score=item.score,
                tier_id=item.tier_id,
                finalized_at=now,
            )
            for position, item in enumerate(items, start=1)
        )
        current.status = FINALIZED.status
        current.finalized_at = now
        current.save(update_fields=["status", "finalized_at"])
        ShortlistEvent.objects.create(
            shortlist=current,
            kind=ShortlistEvent.Kind.FINALIZED,
            actor=by,
            at=now,
            before={"status": here.status},
            after={"status": FINALIZED.status, "featured": [f.entry_id for f in featured]},
        )
        # The certificates exist (and their verification pages answer) before anyone prints one.
        certificates_issue(contest=current.contest, now=now)
        contest_enter_stage(contest=current.contest, phase=FINAL, now=now)
        rounds_publish(contest=current.contest, by=by, note=_("入围名单正式公布"))

        contest_id = current.contest_id
        transaction.on_commit(lambda: notify_teams_of_results.enqueue(contest_id))
        transaction.on_commit(lambda: shortlist_finalized.send(sender=Shortlist, contest_id=contest_id))
    return featured


def results_notify(*, contest_id: int, mail_key: str | None = None) -> int:
    """Tell every team of the contest that results are out (``awards.messages.results_ready``).
    Runs as a task (``awards.outcomes.tasks.notify_teams_of_results``); the outbox's keys make a
    retry tell no team twice. Returns how many were told."""
    return messages.results_ready(contest_id=contest_id)
