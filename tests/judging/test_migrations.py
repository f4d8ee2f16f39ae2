"""judging 0002: rubrics made with the old default weight (1 on every criterion) get weights
equal to their full marks, and their sheets' totals become the sum of their points."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# competition is held where judging 0002 found it: its later columns are unknown to these
# historical models.
BEFORE = [("judging", "0001_initial"), ("competition", "0002_default_categories")]
AFTER = [("judging", "0002_criterion_weight_full_marks"), ("competition", "0002_default_categories")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_schema_afterwards():
    """Every app back at its latest migration for the tests that follow on this worker."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_afterwards")
def test_old_default_weights_become_full_marks_and_totals_the_sum_of_points():
    apps = migrate(BEFORE)
    Contest = apps.get_model("competition", "Contest")
    Round = apps.get_model("judging", "Round")
    Criterion = apps.get_model("judging", "Criterion")
    now = timezone.now()
    contest = Contest.objects.create(
        title="旧大赛",
        year=2025,
        slug="old",
        submission_opens=now,
        submission_closes=now + timezone.timedelta(1),
    )

    def round_with(order, weights_and_marks, points):
        round = Round.objects.create(
            contest=contest,
            name=f"轮次{order}",
            order=order,
            scoring_opens=now,
            scoring_closes=now + timezone.timedelta(1),
        )
        criteria = [
            Criterion.objects.create(
                round=round, name=f"项{i}", max_points=m, weight=Decimal(w), sort_order=i
            )
            for i, (w, m) in enumerate(weights_and_marks)
        ]
        return round, sheet(apps, round, criteria, points)

    # Old default: weight 1 everywhere. 89.5 points of 100 showed as 89.2.
    old, old_sheet = round_with(
        1, [(1, 15), (1, 15), (1, 20), (1, 25), (1, 10), (1, 15)], [14, 13.5, 18, 22, 9, 13]
    )
    # Weighted on purpose: left alone.
    chosen, chosen_sheet = round_with(2, [(3, 10), (1, 10)], [10, 0])

    apps = migrate(AFTER)

    Criterion = apps.get_model("judging", "Criterion")
    ScoreSheet = apps.get_model("judging", "ScoreSheet")
    assert list(
        Criterion.objects.filter(round_id=old.pk).order_by("sort_order").values_list("weight", flat=True)
    ) == [Decimal(m) for m in (15, 15, 20, 25, 10, 15)]
    assert ScoreSheet.objects.get(pk=old_sheet).total == Decimal("89.500")
    assert list(Criterion.objects.filter(round_id=chosen.pk).values_list("weight", flat=True)) == [3, 1]
    assert ScoreSheet.objects.get(pk=chosen_sheet).total == Decimal("75.000")


def sheet(apps, round, criteria, points) -> int:
    """A submitted sheet with the total the old code stored (weights as they were)."""
    User = apps.get_model("auth", "User")
    Judge = apps.get_model("judging", "Judge")
    Organization = apps.get_model("competition", "Organization")
    County = apps.get_model("competition", "County")
    Team = apps.get_model("competition", "Team")
    Entry = apps.get_model("competition", "Entry")
    RoundEntry = apps.get_model("judging", "RoundEntry")
    Assignment = apps.get_model("judging", "Assignment")
    ScoreSheet = apps.get_model("judging", "ScoreSheet")
    Score = apps.get_model("judging", "Score")
    n = round.order
    county, _ = County.objects.get_or_create(name="潞州区")
    organization = Organization.objects.create(name=f"阵地{n}", kind="station", county=county)
    team = Team.objects.create(
        user=User.objects.create(username=f"team{n}"),
        name=f"队{n}",
        organization=organization,
        contact_name="张",
        contact_phone="13800000000",
    )
    entry = Entry.objects.create(contest=round.contest, team=team, title=f"项目{n}")
    round_entry = RoundEntry.objects.create(round=round, entry=entry, blind_code=f"AAAA{n}", title="项目")
    judge = Judge.objects.create(user=User.objects.create(username=f"judge{n}"), name=f"评委{n}")
    assignment = Assignment.objects.create(round=round, round_entry=round_entry, judge=judge)
    weights = sum(c.weight for c in criteria)
    total = sum(c.weight * Decimal(str(p)) / c.max_points for c, p in zip(criteria, points, strict=True))
    stored = ScoreSheet.objects.create(
        assignment=assignment,
        status="submitted",
        submitted_at=timezone.now(),
        total=(total * 100 / weights).quantize(Decimal("0.001")),
    )
    for criterion, value in zip(criteria, points, strict=True):
        Score.objects.create(sheet=stored, criterion=criterion, points=Decimal(str(value)))
    return stored.pk
