"""Cells as the imports read them: phone numbers in any format, and what is refused."""

import pytest

from competition.onboarding.workbook import cell_text, normalize_phone


@pytest.mark.parametrize(
    ("text", "mobile"),
    [
        ("13812341234", "13812341234"),
        ("+86 138-1234-1234", "13812341234"),
        ("+86 13812341234", "13812341234"),
        ("0086 138 1234 1234", "13812341234"),
        ("86-13812341234", "13812341234"),
        ("138 1234 1234", "13812341234"),
        ("１３８１２３４１２３４", "13812341234"),  # full-width digits
        ("＋８６ １３８－１２３４－１２３４", "13812341234"),
        ("(138)1234.1234", "13812341234"),
    ],
)
def test_mobile_numbers_in_any_format(text, mobile):
    assert normalize_phone(text) == mobile
    assert normalize_phone(text, landline=True) == mobile


@pytest.mark.parametrize(
    ("text", "landline"),
    [
        ("0355-1234567", "0355-1234567"),
        ("0355 1234567", "0355-1234567"),
        ("(0355)12345678", "0355-12345678"),
        ("010-12345678", "010-12345678"),
        ("+86 10 1234 5678", None),  # the trunk 0 dropped: not accepted as written
        ("02112345678", "021-12345678"),
    ],
)
def test_landlines_only_where_allowed(text, landline):
    assert normalize_phone(text, landline=True) == landline
    assert normalize_phone(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345",
        "1381234123",
        "138123412345",
        "23812341234",
        "电话",
        "13812341234转8",
        "abc",
        "1.3812341234E10",
    ],
)
def test_garbage_is_refused(text):
    assert normalize_phone(text) is None
    assert normalize_phone(text, landline=True) is None


def test_numbers_typed_as_numbers_read_as_digits():
    assert cell_text(13812341234) == "13812341234"
    assert cell_text(13812341234.0) == "13812341234"
    assert cell_text("  西街\n街道 ") == "西街 街道"


def test_kept_files_nobody_confirmed_are_deleted_after_a_day(db, time_machine):
    import datetime as dt

    from django.utils import timezone

    from competition.onboarding.workbook import discard_stale, stage_upload, staged_upload
    from tests.files import xlsx_upload

    start = timezone.now()
    old = stage_upload(xlsx_upload({"x": [["a"]]}))
    time_machine.move_to(start + dt.timedelta(hours=2))
    recent = stage_upload(xlsx_upload({"x": [["a"]]}))

    time_machine.move_to(start + dt.timedelta(days=1, hours=1))
    assert discard_stale() == 1
    assert staged_upload(old) is None
    with staged_upload(recent) as kept:
        assert kept.read(2) == b"PK"
    assert staged_upload("../../settings") is None  # only our own names are opened
