"""The public gallery: entries in the vote only (404 for anything else), filters, a fixed
number of queries per page, share metadata, photos made from the blind-safe copies without
metadata, counts shown or hidden."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from competition.models import Entry
from judging.phases import CLOSED, SCORING
from tests import factories
from tests.files import gps_exif, jpeg_bytes
from tests.judging.factories import RoundFactory, eligible_entry, set_status, sync
from voting.models import VoteEntry, VotingWindow
from voting.windows.services import window_save

from .factories import make_window

pytestmark = pytest.mark.django_db


def url(window, *parts) -> str:
    return "/".join([f"/vote/{window.contest.slug}", *parts]) + "/"


def test_the_gallery_lists_the_entries_in_the_vote_with_filters():
    contest = factories.ContestFactory()
    other_county = factories.OrganizationFactory(county=factories.CountyFactory(name="黎城县"))
    eligible_entry(contest, title="银龄课堂", category=factories.category("education"))
    eligible_entry(
        contest,
        title="河道守护",
        category=factories.category("environment"),
        team=factories.TeamFactory(organization=other_county),
    )
    eligible_entry(contest, title="不愿公开", consent_publish=False)
    window = make_window(contest, entries=0)
    client = Client()

    page = client.get(url(window)).content.decode()
    assert "银龄课堂" in page and "河道守护" in page and "不愿公开" not in page
    assert "共 2 个项目" in page

    assert "河道守护" not in client.get(url(window), {"category": "education"}).content.decode()
    only = client.get(url(window), {"county": str(other_county.county_id)}).content.decode()
    assert "河道守护" in only and "银龄课堂" not in only
    found = client.get(url(window), {"q": "银龄"}).content.decode()
    assert "银龄课堂" in found and "河道守护" not in found
    for nasty in ({"county": "abc"}, {"page": "-1"}, {"category": "x" * 500}, {"q": "%' OR 1=1"}):
        assert client.get(url(window), nasty).status_code == 200


def test_the_gallery_takes_the_same_number_of_queries_for_3_or_30_entries():
    small = make_window(entries=3)
    large = make_window(entries=30)
    client = Client()
    client.get(url(small))  # counters set from the database once
    client.get(url(large))
    from django.core.cache import cache

    cache.delete_many([f"voting:shown:{small.pk}", f"voting:shown:{large.pk}"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(large)).status_code == 200
    assert len(few) == len(many) <= 8, [q["sql"] for q in many.captured_queries]


def test_an_entry_page_has_its_texts_and_wechat_share_metadata(settings):
    window = make_window(entries=1)
    item = VoteEntry.objects.get(window=window)
    factories.add_photo(item.entry, jpeg_bytes(exif=gps_exif()), caption="课后辅导")

    page = Client().get(url(window, "e", item.code)).content.decode()

    assert item.entry.title in page and item.entry.approach in page
    assert f'<meta property="og:title" content="{item.entry.title} · 网络投票">' in page
    assert '<meta property="og:description" content="为留守儿童提供课后辅导。">' in page
    image = f"{settings.SITE_URL}/vote/{window.contest.slug}/e/{item.code}/photo/1/640.jpg"
    assert f'<meta property="og:image" content="{image}">' in page


def test_public_photos_carry_no_metadata():
    window = make_window(entries=1)
    item = VoteEntry.objects.get(window=window)
    factories.add_photo(item.entry, jpeg_bytes(width=800, height=600, exif=gps_exif()))

    response = Client().get(url(window, "e", item.code, "photo", "1", "640.jpg").rstrip("/"))

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    with Image.open(io.BytesIO(body)) as image:
        assert image.width == 640
        assert not image.getexif() and "exif" not in image.info
    assert b"DemoCam" not in body


def test_a_round_vote_shows_the_photos_frozen_for_judges_and_needs_the_guardians_consent():
    contest = factories.ContestFactory()
    round = RoundFactory(contest=contest)
    entry = eligible_entry(contest, photo_bytes=[jpeg_bytes(exif=gps_exif())])
    eligible_entry(contest, title="未进入本轮")  # joins no round: not in the vote
    sync(round)
    eligible_entry(contest, title="晚到的项目")
    set_status(round, SCORING)
    now = timezone.now()
    window = window_save(
        window=VotingWindow(
            contest=contest,
            round=round,
            title="复评投票",
            opens_at=now + timedelta(hours=1),
            closes_at=now + timedelta(days=3),
        ),
        now=now,
    )
    assert list(VoteEntry.objects.filter(window=window).values_list("entry_id", flat=True)) == [
        entry.pk,
        *[
            pk
            for pk in VoteEntry.objects.filter(window=window)
            .exclude(entry=entry)
            .values_list("entry_id", flat=True)
        ],
    ]
    VotingWindow.objects.filter(pk=window.pk).update(opens_at=now - timedelta(hours=1))
    window.refresh_from_db()
    item = VoteEntry.objects.get(window=window, entry=entry)
    client = Client()
    photo = url(window, "e", item.code, "photo", "1", "320.jpg").rstrip("/")
    # While the round's judges score, the vote is held: nothing of it is reachable.
    assert client.get(photo).status_code == 404
    set_status(round, CLOSED)

    assert client.get(photo).status_code == 200
    assert client.get(url(window, "e", item.code, "photo", "2", "320.jpg").rstrip("/")).status_code == 404
    Entry.objects.filter(pk=entry.pk).update(consent_guardians=False)
    assert client.get(url(window, "e", item.code, "photo", "1", "320.jpg").rstrip("/")).status_code == 404
    page = client.get(url(window)).content.decode()
    assert "晚到的项目" not in page


def test_entries_not_in_the_vote_and_forged_codes_are_404():
    window = make_window(entries=2)
    other = make_window(entries=1)
    left_out, kept = VoteEntry.objects.filter(window=window).order_by("pk")
    VoteEntry.objects.filter(pk=left_out.pk).update(included=False)
    foreign = VoteEntry.objects.get(window=other)
    client = Client()

    assert client.get(url(window, "e", kept.code)).status_code == 200
    for code in [
        left_out.code,
        foreign.code,
        "forged1234",
        "x" * 40,
        str(kept.entry.public_id),
        str(kept.entry.pk),
    ]:
        assert client.get(url(window, "e", code)).status_code == 404
        assert client.get(url(window, "e", code, "photo", "1", "320.jpg").rstrip("/")).status_code == 404
    Entry.objects.filter(pk=kept.entry_id).update(consent_publish=False)
    assert client.get(url(window, "e", kept.code)).status_code == 404
    assert client.get("/vote/no-such-contest/").status_code == 404
    assert client.get(url(window, "e", kept.code, "photo", "1", "999.jpg").rstrip("/")).status_code == 404


def test_before_the_window_opens_the_gallery_shows_no_entry():
    window = make_window(entries=1, opens_in=timedelta(days=2))
    item = VoteEntry.objects.get(window=window)
    client = Client()
    page = client.get(url(window))
    assert page.status_code == 200 and "投票将于" in page.content.decode()
    assert item.entry.title not in page.content.decode()
    assert client.get(url(window, "e", item.code)).status_code == 404


def test_counts_are_shown_refreshed_once_a_minute_or_hidden(capsys, time_machine):
    from voting.ballots.services import vote_cast

    from .factories import nonce, verified_voter

    window = make_window(entries=1)
    item = VoteEntry.objects.get(window=window)
    client = Client()
    assert "0 票" in client.get(url(window)).content.decode()

    voter = verified_voter(window, capsys)
    vote_cast(window=window, code=item.code, voter_id=voter.pk, nonce=nonce())
    assert "0 票" in client.get(url(window)).content.decode()  # the minute's copy
    time_machine.move_to(timezone.now() + timedelta(seconds=61))
    # The counter was not raised (the vote's transaction is the test's): the read fills it.
    from voting.tallies.services import counts_reconcile

    counts_reconcile(window=window)
    from django.core.cache import cache

    cache.delete(f"voting:shown:{window.pk}")
    assert "1 票" in client.get(url(window)).content.decode()

    VotingWindow.objects.filter(pk=window.pk).update(show_counts=False)
    page = client.get(url(window)).content.decode()
    assert "vote-card-votes" not in page
    assert "vote-entry-votes" not in client.get(url(window, "e", item.code)).content.decode()


def test_an_entry_page_takes_the_same_number_of_queries_for_1_or_6_photos():
    window = make_window(entries=2)
    one, six = VoteEntry.objects.filter(window=window).order_by("pk")
    factories.add_photo(one.entry)
    for _ in range(6):
        factories.add_photo(six.entry)
    client = Client()
    client.get(url(window))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(window, "e", one.code)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(window, "e", six.code)).status_code == 200
    assert len(few) == len(many) <= 6
