"""The data core: places, organizations, teams, contests and their entries.

Writes go through ``competition.services``; reads that other apps need go through
``competition.selectors``. This app imports neither ``judging`` nor ``cms``.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from pypinyin import Style, lazy_pinyin

from common.storage import private_storage

MOBILE_PHONE_VALIDATOR = RegexValidator(
    r"^1[3-9]\d{9}$", _("请输入 11 位中国大陆手机号码，例如 13812341234。")
)


def pinyin_key(text: str) -> str:
    """Sort key that orders Chinese names by pinyin (DESIGN §8)."""
    return " ".join(lazy_pinyin(text or "")).lower()[:200]


def pinyin_search_key(text: str) -> str:
    """What type-ahead search matches a place name against: the name, its full pinyin run
    together and its pinyin initials, so that "西井镇", "xijingzhen" and "xjz" all find it."""
    text = text or ""
    full = "".join(lazy_pinyin(text)).lower()
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()
    return f"{text} {full} {initials}"[:400]


def pinyin_keys(text: str) -> tuple[str, str]:
    """``(pinyin_key(text), pinyin_search_key(text))`` with one pinyin lookup fewer, for bulk
    inserts (the spreadsheet import) that bypass ``save``."""
    text = text or ""
    syllables = lazy_pinyin(text)
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()
    sort_key = " ".join(syllables).lower()[:200]
    return sort_key, f"{text} {''.join(syllables).lower()} {initials}"[:400]


class County(models.Model):
    """A county-level division (县、市、区). Order follows the official listing."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    short_name = models.CharField(
        _("简称"), max_length=20, blank=True, help_text=_("例如“潞州”，评审匿名化时一并隐去。")
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("县（市、区）")
        verbose_name_plural = _("县（市、区）")

    def __str__(self):
        return self.name


class Town(models.Model):
    """A town or street (乡镇、街道) of a county: the level between county and station."""

    county = models.ForeignKey(
        County, verbose_name=_("所属县（市、区）"), on_delete=models.PROTECT, related_name="towns"
    )
    name = models.CharField(_("名称"), max_length=50)
    sort_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    search_key = models.CharField(max_length=400, editable=False, default="")

    class Meta:
        ordering = ["county__sort_order", "sort_key"]
        verbose_name = _("乡镇（街道）")
        verbose_name_plural = _("乡镇（街道）")
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="town_unique_name_in_county"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_key = pinyin_key(self.name)
        self.search_key = pinyin_search_key(self.name)
        super().save(*args, **kwargs)


class Organization(models.Model):
    """A civilization-practice center (county), institute (town) or station (village or
    community). ``parent`` is the center or institute it belongs to, in the same county."""

    class Kind(models.TextChoices):
        CENTER = "center", _("新时代文明实践中心")
        INSTITUTE = "institute", _("新时代文明实践所")
        STATION = "station", _("新时代文明实践站")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    county = models.ForeignKey(
        County, verbose_name=_("所属县（市、区）"), on_delete=models.PROTECT, related_name="organizations"
    )
    town = models.ForeignKey(
        Town,
        verbose_name=_("所属乡镇（街道）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级阵地"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True, db_default="")
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True, db_default="")
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True, db_default="")
    star_level = models.PositiveSmallIntegerField(
        _("星级"), default=0, validators=[MaxValueValidator(5)], help_text=_("0–5 星")
    )
    sort_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    # Database defaults: an app server still on the previous release inserts rows without them.
    search_key = models.CharField(max_length=400, editable=False, default="", db_default="")
    # A team that cannot find its station names it (competition.stations.services): the row
    # exists at once so the team can sign up, but it is offered to no one else until the
    # county's coordinator (or an organizer) confirms it, corrects it or merges it away.
    confirmed = models.BooleanField(_("已确认"), default=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("提出时间"), null=True, blank=True)
    proposed_town = models.CharField(
        _("提出的乡镇（街道）"),
        max_length=50,
        blank=True,
        help_text=_("团队填写、尚未在列表中的乡镇（街道）名称。"),
    )

    class Meta:
        ordering = ["sort_key"]
        # The few proposals awaiting confirmation, by county. (An index led by ``confirmed``
        # would make the picker's search walk it for the 99 % that are confirmed: 3× slower.)
        indexes = [
            models.Index(fields=["county"], condition=Q(confirmed=False), name="organization_proposed_county")
        ]
        verbose_name = _("文明实践阵地")
        verbose_name_plural = _("文明实践阵地")
        constraints = [
            models.CheckConstraint(condition=Q(star_level__lte=5), name="organization_star_0_5"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Derived column: keeps pinyin ordering in the database, wherever the row is saved from.
        self.sort_key = pinyin_key(self.name)
        self.search_key = pinyin_search_key(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        """A parent of a fitting kind and a town in the organization's own county (the same
        rules the spreadsheet import checks row by row)."""
        errors = {}
        if self.parent_id and self.county_id:
            parent = self.parent
            if parent.pk == self.pk:
                errors["parent"] = _("上级阵地不能是它自己。")
            elif parent.county_id != self.county_id:
                errors["parent"] = _("上级阵地须在同一县（市、区）。")
            elif parent.kind not in PARENT_KINDS.get(self.kind, set()):
                errors["parent"] = _("所的上级是中心，站的上级是所或中心；中心没有上级阵地。")
        if self.town_id and self.county_id and self.town.county_id != self.county_id:
            errors["town"] = _("所选乡镇（街道）不在所属县（市、区）内。")
        if errors:
            raise ValidationError(errors)


# Which kinds may be the parent of each kind: institutes belong to a center, stations to an
# institute or directly to a center.
PARENT_KINDS = {
    Organization.Kind.CENTER: set(),
    Organization.Kind.INSTITUTE: {Organization.Kind.CENTER},
    Organization.Kind.STATION: {Organization.Kind.CENTER, Organization.Kind.INSTITUTE},
}


def category_label(name: str | None, name_en: str | None) -> str:
    """A category's name in the active language: the one rule for pages, exports and
    e-mails, whether they hold a Category or read its two names with ``values_list``."""
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name or ""


class Category(models.Model):
    """A service category (项目类别). The eight defaults come from a data migration."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("中文名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("项目类别")
        verbose_name_plural = _("项目类别")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return category_label(self.name, self.name_en)


class Team(models.Model):
    """A volunteer team (参赛团队); one log-in account owns one team.

    The county is never stored: it derives from the organization.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账户"), on_delete=models.CASCADE, related_name="team"
    )
    name = models.CharField(_("团队名称"), max_length=100)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("所属文明实践阵地"),
        on_delete=models.PROTECT,
        related_name="teams",
    )
    contact_name = models.CharField(_("联系人"), max_length=50, help_text=_("组委会就参赛事宜与之联系的人。"))
    contact_phone = models.CharField(
        _("联系电话"),
        max_length=11,
        validators=[MOBILE_PHONE_VALIDATOR],
        help_text=_("仅用于组委会联系参赛事宜，不向评委和公众展示。"),
    )
    sort_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("参赛团队")
        verbose_name_plural = _("参赛团队")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_key = pinyin_key(self.name)
        super().save(*args, **kwargs)

    @property
    def county(self) -> County:
        return self.organization.county


class TeamEvent(models.Model):
    """Audit of a team's identity: an organizer's correction of its name or organization after
    eligibility review began (``competition.services.team_change_identity``), with a reason."""

    class Kind(models.TextChoices):
        IDENTITY = "identity", _("更正团队名称或所属阵地")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("团队记录")
        verbose_name_plural = _("团队记录")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class TeamMember(models.Model):
    """A person in a team. Only a name and a role: their names are masked for judges."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("分工"), max_length=50, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")

    def __str__(self):
        return self.name


class Coordinator(models.Model):
    """A county coordinator (县区管理员): sees and reviews only their county's entries."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账户"), on_delete=models.CASCADE, related_name="coordinator"
    )
    county = models.ForeignKey(
        County, verbose_name=_("负责县（市、区）"), on_delete=models.PROTECT, related_name="coordinators"
    )
    phone = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[MOBILE_PHONE_VALIDATOR])

    class Meta:
        verbose_name = _("县区管理员")
        verbose_name_plural = _("县区管理员")

    def __str__(self):
        return f"{self.user.get_username()} · {self.county}"


class Contest(ClusterableModel):
    """One yearly competition. Submission is open in [submission_opens, submission_closes).

    What may happen now is ``competition.phases.contest_phase``: the window decides until it
    has closed, then ``stage``, which the apps that move the contest on record through
    ``competition.services.contest_enter_stage`` (never backwards but results ↔ judging).
    """

    class Stage(models.TextChoices):
        OPEN = "open", _("申报与审查")
        JUDGING = "judging", _("评审中")
        RESULTS = "results", _("确定入围名单")
        NOTICE = "notice", _("入围公示")
        FINAL = "final", _("优秀项目已公布")

    title = models.CharField(_("大赛名称"), max_length=200)
    year = models.PositiveIntegerField(_("年度"))
    slug = models.SlugField(_("网址标识"), max_length=60, unique=True)
    description = models.TextField(_("简介"), blank=True)
    submission_opens = models.DateTimeField(_("开始申报时间"))
    submission_closes = models.DateTimeField(
        _("截止申报时间"), help_text=_("北京时间；到点即截止，以服务器时间为准。")
    )
    recommendation_closes = models.DateTimeField(
        _("推荐截止时间"),
        null=True,
        blank=True,
        help_text=_("县区管理员在此之前完成资格审查与推荐；留空表示评审开始前均可推荐。"),
    )
    max_entries_per_team = models.PositiveSmallIntegerField(_("每队最多申报项目数"), default=3)
    categories = models.ManyToManyField(Category, verbose_name=_("项目类别"), related_name="contests")
    recommendation_quota = models.PositiveIntegerField(
        _("每县推荐名额"),
        null=True,
        blank=True,
        help_text=_("留空表示不限；设置后县区管理员最多可向市级推荐这么多项目。"),
    )
    stage = models.CharField(
        _("进度"), max_length=20, choices=Stage.choices, default=Stage.OPEN, editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-year", "-submission_opens"]
        verbose_name = _("大赛")
        verbose_name_plural = _("大赛")
        constraints = [
            models.CheckConstraint(
                condition=Q(submission_closes__gt=models.F("submission_opens")),
                name="contest_closes_after_opens",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def phase(self):
        """What the contest may do now (``competition.phases``), for templates to ask."""
        from .phases import contest_phase

        return contest_phase(self)


class CountyQuota(models.Model):
    """A county's own number of recommendations in a contest; counties without one get the
    contest's ``recommendation_quota`` (``competition.selectors.recommendation_quota``)."""

    contest = ParentalKey(Contest, on_delete=models.CASCADE, related_name="county_quotas")
    county = models.ForeignKey(
        County, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="+"
    )
    quota = models.PositiveIntegerField(_("推荐名额"))

    class Meta:
        ordering = ["county__sort_order", "county__name"]
        verbose_name = _("分县推荐名额")
        verbose_name_plural = _("分县推荐名额")
        constraints = [
            models.UniqueConstraint(fields=["contest", "county"], name="county_quota_unique"),
        ]

    def __str__(self):
        return f"{self.county} · {self.quota}"


class Entry(models.Model):
    """A competition entry (参赛项目).

    Invariants kept by ``competition.services``: a submitted entry is complete; only its team
    changes it, and only while the contest is open; each save bumps ``version`` so that
    concurrent saves are detected rather than overwritten; every change leaves an EntryEvent.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Eligibility(models.TextChoices):
        PENDING = "pending", _("待审查")
        ELIGIBLE = "eligible", _("资格审查通过")
        INELIGIBLE = "ineligible", _("资格审查未通过")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contest = models.ForeignKey(
        Contest, verbose_name=_("大赛"), on_delete=models.PROTECT, related_name="entries"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("参赛团队"), on_delete=models.PROTECT, related_name="entries"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("项目类别"), on_delete=models.PROTECT, null=True, blank=True
    )
    title = models.CharField(_("项目名称"), max_length=60)
    summary = models.TextField(_("项目简介"), max_length=500, blank=True)
    need = models.TextField(_("针对的需求"), max_length=3000, blank=True)
    approach = models.TextField(_("实施方式"), max_length=5000, blank=True)
    innovation = models.TextField(_("创新之处"), max_length=3000, blank=True)
    outcomes = models.TextField(_("服务成效"), max_length=5000, blank=True)
    volunteers = models.PositiveIntegerField(_("志愿者人数"), null=True, blank=True)
    beneficiaries = models.PositiveIntegerField(_("服务对象人数"), null=True, blank=True)
    service_hours = models.PositiveIntegerField(_("服务时长（小时）"), null=True, blank=True)
    activities = models.PositiveIntegerField(_("开展活动次数"), null=True, blank=True)
    started_on = models.DateField(_("项目启动日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    consent_publish = models.BooleanField(_("同意公开"), default=False)
    consent_guardians = models.BooleanField(_("监护人同意"), default=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    eligibility = models.CharField(
        _("资格审查"), max_length=20, choices=Eligibility.choices, default=Eligibility.PENDING
    )
    eligibility_reason = models.TextField(_("审查意见"), blank=True)
    eligibility_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    eligibility_decided_at = models.DateTimeField(null=True, blank=True)
    recommended = models.BooleanField(_("已推荐"), default=False)
    version = models.PositiveIntegerField(default=1)
    # One form, one entry: a double-clicked "create" posts the same token twice.
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # The token of the last edit saved: an upload retried after its answer was lost (a phone
    # leaving coverage) is recognised as already saved instead of clashing with itself.
    last_save_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("参赛项目")
        verbose_name_plural = _("参赛项目")
        indexes = [models.Index(fields=["contest", "status"]), models.Index(fields=["team", "contest"])]
        permissions = [("review_entry", _("可以进行资格审查"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                name="entry_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(eligibility="ineligible") | ~Q(eligibility_reason=""),
                name="entry_ineligible_has_reason",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def county(self) -> County:
        return self.team.organization.county


class EntryPhoto(models.Model):
    """A photo of an entry: re-encoded without metadata, stored under a random name."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(storage=private_storage, max_length=200)
    content_type = models.CharField(max_length=30)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    # SHA-256 of the stored (cleaned) bytes: the same photo chosen twice is refused.
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    caption = models.CharField(_("图片说明"), max_length=100, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("项目照片")
        verbose_name_plural = _("项目照片")

    def __str__(self):
        return self.caption or str(self.public_id)


class EntryAttachment(models.Model):
    """A PDF of an entry: parsed, re-written without document metadata, random name on disk.

    ``title`` is a cleaned display name for the team's own pages; it is never used on disk.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, max_length=200)
    title = models.CharField(_("附件名称"), max_length=100)
    size = models.PositiveIntegerField()
    pages = models.PositiveIntegerField()
    sort_order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("项目附件")
        verbose_name_plural = _("项目附件")

    def __str__(self):
        return self.title


class EntryEvent(models.Model):
    """History and audit trail of an entry: who did what, when, with before/after values."""

    class Kind(models.TextChoices):
        CREATED = "created", _("创建草稿")
        SAVED = "saved", _("保存修改")
        SUBMITTED = "submitted", _("提交")
        WITHDRAWN = "withdrawn", _("撤回")
        REOPENED = "reopened", _("恢复为草稿")
        ELIGIBILITY = "eligibility", _("资格审查")
        RECOMMENDED = "recommended", _("推荐")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("项目记录")
        verbose_name_plural = _("项目记录")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"
