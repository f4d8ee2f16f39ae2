"""Compute and store a round's results from its submitted sheets (for automation)."""

from django.core.management.base import BaseCommand, CommandError

from judging.errors import JudgingError
from judging.models import Round
from judging.results.services import UNCERTAINTY_TOP, compute_round_results


class Command(BaseCommand):
    help = "Compute a round's results (ranking, calibration, judge statistics) from its submitted sheets."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, required=True, dest="round_id", help="the round's id")
        parser.add_argument(
            "--top",
            type=int,
            default=UNCERTAINTY_TOP,
            help="N of each entry's chance of the true top N and of the expected misses (default 100)",
        )

    def handle(self, *args, round_id, top, **options):
        if top < 1:
            raise CommandError("--top must be at least 1")
        round = Round.objects.filter(pk=round_id).first()
        if round is None:
            raise CommandError(f"no round with id {round_id}")
        try:
            computation = compute_round_results(round=round, top=top)
        except JudgingError as error:
            raise CommandError(error.message) from None
        icc = f"{computation.icc:.3f}" if computation.icc is not None else "—"
        self.stdout.write(
            f"{round}: {computation.entries} entries from {computation.sheets} sheets "
            f"(method {computation.method}, ICC {icc}, ranking {computation.ranking_digest[:12]})"
        )
        sure = round.uncertainty
        self.stdout.write(
            f"top {sure.top}: expected {sure.expected_misses:.1f} not in the true top {sure.top} "
            f"(interval {sure.misses_low}–{sure.misses_high}; {sure.draws} simulations, seed {sure.seed}, "
            f"sheet noise sd {sure.sigma:.2f})"
        )
        for part in sure.parts:
            self.stdout.write(
                f"not comparable with the rest: {len(part['entries'])} entries scored only by "
                f"{len(part['judges'])} judges who scored nothing else "
                f"(round entry ids {part['entries'][:20]})"
            )
