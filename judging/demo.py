"""Demo stage ``judging``: judge profiles, an open first round assigned by the real assigner,
and about half of the sheets scored as *entry quality + judge severity + noise*."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from competition import demo as competition_demo
from competition.models import Category, Contest, County, Entry, EntryEvent
from judging.assignment.services import assign_round
from judging.phases import CLOSED, SCORING
from judging.results.services import compute_round_results
from judging.roles import JUDGES
from judging.rounds.services import round_add_default_rubric, round_set_status
from judging.scoring.services import sheet_total

from .models import Assignment, Criterion, Judge, JudgingEvent, Round, Score, ScoreSheet

JUDGE_TITLES = [
    "高校教授",
    "社工师",
    "文明办干部",
    "媒体记者",
    "律师",
    "医生",
    "中学教师",
    "志愿服务联合会理事",
]


def _half_step(value: float, maximum: int) -> Decimal:
    return Decimal(round(min(max(value, 0.0), maximum) * 2) / 2).quantize(Decimal("0.1"))


def build_judge_accounts(context: competition_demo.DemoContext) -> None:
    """The judges' log-ins (judge001…), made with the other demo accounts."""
    users = competition_demo.demo_users(
        context, [f"judge{i:03d}" for i in range(1, context.judges + 1)], email_domain="demo.invalid"
    )
    Group.objects.get(name=JUDGES).user_set.add(*users)
    context.log(f"  {len(users)} judge accounts")


def build_judging(context: competition_demo.DemoContext) -> None:
    rng = context.rng
    contest = context.contest
    now = timezone.now()
    organizer = get_user_model().objects.get(username="organizer")

    # Submission has closed (a round opens for scoring only then); drafts stay drafts.
    Contest.objects.filter(pk=contest.pk).update(
        submission_opens=now - timedelta(days=35), submission_closes=now - timedelta(days=5)
    )
    contest.refresh_from_db()

    # Eligibility review done: most submitted entries pass, a few do not.
    submitted = list(Entry.objects.filter(contest=contest, status=Entry.Status.SUBMITTED).order_by("pk"))
    ineligible = {e.pk for e in submitted if rng.random() < 0.03}
    for entry in submitted:
        if entry.pk in ineligible:
            entry.eligibility = Entry.Eligibility.INELIGIBLE
            entry.eligibility_reason = "项目启动不满一年，不符合申报条件。"
        else:
            entry.eligibility = Entry.Eligibility.ELIGIBLE
        entry.eligibility_decided_by = organizer
        entry.eligibility_decided_at = now - timedelta(days=3)
    Entry.objects.bulk_update(
        submitted,
        ["eligibility", "eligibility_reason", "eligibility_decided_by", "eligibility_decided_at"],
        500,
    )
    EntryEvent.objects.bulk_create(
        EntryEvent(
            entry=entry,
            kind=EntryEvent.Kind.ELIGIBILITY,
            actor=organizer,
            at=now - timedelta(days=3),
            changes={"eligibility": ["pending", entry.eligibility]},
            note=entry.eligibility_reason,
        )
        for entry in submitted
    )

    # Judges: expertise in one or two categories; most come from a county (automatic conflicts).
    categories = list(Category.objects.all())
    counties = list(County.objects.all())
    users = list(
        get_user_model().objects.filter(groups__name=JUDGES, judge__isnull=True).order_by("username")
    )
    judges = Judge.objects.bulk_create(
        Judge(
            user=user,
            name=competition_demo._person(rng),
            title=rng.choice(JUDGE_TITLES),
            county=rng.choice(counties) if rng.random() < 0.6 else None,
        )
        for user in users
    )
    Judge.expertise.through.objects.bulk_create(
        Judge.expertise.through(judge_id=judge.pk, category_id=category.pk)
        for judge in judges
        for category in rng.sample(categories, k=rng.randint(1, 2))
    )

    round = Round.objects.create(
        contest=contest,
        name="初评",
        order=1,
        judges_per_entry=min(5, max(1, len(judges) // 3)),
        scoring_opens=now - timedelta(days=2),
        scoring_closes=now + timedelta(days=12),
    )
    round_add_default_rubric(round=round)
    report = assign_round(round=round, by=organizer)
    round_set_status(round=round, to=SCORING, by=organizer)
    context.extra["round"] = round
    context.log(
        f"  {len(judges)} judges, round {round.name}: {report['assignments']} assignments, "
        f"connected={report['connected']}, uncovered={len(report['uncovered'])}"
    )
    simulate_scores(context, round=round, share=0.5)


def simulate_scores(context, *, round: Round, share: float) -> None:
    """Sheets for a share of the round's assignments: quality N(70,10) + severity N(0,6) +
    noise N(0,8), spread over the criteria. The truth is kept in ``context.extra``."""
    rng = context.rng
    now = timezone.now()
    criteria = list(Criterion.objects.filter(round=round).order_by("sort_order"))
    quality = context.extra.setdefault("quality", {})
    severity = context.extra.setdefault("severity", {})
    assignments = list(
        Assignment.objects.filter(round=round, sheet__isnull=True)
        .order_by("pk")
        .values_list("pk", "round_entry__entry_id", "judge_id", "round_entry_id")
    )
    chosen = [a for a in assignments if rng.random() < share]
    sheets, score_rows, events = [], [], []
    for pk, entry_id, judge_id, round_entry_id in chosen:
        q = quality.setdefault(entry_id, rng.gauss(70, 10))
        s = severity.setdefault(judge_id, rng.gauss(0, 6))
        overall = q + s + rng.gauss(0, 8)
        points = {
            c.pk: _half_step(overall / 100 * c.max_points + rng.gauss(0, 0.6), c.max_points) for c in criteria
        }
        submitted = rng.random() < 0.9
        sheets.append(
            ScoreSheet(
                assignment_id=pk,
                status=ScoreSheet.Status.SUBMITTED if submitted else ScoreSheet.Status.DRAFT,
                total=sheet_total(criteria, points),
                submitted_at=now if submitted else None,
                created_at=now,
                updated_at=now,
                feedback_to_team=rng.choice(
                    ["", "项目扎根基层，建议进一步总结可复制的经验。", "成效数据翔实，创新点可再提炼。"]
                ),
            )
        )
        score_rows.append(points)
        events.append(
            JudgingEvent(
                round=round,
                kind=JudgingEvent.Kind.SHEET_SUBMITTED if submitted else JudgingEvent.Kind.SHEET_SAVED,
                judge_id=judge_id,
                round_entry_id=round_entry_id,
                at=now,
                after={"scores": {str(c): str(p) for c, p in points.items()}},
            )
        )
    sheets = ScoreSheet.objects.bulk_create(sheets, batch_size=1000)
    Score.objects.bulk_create(
        (
            Score(sheet=sheet, criterion_id=c, points=p)
            for sheet, points in zip(sheets, score_rows, strict=True)
            for c, p in points.items()
        ),
        batch_size=5000,
    )
    JudgingEvent.objects.bulk_create(events, batch_size=2000)
    context.log(f"  {len(sheets)} sheets scored")


def build_results(context: competition_demo.DemoContext) -> None:
    """Every sheet in (drafts submitted, the rest scored), the round closed, results computed."""

    round = (
        context.extra.get("round") or Round.objects.filter(contest=context.contest).order_by("order").first()
    )
    organizer = get_user_model().objects.get(username="organizer")
    now = timezone.now()
    ScoreSheet.objects.filter(assignment__round=round, status=ScoreSheet.Status.DRAFT).update(
        status=ScoreSheet.Status.SUBMITTED, submitted_at=now
    )
    simulate_scores(context, round=round, share=1.0)
    ScoreSheet.objects.filter(assignment__round=round, status=ScoreSheet.Status.DRAFT).update(
        status=ScoreSheet.Status.SUBMITTED, submitted_at=now
    )
    round_set_status(round=round, to=CLOSED, by=organizer)
    computation = compute_round_results(round=round, by=organizer)
    # ICC is undefined (None) when too few judges share entries to estimate it.
    icc = "n/a" if computation.icc is None else f"{computation.icc:.2f}"
    context.log(f"  results: {computation.entries} entries from {computation.sheets} sheets, ICC {icc}")


competition_demo.extend_stage("submission", build_judge_accounts)
competition_demo.register_stage("judging", build_judging)
competition_demo.register_stage("results", build_results)
