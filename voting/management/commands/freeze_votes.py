from django.core.management.base import BaseCommand

from voting.tallies.services import freeze_due_windows


class Command(BaseCommand):
    help = "Freeze the final tallies of every voting window that has closed (safe to run from cron)."

    def handle(self, *args, **options):
        frozen = freeze_due_windows()
        self.stdout.write(f"frozen {len(frozen)} window(s): {frozen}")
