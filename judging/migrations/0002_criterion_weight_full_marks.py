"""Criterion weights default to the full marks (as the form's help text always said), so that a
sheet's total is the sum of its points when the full marks add up to 100.

Rubrics made before this change got weight 1 on every criterion: a judge who entered 89.5
points then saw "合计 89.2 / 100". For each round whose criteria all still carry that default
weight of 1, every weight becomes the criterion's full marks and the stored totals of its
sheets are computed again from their points (the points themselves are untouched). Rounds with
any other weight were weighted on purpose and stay as they are.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations


def weights_to_full_marks(apps, schema_editor):
    Criterion = apps.get_model("judging", "Criterion")
    Score = apps.get_model("judging", "Score")
    ScoreSheet = apps.get_model("judging", "ScoreSheet")
    by_round: dict[int, list] = {}
    for criterion in Criterion.objects.order_by("round_id", "pk"):
        by_round.setdefault(criterion.round_id, []).append(criterion)
    for round_id, criteria in by_round.items():
        if any(c.weight != 1 for c in criteria):
            continue
        for criterion in criteria:
            criterion.weight = Decimal(criterion.max_points)
        Criterion.objects.bulk_update(criteria, ["weight"])
        maximum = {c.pk: Decimal(c.max_points) for c in criteria}
        weight_sum = sum(maximum.values())
        points: dict[int, dict[int, Decimal]] = {}
        for sheet_id, criterion_id, value in Score.objects.filter(
            sheet__assignment__round_id=round_id
        ).values_list("sheet_id", "criterion_id", "points"):
            points.setdefault(sheet_id, {})[criterion_id] = value
        sheets = []
        for sheet in ScoreSheet.objects.filter(assignment__round_id=round_id, total__isnull=False):
            given = points.get(sheet.pk, {})
            if set(given) != set(maximum):
                continue
            total = sum(given.values()) * 100 / weight_sum
            sheet.total = Decimal(total).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
            sheets.append(sheet)
        ScoreSheet.objects.bulk_update(sheets, ["total"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("judging", "0001_initial")]
    operations = [migrations.RunPython(weights_to_full_marks, migrations.RunPython.noop)]
