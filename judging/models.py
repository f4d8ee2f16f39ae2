"""Blind judging: rounds with their rubrics, judges, conflicts, assignments and score sheets.

Reads ``competition`` through its models and selectors; ``competition`` never imports this
app. Writes go through the services of each stage (``judging.rounds.services``,
``judging.scoring.services``…); what each round status allows is ``judging.phases``.
"""

import secrets
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from common.storage import private_storage
from competition.models import MOBILE_PHONE_VALIDATOR, Category, Contest, County, Entry, Organization

# Blind codes avoid look-alike characters (0/O, 1/I/L) so they can be read aloud and typed.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def random_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


DEFAULT_RUBRIC = [
    ("思想引领与目标明确", "项目是否体现新时代文明实践的思想引领，服务目标是否清晰、可衡量。", 15),
    ("需求精准", "是否立足群众实际需求，需求调研是否充分，服务对象是否明确。", 15),
    ("项目设计与管理规范", "实施方案是否科学可行，团队分工、制度建设、安全保障和经费管理是否规范。", 20),
    ("服务成效", "服务覆盖面、持续时间和群众满意度，有无可核实的数据和案例。", 25),
    ("创新性", "服务内容、方式或机制上的创新和特色。", 10),
    ("可持续与示范带动", "项目能否长期运行，是否具有推广价值和示范带动作用。", 15),
]


class Round(ClusterableModel):
    """A judging round (初评 / 复评 / 终评) of a contest with its own rubric and sheets.

    Its status changes only through ``judging.rounds.services.round_set_status``, and what each
    status allows is ``judging.phases`` (setup → scoring → closed → published; organizers may
    reopen a closed round). A later round never writes into an earlier one: each has its own
    RoundEntry rows and sheets.
    """

    class Status(models.TextChoices):
        SETUP = "setup", _("准备中")
        SCORING = "scoring", _("评分中")
        CLOSED = "closed", _("评分已截止")
        PUBLISHED = "published", _("结果已发布")

    class Method(models.TextChoices):
        CALIBRATED = "calibrated", _("评委校准（默认）")
        MEAN = "mean", _("平均分")
        TRIMMED = "trimmed", _("去掉最高分和最低分后的平均分")
        ZSCORE = "zscore", _("评委标准分")

    class Source(models.TextChoices):
        ELIGIBLE = "eligible", _("全部通过资格审查的项目")
        RECOMMENDED = "recommended", _("县区推荐的项目")
        ADVANCED = "advanced", _("上一轮晋级的项目")

    contest = models.ForeignKey(
        Contest, verbose_name=_("大赛"), on_delete=models.PROTECT, related_name="rounds"
    )
    name = models.CharField(_("轮次名称"), max_length=50, help_text=_("例如：初评、复评、终评"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    code = models.CharField(
        _("代码"), max_length=12, unique=True, default=partial(random_code, 8), editable=False
    )
    scoring_opens = models.DateTimeField(_("评分开始时间"))
    scoring_closes = models.DateTimeField(_("评分截止时间"))
    judges_per_entry = models.PositiveSmallIntegerField(
        _("每个项目的评委人数"), default=5, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    # Entries with fewer submitted sheets are flagged on the ranking, listed on the round page and
    # left out of automatic shortlisting (``judging.results.selectors``); blank: ``judges_per_entry``.
    min_sheets = models.PositiveSmallIntegerField(
        _("每个项目至少需要的评分表"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_(
            "已提交的评分表少于这个数的项目在成绩排名中标出，不参加自动入围，直到补齐；不填时等于每个项目的评委人数。"
        ),
    )
    entry_source = models.CharField(
        _("参评项目"), max_length=20, choices=Source.choices, default=Source.ELIGIBLE
    )
    proportional_to_capacity = models.BooleanField(
        _("按评委容量分配"), default=False, help_text=_("不勾选时，每位评委的评审量尽量相同。")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SETUP, editable=False
    )
    # How results are computed (DESIGN §5); every method's figures are kept either way.
    method = models.CharField(_("计分方法"), max_length=20, choices=Method.choices, default=Method.CALIBRATED)
    shrinkage = models.DecimalField(
        _("校准收缩强度"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        help_text=_("评委偏差向 0 收缩的强度，相当于每位评委额外有这么多张偏差为 0 的评分表。"),
    )
    disagreement_threshold = models.DecimalField(
        _("分歧提示阈值"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        help_text=_("同一项目最高分与最低分相差超过这个分数时提示分歧。"),
    )
    tie_criterion_position = models.PositiveSmallIntegerField(
        _("并列时优先比较的评分项"),
        null=True,
        blank=True,
        help_text=_("评分标准中的序号（1 为第一项）。并列时先比中位数，再比这一项的平均分，再比提交时间。"),
    )
    stage_weight = models.DecimalField(
        _("本轮在总成绩中的权重"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        help_text=_("多轮评审的总成绩按各轮权重加权，例如初评 0.2、复评 0.8。"),
    )
    # One fit of this round's sheets together with every earlier round's (the judges' offsets
    # link the rounds), instead of combining each round's own scores by stage weight
    # (``judging.results.services``). On for rounds made from a recommendation (复评建议).
    combine_earlier = models.BooleanField(
        _("与前几轮评分合并计算"),
        default=False,
        help_text=_(
            "勾选时，本轮成绩用本轮和前几轮的全部评分表一起计算（同一评委在各轮的宽严一并校准），"
            "不再按各轮权重加权；比赛规则要求按轮次加权时不要勾选。"
        ),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["contest", "order"]
        verbose_name = _("评审轮次")
        verbose_name_plural = _("评审轮次")
        constraints = [
            models.UniqueConstraint(fields=["contest", "order"], name="round_order_unique"),
            models.CheckConstraint(
                condition=Q(scoring_closes__gt=F("scoring_opens")), name="round_closes_after_opens"
            ),
        ]

    def __str__(self):
        return f"{self.contest.title} · {self.name}"

    @property
    def required_sheets(self) -> int:
        """Submitted sheets an entry needs to be ranked without a flag and shortlisted."""
        return self.min_sheets or self.judges_per_entry

    @property
    def phase(self):
        """What the round may do now (``judging.phases``), for templates to ask."""
        from .phases import round_phase

        return round_phase(self)


class Criterion(models.Model):
    """One line of a round's rubric. Sheet total = 100·Σ(weight·points/max) / Σweight.

    The weight defaults to the full marks, so that with full marks adding up to 100 a sheet's
    total is the sum of its points (what a judge expects); ``save`` fills it in when left out.
    """

    round = ParentalKey(Round, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=50)
    guidance = models.TextField(_("评分说明"), blank=True)
    max_points = models.PositiveSmallIntegerField(
        _("满分"), default=10, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    weight = models.DecimalField(
        _("权重"),
        max_digits=6,
        decimal_places=2,
        blank=True,
        help_text=_("留空时等于满分，即总分为各项得分之和。"),
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self):
        return f"{self.name}（{self.max_points}）"

    def save(self, *args, **kwargs):
        # A derived default (another field's value), which a field default cannot express.
        if self.weight is None:
            self.weight = Decimal(self.max_points)
        super().save(*args, **kwargs)


class Judge(models.Model):
    """A judge's profile. ``county`` follows ``organization`` when one is set
    (``judging.judges.services.judge_sync_county`` keeps it so); both drive automatic conflicts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账户"), on_delete=models.CASCADE, related_name="judge"
    )
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务或职称"), max_length=100, blank=True)
    phone = models.CharField(
        _("手机号码"),
        max_length=11,
        blank=True,
        validators=[MOBILE_PHONE_VALIDATOR],
        help_text=_("组委会联系评委用。"),
    )
    expertise = models.ManyToManyField(Category, verbose_name=_("擅长领域"), blank=True, related_name="+")
    county = models.ForeignKey(
        County,
        verbose_name=_("所在县（市、区）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("同一县（市、区）的项目自动回避。"),
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("所在单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("同一单位的项目自动回避。"),
    )
    capacity = models.PositiveIntegerField(
        _("评审容量"), null=True, blank=True, help_text=_("每轮最多评审的项目数；留空表示不限。")
    )
    active = models.BooleanField(_("在任"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("评委")
        verbose_name_plural = _("评委")

    def __str__(self):
        return self.name


class JudgeInvitation(models.Model):
    """A one-time sign-up link for a judge, sent by e-mail. Only a hash of the token is kept."""

    email = models.EmailField(_("电子邮箱"))
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务或职称"), max_length=100, blank=True)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[MOBILE_PHONE_VALIDATOR])
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expertise = models.ManyToManyField(Category, verbose_name=_("擅长领域"), blank=True, related_name="+")
    county = models.ForeignKey(County, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    capacity = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    judge = models.ForeignKey(Judge, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("评委邀请")
        verbose_name_plural = _("评委邀请")

    def __str__(self):
        return f"{self.name} <{self.email}>"


class Conflict(models.Model):
    """A conflict of interest (回避) beyond the automatic ones (same county or organization)."""

    class Source(models.TextChoices):
        DECLARED = "declared", _("评委申报")
        ORGANIZER = "organizer", _("组委会设定")

    judge = models.ForeignKey(
        Judge, verbose_name=_("评委"), on_delete=models.CASCADE, related_name="conflicts"
    )
    entry = models.ForeignKey(Entry, verbose_name=_("参赛项目"), on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        constraints = [models.UniqueConstraint(fields=["judge", "entry"], name="conflict_unique")]

    def __str__(self):
        return f"{self.judge} ↔ {self.entry_id}"


class RoundEntry(models.Model):
    """An entry as it takes part in one round: its blind code and its masked texts.

    The masked texts and photo captions are a snapshot made when the entry joins the round
    (organizers may edit them before scoring starts; ``masked_edited_at`` then keeps them when
    the round opens); judges only ever see these, never the entry itself.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="round_entries")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")
    blind_code = models.CharField(_("匿名编号"), max_length=12)
    title = models.CharField(_("项目名称（匿名）"), max_length=200)
    summary = models.TextField(_("项目简介（匿名）"), blank=True)
    need = models.TextField(_("针对的需求（匿名）"), blank=True)
    approach = models.TextField(_("实施方式（匿名）"), blank=True)
    innovation = models.TextField(_("创新之处（匿名）"), blank=True)
    outcomes = models.TextField(_("服务成效（匿名）"), blank=True)
    # The photos' masked captions by the photo's public id: reviewed with the texts before the
    # round opens, then copied into the photos' BlindFile rows (freeze_for_judges).
    captions = models.JSONField(_("图片说明（匿名）"), default=dict, blank=True)
    advanced = models.BooleanField(_("晋级下一轮"), default=False)
    # Judges this entry gets in this round when it differs from the round's ``judges_per_entry``
    # (a round aimed at the boundary: 0 for an entry that goes on without new sheets).
    judges_needed = models.PositiveSmallIntegerField(_("本轮评委人数"), null=True, blank=True)
    masked_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    masked_edited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "blind_code"]
        verbose_name = _("参评项目")
        verbose_name_plural = _("参评项目")
        constraints = [
            models.UniqueConstraint(fields=["round", "entry"], name="round_entry_unique"),
            models.UniqueConstraint(fields=["round", "blind_code"], name="round_blind_code_unique"),
        ]

    def __str__(self):
        return self.blind_code


class BlindFile(models.Model):
    """A photo or PDF of a round entry as its judges receive it, fixed when the round opens for
    scoring (``judging.masking.services.freeze_for_judges``) together with the masked texts and
    captions: whatever happens to the entry afterwards, judges see what was frozen. Judges'
    pages serve only these, by position, never the entry's own files: a PDF reaches them as
    its judge copy (pages as pictures, identifying text blacked out), made before the round
    opens (``judging.masking.copies``)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        ATTACHMENT = "attachment", _("附件")

    class Status(models.TextChoices):
        PENDING = "pending", _("正在生成")
        READY = "ready", _("已生成")
        FAILED = "failed", _("生成失败")

    round_entry = models.ForeignKey(RoundEntry, on_delete=models.CASCADE, related_name="blind_files")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField()  # 1, 2, … within its kind
    file = models.FileField(storage=private_storage, max_length=200)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    caption = models.CharField(max_length=200, blank=True)  # masked
    # PDFs: the judge copy is rendered in the background (``judging.masking.copies``); until it
    # is ready ``file`` is empty and judges are told it is being made. Photos are ready at once.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    attachment = models.ForeignKey(
        "competition.EntryAttachment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What was blacked out: [{"page": 1, "text": "暖阳志愿服务队", "boxes": [[l, t, r, b], ...]}]
    # and the organizers' own boxes [{"page": 1, "box": [l, t, r, b]}], fractions of the page.
    redactions = models.JSONField(default=list, blank=True)
    manual_boxes = models.JSONField(default=list, blank=True)
    source_pages = models.PositiveIntegerField(null=True, blank=True)
    made_at = models.DateTimeField(null=True, blank=True)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["round_entry", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round_entry", "kind", "position"], name="blind_file_position"),
        ]

    def __str__(self):
        return f"{self.round_entry_id} · {self.kind} {self.position}"


class Assignment(models.Model):
    """One judge assigned to one entry in one round. Kept conflict-free by the assigner and
    by ``judging.assignment.services`` for manual changes; one per (round entry, judge)."""

    class Source(models.TextChoices):
        AUTO = "auto", _("自动分配")
        MANUAL = "manual", _("组委会调整")
        REPLACEMENT = "replacement", _("回避后补派")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    round_entry = models.ForeignKey(RoundEntry, on_delete=models.CASCADE, related_name="assignments")
    judge = models.ForeignKey(Judge, on_delete=models.PROTECT, related_name="assignments")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.AUTO)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")
        constraints = [
            models.UniqueConstraint(fields=["round_entry", "judge"], name="assignment_unique"),
        ]
        indexes = [models.Index(fields=["judge", "round"])]

    def __str__(self):
        return f"{self.judge} → {self.round_entry}"


class ScoreSheet(models.Model):
    """A judge's score sheet for one assignment (one per assignment).

    ``version`` increases with every save so that two tabs saving the same sheet are told
    apart (``judging.scoring.services.sheet_save``). ``total`` is derived from the scores and kept for
    listing and ranking.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("已暂存")
        SUBMITTED = "submitted", _("已提交")

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="sheet")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=3, null=True, blank=True)
    comment_to_organizers = models.TextField(_("给组委会的意见"), blank=True, max_length=3000)
    feedback_to_team = models.TextField(_("给参赛团队的反馈"), blank=True, max_length=3000)
    version = models.PositiveIntegerField(default=1)
    # Reopened by an organizer (with a recorded reason): editable even after the round closed.
    reopened = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False, total__isnull=False),
                name="sheet_submitted_is_complete",
            ),
        ]

    def __str__(self):
        return f"{self.assignment} · {self.get_status_display()}"


class Score(models.Model):
    """Points for one criterion on one sheet (0 ≤ points ≤ the criterion's maximum)."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_unique"),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_not_negative"),
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.points}"


class JudgingEvent(models.Model):
    """Audit log of judging: who, when, what, before and after (DESIGN §4.5)."""

    class Kind(models.TextChoices):
        ROUND_STATUS = "round_status", _("轮次状态变更")
        ASSIGNED = "assigned", _("分配评委")
        UNASSIGNED = "unassigned", _("撤销分配")
        CONFLICT = "conflict", _("回避")
        SHEET_SAVED = "sheet_saved", _("暂存评分")
        SHEET_SUBMITTED = "sheet_submitted", _("提交评分")
        SHEET_REOPENED = "sheet_reopened", _("重开评分表")
        MASK_EDITED = "mask_edited", _("修改匿名文本")
        COPY_REDACTED = "copy_redacted", _("涂黑匿名副本")
        RESULTS = "results", _("计算成绩")
        ADVANCED = "advanced", _("确定晋级")
        REMINDER = "reminder", _("催评提醒")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    judge = models.ForeignKey(Judge, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    round_entry = models.ForeignKey(
        RoundEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("评审记录")
        verbose_name_plural = _("评审记录")
        indexes = [models.Index(fields=["round", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class AssignmentRun(models.Model):
    """One run of the assigner for a round: its progress (shown in the admin) and its report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignment_runs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    # How assignments made by this run are labelled (a run after a conflict makes replacements).
    source = models.CharField(
        max_length=20, choices=Assignment.Source.choices, default=Assignment.Source.AUTO
    )
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    report = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("分配运行")
        verbose_name_plural = _("分配运行")

    def __str__(self):
        return f"{self.round} · {self.get_status_display()}"


# --- Results (DESIGN §5) -------------------------------------------------------------------------


class RoundComputation(models.Model):
    """One computation of a round's results: the inputs' digest makes recomputation checkable."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="computations")
    computed_at = models.DateTimeField(default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=20, choices=Round.Method.choices)
    shrinkage = models.FloatField()
    sheets = models.PositiveIntegerField()
    entries = models.PositiveIntegerField()
    icc = models.FloatField(null=True, blank=True)
    kendall_w = models.FloatField(null=True, blank=True)
    pool_mean = models.FloatField(default=0)
    pool_sd = models.FloatField(default=0)
    inputs_digest = models.CharField(max_length=64)
    ranking_digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        verbose_name = _("成绩计算")
        verbose_name_plural = _("成绩计算")

    def __str__(self):
        return f"{self.round} · {self.computed_at:%Y-%m-%d %H:%M}"


def chance_text(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.005:
        return "<1%"
    if value > 0.995:
        return ">99%"
    # Between the two ends a whole percentage never reads 0 % or 100 % (0.005 would round to 0).
    return f"{min(max(round(100 * value), 1), 99)}%"


class RoundUncertainty(models.Model):
    """How sure the round's latest ranking is: the simulations of the fitted model
    (``judging.results.uncertainty``) kept as a compact blob, so a list of any size (the
    shortlist preview) can be judged without recomputing, and the figures of the ranking's own
    top ``top``."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="uncertainty")
    computed_at = models.DateTimeField(default=timezone.now)
    top = models.PositiveIntegerField()
    draws = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    sigma = models.FloatField()  # residual standard deviation of a sheet, in points
    sigma_estimated = models.BooleanField(default=True)
    expected_misses = models.FloatField()  # of the ranking's top ``top``
    misses_low = models.PositiveIntegerField()
    misses_high = models.PositiveIntegerField()
    # Parts of the judge–entry graph other than the largest: [{"entries": [round entry ids],
    # "judges": [judge ids]}]; their entries compare with the rest only by assumption.
    parts = models.JSONField(default=list)
    data = models.BinaryField()

    def __str__(self):
        return f"{self.round} · {self.expected_misses:.1f}"


class RoundResult(models.Model):
    """An entry's figures in a round, from the latest computation; all methods side by side."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    round_entry = models.OneToOneField(RoundEntry, on_delete=models.CASCADE, related_name="result")
    sheets = models.PositiveIntegerField()
    mean = models.FloatField()
    median = models.FloatField()
    trimmed = models.FloatField()
    zscore = models.FloatField()
    calibrated = models.FloatField()
    spread = models.FloatField()
    sd = models.FloatField()
    criteria = models.JSONField(default=list)  # mean points per criterion, in rubric order
    score = models.FloatField()  # by the round's method
    rank = models.PositiveIntegerField()
    flagged = models.BooleanField(default=False)
    # With earlier rounds by stage weight (equals ``score`` in a single round), and its rank:
    # what advancement and the shortlist go by.
    combined = models.FloatField()
    combined_rank = models.PositiveIntegerField()
    # Uncertainty (``judging.results.uncertainty``, kept in ``RoundUncertainty``): an interval for
    # the calibrated score and the chance of being in the true top ``RoundUncertainty.top``.
    score_low = models.FloatField(null=True, blank=True)
    score_high = models.FloatField(null=True, blank=True)
    top_chance = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["round", "rank"]
        indexes = [models.Index(fields=["round", "rank"])]

    def __str__(self):
        return f"{self.round_entry} · {self.rank}"

    @property
    def top_chance_text(self) -> str:
        """The chance of the true top N as a whole percentage; from a few hundred simulations
        0 and 1 only mean "below 1 %" and "above 99 %"."""
        return chance_text(self.top_chance)


class JudgeResult(models.Model):
    """A judge's figures in a round: severity (offset), spread, completion."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="judge_results")
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="+")
    assigned = models.PositiveIntegerField(default=0)
    sheets = models.PositiveIntegerField(default=0)
    mean = models.FloatField(default=0)
    sd = models.FloatField(default=0)
    offset = models.FloatField(default=0)
    # How many of the other judges' standard deviations the offset is from their mean, when more
    # than two (``judging.results.uncertainty.far_judges``); else empty.
    far = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["round", "judge__name"]
        constraints = [models.UniqueConstraint(fields=["round", "judge"], name="judge_result_unique")]

    def __str__(self):
        return f"{self.judge} · {self.offset:+.1f}"

    @property
    def completion(self) -> float:
        return self.sheets / self.assigned if self.assigned else 0.0


# --- Spreadsheets ------------------------------------------------------------------------------


def export_kinds() -> list[tuple[str, str]]:
    """The exports on offer, judging's and those other apps registered (awards: the shortlist
    and objections): ``judging.spreadsheets.tables.register_export``."""
    from .spreadsheets.tables import EXPORTS

    return [(kind, export.label) for kind, export in EXPORTS.items()]


class ExportJob(models.Model):
    """A spreadsheet export made in the background (``judging.spreadsheets.exports.export_run``): its
    progress is shown in the admin and its file, kept in private storage, is downloaded through
    a view that checks who is asking. Round exports name a round; contest exports do not."""

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel 表格（xlsx）")
        CSV = "csv", _("CSV 文本（UTF-8）")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("导出内容"), max_length=20, choices=export_kinds)
    contest = models.ForeignKey(Contest, verbose_name=_("大赛"), on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(
        Round, verbose_name=_("评审轮次"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    format = models.CharField(_("文件格式"), max_length=10, choices=Format.choices, default=Format.XLSX)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    file = models.FileField(storage=private_storage, max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("数据导出")
        verbose_name_plural = _("数据导出")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_status_display()}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
