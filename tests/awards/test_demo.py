"""The demo's last stage goes through the awards services."""

import io

import pytest
from django.core.management import call_command

from awards.models import FeaturedProject, Shortlist
from judging.models import (
    Round,
    RoundResult,
)

pytestmark = pytest.mark.django_db


# --- Demo data -------------------------------------------------------------------------------


def test_seed_demo_published_stage_finalizes_the_shortlist_with_its_whole_log(settings):
    settings.DEBUG = True  # seed_demo is for development (the test runner turns DEBUG off)

    call_command("seed_demo", entries=24, judges=9, stage="published", stdout=io.StringIO())

    shortlist = Shortlist.objects.get()
    ranked = RoundResult.objects.filter(round=shortlist.round).count()
    assert shortlist.status == Shortlist.Status.FINALIZED
    assert FeaturedProject.objects.count() == min(100, ranked) == shortlist.items.count()
    assert list(FeaturedProject.objects.order_by("rank").values_list("rank", flat=True)) == list(
        range(1, min(100, ranked) + 1)
    )
    kinds = list(shortlist.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["committed", "notice", "objection", "answered", "objection", "answered", "finalized"]
    assert shortlist.round.status == Round.Status.PUBLISHED
