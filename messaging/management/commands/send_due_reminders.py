"""``manage.py send_due_reminders``: send the reminders that are due now (each domain app's
registered checks: drafts before the deadline, judges' unscored sheets before a round closes,
coordinators' undecided entries). Idempotent: every reminder has a key per reminder window, so
running it every few minutes or twice in a row sends each one once. ``--every SECONDS`` keeps
running (development; production uses the systemd timer in docs/deploy.md)."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from messaging.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send the reminders due now (idempotent; run it from a timer)"

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every SECONDS (0: once)")

    def handle(self, *args, every=0, **options):
        while True:
            counts = send_due_reminders(now=timezone.now())
            for name, count in counts.items():
                self.stdout.write(f"{name}: {count}")
            if not every:
                return
            time.sleep(every)
