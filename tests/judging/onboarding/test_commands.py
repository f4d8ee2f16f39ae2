"""`manage.py import_people --judges|--coordinators`."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from competition.models import Coordinator
from judging.models import JudgeInvitation
from tests import factories
from tests.files import xlsx_bytes

pytestmark = pytest.mark.django_db


def test_templates_for_both_kinds(tmp_path):
    call_command("import_people", "--judges", "--template", str(tmp_path / "j.xlsx"), stdout=io.StringIO())
    call_command(
        "import_people", "--coordinators", "--template", str(tmp_path / "c.xlsx"), stdout=io.StringIO()
    )
    assert load_workbook(tmp_path / "j.xlsx").sheetnames == ["评委", "填写说明"]
    assert load_workbook(tmp_path / "c.xlsx").sheetnames == ["县区管理员", "填写说明"]


def test_judges_are_invited_and_the_links_printed(tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "judges.xlsx"
    path.write_bytes(xlsx_bytes({"评委": [["姓名", "电子邮箱"], ["王老师", "wang@example.org"]]}))
    out = io.StringIO()
    call_command("import_people", "--judges", str(path), "--dry-run", stdout=out)
    assert not JudgeInvitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_people", "--judges", str(path), stdout=out)
    assert JudgeInvitation.objects.get().name == "王老师"
    assert "邀请链接（王老师 <wang@example.org>）：http" in out.getvalue()
    assert len(mail.outbox) == 1


def test_coordinator_errors_exit_non_zero(tmp_path):
    factories.CountyFactory(name="潞州区")
    path = tmp_path / "c.xlsx"
    path.write_bytes(
        xlsx_bytes(
            {
                "县区管理员": [
                    ["县（市、区）", "姓名", "电子邮箱"],
                    ["潞州区", "李强", "li@example.org"],
                    ["黎城", "张三", "z@example.org"],
                ]
            }
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="错误 1 行"):
        call_command("import_people", "--coordinators", str(path), stderr=err)
    assert "县区管理员 第 3 行：没有名为“黎城”的县（市、区）" in err.getvalue()
    assert not Coordinator.objects.exists()
