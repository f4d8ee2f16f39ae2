from django.core.management.base import BaseCommand, CommandError

from voting.voters.services import voters_purge


class Command(BaseCommand):
    help = (
        "After a contest: delete its voters (the keyed hashes of their numbers) and their codes; "
        "the votes stay, anonymised (docs/privacy.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contest", type=int, required=True, help="the contest's year")
        parser.add_argument("--force", action="store_true", help="also while a window of it is not frozen")

    def handle(self, *args, **options):
        from voting.errors import VotingError

        try:
            done = voters_purge(year=options["contest"], force=options["force"])
        except VotingError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"contest {options['contest']}: {done['voters']} voter(s) and {done['codes']} code(s) deleted, "
            f"{done['votes']} vote(s) anonymised"
        )
