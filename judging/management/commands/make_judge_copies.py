"""Queue the judge copies of PDFs that are missing or not ready, in every round (or remake
them all in rounds still in setup with --remake). Run once after upgrading to judge copies."""

from django.core.management.base import BaseCommand

from judging.masking.copies import copies_request, entries_frozen
from judging.models import Round, RoundEntry
from judging.phases import round_phase


class Command(BaseCommand):
    help = "Queue the judge copies of PDFs that are missing or not ready."

    def add_arguments(self, parser):
        parser.add_argument(
            "--remake", action="store_true", help="remake every copy of rounds still in setup"
        )

    def handle(self, *args, remake=False, **options):
        queued = 0
        for round in Round.objects.select_related("contest").order_by("pk"):
            setup = round_phase(round).can_edit_masked
            if setup and not entries_frozen(round):
                continue  # the entries' files may still change
            ids = list(RoundEntry.objects.filter(round=round).values_list("pk", flat=True))
            queued += copies_request(round_entry_ids=ids, remake=remake and setup)
        self.stdout.write(f"queued {queued} judge copies")
