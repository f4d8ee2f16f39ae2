"""Defences in the request path: limits per address, network and device on code requests and
votes (a voter who changes address every request is still held; 10,000 votes from one network
in a minute: only the limit passes, the rest refused in Chinese, never a 500), the daily cap
per number block, and the image challenge after unusual activity."""

import pytest
from captcha.models import CaptchaStore
from django.test import Client as HttpClient

from voting.defences import (
    ChallengeRequired,
    Client,
    RateLimited,
    challenge_needed,
    guarded_code_request,
    guarded_vote_cast,
)
from voting.errors import VoteRefused
from voting.models import Vote, VoteEntry, Voter
from voting.voters import keys

from .factories import CODE, make_window, nonce, number, verified_voter

pytestmark = pytest.mark.django_db


@pytest.fixture
def window():
    return make_window(entries=3, max_votes_per_day=3)


@pytest.fixture
def tight(settings):
    settings.VOTING_RATE_LIMITS = {
        "code": {"address": (4, 3600), "subnet": (10, 3600), "device": (3, 3600)},
        "vote": {"address": (5, 60), "subnet": (20, 60), "device": (6, 60)},
    }
    return settings


def codes(window):
    return list(VoteEntry.objects.filter(window=window).order_by("pk").values_list("code", flat=True))


def make_voters(window, count, *, block="1390000"):
    """Verified voters without the SMS round trip (the defences only read their rows)."""
    return [
        Voter.objects.create(
            contest=window.contest,
            number_hash=keys.number_hash(f"{block}{i:04d}"),
            prefix_hash=keys.prefix_hash(f"{block}{i:04d}"),
            verified_at=window.opens_at,
        )
        for i in range(count)
    ]


def test_the_block_of_a_number_is_stored_as_a_keyed_hash(window, capsys):
    voter = verified_voter(window, capsys, n=1)
    assert voter.prefix_hash == keys.prefix_hash(number(1)) == keys.prefix_hash(number(2))
    assert keys.prefix_hash(number(1)) != keys.prefix_hash("13900001234")
    assert number(1)[:7] not in voter.prefix_hash


def test_ten_thousand_votes_from_one_network_in_a_minute_only_the_limit_passes(window, tight):
    voters = make_voters(window, 30)
    entry_codes = codes(window)
    accepted, refusals = 0, set()
    for i in range(10_000):
        voter = voters[i % len(voters)]
        client = Client(address=f"203.0.113.{i % 250 + 1}", device_id=f"dev{i}")
        try:
            code = entry_codes[(i // 30) % 3]
            ballot = guarded_vote_cast(
                window=window, code=code, voter_id=voter.pk, nonce=nonce(), client=client
            )
        except VoteRefused as error:
            refusals.add(error.message)
        else:
            accepted += ballot.created
    assert accepted == Vote.objects.count() == 20  # the network's limit in a minute
    assert any("操作过于频繁" in message for message in refusals)
    assert all(message for message in refusals)


def test_a_voter_who_changes_address_every_request_is_held_by_network_and_device(window, tight):
    voters = make_voters(window, 10)
    entry_codes = codes(window)
    # A new address every time, in one network: the network's limit holds.
    with pytest.raises(RateLimited):
        for i in range(30):
            guarded_vote_cast(
                window=window,
                code=entry_codes[i % 3],
                voter_id=voters[i // 3].pk,
                nonce=nonce(),
                client=Client(address=f"198.51.100.{i + 1}"),
            )
    assert Vote.objects.count() == 20
    # A new network every time, one device cookie: the device's limit holds.
    Vote.objects.all().delete()
    from django.core.cache import cache

    cache.clear()
    with pytest.raises(RateLimited, match="操作过于频繁"):
        for i in range(30):
            guarded_vote_cast(
                window=window,
                code=entry_codes[i % 3],
                voter_id=voters[i // 3].pk,
                nonce=nonce(),
                client=Client(address=f"10.{i}.0.1", device_id="same-device"),
            )
    assert Vote.objects.count() == 6


def test_code_requests_are_limited_and_a_suspect_client_needs_the_image(window, settings, capsys):
    settings.VOTING_RATE_LIMITS = {"code": {"address": (20, 3600), "subnet": (20, 3600), "device": (8, 3600)}}
    client = Client(address="192.0.2.9", device_id="d1")
    for n in range(4):
        guarded_code_request(window=window, number=number(n), client=client)
    assert not challenge_needed(client=client)
    # Past half the device's limit: suspect from now on, the next code needs the image.
    guarded_code_request(window=window, number=number(4), client=client)
    assert challenge_needed(client=client)
    with pytest.raises(ChallengeRequired, match="请先输入图片中的字符"):
        guarded_code_request(window=window, number=number(3), client=client)
    key = CaptchaStore.generate_key()
    with pytest.raises(ChallengeRequired, match="图片中的字符不正确"):
        guarded_code_request(
            window=window, number=number(3), client=client, challenge_key=key, challenge_answer="zzzz"
        )
    # An image is good for one try: the right answer to a used image is refused too.
    key = CaptchaStore.generate_key()
    answer = CaptchaStore.objects.get(hashkey=key).response
    sent = guarded_code_request(
        window=window, number=number(5), client=client, challenge_key=key, challenge_answer=answer.upper()
    )
    assert sent.pk
    with pytest.raises(RateLimited):
        guarded_code_request(window=window, number=number(6), client=client)
    # Another client is not suspect.
    assert not challenge_needed(client=Client(address="192.0.3.9", device_id="d2"))


def test_the_daily_cap_per_number_block(window, settings):
    settings.VOTING_PREFIX_DAILY_VOTES = 4
    same_block = make_voters(window, 3)
    other = make_voters(window, 1, block="1350000")[0]
    entry_codes = codes(window)
    for i in range(4):
        guarded_vote_cast(
            window=window,
            code=entry_codes[i % 3],
            voter_id=same_block[i // 3].pk,
            nonce=nonce(),
            client=Client(address=f"10.0.{i}.1"),
        )
    with pytest.raises(VoteRefused, match="号段今天的投票已达上限"):
        guarded_vote_cast(
            window=window, code=entry_codes[1], voter_id=same_block[2].pk, nonce=nonce(), client=Client()
        )
    # A refused vote (here: the same entry twice) gives its place back; other blocks vote on.
    guarded_vote_cast(window=window, code=entry_codes[0], voter_id=other.pk, nonce=nonce(), client=Client())
    assert Vote.objects.count() == 5


def test_the_block_cap_is_taken_only_by_a_vote_the_rules_accept(window, settings):
    # Under the voter's lock, after the rules: a replay of an accepted vote still gets its
    # answer when the block is full, and a refused vote never holds a place.
    settings.VOTING_PREFIX_DAILY_VOTES = 1
    voter, neighbour = make_voters(window, 2)
    entry_codes = codes(window)
    same = nonce()
    first = guarded_vote_cast(
        window=window, code=entry_codes[0], voter_id=voter.pk, nonce=same, client=Client()
    )
    again = guarded_vote_cast(
        window=window, code=entry_codes[0], voter_id=voter.pk, nonce=same, client=Client()
    )
    assert first.created and not again.created and again.vote.pk == first.vote.pk
    with pytest.raises(VoteRefused, match="已经为这个项目投过票"):
        guarded_vote_cast(
            window=window, code=entry_codes[0], voter_id=voter.pk, nonce=nonce(), client=Client()
        )
    with pytest.raises(VoteRefused, match="号段今天的投票已达上限"):
        guarded_vote_cast(
            window=window, code=entry_codes[1], voter_id=neighbour.pk, nonce=nonce(), client=Client()
        )
    assert Vote.objects.count() == 1


def test_the_verify_page_shows_the_image_to_a_suspect_client_and_never_fails(window, settings, capsys):
    settings.VOTING_RATE_LIMITS = {"code": {"address": (6, 3600), "subnet": (50, 3600), "device": (50, 3600)}}
    browser = HttpClient(REMOTE_ADDR="192.0.2.50")
    url = f"/vote/{window.contest.slug}/verify/"
    for n in range(3):
        page = browser.post(url, {"number": number(n), "action": "send"})
        assert page.status_code == 200 and "请输入图片中的字符" not in page.content.decode()
    # The fourth request passes half the address's limit: sent, and from now on the image.
    page = browser.post(url, {"number": number(3), "action": "send"})
    text = page.content.decode()
    assert page.status_code == 200 and "请输入图片中的字符" in text and "验证码已发送" in text
    page = browser.post(url, {"number": number(4), "action": "send"})
    text = page.content.decode()
    assert "请先输入图片中的字符" in text and number(4) in text
    key = page.context["challenge"]["key"]
    assert browser.get(page.context["challenge"]["image"]).status_code == 200
    answer = CaptchaStore.objects.get(hashkey=key).response
    capsys.readouterr()
    page = browser.post(
        url, {"number": number(4), "action": "send", "challenge_key": key, "challenge": answer}
    )
    assert "验证码已发送" in page.content.decode()
    assert CODE.findall(capsys.readouterr().out)
    for n in range(10):
        page = browser.post(url, {"number": number(10 + n), "action": "send"})
        assert page.status_code == 200
    assert "操作过于频繁" in page.content.decode()


def test_a_vote_from_the_browser_goes_through_the_limits(window, tight, capsys):
    voters = make_voters(window, 3)
    browser = HttpClient(REMOTE_ADDR="192.0.2.60")
    session = browser.session
    kept = {"voter": voters[0].pk, "until": "2099-01-01T00:00:00+00:00"}
    session["voting"] = {str(window.contest_id): kept}
    session.save()
    code = codes(window)[0]
    statuses = [
        browser.post(f"/vote/{window.contest.slug}/e/{code}/vote/", {"nonce": nonce()}).status_code
        for _ in range(7)
    ]
    # The first is taken, the next four refused (voted today), then the address's limit (5).
    assert statuses == [200, 409, 409, 409, 409, 429, 429]
    last = browser.post(
        f"/vote/{window.contest.slug}/e/{code}/vote/", {"nonce": nonce()}, HTTP_ACCEPT="application/json"
    )
    assert last.status_code == 429 and "操作过于频繁" in last.json()["message"]


def test_entry_page_views_are_counted(window):
    from voting.ballots import counters

    item = VoteEntry.objects.filter(window=window).first()
    browser = HttpClient()
    for _ in range(3):
        browser.get(f"/vote/{window.contest.slug}/e/{item.code}/")
    assert counters.views_take(window_id=window.pk, vote_entry_ids=[item.pk]) == {item.pk: 3}
    assert counters.views_take(window_id=window.pk, vote_entry_ids=[item.pk]) == {}


def test_the_refusals_are_translated(window, tight):
    from django.utils import translation

    voters = make_voters(window, 3)
    with translation.override("en"), pytest.raises(RateLimited, match="Too many requests"):
        for i in range(10):
            guarded_vote_cast(
                window=window,
                code=codes(window)[i % 3],
                voter_id=voters[i // 3].pk,
                nonce=nonce(),
                client=Client(address="192.0.2.77"),
            )


def test_images_not_answered_in_time_are_removed_by_the_task(window, time_machine):
    from datetime import timedelta

    from voting.tasks import flag_votes

    CaptchaStore.generate_key()
    time_machine.move_to(window.opens_at + timedelta(days=1, minutes=6))
    fresh = CaptchaStore.generate_key()
    flag_votes.call(window.pk)
    assert list(CaptchaStore.objects.values_list("hashkey", flat=True)) == [fresh]


def test_on_a_real_redis_the_limits_hold_and_with_redis_down_nothing_fails(settings, capsys):
    from common.cache import ResilientRedisCache

    from .test_tallies import redis_caches

    window = make_window(entries=3, max_votes_per_day=3)
    voters = make_voters(window, 10)
    settings.VOTING_RATE_LIMITS = {"vote": {"subnet": (5, 60)}}
    settings.CACHES = redis_caches("redis://127.0.0.1:6379/11")
    ResilientRedisCache._down_until = 0.0
    with pytest.raises(RateLimited):
        for i in range(10):
            guarded_vote_cast(
                window=window,
                code=codes(window)[i % 3],
                voter_id=voters[i // 3].pk,
                nonce=nonce(),
                client=Client(address=f"198.51.100.{i + 1}"),
            )
    assert Vote.objects.count() == 5

    settings.CACHES = redis_caches("redis://127.0.0.1:1/0")  # nothing listens there
    ResilientRedisCache._down_until = 0.0
    ballot = guarded_vote_cast(
        window=window,
        code=codes(window)[0],
        voter_id=voters[5].pk,
        nonce=nonce(),
        client=Client("198.51.100.9"),
    )
    assert ballot.created
    assert guarded_code_request(window=window, number=number(1), client=Client("198.51.100.9")).pk
    ResilientRedisCache._down_until = 0.0


def suspect_page(window, settings):
    """A browser past half its address's limit on code requests: its page shows the image."""
    settings.VOTING_RATE_LIMITS = {"code": {"address": (2, 3600), "subnet": (50, 3600), "device": (50, 3600)}}
    browser = HttpClient(REMOTE_ADDR="192.0.2.60")
    url = f"/vote/{window.contest.slug}/verify/"
    for n in range(2):
        browser.post(url, {"number": number(n), "action": "send"})
    page = browser.get(url)
    assert page.context["challenge"]
    return browser, url, page


def test_the_image_has_a_refresh_button_that_fetches_a_new_one(window, settings, capsys):
    browser, _url, page = suspect_page(window, settings)
    text = page.content.decode()
    key = page.context["challenge"]["key"]

    assert "看不清？换一张" in text
    assert f'data-challenge-refresh="{page.context["challenge"]["refresh"]}"' in text
    assert 'src="/static/voting/verify.js"' in text
    answer = browser.get(page.context["challenge"]["refresh"], headers={"x-requested-with": "XMLHttpRequest"})
    fresh = answer.json()
    assert answer.status_code == 200 and fresh["key"] != key
    assert CaptchaStore.objects.filter(hashkey=fresh["key"]).exists()
    assert fresh["image_url"] == f"/captcha/image/{fresh['key']}/"
    assert browser.get(fresh["image_url"]).status_code == 200


def test_without_javascript_the_refresh_button_brings_a_new_image_and_keeps_the_number(
    window, settings, capsys
):
    browser, url, page = suspect_page(window, settings)
    key = page.context["challenge"]["key"]
    capsys.readouterr()

    again = browser.post(
        url, {"number": number(7), "action": "refresh", "challenge_key": key, "challenge": "ab", "next": ""}
    )

    text = again.content.decode()
    assert again.status_code == 200 and again.context["challenge"]["key"] != key
    assert f'value="{number(7)}"' in text
    assert "alert-danger" not in text and "验证码已发送" not in text
    assert not CODE.findall(capsys.readouterr().out)  # nothing sent
    assert not CaptchaStore.objects.filter(hashkey=key).exists()  # the unreadable one is gone
