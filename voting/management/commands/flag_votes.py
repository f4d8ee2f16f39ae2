from django.core.management.base import BaseCommand

from voting.tasks import flag_votes


class Command(BaseCommand):
    help = "Compute the anomaly flags of the votes (one window, or every open or closed window not frozen)."

    def add_arguments(self, parser):
        parser.add_argument("--window", type=int, default=None)

    def handle(self, *args, **options):
        result = flag_votes.call(options["window"])
        self.stdout.write(f"flagged: {result}")
