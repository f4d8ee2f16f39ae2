"""Import judges (each invited by e-mail) or county coordinators (each given an account and a
link to set a password) from the people templates, all or nothing; ``--dry-run`` only checks,
``--template OUT.xlsx`` writes the empty template of the kind chosen."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from competition.onboarding import commands
from judging.onboarding.people import (
    coordinators_check,
    coordinators_import,
    coordinators_template,
    judges_check,
    judges_import,
    judges_template,
)


class Command(BaseCommand):
    help = "Import judges (--judges) or coordinators (--coordinators) from an xlsx file; prints row errors."

    def add_arguments(self, parser):
        kind = parser.add_mutually_exclusive_group(required=True)
        kind.add_argument("--judges", action="store_const", const="judges", dest="kind")
        kind.add_argument("--coordinators", action="store_const", const="coordinators", dest="kind")
        commands.add_arguments(parser)

    def handle(self, *args, kind, file=None, dry_run=False, template=None, verbose_rows=False, **options):
        if template:
            content = judges_template() if kind == "judges" else coordinators_template()
            commands.write_template(self, template, content)
            if not file:
                return
        if not file:
            raise CommandError("give FILE, or --template OUT.xlsx")
        if kind == "judges":
            links = []

            def apply(upload):
                plan, invited = judges_import(upload=upload, by=None)
                links.extend(invited)
                return plan

            commands.run(
                self,
                file=file,
                dry_run=dry_run,
                verbose_rows=verbose_rows,
                check=lambda upload: judges_check(upload=upload),
                apply=apply,
            )
            for invited in links:
                self.stdout.write(
                    _("邀请链接（%(name)s <%(email)s>）：%(link)s")
                    % {"name": invited.name, "email": invited.email, "link": invited.link}
                )
        else:
            commands.run(
                self,
                file=file,
                dry_run=dry_run,
                verbose_rows=verbose_rows,
                check=lambda upload: coordinators_check(upload=upload),
                apply=lambda upload: coordinators_import(upload=upload),
            )
