"""The county report's figures, against counts made by hand from the world (conftest)."""

from awards.report.selectors import county_figures
from awards.report.table import FIGURES, build_report
from competition.models import County

# teams, entries, eligible, recommended, scored, shortlisted, featured (see conftest):
# 潞州区: teams ta1, ta2 (ta3 has only a draft); entries e1, e2, e3; eligible e1, e2;
#   recommended e1; scored e1 (e2's sheet is a draft); shortlisted and featured e1.
# 上党区: team tb1; entries e6 and the ineligible one (the withdrawn one is out); eligible,
#   recommended, scored, shortlisted and featured e6.
LUZHOU = (2, 3, 2, 1, 1, 1, 1)
SHANGDANG = (1, 2, 1, 1, 1, 1, 1)


def rows_by_label(report):
    return {row.label: row for row in report.rows}


def test_each_county_figures_match_the_hand_count(world, contest):
    report = build_report(county_figures(contest=contest))
    rows = rows_by_label(report)
    assert rows["潞州区"].figures == LUZHOU
    assert rows["上党区"].figures == SHANGDANG
    assert rows["屯留区"].figures == (0,) * len(FIGURES)
    codes = [category.code for category in report.categories]
    luzhou = dict(zip(codes, rows["潞州区"].by_category, strict=True))
    assert (luzhou["education"], luzhou["legal"], luzhou["relief"]) == (2, 1, 0)
    assert dict(zip(codes, rows["上党区"].by_category, strict=True))["education"] == 2


def test_total_and_average_cover_every_county(world, contest):
    report = build_report(county_figures(contest=contest))
    assert report.total.figures == tuple(x + y for x, y in zip(LUZHOU, SHANGDANG, strict=True))
    count = County.objects.count()  # the factories' other counties count as empty ones
    assert report.average.figures == tuple(
        round((x + y) / count, 1) for x, y in zip(LUZHOU, SHANGDANG, strict=True)
    )


def test_scored_in_one_round_only_counts_that_round(world, contest):
    from tests.judging.result_factories import rubric_round

    empty = rubric_round(contest, order=2)
    report = build_report(county_figures(contest=contest, round=empty))
    assert rows_by_label(report)["潞州区"].figures[FIGURES.index("scored")] == 0
    report = build_report(county_figures(contest=contest, round=world["round"]))
    assert rows_by_label(report)["潞州区"].figures[FIGURES.index("scored")] == 1


def test_a_coordinator_gets_their_row_and_the_average_only(world, contest):
    luzhou = world["counties"][0]
    report = build_report(county_figures(contest=contest), county_id=luzhou.pk)
    assert [row.label for row in report.rows] == ["潞州区"]
    assert report.total is None
    assert report.average.kind == "average"
