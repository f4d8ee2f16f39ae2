"""Import a filled-in score template (xlsx) into a round, all or nothing (for automation).

Sheets judges already submitted online are changed only with ``--overwrite-submitted``; with
``--only-empty`` the file fills only the sheets not yet submitted. Without either, a file that
would change a submitted sheet is not imported and the sheets are listed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from common.errors import DomainError
from judging.models import Round
from judging.spreadsheets.imports import Submitted, import_check, import_scores


class Command(BaseCommand):
    help = "Import score sheets from an xlsx file made from the round's template; prints row errors."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, required=True, dest="round_id", help="the round's id")
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument(
            "--overwrite-submitted",
            action="store_const",
            const=Submitted.OVERWRITE,
            dest="submitted",
            help="replace sheets judges submitted online where the file differs",
        )
        choice.add_argument(
            "--only-empty",
            action="store_const",
            const=Submitted.KEEP,
            dest="submitted",
            help="import only sheets not yet submitted; submitted ones stay as they are",
        )
        parser.add_argument("file", help="the filled-in xlsx template")

    def handle(self, *args, round_id, file, submitted=None, **options):
        round = Round.objects.filter(pk=round_id).first()
        if round is None:
            raise CommandError(f"no round with id {round_id}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            with path.open("rb") as upload:
                if submitted is None:
                    plan = import_check(round=round, upload=upload)
                    if plan.ok and plan.changes:
                        for change in plan.changes:
                            self.stderr.write(
                                _("第 %(row)s 行：%(judge)s · %(code)s · %(old)s → %(new)s")
                                % {
                                    "row": change.row,
                                    "judge": change.judge_name,
                                    "code": change.blind_code,
                                    "old": change.old_total,
                                    "new": change.new_total,
                                }
                            )
                        raise CommandError(
                            _(
                                "文件没有导入：会修改 %(count)s 份评委已提交的评分表（见上）。"
                                "要覆盖请加 --overwrite-submitted，只导入空白的评分表请加 --only-empty。"
                            )
                            % {"count": len(plan.changes)}
                        )
                    submitted = Submitted.KEEP
                result = import_scores(round=round, upload=upload, by=None, submitted=submitted)
        except DomainError as error:
            raise CommandError(error.message) from None
        if not result.ok:
            for error in result.errors:
                where = _("第 %(row)s 行") % {"row": error.row} if error.row else _("整个文件")
                self.stderr.write(f"{where}: {error.message}")
            raise CommandError(_("文件没有导入：发现 %(count)s 处问题。") % {"count": len(result.errors)})
        self.stdout.write(_("已导入 %(count)s 份评分表。") % {"count": result.imported})
        if result.kept:
            self.stdout.write(_("%(kept)s 份评委已提交的评分表保持原样，没有覆盖。") % {"kept": result.kept})
