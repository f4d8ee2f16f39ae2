"""A voter proves a mobile number with a 6-digit SMS code: ``code_request`` sends one (valid
``VOTING_CODE_TTL`` seconds, at most one every ``VOTING_CODE_RESEND_SECONDS``),
``code_verify`` checks it (single use; after ``VOTING_CODE_MAX_ATTEMPTS`` wrong codes the
number is locked for ``VOTING_LOCK_MINUTES``). Numbers are kept only as keyed hashes."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.services import send_sms_now
from messaging.sms import SmsError, SmsRejected

from ..errors import GatewayDown, VerificationError
from ..models import VerificationCode, Voter, VotingWindow
from ..phases import HELD_MESSAGE, window_phase
from . import keys

logger = logging.getLogger(__name__)


def _check_open(window: VotingWindow, now) -> None:
    phase = window_phase(window, now=now)
    if phase.held:
        raise VerificationError(str(HELD_MESSAGE))
    if not phase.takes_votes:
        raise VerificationError(_("投票现在不在进行中，无法获取验证码。"))


def _number(raw: str) -> str:
    number = keys.normalize_number(raw)
    if number is None:
        raise VerificationError(_("请输入 11 位中国大陆手机号码，例如 13812341234。"))
    return number


def _locked_message(voter: Voter) -> str:
    until = timezone.localtime(voter.locked_until)
    return _("验证码错误次数过多，该号码已暂时锁定，请于 %(time)s 后再试。") % {"time": f"{until:%H:%M}"}


def code_request(*, window: VotingWindow, number: str, now=None) -> VerificationCode:
    """Send a new code to ``number`` by SMS. Raises ``VerificationError`` (bad number, locked,
    too soon after the last code, window not open) or ``GatewayDown`` (the SMS gateway did not
    take it: nothing is kept, the voter may try again at once)."""
    now = now or timezone.now()
    _check_open(window, now)
    number = _number(number)
    code = keys.new_code()
    with transaction.atomic():
        voter, created = Voter.objects.get_or_create(
            contest_id=window.contest_id,
            number_hash=keys.number_hash(number),
            defaults={"created_at": now, "prefix_hash": keys.prefix_hash(number)},
        )
        voter = Voter.objects.select_for_update().get(pk=voter.pk)
        if voter.locked_until and voter.locked_until > now:
            raise VerificationError(_locked_message(voter))
        last = voter.codes.order_by("-created_at").values_list("created_at", flat=True).first()
        wait = settings.VOTING_CODE_RESEND_SECONDS
        if last is not None and (now - last).total_seconds() < wait:
            seconds = wait - int((now - last).total_seconds())
            raise VerificationError(_("验证码已发送，请 %(n)s 秒后再重新获取。") % {"n": seconds})
        sent = VerificationCode.objects.create(
            voter=voter,
            code_hash=keys.code_hash(code, voter_id=voter.pk),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.VOTING_CODE_TTL),
        )
    minutes = max(1, settings.VOTING_CODE_TTL // 60)
    body = _("【%(contest)s】您的投票验证码是 %(code)s，%(minutes)s 分钟内有效。如非本人操作，请忽略。") % {
        "contest": window.contest.title,
        "code": code,
        "minutes": minutes,
    }
    try:
        # Outside the transaction: the gateway's answer may take seconds.
        send_sms_now(
            phone=number,
            body=body,
            template_code=settings.VOTING_SMS_TEMPLATE_CODE,
            params={"code": code},
        )
    except SmsError as error:
        VerificationCode.objects.filter(pk=sent.pk).delete()
        if created:  # a number first seen now: nothing of it is kept
            Voter.objects.filter(pk=voter.pk, verified_at__isnull=True, codes__isnull=True).delete()
        logger.warning("voting code not sent (%s): %s", type(error).__name__, error)
        if isinstance(error, SmsRejected):
            raise GatewayDown(_("短信未能发出，请检查号码后重试；如仍不行，请稍后再试。")) from error
        raise GatewayDown(_("短信服务暂时不可用，验证码未能发出，请稍后再试。")) from error
    return sent


def code_verify(*, window: VotingWindow, number: str, code: str, now=None) -> Voter:
    """The voter whose ``number`` this ``code`` was sent to, now verified. A wrong code counts
    against the number (locked after ``VOTING_CODE_MAX_ATTEMPTS``); a code works once."""
    now = now or timezone.now()
    _check_open(window, now)
    number = _number(number)
    code = "".join((code or "").split())
    failure = ""
    with transaction.atomic():
        voter = (
            Voter.objects.select_for_update()
            .filter(contest_id=window.contest_id, number_hash=keys.number_hash(number))
            .first()
        )
        if voter is None:
            raise VerificationError(_("请先获取验证码。"))
        if voter.locked_until and voter.locked_until > now:
            raise VerificationError(_locked_message(voter))
        sent = voter.codes.filter(used_at__isnull=True, expires_at__gt=now).order_by("-created_at").first()
        if sent is None:
            raise VerificationError(_("验证码已过期或已使用，请重新获取。"))
        expected = keys.code_hash(code, voter_id=voter.pk)
        if len(code) == 6 and code.isdigit() and keys.codes_equal(sent.code_hash, expected):
            sent.used_at = now
            sent.save(update_fields=["used_at"])
            voter.failed_attempts = 0
            voter.locked_until = None
            voter.verified_at = now
            voter.save(update_fields=["failed_attempts", "locked_until", "verified_at"])
            return voter
        # A wrong code: counted (and committed) before the refusal is raised.
        sent.attempts += 1
        voter.failed_attempts += 1
        left = settings.VOTING_CODE_MAX_ATTEMPTS - voter.failed_attempts
        if left <= 0:
            voter.locked_until = now + timedelta(minutes=settings.VOTING_LOCK_MINUTES)
            voter.failed_attempts = 0
            sent.used_at = now  # a locked number's code is dead
            failure = _locked_message(voter)
        else:
            failure = _("验证码不正确，还可以再试 %(n)s 次。") % {"n": left}
        sent.save(update_fields=["attempts", "used_at"])
        voter.save(update_fields=["failed_attempts", "locked_until"])
    raise VerificationError(failure)


def voters_purge(*, year: int, force: bool = False) -> dict:
    """After a contest: delete the voters of the contests of ``year`` (their number hashes) and
    their codes, and anonymise their votes (no voter, address, subnet or device left; entry,
    day, time and voiding stay, so the tallies still add up). Refused while a window of those
    contests is not frozen, unless ``force``."""
    from django.db.models import Q

    from ..models import Vote
    from ..phases import window_phase

    windows = list(VotingWindow.objects.filter(contest__year=year))
    if not force and any(not window_phase(window).frozen for window in windows):
        raise VerificationError(_("该年度还有未锁定结果的投票，不能删除投票人信息。"))
    with transaction.atomic():
        voters = Voter.objects.filter(contest__year=year)
        codes = VerificationCode.objects.filter(voter__in=voters).delete()[0]
        votes = (
            Vote.objects.filter(Q(window__contest__year=year))
            .exclude(voter__isnull=True, address__isnull=True, subnet="", device_id="")
            .update(voter=None, address=None, subnet="", device_id="")
        )
        count = voters.count()
        voters.delete()
    return {"voters": count, "codes": codes, "votes": votes}
