"""The organizer's window: default entries (the round's, with consent), what may change once
open, and the back-office pages (organizers change, supervisors read, others 404)."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from competition.models import Entry
from tests import factories
from tests.judging.factories import RoundFactory, eligible_entry, sync
from voting.errors import VotingError
from voting.models import VoteEntry, VotingWindow
from voting.windows.services import window_save, window_sync_entries

from .factories import make_window

pytestmark = pytest.mark.django_db


def test_the_default_entries_are_the_rounds_with_consent_and_follow_it_until_opening():
    contest = factories.ContestFactory()
    round = RoundFactory(contest=contest)
    in_round = eligible_entry(contest)
    no_consent = eligible_entry(contest, consent_publish=False)
    sync(round)
    eligible_entry(contest)  # not in the round
    now = timezone.now()
    window = window_save(
        window=VotingWindow(
            contest=contest,
            round=round,
            title="投票",
            opens_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=8),
        )
    )
    assert list(
        VoteEntry.objects.filter(window=window, included=True).values_list("entry_id", flat=True)
    ) == [in_round.pk]
    assert no_consent.pk not in VoteEntry.objects.values_list("entry_id", flat=True)

    Entry.objects.filter(pk=in_round.pk).update(consent_publish=False)
    Entry.objects.filter(pk=no_consent.pk).update(consent_publish=True)
    assert window_sync_entries(window=window) == {"included": 1, "left_out": 1}
    assert list(
        VoteEntry.objects.filter(window=window, included=True).values_list("entry_id", flat=True)
    ) == [no_consent.pk]


def test_once_open_only_the_title_counts_weight_and_a_later_close_may_change():
    contest = factories.ContestFactory()
    window = make_window(contest, entries=1, round=RoundFactory(contest=contest))
    window.max_votes_per_day = 9
    with pytest.raises(VotingError, match="投票开始后不能再修改"):
        window_save(window=window)
    window.refresh_from_db()
    with pytest.raises(VotingError, match="不能再改变参加投票的项目"):
        window_sync_entries(window=window)
    window.closes_at += timedelta(days=2)
    window.weight_percent = 10
    window.show_counts = False
    window_save(window=window)
    window.refresh_from_db()
    assert (window.weight_percent, window.show_counts) == (10, False)
    window.closes_at = window.opens_at - timedelta(hours=1)
    with pytest.raises(VotingError, match="截止时间须晚于开始时间"):
        window_save(window=window)


def test_a_round_of_another_contest_is_refused():
    other = RoundFactory()
    now = timezone.now()
    window = VotingWindow(
        contest=factories.ContestFactory(),
        round=other,
        title="投票",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=2),
    )
    with pytest.raises(VotingError, match="不属于这个大赛"):
        window_save(window=window)


def test_organizers_create_a_window_in_the_back_office(organizer_client):
    contest = factories.ContestFactory()
    eligible_entry(contest)
    form = {
        "contest": contest.pk,
        "round": "",
        "title": "网络投票（群众评议）",
        "opens_at": "2027-01-10T08:00",
        "closes_at": "2027-01-20T20:00",
        "max_votes_per_day": "5",
        "show_counts": "on",
        "weight_percent": "0",
    }
    bad = organizer_client.post(
        "/admin/voting/add/", {**form, "closes_at": "2027-01-01T08:00", "weight_percent": "30"}
    )
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "投票截止时间须晚于开始时间" in text and "网络投票（群众评议）" in text  # what was typed stays
    assert VotingWindow.objects.count() == 0

    answer = organizer_client.post("/admin/voting/add/", form)
    window = VotingWindow.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/admin/voting/{window.pk}/"
    assert timezone.localtime(window.opens_at).strftime("%Y-%m-%d %H:%M") == "2027-01-10 08:00"
    assert VoteEntry.objects.filter(window=window).count() == 1
    tally = organizer_client.get(f"/admin/voting/{window.pk}/")
    assert tally.status_code == 200 and "网络投票（群众评议）" in tally.content.decode()
    assert organizer_client.get("/admin/voting/").status_code == 200
    export = organizer_client.get(f"/admin/voting/{window.pk}/export/")
    assert load_workbook(io.BytesIO(export.content)).sheetnames == ["票数", "作废的投票"]


def test_freezing_from_the_back_office_after_the_close(organizer, organizer_client, time_machine):
    window = make_window(entries=1)
    refused = organizer_client.post(f"/admin/voting/{window.pk}/freeze/", follow=True)
    assert "只有已截止" in refused.content.decode()
    time_machine.move_to(window.closes_at + timedelta(minutes=1))
    organizer_client.force_login(organizer)  # a week later: a new session
    organizer_client.post(f"/admin/voting/{window.pk}/freeze/")
    window.refresh_from_db()
    assert window.phase.frozen


def test_supervisors_read_and_others_get_404():
    window = make_window(entries=1)
    supervisor = Client()
    supervisor.force_login(factories.supervisor())
    assert supervisor.get(f"/admin/voting/{window.pk}/").status_code == 200
    assert supervisor.post(f"/admin/voting/{window.pk}/freeze/").status_code == 404
    assert supervisor.post("/admin/voting/add/", {}).status_code == 404
    coordinator = Client()
    coordinator.force_login(factories.coordinator_for(factories.CountyFactory()))
    assert coordinator.get(f"/admin/voting/{window.pk}/").status_code == 404
    assert coordinator.get("/admin/voting/").status_code == 404


def test_the_back_office_says_the_vote_is_held_while_judges_score(organizer_client):
    from judging.phases import CLOSED, SCORING
    from tests.judging.factories import set_status

    contest = factories.ContestFactory()
    round = RoundFactory(contest=contest)
    eligible_entry(contest)
    sync(round)
    now = timezone.now()
    window = window_save(
        window=VotingWindow(
            contest=contest,
            round=round,
            title="投票",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=8),
        ),
        now=now - timedelta(days=2),
    )
    note = "评分期间投票页面不公开"
    page = organizer_client.get(f"/admin/voting/{window.pk}/").content.decode()
    assert note not in page and "投票进行中" in page
    set_status(round, SCORING)
    page = organizer_client.get(f"/admin/voting/{window.pk}/").content.decode()
    assert note in page and "评审专家正在评分，投票暂停" in page
    assert note in organizer_client.get(f"/admin/voting/{window.pk}/edit/").content.decode()
    set_status(round, CLOSED)
    assert note not in organizer_client.get(f"/admin/voting/{window.pk}/").content.decode()
