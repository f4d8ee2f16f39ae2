"""Reads of messaging: a user's inbox and the outbox organizers see."""

from django.db.models import QuerySet

from .models import Channel, Message


def inbox(*, user) -> QuerySet[Message]:
    return Message.objects.filter(user=user, channel=Channel.INBOX).order_by("-created_at", "-pk")


def unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(user=user, channel=Channel.INBOX, read_at__isnull=True).count()


def outbox(*, kind: str = "", channel: str = "", status: str = "") -> QuerySet[Message]:
    rows = Message.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    if channel:
        rows = rows.filter(channel=channel)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")
