from datetime import timedelta

import pytest
from django.utils import timezone

from competition import selectors
from tests import factories

pytestmark = pytest.mark.django_db


def closed(year, days_ago):
    now = timezone.now()
    return factories.ContestFactory(
        year=year,
        submission_opens=now - timedelta(days=days_ago + 30),
        submission_closes=now - timedelta(days=days_ago),
    )


def test_current_contest_is_the_one_open_for_submission_even_if_another_is_newer():
    open_one = factories.ContestFactory(year=2025)
    closed(2026, days_ago=1)

    assert selectors.current_contest() == open_one


def test_without_an_open_contest_the_current_one_is_the_most_recent(django_assert_num_queries):
    closed(2024, days_ago=400)
    latest = closed(2025, days_ago=30)

    with django_assert_num_queries(1):
        assert selectors.current_contest() == latest


def test_there_is_no_current_contest_before_the_first():
    assert selectors.current_contest() is None
