"""manage.py build_documents writes a finalized contest's documents into a folder."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests import factories
from tests.awards.documents.conftest import featured

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("build_documents", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_list_is_written_as_pdf_and_xlsx(contest, tmp_path):
    featured(contest, ["银龄助老暖心行动", "七彩课堂留守儿童助学", "𪚥字公益课堂"])

    out, err = run("--contest", "2026", "--out", str(tmp_path / "docs"), "--only", "list")

    files = sorted(path.name for path in (tmp_path / "docs").iterdir())
    assert files == ["2026年获奖名单.pdf", "2026年获奖名单.xlsx"]
    assert (tmp_path / "docs" / "2026年获奖名单.pdf").read_bytes().startswith(b"%PDF")
    sheet = load_workbook(tmp_path / "docs" / "2026年获奖名单.xlsx").active
    assert sheet.max_row == 2 + 3
    assert "list_pdf: 0/1" in out and "list_xlsx: 3/3" in out and "2026年获奖名单.pdf" in out
    assert "𪚥" in err and "𪚥字公益课堂" in err  # what prints as a box is reported


def test_an_unknown_year_is_a_clear_error(contest, tmp_path):
    with pytest.raises(CommandError, match="no contest of year 1999"):
        run("--contest", "1999", "--out", str(tmp_path))


def test_a_contest_not_finalized_is_refused(contest, tmp_path):
    featured(contest, ["银龄助老暖心行动"], final=False)
    with pytest.raises(CommandError, match="not finalized"):
        run("--contest", "2026", "--out", str(tmp_path))
    assert not list(tmp_path.iterdir())


def test_without_the_engine_the_command_says_what_to_install(contest, tmp_path, monkeypatch):
    featured(contest, ["银龄助老暖心行动"])
    # The engine cannot be taken off this machine for one test: its report is replaced.
    monkeypatch.setattr(
        "awards.management.commands.build_documents.engine_problem",
        lambda: "请安装：sudo apt-get install libpango",
    )
    with pytest.raises(CommandError, match="libpango"):
        run("--contest", "2026", "--out", str(tmp_path))


def test_certificates_are_written_and_thank_you_letters_only_when_enabled(contest, tmp_path):
    from awards.models import DocumentSettings

    featured(contest, ["银龄助老暖心行动", "七彩课堂留守儿童助学"])
    run("--contest", "2026", "--out", str(tmp_path / "a"), "--only", "certificates")
    assert sorted(path.name for path in (tmp_path / "a").iterdir()) == ["2026年优秀项目证书.pdf"]

    DocumentSettings.objects.create(contest=contest, thank_you_letters=True)
    factories.EntryFactory(contest=contest, title="社区读书角", submitted=True)
    out, _err = run("--contest", "2026", "--out", str(tmp_path / "b"), "--only", "certificates")
    assert sorted(path.name for path in (tmp_path / "b").iterdir()) == [
        "2026年优秀项目证书.pdf",
        "2026年感谢信.pdf",
    ]
    assert "thank_you_letters: 1/1" in out


def test_the_compendium_is_written_and_its_problems_reported(contest, tmp_path):
    featured(contest, ["银龄助老暖心行动", "😀公益课堂"])

    out, err = run("--contest", "2026", "--out", str(tmp_path), "--only", "compendium")

    assert [path.name for path in tmp_path.iterdir()] == ["2026年优秀项目汇编.pdf"]
    assert "compendium: 3/3" in out
    assert "😀" in err
