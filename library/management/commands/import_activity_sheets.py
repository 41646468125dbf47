from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from library.importers import ActivitySheetError, read_activity_sheets
from library.services import programmes_import
from network.progress import ProgressBar


def default_sheets_path() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "seeds" / "dps-activity-sheets.txt"


class Command(BaseCommand):
    help = "Import the DPS activity sheets (pdf-to-text) as programme pages under /library/programmes/."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help=f"Default: {default_sheets_path()}")

    def handle(self, *args, **options):
        path = Path(options["path"]) if options["path"] else default_sheets_path()
        if not path.is_file():
            raise CommandError(f"Activity sheets not found: {path} (pass the file's path as an argument).")
        try:
            records = read_activity_sheets(path)
        except (ActivitySheetError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: {error}") from error
        with ProgressBar(label="programmes", total=len(records), stream=self.stderr._out) as bar:
            created, updated = programmes_import(records=records, progress=bar.advance)
        self.stdout.write(
            self.style.SUCCESS(f"{len(records)} programmes: {created} created, {updated} updated.")
        )
