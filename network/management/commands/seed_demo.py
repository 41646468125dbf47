from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from network.progress import ProgressBar
from network.registry import registry


class Command(BaseCommand):
    help = "Create the demo data (idempotent): accounts, then every app's demo content."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="Also create this many extra members for benchmarks (bulk inserts).",
        )
        parser.add_argument("--only", nargs="*", help="Run only these seeders (by name).")
        parser.add_argument(
            "--force", action="store_true", help="Seed even when DEBUG is off (never on a real site)."
        )

    def handle(self, *args, scale=0, only=None, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data has well-known passwords: run with DEBUG on, or pass --force.")
        seeders = [s for s in registry.ordered_seeders() if not only or s.name in only]
        for seeder in seeders:
            with ProgressBar(label=seeder.name, stream=self.stderr) as bar:
                seeder.run(progress=bar.advance, scale=scale)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({len(seeders)} steps)."))
