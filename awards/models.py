"""What the office decides and announces: the shortlist (入围名单) with its log, objections
filed during the public notice, and the featured projects (百个优秀志愿服务项目).

Writes go through the services of ``awards.shortlist``, ``awards.notice`` and
``awards.outcomes``; what may happen now is ``awards.phases``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from competition.models import Contest, Entry
from judging.models import Round


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
    finalized_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contest", "rank"]
        verbose_name = _("优秀项目")
        verbose_name_plural = _("优秀项目")

    def __str__(self):
        return str(self.entry)
