from django.core.management.base import BaseCommand

from network.events.services import reminders_send
from network.progress import ProgressBar


class Command(BaseCommand):
    help = "Remind registered members of events starting within 24 hours (each only once)."

    def handle(self, *args, **options):
        with ProgressBar(label="reminders", stream=self.stderr) as bar:
            sent = reminders_send(progress=bar.advance)
        self.stdout.write(self.style.SUCCESS(f"{sent} reminder(s) sent."))
