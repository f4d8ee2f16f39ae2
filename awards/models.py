"""What the office decides and announces: the shortlist (入围名单) with its log, objections
filed during the public notice, and the featured projects (百个优秀志愿服务项目).

Writes go through the services of ``awards.shortlist``, ``awards.notice`` and
``awards.outcomes``; what may happen now is ``awards.phases``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.storage import private_storage
from competition.models import Contest, Entry
from judging.models import Round

# A contest without tiers of its own has one: every featured project is 优秀志愿服务项目.
DEFAULT_TIER_NAME = _("优秀志愿服务项目")


class AwardTier(models.Model):
    """An award tier of a contest's outcome (e.g. 十佳 then 优秀, or 一等/二等/三等), best first.
    Tiers are filled from the shortlist in rank order under their own constraints
    (``awards.tiers``); a contest without tiers has one, 优秀志愿服务项目, for every place."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="award_tiers")
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)
    name = models.CharField(_("奖项名称"), max_length=40)
    places = models.PositiveIntegerField(_("名额"))
    county_cap = models.PositiveIntegerField(_("每县上限"), null=True, blank=True)
    category_min = models.JSONField(default=dict, blank=True)  # category code -> minimum
    category_max = models.JSONField(default=dict, blank=True)  # category code -> maximum

    class Meta:
        ordering = ["contest", "position", "pk"]
        verbose_name = _("奖项等次")
        verbose_name_plural = _("奖项等次")
        constraints = [
            models.UniqueConstraint(fields=["contest", "position"], name="award_tier_position_unique"),
            models.UniqueConstraint(fields=["contest", "name"], name="award_tier_name_unique"),
        ]

    def __str__(self):
        return self.name


class Shortlist(models.Model):
    """The contest's shortlist of featured projects (入围名单): committed from a preview,
    published for public notice (公示), then finalized. One per contest."""

    class Status(models.TextChoices):
        COMMITTED = "committed", _("已确定，待公示")
        NOTICE = "notice", _("公示中")
        FINALIZED = "finalized", _("已公布")

    contest = models.OneToOneField(Contest, on_delete=models.PROTECT, related_name="shortlist")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+")
    size = models.PositiveIntegerField(_("入围数量"), default=100)
    county_cap = models.PositiveIntegerField(_("每县上限"), null=True, blank=True)
    category_min = models.JSONField(default=dict, blank=True)  # category code -> minimum
    category_max = models.JSONField(default=dict, blank=True)  # category code -> maximum
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.COMMITTED)
    report = models.JSONField(default=dict, blank=True)
    # How the final score was made when it is not the judges' alone (the public vote's weight),
    # as the notice prints it; fixed when the list is committed.
    score_note = models.TextField(blank=True)
    committed_at = models.DateTimeField(default=timezone.now)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notice_starts_at = models.DateTimeField(null=True, blank=True)
    notice_ends_at = models.DateTimeField(null=True, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("入围名单")
        verbose_name_plural = _("入围名单")

    def __str__(self):
        return f"{self.contest} · {self.get_status_display()}"

    @property
    def phase(self):
        """What the shortlist may do now (``awards.phases``), for templates to ask."""
        from .phases import shortlist_phase

        return shortlist_phase(self)


class ShortlistEntry(models.Model):
    class Via(models.TextChoices):
        COMPUTED = "computed", _("按成绩入围")
        OVERRIDE = "override", _("组委会调整")

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="items")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField()  # the entry's rank in the source round
    score = models.FloatField()
    via = models.CharField(max_length=20, choices=Via.choices, default=Via.COMPUTED)
    tier = models.ForeignKey(AwardTier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["shortlist", "rank"]
        constraints = [models.UniqueConstraint(fields=["shortlist", "entry"], name="shortlist_entry_unique")]

    def __str__(self):
        return f"{self.shortlist_id} · {self.entry_id}"


class ShortlistEvent(models.Model):
    """Audit of the shortlist: commit, overrides with reasons, notice, objections, finalize."""

    class Kind(models.TextChoices):
        COMMITTED = "committed", _("确定入围名单")
        ADDED = "added", _("调入")
        REMOVED = "removed", _("调出")
        SWAPPED = "swapped", _("调换")
        NOTICE = "notice", _("发布公示")
        OBJECTION = "objection", _("收到异议")
        ANSWERED = "answered", _("答复异议")
        FINALIZED = "finalized", _("正式公布")
        TIER = "tier", _("调整奖项等次")

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("入围名单记录")
        verbose_name_plural = _("入围名单记录")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class Objection(models.Model):
    """An objection filed by the public during the notice period, and the organizers' answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="objections")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20)
    reason = models.TextField(_("异议内容"), max_length=2000)
    address_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")

    def __str__(self):
        return f"{self.name} · {self.created_at:%Y-%m-%d %H:%M}"


class FeaturedProject(models.Model):
    """One of the featured projects (百个优秀志愿服务项目), made when a shortlist is finalized."""

    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="featured_projects")
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="featured")
    rank = models.PositiveIntegerField()
    score = models.FloatField()
    tier = models.ForeignKey(
        AwardTier, on_delete=models.PROTECT, null=True, blank=True, related_name="featured"
    )
    finalized_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contest", "rank"]
        verbose_name = _("优秀项目")
        verbose_name_plural = _("优秀项目")

    def __str__(self):
        return str(self.entry)

    @property
    def tier_name(self) -> str:
        """The award this project received: its tier, or the default single tier."""
        return self.tier.name if self.tier_id else str(DEFAULT_TIER_NAME)


class DocumentSettings(models.Model):
    """What the office's documents say about themselves: titles, issuing body, date, seal,
    whether teams that were not featured get a thank-you letter and whether the judges get a
    letter of thanks (评审专家感谢状). One per contest."""

    contest = models.OneToOneField(Contest, on_delete=models.CASCADE, related_name="document_settings")
    issuing_body = models.CharField(_("发文单位"), max_length=100, blank=True)
    issue_date = models.DateField(_("落款日期"), null=True, blank=True)
    list_title = models.CharField(_("名单标题"), max_length=120, blank=True)
    certificate_title = models.CharField(_("证书标题"), max_length=40, blank=True)
    compendium_title = models.CharField(_("汇编标题"), max_length=120, blank=True)
    # A PNG made from the upload by Pillow (never the uploaded bytes), in private storage.
    seal = models.FileField(_("印章图片"), storage=private_storage, max_length=200, blank=True)
    thank_you_letters = models.BooleanField(_("向未入选团队发放感谢信"), default=False)
    judge_letters = models.BooleanField(
        _("向评审专家颁发感谢状"),
        default=True,
        help_text=_("名单正式公布后，每位在本届大赛提交过评分的评委可在评审工作台下载自己的感谢状。"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("文书设置")
        verbose_name_plural = _("文书设置")

    def __str__(self):
        return str(self.contest)


class DocumentTemplate(models.Model):
    """An organizer's adjusted HTML template for one kind of document; without one the
    built-in template is used. Saved only after it renders (``awards.documents``)."""

    class Kind(models.TextChoices):
        LIST = "list", _("获奖名单")
        CERTIFICATE = "certificate", _("证书")
        THANK_YOU = "thank_you", _("感谢信")
        COMPENDIUM = "compendium", _("项目汇编")
        JUDGE_THANKS = "judge_thanks", _("评审专家感谢状")

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="document_templates")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    html = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("文书模板")
        verbose_name_plural = _("文书模板")
        constraints = [models.UniqueConstraint(fields=["contest", "kind"], name="document_template_unique")]

    def __str__(self):
        return f"{self.contest} · {self.get_kind_display()}"


class GeneratedDocument(models.Model):
    """A generated file (the list, all certificates, the compendium, one team's certificate):
    made by a background task that records its progress here; regenerating replaces the file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        READY = "ready", _("已生成")
        FAILED = "failed", _("生成失败")

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="generated_documents")
    kind = models.CharField(max_length=30)  # list_pdf, list_xlsx, certificates, compendium, certificate
    subject = models.CharField(max_length=40, blank=True)  # e.g. the certificate's serial for one team
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=private_storage, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)  # Built.warnings of the last file
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("生成的文书")
        verbose_name_plural = _("生成的文书")
        constraints = [
            models.UniqueConstraint(fields=["contest", "kind", "subject"], name="generated_document_unique")
        ]

    def __str__(self):
        return f"{self.contest} · {self.kind} {self.subject}".strip()


class Certificate(models.Model):
    """A certificate (or thank-you letter) issued to a team or a judge: a serial number for
    the paper and an unguessable code for the public verification page (/verify/<code>/),
    which shows the project, tier, year and issuing body and nothing personal. Revoking
    keeps the row; the page then says it was revoked."""

    class Kind(models.TextChoices):
        FEATURED = "featured", _("优秀项目证书")
        THANK_YOU = "thank_you", _("感谢信")
        JUDGE = "judge", _("评审专家感谢状")

    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="certificates")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    featured = models.OneToOneField(
        FeaturedProject, on_delete=models.PROTECT, null=True, blank=True, related_name="certificate"
    )
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    judge_id = models.PositiveIntegerField(null=True, blank=True)  # judging.Judge, for thanks
    serial = models.CharField(_("证书编号"), max_length=40, unique=True)
    code = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(_("撤销理由"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["contest", "serial"]
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        constraints = [
            # One letter of thanks per judge and contest (issuing is idempotent; this holds it).
            models.UniqueConstraint(
                fields=["contest", "judge_id"],
                condition=models.Q(kind="judge"),
                name="certificate_judge_unique",
            ),
        ]

    def __str__(self):
        return self.serial
