"""Verification by SMS code: 6 digits, 5 minutes, single use, locked after 5 wrong codes,
numbers stored only as keyed hashes, a gateway that is down told to the voter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Message
from voting.errors import GatewayDown, VerificationError
from voting.models import VerificationCode, Voter
from voting.voters import keys
from voting.voters.services import code_request, code_verify

from .factories import CODE, last_code, make_window, number

pytestmark = pytest.mark.django_db


@pytest.fixture
def window():
    return make_window(entries=1)


def test_a_code_sent_by_sms_verifies_the_number_once_and_the_number_is_never_stored(window, capsys):
    code_request(window=window, number="138 0000 0001")
    out = capsys.readouterr().out
    assert "13800000001" in out  # the console gateway got the number
    code = CODE.findall(out)[-1]

    voter = code_verify(window=window, number="+86 13800000001", code=code)

    assert voter.verified_at is not None
    assert voter.number_hash == keys.number_hash("13800000001") != "13800000001"
    stored = [str(v) for v in Voter.objects.values_list("number_hash", flat=True)]
    stored += list(VerificationCode.objects.values_list("code_hash", flat=True))
    assert not any("13800000001" in value or code in value for value in stored)
    assert Message.objects.count() == 0  # not kept in the outbox either
    with pytest.raises(VerificationError, match="已过期或已使用"):
        code_verify(window=window, number="13800000001", code=code)  # reused


def test_the_hash_is_keyed(settings):
    settings.VOTING_NUMBER_KEY = "one"
    first = keys.number_hash("13800000001")
    settings.VOTING_NUMBER_KEY = "two"
    assert keys.number_hash("13800000001") != first


def test_five_wrong_codes_lock_the_number_even_for_the_right_code(window, capsys, time_machine):
    code_request(window=window, number=number(1))
    code = last_code(capsys)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(VerificationError, match=f"还可以再试 {left} 次"):
            code_verify(window=window, number=number(1), code=wrong)
    with pytest.raises(VerificationError, match="已暂时锁定"):
        code_verify(window=window, number=number(1), code="abc")  # the fifth wrong one
    with pytest.raises(VerificationError, match="已暂时锁定"):
        code_verify(window=window, number=number(1), code=code)
    with pytest.raises(VerificationError, match="已暂时锁定"):
        code_request(window=window, number=number(1))
    voter = Voter.objects.get()
    assert voter.locked_until > timezone.now()

    time_machine.move_to(timezone.now() + timedelta(minutes=31))
    code_request(window=window, number=number(1))
    assert code_verify(window=window, number=number(1), code=last_code(capsys)).pk == voter.pk


def test_a_code_expires_after_five_minutes(window, capsys, time_machine):
    code_request(window=window, number=number(2))
    code = last_code(capsys)
    time_machine.move_to(timezone.now() + timedelta(minutes=5, seconds=1))
    with pytest.raises(VerificationError, match="已过期"):
        code_verify(window=window, number=number(2), code=code)


def test_a_new_code_waits_a_minute_and_only_the_latest_code_counts(window, capsys, time_machine):
    code_request(window=window, number=number(3))
    first = last_code(capsys)
    with pytest.raises(VerificationError, match="秒后再重新获取"):
        code_request(window=window, number=number(3))
    time_machine.move_to(timezone.now() + timedelta(seconds=61))
    code_request(window=window, number=number(3))
    second = last_code(capsys)
    if first != second:
        with pytest.raises(VerificationError, match="验证码不正确"):
            code_verify(window=window, number=number(3), code=first)
    assert code_verify(window=window, number=number(3), code=second)


@pytest.mark.parametrize("typed", ["", "12345", "23800000000", "1380000000a", "138000000001", "<script>"])
def test_not_a_mobile_number_is_refused_in_chinese(window, typed):
    with pytest.raises(VerificationError, match="11 位中国大陆手机号码"):
        code_request(window=window, number=typed)
    assert Voter.objects.count() == 0


def test_no_code_before_or_after_the_window(capsys):
    later = make_window(entries=0, opens_in=timedelta(days=1))
    with pytest.raises(VerificationError, match="不在进行中"):
        code_request(window=later, number=number(4))


def test_an_sms_gateway_that_is_down_is_told_and_nothing_is_kept(window, settings):
    settings.SMS_BACKEND = "messaging.sms.aliyun.AliyunBackend"
    settings.SMS_ALIYUN_ENDPOINT = "127.0.0.1:9"  # nothing listens: connection refused
    settings.SMS_ALIYUN_PROTOCOL = "http"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "k"
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "s"
    settings.VOTING_SMS_TEMPLATE_CODE = "SMS_1"

    with pytest.raises(GatewayDown, match="短信服务暂时不可用"):
        code_request(window=window, number=number(5))

    assert (
        VerificationCode.objects.count() == Voter.objects.count() == 0
    )  # nothing kept; may ask again at once
    with pytest.raises(GatewayDown):
        code_request(window=window, number=number(5))
