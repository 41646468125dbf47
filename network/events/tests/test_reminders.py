"""Reminders: 24 hours before the start, to members with a seat, once."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from network.events.services import reminders_send
from network.events.tasks import send_event_reminders
from network.events.tests.factories import EventFactory, RegistrationFactory
from network.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def tomorrow(network):
    return EventFactory(network=network, starts_at=timezone.now() + timedelta(hours=20))


def test_members_with_a_seat_are_reminded_once(tomorrow):
    seated = RegistrationFactory(event=tomorrow)
    waiting = RegistrationFactory(event=tomorrow, status="waitlisted")
    cancelled = RegistrationFactory(event=tomorrow, status="cancelled")

    assert reminders_send() == 1
    assert reminders_send() == 0

    reminders = Notification.objects.filter(verb="events.reminder")
    assert list(reminders.values_list("recipient_id", flat=True)) == [seated.user_id]
    assert "(America/Bogota)" in reminders.get().params["when"]
    seated.refresh_from_db()
    assert seated.reminder_sent_at is not None
    assert not Notification.objects.filter(
        recipient__in=[waiting.user, cancelled.user], verb="events.reminder"
    ).exists()


def test_events_further_away_already_started_or_cancelled_get_no_reminder(network):
    now = timezone.now()
    RegistrationFactory(event=EventFactory(network=network, starts_at=now + timedelta(hours=30)))
    RegistrationFactory(event=EventFactory(network=network, started=True))
    RegistrationFactory(
        event=EventFactory(network=network, starts_at=now + timedelta(hours=2), status="cancelled")
    )
    assert reminders_send() == 0
    assert not Notification.objects.filter(verb="events.reminder").exists()


def test_a_member_promoted_after_the_reminder_run_is_reminded_by_the_next_run(tomorrow):
    waiting = RegistrationFactory(event=tomorrow, status="waitlisted")
    assert reminders_send() == 0
    waiting.status = "registered"
    waiting.save()
    assert reminders_send() == 1


def test_the_reminder_window_moves_with_the_clock(tomorrow):
    RegistrationFactory(event=tomorrow)
    assert reminders_send(now=timezone.now() - timedelta(hours=5)) == 0
    assert reminders_send() == 1


def test_the_celery_task_sends_the_reminders(tomorrow):
    RegistrationFactory(event=tomorrow)
    assert send_event_reminders.delay().get() == 1
    assert send_event_reminders.delay().get() == 0


def test_the_command_sends_reminders_with_a_progress_bar(tomorrow, capsys):
    RegistrationFactory(event=tomorrow)
    RegistrationFactory(event=tomorrow)
    call_command("send_event_reminders")
    captured = capsys.readouterr()
    assert "2 reminder(s) sent." in captured.out
    assert "2/2" in captured.err
    assert Notification.objects.filter(verb="events.reminder").count() == 2
