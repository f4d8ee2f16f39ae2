from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    INBOX = "inbox", _("站内消息")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class Message(models.Model):
    """One message to one recipient on one channel: the outbox. ``key`` is unique, so an event
    whose service runs twice (a retried task, a double click) is sent once."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("未发送")

    kind = models.CharField(_("消息类型"), max_length=60, db_index=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件账号"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    name = models.CharField(_("收件人"), max_length=100, blank=True)
    address = models.CharField(_("地址或号码"), max_length=254, blank=True)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"), blank=True)
    link = models.URLField(_("链接"), max_length=500, blank=True)
    sms_template_code = models.CharField(max_length=40, blank=True)
    sms_params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误或原因"), max_length=500, blank=True)
    key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        indexes = [
            models.Index(fields=["user", "channel", "read_at"], name="messaging_inbox_idx"),
            models.Index(fields=["channel", "address", "sent_at"], name="messaging_rate_idx"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.name or self.address} ({self.channel})"


class MessageTemplate(models.Model):
    """Organizers' version of a kind's template and channels; without a row the kind's
    registered defaults apply."""

    kind = models.CharField(_("消息类型"), max_length=60, unique=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    sms_body = models.CharField(_("短信内容"), max_length=300, blank=True)
    sms_template_code = models.CharField(_("短信模板编号"), max_length=40, blank=True)
    channels = models.JSONField(_("渠道"), default=list)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")

    def __str__(self):
        return self.kind
