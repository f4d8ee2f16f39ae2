from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SentEmail(models.Model):
    """One e-mail a task has sent (``tasking.mail.send_once``): a retry of the same task run
    finds it and does not send again. ``key`` is the task result's id and the message's own key."""

    key = models.CharField(_("键"), max_length=255, unique=True)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("已发送邮件")
        verbose_name_plural = _("已发送邮件")

    def __str__(self):
        return self.key


class WorkerHeartbeat(models.Model):
    """A running ``db_worker`` process, as last heard from (``tasking.recovery``)."""

    worker_id = models.CharField(_("工作进程"), max_length=64, primary_key=True)
    hostname = models.CharField(_("主机"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("进程号"), null=True, blank=True)
    started_at = models.DateTimeField(_("启动时间"), default=timezone.now)
    last_seen = models.DateTimeField(_("最近心跳"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("工作进程")
        verbose_name_plural = _("工作进程")

    def __str__(self):
        return self.worker_id
