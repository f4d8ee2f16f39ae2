from django.core.management.base import BaseCommand

from voting.tasks import reconcile_counts


class Command(BaseCommand):
    help = "Set the live vote counters from the database (every window that has opened)."

    def add_arguments(self, parser):
        parser.add_argument("--window", type=int, default=None)

    def handle(self, *args, **options):
        result = reconcile_counts.call(options["window"])
        self.stdout.write(f"reconciled: {result}")
