"""What a contest may do in each phase of its year: the one place contest stages are compared.

draft → submission → review → judging → results → notice → final.

The first three follow the submission window in server time (Asia/Shanghai on the page, UTC in
the database): before it opens, while it is open, after it closes. From then on the contest
moves on when something happens, recorded in ``Contest.stage`` by the app that makes it happen
(``competition.services.contest_enter_stage``): a round opens for scoring (judging), the last
scoring round closes (results), the shortlist goes on public notice (notice), it is finalized
(final). A later stage never goes back, except that a round reopened or a second round opened
takes the contest from results back to judging.

Each phase is a ``ContestPhase`` answering "may this happen now?". Services enforce the answer
and views, forms, templates, menus and the public timeline only ask it.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Contest, Entry, Team


@dataclass(frozen=True)
class ContestPhase:
    code: str
    order: int
    label: str
    # Teams create, edit, submit, withdraw and restore entries.
    can_submit: bool
    # Coordinators and organizers decide eligibility; counties recommend.
    can_review_eligibility: bool
    can_recommend: bool
    # A judging round may open for scoring (or reopen).
    can_open_round: bool
    # The shortlist may be committed and adjusted; put on notice; finalized.
    can_shortlist: bool
    can_publish_notice: bool
    can_finalize: bool
    # The featured projects are public.
    final: bool = False

    def step_state(self, step: "ContestPhase") -> str:
        """A timeline step's state seen from this phase: "done", "current" or "upcoming"."""
        if step.order < self.order:
            return "done"
        return "current" if step.order == self.order else "upcoming"

    def __str__(self):
        return str(self.label)


DRAFT = ContestPhase("draft", 0, _("即将开始申报"), False, False, False, False, False, False, False)
SUBMISSION = ContestPhase("submission", 1, _("正在申报"), True, True, True, False, False, False, False)
REVIEW = ContestPhase("review", 2, _("资格审查与推荐"), False, True, True, True, False, False, False)
JUDGING = ContestPhase("judging", 3, _("评审中"), False, True, False, True, False, False, False)
RESULTS = ContestPhase("results", 4, _("确定入围名单"), False, False, False, True, True, True, False)
NOTICE = ContestPhase("notice", 5, _("入围公示"), False, False, False, False, True, False, True)
FINAL = ContestPhase(
    "final", 6, _("优秀项目已公布"), False, False, False, False, False, False, False, final=True
)

PHASES = (DRAFT, SUBMISSION, REVIEW, JUDGING, RESULTS, NOTICE, FINAL)
# The stages recorded on the contest, by the phase they stand for.
RECORDED = {
    Contest.Stage.JUDGING: JUDGING,
    Contest.Stage.RESULTS: RESULTS,
    Contest.Stage.NOTICE: NOTICE,
    Contest.Stage.FINAL: FINAL,
}
STAGE_OF = {phase.code: stage for stage, phase in RECORDED.items()}


def contest_phase(contest: Contest, *, now=None) -> ContestPhase:
    recorded = RECORDED.get(contest.stage)
    if recorded is not None:
        return recorded
    now = now or timezone.now()
    if now < contest.submission_opens:
        return DRAFT
    if now < contest.submission_closes:
        return SUBMISSION
    return REVIEW


def submission_open_q(*, now) -> Q:
    """Contests in their submission phase, as a filter (the same rule as ``contest_phase``)."""
    return Q(stage=Contest.Stage.OPEN, submission_opens__lte=now, submission_closes__gt=now)


def before_deadline_q(*, now) -> Q:
    """Contests in their draft or submission phase, as a filter."""
    return Q(stage=Contest.Stage.OPEN, submission_closes__gt=now)


def may_enter(current: ContestPhase, target: ContestPhase) -> bool:
    """Stages only move forward, except results ↔ judging (a round reopened or a next one)."""
    if target is JUDGING:
        return current in (REVIEW, JUDGING, RESULTS)
    if target is RESULTS:
        return current in (JUDGING, RESULTS)
    if target is NOTICE:
        return current is RESULTS
    if target is FINAL:
        return current is NOTICE
    return False


def stage_for(phase: ContestPhase) -> str:
    """The value ``Contest.stage`` records for a phase entered by an event."""
    return STAGE_OF[phase.code]


def team_can_change_identity(team: Team) -> bool:
    """A team's name and organization (and with it its county) are the team's to change until
    the first eligibility decision on one of its entries; then only organizers change them,
    with a reason (``competition.services.team_change_identity``)."""
    return not team.entries.exclude(eligibility=Entry.Eligibility.PENDING).exists()


# --- The counties' review and recommendation --------------------------------------------------


def county_deadline_passed(contest: Contest, *, now=None) -> bool:
    """``recommendation_closes`` has passed (blank: no deadline but the phase's own)."""
    closes = contest.recommendation_closes
    return closes is not None and (now or timezone.now()) >= closes


def may_decide_eligibility(contest: Contest, *, organizer: bool, now=None) -> bool:
    """Coordinators decide eligibility until the recommendation deadline; organizers, who set it,
    may still correct a decision afterwards while the phase allows review at all."""
    if not contest_phase(contest, now=now).can_review_eligibility:
        return False
    return organizer or not county_deadline_passed(contest, now=now)


def may_recommend(contest: Contest, *, organizer: bool, now=None) -> bool:
    """The same rule for recommendations: the phase, then the deadline for coordinators."""
    if not contest_phase(contest, now=now).can_recommend:
        return False
    return organizer or not county_deadline_passed(contest, now=now)


@dataclass(frozen=True)
class EntryState:
    """Where an entry stands in review, as one word for lists, filters and exports."""

    code: str
    label: str


WITHDRAWN = EntryState("withdrawn", _("已撤回"))
DRAFTED = EntryState("draft", _("草稿"))
PENDING = EntryState("pending", _("待审查"))
ELIGIBLE = EntryState("eligible", _("资格审查通过"))
RECOMMENDED = EntryState("recommended", _("已推荐"))
INELIGIBLE = EntryState("ineligible", _("资格审查未通过"))
# What the back-office lists show (drafts never reach them).
LISTED_STATES = (PENDING, ELIGIBLE, RECOMMENDED, INELIGIBLE, WITHDRAWN)

_STATE_Q = {
    WITHDRAWN.code: Q(status=Entry.Status.WITHDRAWN),
    DRAFTED.code: Q(status=Entry.Status.DRAFT),
    PENDING.code: Q(status=Entry.Status.SUBMITTED, eligibility=Entry.Eligibility.PENDING),
    ELIGIBLE.code: Q(
        status=Entry.Status.SUBMITTED, eligibility=Entry.Eligibility.ELIGIBLE, recommended=False
    ),
    RECOMMENDED.code: Q(
        status=Entry.Status.SUBMITTED, eligibility=Entry.Eligibility.ELIGIBLE, recommended=True
    ),
    INELIGIBLE.code: Q(status=Entry.Status.SUBMITTED, eligibility=Entry.Eligibility.INELIGIBLE),
}


def entry_state(entry: Entry) -> EntryState:
    """A withdrawn entry is withdrawn whatever its old decision said (it is not 待审查)."""
    if entry.status == Entry.Status.WITHDRAWN:
        return WITHDRAWN
    if entry.status == Entry.Status.DRAFT:
        return DRAFTED
    if entry.eligibility == Entry.Eligibility.INELIGIBLE:
        return INELIGIBLE
    if entry.eligibility == Entry.Eligibility.ELIGIBLE:
        return RECOMMENDED if entry.recommended else ELIGIBLE
    return PENDING


def entry_state_q(code: str) -> Q:
    """The entries in the state ``code``, as a filter (the same rule as ``entry_state``)."""
    return _STATE_Q[code]
