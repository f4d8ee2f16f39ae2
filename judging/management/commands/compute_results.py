"""Compute and store a round's results from its submitted sheets (for automation)."""

from django.core.management.base import BaseCommand, CommandError

from judging.errors import JudgingError
from judging.models import Round
from judging.results.services import compute_round_results


class Command(BaseCommand):
    help = "Compute a round's results (ranking, calibration, judge statistics) from its submitted sheets."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, required=True, dest="round_id", help="the round's id")

    def handle(self, *args, round_id, **options):
        round = Round.objects.filter(pk=round_id).first()
        if round is None:
            raise CommandError(f"no round with id {round_id}")
        try:
            computation = compute_round_results(round=round)
        except JudgingError as error:
            raise CommandError(error.message) from None
        icc = f"{computation.icc:.3f}" if computation.icc is not None else "—"
        self.stdout.write(
            f"{round}: {computation.entries} entries from {computation.sheets} sheets "
            f"(method {computation.method}, ICC {icc}, ranking {computation.ranking_digest[:12]})"
        )
