"""What a round may do in each of its statuses: the one place round status values are compared.

A round moves setup → scoring → closed → published (organizers may reopen a closed round for
scoring; publication comes with the contest's finalization). Each status is a ``RoundPhase``
that answers "may this happen now?"; services enforce the answer (raising ``JudgingError``)
and views, forms, templates and menus only ask it. Whether the *contest* lets a round open is
``competition.phases``; ``round_can_open`` combines both.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from competition.phases import JUDGING, RESULTS, ContestPhase

from .models import Round


@dataclass(frozen=True)
class Transition:
    """A status change an organizer may make on the round's status page."""

    to: str
    label: str
    help: str


@dataclass(frozen=True)
class RoundPhase:
    status: str
    # Organizers shape the round: rubric criteria added, removed or re-weighted, the contest
    # changed, the masked texts corrected, the round deleted.
    can_change_rubric: bool
    can_edit_masked: bool
    can_delete: bool
    # The assigner runs and judges are added, removed or swapped (and conflicts replace them).
    can_assign: bool
    # Judges save sheets; a sheet an organizer reopened may be saved in ``can_score_reopened``.
    can_score: bool
    can_score_reopened: bool
    can_declare_conflict: bool
    can_reopen_sheet: bool
    # Score sheets are imported from a spreadsheet (paper rounds): into any sheet while scoring,
    # only into sheets an organizer reopened once the round has closed (``may_import``).
    can_import: bool
    can_import_reopened: bool
    can_remind: bool
    # Judges see their assignments of the round (read-only unless they may score).
    visible_to_judges: bool
    # Teams see their results of the round.
    results_public: bool
    transitions: tuple[Transition, ...] = ()
    # A next round (复评) is planned from this round's results and created from the
    # recommendation: only once scoring has closed (the sheets are final) and before publication.
    can_plan_next: bool = False

    @property
    def label(self) -> str:
        return Round.Status(self.status).label

    def may_save_sheet(self, *, reopened: bool) -> bool:
        return self.can_score or (self.can_score_reopened and reopened)

    def may_import(self, *, all_reopened: bool) -> bool:
        """A file may be imported now when every sheet it writes is reopened, or whatever it
        writes while the round scores."""
        return self.can_import or (self.can_import_reopened and all_reopened)

    def transition(self, to: str) -> Transition | None:
        return next((t for t in self.transitions if t.to == to), None)


OPEN = Transition(
    Round.Status.SCORING,
    _("开始评分"),
    _(
        "评委将看到分配给自己的项目并开始评分。开始时冻结评委看到的内容（匿名文本、图片说明、照片和附件），"
        "之后不能再修改匿名文本，评分标准也不能再增删评分项或修改满分、权重。"
    ),
)
CLOSE = Transition(
    Round.Status.CLOSED,
    _("截止评分"),
    _("所有评分表将被锁定，评委不能再修改；如有需要，可以单独重开某一份评分表（须填写原因）。"),
)
REOPEN = Transition(Round.Status.SCORING, _("重新开放"), _("评委可以继续提交和修改评分表，直到再次截止。"))
# Publication is not offered on the status page: finalizing the contest's shortlist publishes
# every closed round at once (awards.outcomes).
PUBLISH = Transition(Round.Status.PUBLISHED, _("发布结果"), _("参赛团队可以看到本轮的成绩和反馈。"))

SETUP = RoundPhase(
    status=Round.Status.SETUP,
    can_change_rubric=True,
    can_edit_masked=True,
    can_delete=True,
    can_assign=True,
    can_score=False,
    can_score_reopened=False,
    can_declare_conflict=False,
    can_reopen_sheet=False,
    can_import=False,
    can_import_reopened=False,
    can_remind=False,
    visible_to_judges=False,
    results_public=False,
    transitions=(OPEN,),
)
SCORING = RoundPhase(
    status=Round.Status.SCORING,
    can_change_rubric=False,
    can_edit_masked=False,
    can_delete=False,
    can_assign=True,
    can_score=True,
    can_score_reopened=True,
    can_declare_conflict=True,
    can_reopen_sheet=True,
    can_import=True,
    can_import_reopened=True,
    can_remind=True,
    visible_to_judges=True,
    results_public=False,
    transitions=(CLOSE,),
)
CLOSED = RoundPhase(
    status=Round.Status.CLOSED,
    can_change_rubric=False,
    can_edit_masked=False,
    can_delete=False,
    can_assign=False,
    can_score=False,
    can_score_reopened=True,
    can_declare_conflict=False,
    can_reopen_sheet=True,
    can_import=False,
    can_import_reopened=True,
    can_remind=False,
    visible_to_judges=True,
    results_public=False,
    transitions=(REOPEN, PUBLISH),
    can_plan_next=True,
)
PUBLISHED = RoundPhase(
    status=Round.Status.PUBLISHED,
    can_change_rubric=False,
    can_edit_masked=False,
    can_delete=False,
    can_assign=False,
    can_score=False,
    can_score_reopened=False,
    can_declare_conflict=False,
    can_reopen_sheet=False,
    can_import=False,
    can_import_reopened=False,
    can_remind=False,
    visible_to_judges=True,
    results_public=True,
)

PHASES = {phase.status: phase for phase in (SETUP, SCORING, CLOSED, PUBLISHED)}


def round_phase(round: Round) -> RoundPhase:
    return PHASES[round.status]


def phase_named(status: str) -> RoundPhase | None:
    """The phase of a status value from outside (a URL, a form); None when there is none."""
    return PHASES.get(status)


def statuses(**flags: bool) -> list[str]:
    """The status values whose phase has every given flag as given, for queries
    (``Round.objects.filter(status__in=statuses(visible_to_judges=True))``)."""
    return [
        status
        for status, phase in PHASES.items()
        if all(getattr(phase, name) == value for name, value in flags.items())
    ]


def rounds_where(prefix: str = "", **flags: bool) -> Q:
    """A filter on rounds (or, with ``prefix="round__"``, on what belongs to one) by phase."""
    return Q(**{f"{prefix}status__in": statuses(**flags)})


def is_manual(transition: Transition) -> bool:
    """Offered on the round's status page (publication comes with finalization)."""
    return transition is not PUBLISH


def opens_scoring(transition: Transition) -> bool:
    return transition.to == SCORING.status


def round_can_open(*, contest_phase: ContestPhase, others_scoring: bool, copies_missing: int = 0) -> bool:
    """The contest lets a round open for scoring (submission closed, no notice yet), no
    other round of the contest is scoring (judges score one round of a contest at a time) and
    every PDF of its entries has its judge copy (judges never get the original)."""
    return contest_phase.can_open_round and not others_scoring and copies_missing == 0


def round_step_state(*, contest_phase: ContestPhase, round: Round) -> str:
    """A round's step on the contest's timeline: "done", "current" or "upcoming". Before the
    contest's judging every round is to come and after its results every round is over; in
    between the scoring round is current (at most one scores at a time)."""
    if contest_phase.order < JUDGING.order:
        return "upcoming"
    if contest_phase.order > RESULTS.order:
        return "done"
    phase = round_phase(round)
    if phase.can_score:
        return "current"
    return "upcoming" if phase.can_edit_masked else "done"
