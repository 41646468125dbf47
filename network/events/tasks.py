"""Background work of events. Tasks take ids (or nothing), load, and call a service; each is
safe to run twice."""

from celery import shared_task

from network.events import services


@shared_task
def send_event_reminders() -> int:
    """Remind registered members of events starting within 24 hours (beat: every 15 minutes)."""
    return services.reminders_send()
