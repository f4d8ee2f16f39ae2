"""Import counties, towns and organizations (中心/所/站) from the places workbook, all or
nothing; ``--dry-run`` only checks, ``--template OUT.xlsx`` writes the empty template."""

from django.core.management.base import BaseCommand, CommandError

from competition.onboarding import commands
from competition.onboarding.places import places_check, places_import, template


class Command(BaseCommand):
    help = (
        "Import counties, towns and organizations from an xlsx file (the places template); prints row errors."
    )

    def add_arguments(self, parser):
        commands.add_arguments(parser)

    def handle(self, *args, file=None, dry_run=False, template=None, verbose_rows=False, **options):
        if template:
            commands.write_template(self, template, self.template_bytes())
            if not file:
                return
        if not file:
            raise CommandError("give FILE, or --template OUT.xlsx")
        commands.run(
            self,
            file=file,
            dry_run=dry_run,
            verbose_rows=verbose_rows,
            check=lambda upload: places_check(upload=upload),
            apply=lambda upload: places_import(upload=upload),
        )

    def template_bytes(self) -> bytes:
        return template()
