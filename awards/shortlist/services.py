"""Writes of the shortlist (入围名单): the what-if preview, committing it, and organizer
overrides, each with a recorded reason (ShortlistEvent)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.errors import AwardsError
from awards.models import Shortlist, ShortlistEntry, ShortlistEvent
from awards.phases import shortlist_phase
from awards.shortlist.rules import constraints_from
from awards.shortlist.select import Candidate, Selection, select
from awards.tiers.services import tier_for_new_entry, tiers_assign
from competition.models import Entry
from competition.phases import contest_phase
from competition.selectors import contest_by_id
from judging.extensions import score_share
from judging.models import Round
from judging.results.selectors import entry_result, has_results, ranked_entries


def final_ranking(*, round: Round) -> tuple[list[Candidate], str]:
    """The round's entries with a result, best first, by their final score: the judges'
    combined score, or the score with a registered share (the public vote's weight), ranked
    anew (ties keep the judges' order); and the share's note ("" without one). A share that
    is not ready yet stops the list."""
    ranked = ranked_entries(round=round)
    share = score_share(round)
    if share is not None:
        if share.not_ready:
            raise AwardsError(share.not_ready)
        final = {entry_id: share.scores.get(entry_id, combined) for entry_id, combined, *_ in ranked}
        ranked = sorted(ranked, key=lambda row: (-final[row[0]], row[2], row[0]))
        ranked = [(row[0], final[row[0]], rank, *row[3:]) for rank, row in enumerate(ranked, start=1)]
    candidates = [
        Candidate(entry=entry_id, score=score, rank=rank, category=category or 0, county=county)
        for entry_id, score, rank, category, county in ranked
    ]
    return candidates, share.note if share is not None else ""


def shortlist_candidates(*, round: Round) -> list[Candidate]:
    return final_ranking(round=round)[0]


def shortlist_preview(
    *, round: Round, size: int = 100, county_cap=None, category_min=None, category_max=None, candidates=None
):
    """The what-if: the shortlist these constraints would give (nothing is stored), from
    ``candidates`` if the caller has them already."""
    if not has_results(round=round):
        raise AwardsError(_("请先计算本轮成绩。"))
    rules = constraints_from(
        size=size, county_cap=county_cap, category_min=category_min or {}, category_max=category_max or {}
    )
    if candidates is None:
        candidates = shortlist_candidates(round=round)
    return select(candidates, rules), rules


def _report(result: Selection) -> dict:
    return {
        "feasible": result.feasible,
        "problems": result.problems,
        "displaced": [d.__dict__ for d in result.displaced],
        "promoted": result.promoted,
    }


def shortlist_commit(
    *, round: Round, by, size: int = 100, county_cap=None, category_min=None, category_max=None, now=None
) -> Shortlist:
    """Store the previewed shortlist. Allowed again (replacing it) until the notice starts."""
    now = now or timezone.now()
    phase = contest_phase(contest_by_id(round.contest_id), now=now)
    if not phase.can_shortlist:
        raise AwardsError(
            _("大赛处于“%(phase)s”阶段，不能确定入围名单：请在所有评审轮次截止评分之后再确定。")
            % {"phase": phase.label}
        )
    candidates, score_note = final_ranking(round=round)
    result, _rules = shortlist_preview(
        round=round,
        size=size,
        county_cap=county_cap,
        category_min=category_min,
        category_max=category_max,
        candidates=candidates,
    )
    if not result.feasible:
        raise AwardsError(_("这些条件无法同时满足，请调整后再确定。"))
    scores = {c.entry: c for c in candidates}
    with transaction.atomic():
        existing = Shortlist.objects.select_for_update().filter(contest_id=round.contest_id).first()
        if existing is not None and not shortlist_phase(existing).can_recommit:
            raise AwardsError(_("入围名单已经公示，不能再重新生成；如需调整，请逐项调入调出并写明理由。"))
        before = sorted(existing.items.values_list("entry_id", flat=True)) if existing else []
        # A new commit replaces the entries but keeps the shortlist, so its log (earlier
        # commits, overrides with their reasons) survives.
        shortlist = existing or Shortlist(contest_id=round.contest_id)
        shortlist.round = round
        shortlist.size = size
        shortlist.county_cap = county_cap
        shortlist.category_min = category_min or {}
        shortlist.category_max = category_max or {}
        shortlist.committed_by = by
        shortlist.committed_at = now
        shortlist.score_note = score_note
        shortlist.report = _report(result)
        shortlist.save()
        shortlist.items.all().delete()
        ShortlistEntry.objects.bulk_create(
            ShortlistEntry(shortlist=shortlist, entry_id=e, rank=scores[e].rank, score=scores[e].score)
            for e in result.selected
        )
        # The contest's award tiers, from the new list (none: the one default tier).
        tiers_assign(shortlist=shortlist)
        ShortlistEvent.objects.create(
            shortlist=shortlist,
            kind=ShortlistEvent.Kind.COMMITTED,
            actor=by,
            at=now,
            before={"entries": before},
            after={
                "entries": sorted(result.selected),
                "size": size,
                "county_cap": county_cap,
                "category_min": category_min or {},
                "category_max": category_max or {},
            },
        )
    return shortlist


def _editable(shortlist: Shortlist) -> Shortlist:
    current = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    if not shortlist_phase(current).can_override:
        raise AwardsError(_("入围名单已正式公布，不能再调整。"))
    return current


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AwardsError(_("调整入围名单必须写明理由。"))
    return reason


def shortlist_add(
    *, shortlist: Shortlist, entry: Entry, reason: str, by, tier_id: int | None = None
) -> ShortlistEntry:
    """Add an entry with a reason. It goes into ``tier_id``, or the contest's last award tier."""
    reason = _reason(reason)
    with transaction.atomic():
        current = _editable(shortlist)
        result = entry_result(round_id=current.round_id, entry_id=entry.pk)
        if result is None:
            raise AwardsError(_("该项目没有本轮成绩，不能调入。"))
        if current.items.filter(entry=entry).exists():
            raise AwardsError(_("该项目已在入围名单中。"))
        rank, score = result.combined_rank, result.combined
        if current.score_note:
            # Its final score and rank, as the committed entries have theirs.
            final = next((c for c in shortlist_candidates(round=current.round) if c.entry == entry.pk), None)
            if final is not None:
                rank, score = final.rank, final.score
        item = ShortlistEntry.objects.create(
            shortlist=current,
            entry=entry,
            rank=rank,
            score=score,
            via=ShortlistEntry.Via.OVERRIDE,
            tier_id=tier_id or tier_for_new_entry(shortlist=current),
        )
        ShortlistEvent.objects.create(
            shortlist=current,
            kind=ShortlistEvent.Kind.ADDED,
            actor=by,
            before={},
            after={"entry": entry.pk, "title": entry.title, "rank": rank},
            reason=reason,
        )
    return item


def shortlist_remove(*, shortlist: Shortlist, entry: Entry, reason: str, by) -> None:
    reason = _reason(reason)
    with transaction.atomic():
        current = _editable(shortlist)
        item = current.items.filter(entry=entry).first()
        if item is None:
            raise AwardsError(_("该项目不在入围名单中。"))
        ShortlistEvent.objects.create(
            shortlist=current,
            kind=ShortlistEvent.Kind.REMOVED,
            actor=by,
            before={"entry": entry.pk, "title": entry.title, "rank": item.rank, "via": item.via},
            after={},
            reason=reason,
        )
        item.delete()


def shortlist_swap(*, shortlist: Shortlist, out_entry: Entry, in_entry: Entry, reason: str, by) -> None:
    """Replace one entry by another, with a reason; the incoming entry takes the outgoing one's
    award tier."""
    with transaction.atomic():
        outgoing = shortlist.items.filter(entry=out_entry).values_list("tier_id", flat=True).first()
        shortlist_remove(shortlist=shortlist, entry=out_entry, reason=reason, by=by)
        shortlist_add(shortlist=shortlist, entry=in_entry, reason=reason, by=by, tier_id=outgoing)
        ShortlistEvent.objects.create(
            shortlist=shortlist,
            kind=ShortlistEvent.Kind.SWAPPED,
            actor=by,
            before={"entry": out_entry.pk},
            after={"entry": in_entry.pk},
            reason=_reason(reason),
        )
