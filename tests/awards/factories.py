"""Helpers of the awards tests."""

from django.utils import timezone

from awards.notice.services import objection_file

# When the shared notice starts (tests/awards/conftest.py: in_notice).
START = timezone.make_aware(timezone.datetime(2026, 6, 1, 9, 0))


def shortlist_items(shortlist):
    return list(shortlist.items.order_by("rank").values_list("entry_id", "rank", "via"))


def file(shortlist, entry, *, at, address="203.0.113.7", reason="服务时长数据存疑。"):
    return objection_file(
        shortlist=shortlist,
        entry=entry,
        name="王建华",
        phone="13800000000",
        reason=reason,
        address=address,
        now=at,
    )
