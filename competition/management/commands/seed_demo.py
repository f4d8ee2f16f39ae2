import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from common.site_address import sync_default_site
from competition import demo


class Command(BaseCommand):
    help = "Build a realistic Chinese demo dataset (accounts share the password demo-2021)."

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, default=240)
        parser.add_argument("--judges", type=int, default=60)
        parser.add_argument(
            "--stage",
            default="submission",
            help="build every stage up to this one: " + ", ".join(demo.stage_names()),
        )
        parser.add_argument("--seed", type=int, default=2021, help="random seed (same seed, same data)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the database has data")
        parser.add_argument("--force", action="store_true", help="allow running with DJANGO_DEBUG=false")

    def handle(self, *args, entries, judges, stage, seed, if_empty, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DJANGO_DEBUG=false (demo passwords!); add --force."
            )
        if stage not in demo.stage_names():
            raise CommandError(f"unknown stage {stage!r}; choose one of: {', '.join(demo.stage_names())}")
        # Also on a database that has data: the links of the pages follow SITE_URL (make run's PORT).
        if sync_default_site():
            self.stdout.write(f"Site address set to {settings.SITE_URL}.")
        if if_empty and not demo.database_is_empty():
            self.stdout.write("The database already has data; demo data not loaded.")
            return
        if demo.demo_present():
            raise CommandError("Demo data is already loaded. Start from an empty database to load it again.")
        started = time.perf_counter()
        # Demo accounts have made-up addresses: nothing is mailed while building the data.
        quiet = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
        with override_settings(MAILERS=quiet):
            demo.run_stages(until=stage, entries=entries, judges=judges, seed=seed, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({time.perf_counter() - started:.1f} s)."))
