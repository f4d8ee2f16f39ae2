"""The voter's journey over HTTP: verify a number by SMS code, vote, see the thank-you and the
limit; a replayed POST answers the same; a gateway that is down is said so, what was typed stays."""

import pytest
from django.test import Client

from voting.models import Vote, VoteEntry

from .factories import CODE, make_window, nonce, number

pytestmark = pytest.mark.django_db


@pytest.fixture
def window():
    return make_window(entries=2, max_votes_per_day=1)


def verify(client, window, capsys, n=0):
    sent = client.post(f"/vote/{window.contest.slug}/verify/", {"number": number(n), "action": "send"})
    assert "验证码已发送" in sent.content.decode()
    assert number(n) in sent.content.decode()  # kept in the form
    code = CODE.findall(capsys.readouterr().out)[-1]
    return client.post(
        f"/vote/{window.contest.slug}/verify/",
        {"number": number(n), "code": code, "action": "verify", "next": f"/vote/{window.contest.slug}/e/x/"},
    )


def test_verify_then_vote_then_the_thank_you_and_the_limit(window, capsys):
    first, second = VoteEntry.objects.filter(window=window).order_by("pk")
    client = Client()
    page = client.get(f"/vote/{window.contest.slug}/e/{first.code}/")
    assert "vote_device" in page.cookies  # the device cookie

    # Not verified yet: the vote button leads to the verification.
    answer = client.post(f"/vote/{window.contest.slug}/e/{first.code}/vote/", {"nonce": nonce()})
    assert answer.status_code == 302 and "/verify/?next=" in answer["Location"]

    verified = verify(client, window, capsys)
    assert verified.status_code == 302 and verified["Location"] == f"/vote/{window.contest.slug}/e/x/"

    same = nonce()
    thanks = client.post(f"/vote/{window.contest.slug}/e/{first.code}/vote/", {"nonce": same})
    assert thanks.status_code == 200
    text = thanks.content.decode()
    assert "投票成功" in text and "今天的 1 票已经投完" in text
    # A replay (a double tap, a reload of the answer) gets the same answer and writes nothing.
    again = client.post(f"/vote/{window.contest.slug}/e/{first.code}/vote/", {"nonce": same})
    assert "投票成功" in again.content.decode()
    vote = Vote.objects.get()
    assert vote.device_id == page.cookies["vote_device"].value.split(":")[0]

    refused = client.post(f"/vote/{window.contest.slug}/e/{second.code}/vote/", {"nonce": nonce()})
    assert refused.status_code == 409 and "今天的 1 票已经投完" in refused.content.decode()
    assert Vote.objects.count() == 1
    assert "今天已投" in client.get(f"/vote/{window.contest.slug}/").content.decode()


def test_json_answers_for_scripts_and_the_bench(window, capsys):
    first = VoteEntry.objects.filter(window=window).first()
    client = Client(headers={"accept": "application/json"})
    refused = client.post(f"/vote/{window.contest.slug}/e/{first.code}/vote/", {"nonce": nonce()})
    assert refused.status_code == 409 and refused.json()["message"] == "请先验证手机号码再投票。"
    verify(client, window, capsys)
    same = nonce()
    answer = client.post(f"/vote/{window.contest.slug}/e/{first.code}/vote/", {"nonce": same}).json()
    replay = client.post(f"/vote/{window.contest.slug}/e/{first.code}/vote/", {"nonce": same}).json()
    assert (answer["ok"], answer["replay"], answer["left_today"]) == (True, False, 0)
    assert (replay["ok"], replay["replay"]) == (True, True)


def test_a_forged_entry_or_a_get_is_refused_without_a_500(window, capsys):
    client = Client()
    verify(client, window, capsys)
    assert client.post(f"/vote/{window.contest.slug}/e/forged12/vote/", {"nonce": nonce()}).status_code == 404
    first = VoteEntry.objects.filter(window=window).first()
    assert client.get(f"/vote/{window.contest.slug}/e/{first.code}/vote/").status_code == 405
    bad = client.post(f"/vote/{window.contest.slug}/e/{first.code}/vote/", {"nonce": "x"})
    assert bad.status_code == 409 and "请求无效" in bad.content.decode()


def test_a_gateway_down_is_told_and_the_number_stays(window, settings):
    settings.SMS_BACKEND = "messaging.sms.aliyun.AliyunBackend"
    settings.SMS_ALIYUN_ENDPOINT = "127.0.0.1:9"
    settings.SMS_ALIYUN_PROTOCOL = "http"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "k"
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "s"
    settings.VOTING_SMS_TEMPLATE_CODE = "SMS_1"
    client = Client()
    answer = client.post(f"/vote/{window.contest.slug}/verify/", {"number": number(3), "action": "send"})
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "短信服务暂时不可用" in text and number(3) in text
    # The gallery itself goes on working.
    assert client.get(f"/vote/{window.contest.slug}/").status_code == 200


def test_wrong_codes_are_told_with_what_is_left(window, capsys):
    client = Client()
    client.post(f"/vote/{window.contest.slug}/verify/", {"number": number(4), "action": "send"})
    code = CODE.findall(capsys.readouterr().out)[-1]
    wrong = "000000" if code != "000000" else "111111"
    answer = client.post(
        f"/vote/{window.contest.slug}/verify/", {"number": number(4), "code": wrong, "action": "verify"}
    )
    assert "还可以再试 4 次" in answer.content.decode()
    bad_number = client.post(f"/vote/{window.contest.slug}/verify/", {"number": "12", "action": "send"})
    assert "11 位中国大陆手机号码" in bad_number.content.decode()


def test_next_never_leaves_the_vote(window, capsys):
    client = Client()
    client.post(f"/vote/{window.contest.slug}/verify/", {"number": number(5), "action": "send"})
    code = CODE.findall(capsys.readouterr().out)[-1]
    answer = client.post(
        f"/vote/{window.contest.slug}/verify/",
        {"number": number(5), "code": code, "action": "verify", "next": "https://evil.example/"},
    )
    assert answer["Location"] == f"/vote/{window.contest.slug}/"


def test_the_pages_speak_english_when_asked(window, settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    item = VoteEntry.objects.filter(window=window).first()
    gallery = client.get(f"/vote/{window.contest.slug}/").content.decode()
    assert "Search projects" in gallery and "All counties" in gallery and "0 votes" in gallery
    entry = client.get(f"/vote/{window.contest.slug}/e/{item.code}/").content.decode()
    assert "Vote for this project" in entry
    verify = client.get(f"/vote/{window.contest.slug}/verify/").content.decode()
    assert "Send code" in verify and "Verify and continue" in verify


def test_pages_with_a_voters_state_are_never_stored_by_a_proxy(window):
    item = VoteEntry.objects.filter(window=window).first()
    client = Client()
    for path in (f"/vote/{window.contest.slug}/", f"/vote/{window.contest.slug}/e/{item.code}/"):
        assert "private" in client.get(path)["Cache-Control"]
    assert "no-store" in client.get(f"/vote/{window.contest.slug}/verify/")["Cache-Control"]


def test_an_accepted_vote_takes_a_fixed_number_of_queries(window, capsys, django_assert_num_queries):
    # The hot path of the public vote (bench/votes.py): the window, the entry, the session, then
    # in a savepoint (the test's transaction is around it) the voter's lock, today's votes with
    # the nonce's row, the insert. In production the session comes from Redis.
    first, second = VoteEntry.objects.filter(window=window).order_by("pk")
    type(window).objects.filter(pk=window.pk).update(max_votes_per_day=2)
    client = Client(headers={"accept": "application/json"})
    verify(client, window, capsys)
    url = f"/vote/{window.contest.slug}/e/{{}}/vote/"
    with django_assert_num_queries(8):
        answer = client.post(url.format(first.code), {"nonce": nonce()})
    assert answer.json()["ok"]
    with django_assert_num_queries(8):
        answer = client.post(url.format(second.code), {"nonce": nonce()})
    assert answer.json()["ok"]
