"""What the import commands share: print each row's fate, exit non-zero with the reasons when
the file has errors (``CommandError``), write the empty template with ``--template``."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from common.errors import DomainError

from .workbook import Fate, Plan


def add_arguments(parser) -> None:
    parser.add_argument("file", nargs="?", help="the filled-in xlsx template")
    parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    parser.add_argument(
        "--template", metavar="OUT.xlsx", help="write the empty template with its column notes"
    )
    parser.add_argument("--verbose-rows", action="store_true", help="list unchanged rows too")


def write_template(command, out: str, content: bytes) -> None:
    Path(out).write_bytes(content)
    command.stdout.write(_("已写出导入模板：%(path)s") % {"path": out})


def summary(plan: Plan) -> str:
    return _("新增 %(new)s 行，修改 %(changed)s 行，不变 %(unchanged)s 行，错误 %(error)s 行。") % {
        fate.value: plan.count(fate) for fate in Fate
    }


def run(command, *, file: str, dry_run: bool, check, apply, verbose_rows: bool = False) -> Plan:
    """``check(upload)`` and ``apply(upload)`` return a Plan."""
    path = Path(file)
    if not path.is_file():
        raise CommandError(_("找不到文件：%(path)s") % {"path": file})
    try:
        with path.open("rb") as upload:
            plan = check(upload) if dry_run else apply(upload)
    except DomainError as error:
        raise CommandError(error.message) from None
    for warning in plan.warnings:
        command.stderr.write(_("提示：%(text)s") % {"text": warning})
    if not plan.ok:
        for report in plan.errors:
            where = (
                _("%(sheet)s 第 %(row)s 行") % {"sheet": report.sheet, "row": report.row}
                if report.row
                else (report.sheet or _("整个文件"))
            )
            for message in report.messages:
                command.stderr.write(f"{where}：{message}")
        raise CommandError(_("文件没有导入：%(summary)s") % {"summary": summary(plan)})
    for line in plan.lines(unchanged=verbose_rows):
        command.stdout.write(line)
    if dry_run:
        command.stdout.write(_("检查通过（未写入）：%(summary)s") % {"summary": summary(plan)})
    else:
        command.stdout.write(_("已导入：%(summary)s") % {"summary": summary(plan)})
    return plan
