"""Writes of a round's life: its rubric, the entries taking part, its status."""

from django.db import transaction
from django.utils.translation import gettext as _

from competition import selectors as competition_selectors
from competition.models import Entry
from competition.phases import JUDGING, RESULTS, REVIEW, contest_phase
from competition.services import contest_enter_stage
from judging import messages
from judging.errors import JudgingError
from judging.masking.copies import copies_request, entries_frozen, round_copy_counts
from judging.masking.services import freeze_for_judges, masked_texts
from judging.models import DEFAULT_RUBRIC, Criterion, JudgingEvent, Round, RoundEntry, ScoreSheet, random_code
from judging.phases import PUBLISHED, RoundPhase, round_can_open, round_phase, rounds_where


def round_add_default_rubric(*, round: Round) -> None:
    """The rubric typical of Chinese volunteer-project competitions (weights = full marks)."""
    if round.criteria.exists():
        return
    Criterion.objects.bulk_create(
        Criterion(round=round, name=name, guidance=guidance, max_points=points, weight=points, sort_order=i)
        for i, (name, guidance, points) in enumerate(DEFAULT_RUBRIC, start=1)
    )


def check_rubric_change(*, round: Round, reshaped: bool) -> None:
    """Once scoring has started the rubric keeps its shape: criteria may be reworded, but not
    added, removed or re-weighted, and their full marks stay (sheets were scored against it)."""
    if reshaped and not round_phase(round).can_change_rubric:
        raise JudgingError(_("评分开始后不能增删评分项，也不能修改满分或权重。"))


def participating_entries(*, round: Round):
    """The entries that take part in a round, by the round's entry source."""
    if round.entry_source == Round.Source.ADVANCED:
        previous = (
            Round.objects.filter(contest_id=round.contest_id, order__lt=round.order)
            .order_by("-order")
            .first()
        )
        if previous is None:
            return Entry.objects.none()
        advanced = RoundEntry.objects.filter(round=previous, advanced=True).values("entry_id")
        return competition_selectors.eligible_entries(contest=round.contest).filter(pk__in=advanced)
    if round.entry_source == Round.Source.RECOMMENDED:
        return competition_selectors.recommended_entries(contest=round.contest)
    return competition_selectors.eligible_entries(contest=round.contest)


def _unique_codes(round: Round, count: int) -> list[str]:
    taken = set(RoundEntry.objects.filter(round=round).values_list("blind_code", flat=True))
    codes = []
    while len(codes) < count:
        code = random_code(6)
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def round_sync_entries(*, round: Round, by=None) -> dict:
    """Bring the round's entries in line with its source: new entries join with a blind code
    and masked texts; entries that left (withdrawn, found ineligible) leave unless a judge has
    already scored them. Set-based: a constant number of queries per batch."""
    wanted = set(participating_entries(round=round).values_list("pk", flat=True))
    present = dict(RoundEntry.objects.filter(round=round).values_list("entry_id", "pk"))
    joining = sorted(wanted - set(present))
    leaving = [present[e] for e in set(present) - wanted]
    with transaction.atomic():
        created = 0
        for start in range(0, len(joining), 500):
            batch = list(
                competition_selectors.entries_with_identity(ids=joining[start : start + 500]).select_related(
                    "team__user"
                )
            )
            codes = _unique_codes(round, len(batch))
            made = RoundEntry.objects.bulk_create(
                RoundEntry(round=round, entry=entry, blind_code=code, **masked_texts(entry))
                for entry, code in zip(batch, codes, strict=True)
            )
            if not round_phase(round).can_edit_masked:
                # Joining a round already open to judges: frozen at once, like the others were.
                freeze_for_judges(round_entry_ids=[re.pk for re in made])
            elif entries_frozen(round):
                copies_request(round_entry_ids=[re.pk for re in made])
            created += len(batch)
        kept_back = set(
            ScoreSheet.objects.filter(assignment__round_entry_id__in=leaving).values_list(
                "assignment__round_entry_id", flat=True
            )
        )
        removable = [pk for pk in leaving if pk not in kept_back]
        RoundEntry.objects.filter(pk__in=removable).delete()
    return {"joined": created, "left": len(removable), "kept_with_sheets": len(kept_back)}


def round_open_refusal(round: Round) -> str | None:
    """Why the round may not open for scoring now (in words), or None when it may: the contest
    must have closed submission and not yet gone on notice, and no other round of the contest
    may be scoring (judges score one round of a contest at a time), and every PDF's judge copy
    must be ready."""
    if not round.criteria.exists():
        return _("请先设置评分标准。")
    where = contest_phase(round.contest)
    other = Round.objects.filter(rounds_where(can_score=True), contest_id=round.contest_id).exclude(
        pk=round.pk
    )
    other = other.first()
    copies = round_copy_counts(round=round)
    if round_can_open(
        contest_phase=where, others_scoring=other is not None, copies_missing=copies["missing"]
    ):
        return None
    if other is not None:
        return _("“%(name)s”正在评分，同一届大赛一次只开放一个轮次评分，请先截止该轮。") % {
            "name": other.name
        }
    if where.order < REVIEW.order:
        return _(
            "申报尚未截止，评审轮次不能开始评分：参赛项目在截止前还可能修改，评委看到的内容要在截止后才能冻结。"
        )
    if where.can_open_round and copies["missing"]:
        return _(
            "还有 %(missing)s 份 PDF 附件的匿名副本没有生成（其中 %(failed)s 份生成失败）："
            "评委只能看到匿名副本，请在“匿名文本”页生成并检查后再开始评分。"
        ) % {"missing": copies["missing"], "failed": copies["failed"]}
    return _("大赛已进入“%(phase)s”阶段，评审轮次不能再开放评分。") % {"phase": where.label}


def round_set_status(*, round: Round, to: RoundPhase, by, note: str = "") -> Round:
    """Move the round to another phase, as its phase allows. Opening for scoring asks the
    contest too (``round_open_refusal``), freezes what judges receive the first time, and
    records the contest's stage; closing the last scoring round records that the contest's
    results are being decided."""
    with transaction.atomic():
        current = Round.objects.select_for_update().select_related("contest").get(pk=round.pk)
        here = round_phase(current)
        if here.transition(to.status) is None:
            raise JudgingError(_("轮次不能从“%(old)s”变为“%(new)s”。") % {"old": here.label, "new": to.label})
        contest = current.contest
        if to.can_score:
            refusal = round_open_refusal(current)
            if refusal:
                raise JudgingError(refusal)
        before = current.status
        current.status = to.status
        current.save(update_fields=["status"])
        if here.can_edit_masked and to.can_score:
            freeze_for_judges(round_entry_ids=list(current.round_entries.values_list("pk", flat=True)))
        if to.can_score:
            contest_enter_stage(contest=contest, phase=JUDGING)
            messages.round_opened(round=current)
        elif (
            here.can_score
            and not Round.objects.filter(rounds_where(can_score=True), contest=contest).exists()
        ):
            contest_enter_stage(contest=contest, phase=RESULTS)
        JudgingEvent.objects.create(
            round=current,
            kind=JudgingEvent.Kind.ROUND_STATUS,
            actor=by,
            before={"status": before},
            after={"status": to.status},
            note=note,
        )
    round.status = current.status
    return current


def rounds_publish(*, contest, by, note: str = "") -> int:
    """Publish every closed round of the contest (with its finalization): teams may then read
    their results. Returns how many were published."""
    published = 0
    for round in Round.objects.filter(contest=contest).order_by("order"):
        if round_phase(round).transition(PUBLISHED.status) is not None:
            round_set_status(round=round, to=PUBLISHED, by=by, note=note)
            published += 1
    return published


# Set anew for a copied round: its identity, contest, blind-code seed, status and bookkeeping.
ROUND_FIELDS_NOT_COPIED = {"id", "contest", "code", "status", "created_at"}


def rounds_copy(*, source, copy, years: int, shift, by=None) -> list[Round]:
    """A contest duplicated for a new year (``competition.services.contest_duplicate``) gets the
    source's rounds with their methods, settings and rubrics, dates moved by ``shift``; each
    round starts in setup, without entries, judges, sheets or results."""
    made = []
    for old in Round.objects.filter(contest=source).prefetch_related("criteria").order_by("order"):
        new = Round(contest=copy, code=random_code(8))
        for field in Round._meta.concrete_fields:
            if field.name in ROUND_FIELDS_NOT_COPIED:
                continue
            value = getattr(old, field.attname)
            if field.get_internal_type() in ("DateTimeField", "DateField"):
                value = shift(value)
            setattr(new, field.attname, value)
        new.save()
        Criterion.objects.bulk_create(
            Criterion(
                round=new,
                name=criterion.name,
                guidance=criterion.guidance,
                max_points=criterion.max_points,
                weight=criterion.weight,
                sort_order=criterion.sort_order,
            )
            for criterion in old.criteria.all()
        )
        made.append(new)
    return made
