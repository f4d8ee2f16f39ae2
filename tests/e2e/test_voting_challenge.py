"""The image challenge in a real browser: "看不清？换一张" replaces the picture and its key in
place (voting/static/voting/verify.js under the site's strict CSP), what was typed stays."""

import pytest
from playwright.sync_api import expect

from tests.voting.factories import make_window

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_suspect_voter_gets_a_new_image_without_leaving_the_page(live_server, page, page_errors, settings):
    # Past half of one request per address: the second visit already needs the image.
    settings.VOTING_RATE_LIMITS = {"code": {"address": (2, 3600), "subnet": (50, 3600), "device": (50, 3600)}}
    window = make_window(entries=1)
    page.goto(f"{live_server.url}/vote/{window.contest.slug}/verify/")
    page.get_by_label("手机号码").fill("13800001234")
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_label("请输入图片中的字符")).to_be_visible()
    image = page.get_by_role("img", name="图片验证码")
    key = page.locator("input[name=challenge_key]")
    before = (image.get_attribute("src"), key.input_value())
    page.get_by_label("请输入图片中的字符").fill("abcd")
    page.evaluate("() => { window.stillThisPage = true; }")  # gone if the page were loaded again

    page.get_by_role("button", name="看不清？换一张").click()

    expect(image).not_to_have_attribute("src", before[0])
    assert key.input_value() != before[1] and before[1] in before[0]
    assert key.input_value() in image.get_attribute("src")
    assert page.evaluate("() => document.querySelector('[data-challenge-image]').naturalWidth") > 0
    expect(page.get_by_label("请输入图片中的字符")).to_have_value("")
    expect(page.get_by_label("手机号码")).to_have_value("13800001234")
    assert page.evaluate("() => window.stillThisPage === true")
    assert page_errors == []
