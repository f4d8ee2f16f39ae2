"""Write a contest's documents (the list, and the certificates and compendium where they
exist) into a folder, synchronously, through the same builders as the back office."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from awards.documents.engine import engine_problem
from awards.documents.kinds import groups, kinds_of_group
from awards.documents.services import outcome_final
from competition.selectors import contest_of_year


class Command(BaseCommand):
    help = "Write the documents of a finalized contest into DIR: the official list (PDF, xlsx), and others."

    def add_arguments(self, parser):
        parser.add_argument("--contest", type=int, required=True, dest="year", help="the contest's year")
        parser.add_argument("--out", required=True, help="the folder to write into (made if missing)")
        parser.add_argument("--only", choices=groups(), help="one group of documents")

    def handle(self, *args, year, out, only=None, **options):
        contest = contest_of_year(year=year)
        if contest is None:
            raise CommandError(f"no contest of year {year}")
        if not outcome_final(contest):
            raise CommandError(
                f"the shortlist of {contest.title} ({year}) is not finalized: no documents yet"
            )
        kinds = kinds_of_group(only, contest)
        problem = engine_problem()
        if problem is not None and any(kind.needs_engine for kind in kinds):
            raise CommandError(problem)
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"cannot write into {out}: {error}") from None
        for kind in kinds:
            for text, characters in kind.missing(contest) if kind.missing else []:
                self.stderr.write(
                    f"warning: no font has {' '.join(characters)} (in “{text}”): it prints as a box"
                )

            def progress(done, total, kind=kind):
                if total:
                    self.stdout.write(f"{kind.code}: {done}/{total}")

            built = kind.build(contest, progress)
            for warning in built.warnings:
                self.stderr.write(f"warning: {warning}")
            path = folder / kind.file_name(contest)
            try:
                path.write_bytes(built.content)
            except OSError as error:
                raise CommandError(f"cannot write {path}: {error}") from None
            self.stdout.write(self.style.SUCCESS(f"{path} ({len(built.content)} bytes)"))
