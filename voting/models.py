"""Public voting (网络投票): a window the organizer opens, the entries in the vote, the voters who
verified a mobile number, and their votes.

Numbers are never stored: a voter is the keyed hash of their number (``voting.voters.keys``).
Every accepted vote is one ``Vote`` row written once (its client nonce is unique); voiding
marks the row, never deletes it. What may happen now is ``voting.phases``; writes go through
the services of ``windows``, ``voters``, ``ballots`` and ``tallies``.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from competition.models import Contest, Entry
from judging.models import Round

# Codes in public addresses avoid look-alike characters (0/O, 1/I/L).
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
MAX_WEIGHT_PERCENT = 20


def vote_entry_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


class VotingWindow(models.Model):
    """The organizer's vote of a contest: when it runs, which entries are in it (by default
    those of ``round`` whose team consented to publication), how many votes a number may cast
    a day, whether the public sees the counts, and the weight of the vote in the results.

    ``status`` records only what time cannot tell: that the final tallies are frozen. Before
    ``opens_at``, between the two times and after ``closes_at`` is ``voting.phases``."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("按时间进行")
        FROZEN = "frozen", _("结果已锁定")

    contest = models.ForeignKey(
        Contest, verbose_name=_("大赛"), on_delete=models.PROTECT, related_name="voting_windows"
    )
    round = models.ForeignKey(
        Round,
        verbose_name=_("投票针对的评审轮次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("参加投票的是这一轮的参评项目（仅限同意公开的）；不选则为通过资格审查的全部项目。"),
    )
    title = models.CharField(_("投票名称"), max_length=100, help_text=_("例如“网络投票（群众评议）”。"))
    opens_at = models.DateTimeField(_("投票开始时间"))
    closes_at = models.DateTimeField(
        _("投票截止时间"), help_text=_("北京时间；到点即截止，以服务器时间为准。")
    )
    max_votes_per_day = models.PositiveSmallIntegerField(
        _("每个号码每天最多投票数"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("同一号码每天对同一项目只能投一票。"),
    )
    show_counts = models.BooleanField(_("公开显示票数"), default=True)
    weight_percent = models.PositiveSmallIntegerField(
        _("计入总成绩的权重（%）"),
        default=0,
        validators=[MaxValueValidator(MAX_WEIGHT_PERCENT)],
        help_text=_("0 表示投票结果仅作参考，不计入成绩；最多 20%。"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SCHEDULED, editable=False
    )
    frozen_at = models.DateTimeField(_("锁定时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("网络投票")
        verbose_name_plural = _("网络投票")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="voting_closes_after_opens"
            ),
            models.CheckConstraint(
                condition=Q(weight_percent__lte=MAX_WEIGHT_PERCENT), name="voting_weight_at_most_20"
            ),
            models.CheckConstraint(condition=Q(max_votes_per_day__gte=1), name="voting_daily_votes_positive"),
        ]

    def __str__(self):
        return f"{self.contest.title} · {self.title}"

    @property
    def phase(self):
        """What the window allows now (``voting.phases``), for templates to ask."""
        from .phases import window_phase

        return window_phase(self)


class VoteEntry(models.Model):
    """An entry in a vote, under its own public code (the entry's ids never appear in public
    addresses). ``final_votes`` is the frozen tally (votes not voided) once the window is frozen."""

    window = models.ForeignKey(VotingWindow, on_delete=models.CASCADE, related_name="vote_entries")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=12, unique=True, default=vote_entry_code, editable=False)
    included = models.BooleanField(_("参加投票"), default=True)
    final_votes = models.PositiveIntegerField(_("最终票数"), null=True, blank=True, editable=False)
    # Views of the entry's public page: counted in the cache, added here by ``reconcile_views``.
    page_views = models.PositiveIntegerField(_("页面浏览量"), default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["window", "pk"]
        verbose_name = _("投票项目")
        verbose_name_plural = _("投票项目")
        constraints = [models.UniqueConstraint(fields=["window", "entry"], name="vote_entry_unique")]

    def __str__(self):
        return self.code


class Voter(models.Model):
    """A mobile number that asked for a code in a contest's vote, as its keyed hash: the number
    itself is never stored. Deleted after the contest (``manage.py purge_voters``); its votes
    stay, anonymised."""

    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="+")
    number_hash = models.CharField(max_length=64)
    # The keyed hash of the number's first 7 digits (its block): the daily cap per block and the
    # flag for numbers registered in sequence read it; the digits themselves are never stored.
    prefix_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("投票人")
        verbose_name_plural = _("投票人")
        constraints = [models.UniqueConstraint(fields=["contest", "number_hash"], name="voter_unique_number")]

    def __str__(self):
        return f"voter {self.pk}"


class VerificationCode(models.Model):
    """One SMS code sent to a voter: its keyed hash, when it expires, wrong tries, use."""

    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["voter", "created_at"], name="voting_code_voter_idx")]

    def __str__(self):
        return f"code {self.pk}"


class Vote(models.Model):
    """One accepted vote, written once. ``nonce`` (the client's, unique) makes a replayed
    request return this row instead of writing another. ``day`` is the Beijing date the vote
    counts against. Voiding sets ``voided_*``; the row stays."""

    window = models.ForeignKey(VotingWindow, on_delete=models.PROTECT, related_name="votes")
    vote_entry = models.ForeignKey(VoteEntry, on_delete=models.PROTECT, related_name="votes")
    voter = models.ForeignKey(Voter, on_delete=models.SET_NULL, null=True, blank=True, related_name="votes")
    day = models.DateField()
    nonce = models.CharField(max_length=64, unique=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    subnet = models.CharField(max_length=50, blank=True)
    device_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("投票")
        verbose_name_plural = _("投票")
        indexes = [
            models.Index(fields=["window", "vote_entry"], name="voting_vote_entry_idx"),
            models.Index(fields=["voter", "day"], name="voting_vote_voter_day_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["voter", "vote_entry", "day"], name="vote_once_per_entry_day"),
        ]

    def __str__(self):
        return f"vote {self.pk}"


class VoteFlag(models.Model):
    """A reason to doubt a vote, found by ``voting.flags`` (the task ``flag_votes``). A flag
    never changes the vote: the organizer decides (void or restore, ``VoteReview``)."""

    class Reason(models.TextChoices):
        BURST = "burst", _("同一网段或地址短时间内集中投给同一项目")
        SEQUENCE = "sequence", _("同一号段的号码集中验证（疑似连号）")
        REGULAR = "regular", _("投票间隔过于规律（疑似脚本）")
        VIEWS = "views", _("票数远超项目页面浏览量")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=200, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["vote", "reason"]
        verbose_name = _("可疑投票标记")
        verbose_name_plural = _("可疑投票标记")
        constraints = [models.UniqueConstraint(fields=["vote", "reason"], name="vote_flag_once_per_reason")]

    def __str__(self):
        return f"{self.vote_id}:{self.reason}"


class VoteReview(models.Model):
    """One organizer decision on one vote (void or restore), with who, when and why; never
    changed or deleted, so the supervisor reads the whole history."""

    class Action(models.TextChoices):
        VOID = "void", _("作废")
        RESTORE = "restore", _("恢复")

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="reviews")
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.CharField(max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("投票审核记录")
        verbose_name_plural = _("投票审核记录")

    def __str__(self):
        return f"{self.action} {self.vote_id}"
