"""`manage.py import_organizations`: the same checks as the pages, --dry-run, --template, a
non-zero exit with the row reasons."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from competition.models import County, Organization
from tests.files import xlsx_bytes

pytestmark = pytest.mark.django_db


def write(tmp_path, sheets):
    path = tmp_path / "places.xlsx"
    path.write_bytes(xlsx_bytes(sheets))
    return str(path)


def test_template_is_written_with_its_notes(tmp_path):
    out = tmp_path / "模板.xlsx"
    call_command("import_organizations", "--template", str(out), stdout=io.StringIO())
    assert load_workbook(out).sheetnames == ["县（市、区）", "乡镇（街道）", "文明实践阵地", "填写说明"]


def test_dry_run_writes_nothing_and_the_import_writes(tmp_path):
    path = write(
        tmp_path,
        {
            "县（市、区）": [["名称"], ["潞州区"]],
            "文明实践阵地": [["名称", "类型", "所属县（市、区）"], ["甲中心", "中心", "潞州区"]],
        },
    )
    out = io.StringIO()
    call_command("import_organizations", path, "--dry-run", stdout=out)
    assert "检查通过（未写入）：新增 2 行，修改 0 行，不变 0 行，错误 0 行。" in out.getvalue()
    assert not County.objects.exists()
    call_command("import_organizations", path, stdout=out)
    assert Organization.objects.get().county.name == "潞州区"
    out = io.StringIO()
    call_command("import_organizations", path, stdout=out)
    assert "已导入：新增 0 行，修改 0 行，不变 2 行，错误 0 行。" in out.getvalue()


def test_errors_exit_non_zero_with_the_row_reasons(tmp_path):
    path = write(tmp_path, {"乡镇（街道）": [["所属县（市、区）", "名称"], ["长治县", "韩店镇"]]})
    err = io.StringIO()
    with pytest.raises(CommandError, match="文件没有导入：新增 0 行，修改 0 行，不变 0 行，错误 1 行。"):
        call_command("import_organizations", path, stderr=err)
    assert "乡镇（街道） 第 2 行：没有名为“长治县”的县（市、区）" in err.getvalue()


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_organizations", str(tmp_path / "none.xlsx"))
