"""Import a filled-in score template (xlsx) into a round, all or nothing (for automation)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from judging.models import Round
from judging.spreadsheets.imports import import_scores


class Command(BaseCommand):
    help = "Import score sheets from an xlsx file made from the round's template; prints row errors."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, required=True, dest="round_id", help="the round's id")
        parser.add_argument("file", help="the filled-in xlsx template")

    def handle(self, *args, round_id, file, **options):
        round = Round.objects.filter(pk=round_id).first()
        if round is None:
            raise CommandError(f"no round with id {round_id}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        with path.open("rb") as upload:
            result = import_scores(round=round, upload=upload, by=None)
        if not result.ok:
            for error in result.errors:
                where = _("第 %(row)s 行") % {"row": error.row} if error.row else _("整个文件")
                self.stderr.write(f"{where}: {error.message}")
            raise CommandError(_("文件没有导入：发现 %(count)s 处问题。") % {"count": len(result.errors)})
        self.stdout.write(_("已导入 %(count)s 份评分表。") % {"count": result.imported})
