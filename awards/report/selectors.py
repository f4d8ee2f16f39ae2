"""Reads of the county report: every figure of every county in a fixed number of aggregate
queries (counties, categories, entries by county × category, teams by county), however many
counties there are."""

from django.db.models import Count, Q

from awards.models import FeaturedProject, ShortlistEntry
from competition.models import Contest
from competition.selectors import contest_categories, counties, submitted_entries
from judging.models import Round
from judging.scoring.selectors import scored_entry_ids

# The figures counted over a county's submitted entries, in the report's column order.
ENTRY_FIGURES = ("entries", "eligible", "recommended", "scored", "shortlisted", "featured")


def county_figures(*, contest: Contest, round: Round | None = None) -> dict:
    """The raw figures: ``counties`` and ``categories`` (in order), ``cells`` keyed by
    (county id, category id) with each figure of ``ENTRY_FIGURES``, and ``teams`` keyed by
    county id (teams with at least one submitted entry). Four queries."""
    entries = submitted_entries(contest=contest)
    county = "team__organization__county_id"
    cells = {}
    rows = (
        entries.values(county, "category_id")
        .order_by()
        .annotate(
            entries=Count("pk"),
            eligible=Count("pk", filter=Q(eligibility="eligible")),
            recommended=Count("pk", filter=Q(eligibility="eligible", recommended=True)),
            scored=Count("pk", filter=Q(pk__in=scored_entry_ids(contest=contest, round=round))),
            shortlisted=Count(
                "pk",
                filter=Q(pk__in=ShortlistEntry.objects.filter(shortlist__contest=contest).values("entry_id")),
            ),
            featured=Count(
                "pk", filter=Q(pk__in=FeaturedProject.objects.filter(contest=contest).values("entry_id"))
            ),
        )
    )
    for row in rows:
        cells[(row[county], row["category_id"])] = {name: row[name] for name in ENTRY_FIGURES}
    teams = dict(
        entries.values_list(county)
        .order_by()
        .annotate(teams=Count("team_id", distinct=True))
        .values_list(county, "teams")
    )
    return {
        "counties": list(counties()),
        "categories": contest_categories(contest=contest),
        "cells": cells,
        "teams": teams,
    }
