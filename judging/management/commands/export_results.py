"""Write every export of a round (and of its contest) into a folder (for automation)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from judging.models import ExportJob, Round
from judging.spreadsheets.exports import write_round_exports


class Command(BaseCommand):
    help = (
        "Write every spreadsheet of a round into DIR: entries, assignments, sheets, ranking, "
        "judge statistics, and the contest's shortlist and objection log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, required=True, dest="round_id", help="the round's id")
        parser.add_argument("--out", required=True, help="the folder to write into (made if missing)")
        parser.add_argument("--format", choices=ExportJob.Format.values, default=ExportJob.Format.XLSX)

    def handle(self, *args, round_id, out, format, **options):
        round = Round.objects.select_related("contest").filter(pk=round_id).first()
        if round is None:
            raise CommandError(f"no round with id {round_id}")
        try:
            paths = write_round_exports(round=round, folder=Path(out), format=format)
        except OSError as error:
            raise CommandError(f"cannot write into {out}: {error}") from None
        for path in paths:
            self.stdout.write(str(path))
