"""The public vote in a real browser on a 390 px phone: a shared link opens an entry's page,
the voter verifies a number by SMS code (the console gateway), votes, sees the thank-you and
the day's limit; the gallery fits the phone. Screenshots go to test-artifacts/screenshots/vote-*.png."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import PHONE
from tests.judging.factories import eligible_entry
from tests.voting.factories import make_window
from voting.models import Vote, VoteEntry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CODE = re.compile(r"验证码是 (\d{6})")


def test_a_voter_opens_a_shared_link_verifies_votes_and_sees_the_limit(
    live_server, page, page_errors, shoot, capsys
):
    contest = factories.ContestFactory()
    eligible_entry(contest, title="银龄课堂：社区老年人智能手机帮学")
    eligible_entry(contest, title="河道守护：巡河护河志愿行动")
    window = make_window(contest, entries=0, max_votes_per_day=1)
    item = VoteEntry.objects.get(window=window, entry__title__startswith="银龄")
    base = live_server.url

    page.goto(f"{base}/vote/{contest.slug}/")
    expect(page.get_by_text("河道守护：巡河护河志愿行动")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "vote-gallery")

    page.goto(f"{base}/vote/{contest.slug}/e/{item.code}/")  # the shared link
    expect(page.get_by_role("heading", name="银龄课堂：社区老年人智能手机帮学")).to_be_visible()
    page.get_by_role("button", name="为这个项目投票").click()

    expect(page.get_by_role("heading", name="验证手机号码")).to_be_visible()
    page.get_by_label("手机号码").fill("13800001234")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("验证码已发送，请查看短信。")).to_be_visible()
    code = CODE.findall(capsys.readouterr().out)[-1]
    page.get_by_label("短信验证码").fill(code)
    shoot(page, "vote-verify")
    page.get_by_role("button", name="验证并继续").click()

    expect(page.get_by_role("heading", name="银龄课堂：社区老年人智能手机帮学")).to_be_visible()
    page.get_by_role("button", name="为这个项目投票").click()
    expect(page.get_by_text("投票成功，感谢您的支持！")).to_be_visible()
    expect(page.get_by_text("您今天的 1 票已经投完，明天可以再来。").first).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "vote-thanks")
    assert Vote.objects.count() == 1

    page.goto(f"{base}/vote/{contest.slug}/")
    expect(page.get_by_text("今天已投")).to_be_visible()
    assert page_errors == []
