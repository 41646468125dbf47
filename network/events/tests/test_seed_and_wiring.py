"""The demo data, the navigation entry and the notification types."""

import pytest
from django.test import override_settings

from network.events.models import Event, Registration
from network.events.seed import seed_events
from network.events.services import registration_cancel, registration_create, reminders_send
from network.events.tests.factories import EventFactory
from network.models import Notification
from network.registry import registry
from network.seed import seed_accounts, seed_networks
from network.selectors import notification_text
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def test_the_demo_events_are_seeded_once_with_a_waiting_list():
    seed_accounts()
    seed_networks()
    steps = []
    seed_events(progress=steps.append)
    seed_events()
    assert len(steps) >= 6
    assert Event.objects.count() == 6
    course = Event.objects.get(slug="police-management-course-bogota")
    assert course.capacity == 2 and course.time_zone == "America/Bogota" and course.country_id == "CO"
    statuses = dict(course.registrations.values_list("user__username", "status"))
    assert statuses == {"instructor": "registered", "officer": "registered", "member": "waitlisted"}
    assert Event.objects.filter(is_public=False).exists()
    assert Event.objects.filter(language="es", kind="webinar", is_online=True).exists()
    assert Event.objects.filter(venue_city="Port of Spain", kind="workshop").exists()
    past = Event.objects.past()
    assert past.filter(links__kind="recording").exists() and past.filter(links__kind="material").exists()
    assert Registration.objects.filter(user__username="member").count() == 4


@override_settings(DEBUG=True)
def test_the_demo_events_show_on_the_pages(client):
    seed_accounts()
    seed_networks()
    seed_events()
    page = client.get("/network/events/").content.decode()
    assert "Port security workshop" in page
    assert "Network coordination meeting" not in page  # members only
    assert "Recording" in client.get("/network/events/past/").content.decode()


def test_events_are_in_the_site_navigation(client):
    assert registry.nav_items["events"].url_name == "events:list"
    assert registry.nav_items["events"].order == 40
    page = client.get("/network/events/").content.decode()
    assert 'href="/network/events/" aria-current="page"' in page


def test_every_event_notification_reads_as_a_sentence(network, people):
    assert {"events.registered", "events.promoted", "events.reminder", "events.cancelled"} <= set(
        registry.notification_types
    )
    from datetime import timedelta

    from django.utils import timezone

    from network.events.services import event_cancel

    event = EventFactory(
        network=network, title="Sentence event", capacity=1, starts_at=timezone.now() + timedelta(hours=3)
    )
    first, second = member_of(network), member_of(network)
    seat = registration_create(event=event, user=first)
    registration_create(event=event, user=second)
    registration_cancel(registration=seat, by=first)
    reminders_send()
    event_cancel(event=event, by=people["manager"])
    verbs = set()
    for notification in Notification.objects.all():
        text = notification_text(notification)
        assert "Sentence event" in text, text
        assert "%(" not in text
        verbs.add(notification.verb)
    assert verbs == {"events.registered", "events.promoted", "events.reminder", "events.cancelled"}
