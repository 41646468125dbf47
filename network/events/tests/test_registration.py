"""Registration rules: who may register, when, the waiting list and its order."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from network.events import services
from network.events.models import Event, Registration
from network.events.services import EventActionRefused, registration_cancel, registration_create
from network.events.tests.factories import EventFactory, RegistrationFactory
from network.models import AuditEntry, Notification
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def test_a_member_of_the_network_gets_a_seat_and_a_notification(network):
    member = member_of(network)
    event = EventFactory(network=network, capacity=10)
    registration = registration_create(event=event, user=member)
    assert registration.status == "registered"
    notification = Notification.objects.get(recipient=member, verb="events.registered")
    assert notification.url == f"/network/events/{event.slug}/"
    assert AuditEntry.objects.filter(action="event.registered", subject_user=member, network=network).exists()


def test_registering_twice_returns_the_same_registration(network):
    member = member_of(network)
    event = EventFactory(network=network)
    first = registration_create(event=event, user=member)
    second = registration_create(event=event, user=member)
    assert first.pk == second.pk
    assert Registration.objects.filter(event=event).count() == 1
    assert Notification.objects.filter(recipient=member, verb="events.registered").count() == 1


def test_a_full_event_puts_newcomers_on_the_waiting_list_in_order(network):
    event = EventFactory(network=network, capacity=1)
    first, second, third = (member_of(network) for _ in range(3))
    assert registration_create(event=event, user=first).status == "registered"
    waiting = registration_create(event=event, user=second)
    assert waiting.status == "waitlisted"
    assert waiting.waitlist_position == 1
    assert registration_create(event=event, user=third).waitlist_position == 2
    positions = dict(
        Registration.objects.filter(event=event)
        .with_waitlist_position()
        .values_list("user_id", "waitlist_position")
    )
    assert positions == {first.id: None, second.id: 1, third.id: 2}
    assert AuditEntry.objects.filter(action="event.waitlisted").count() == 2


def test_a_cancelled_seat_goes_to_the_first_person_waiting(network):
    event = EventFactory(network=network, capacity=1)
    holder, first_waiting, second_waiting = (member_of(network) for _ in range(3))
    seat = registration_create(event=event, user=holder)
    registration_create(event=event, user=first_waiting)
    registration_create(event=event, user=second_waiting)

    registration_cancel(registration=seat, by=holder)

    statuses = dict(Registration.objects.filter(event=event).values_list("user_id", "status"))
    assert statuses == {
        holder.id: "cancelled",
        first_waiting.id: "registered",
        second_waiting.id: "waitlisted",
    }
    promoted = Registration.objects.get(user=first_waiting)
    assert promoted.promoted_at is not None
    assert Notification.objects.filter(recipient=first_waiting, verb="events.promoted").count() == 1
    assert not Notification.objects.filter(recipient=second_waiting, verb="events.promoted").exists()
    assert AuditEntry.objects.filter(action="event.promoted", subject_user=first_waiting).exists()

    registration_cancel(registration=promoted, by=first_waiting)
    assert Registration.objects.get(user=second_waiting).status == "registered"


def test_the_waiting_list_is_first_come_first_served_even_when_ids_disagree(network):
    event = EventFactory(network=network, capacity=1)
    holder, early, late = (member_of(network) for _ in range(3))
    seat = RegistrationFactory(event=event, user=holder)
    now = timezone.now()
    # `late` got the smaller id but asked later.
    RegistrationFactory(event=event, user=late, status="waitlisted", created_at=now - timedelta(minutes=1))
    RegistrationFactory(event=event, user=early, status="waitlisted", created_at=now - timedelta(minutes=5))
    registration_cancel(registration=seat, by=holder)
    assert Registration.objects.get(user=early).status == "registered"
    assert Registration.objects.get(user=late).status == "waitlisted"


def test_leaving_the_waiting_list_promotes_nobody(network):
    event = EventFactory(network=network, capacity=1)
    holder, waiting, behind = (member_of(network) for _ in range(3))
    registration_create(event=event, user=holder)
    place = registration_create(event=event, user=waiting)
    registration_create(event=event, user=behind)
    registration_cancel(registration=place, by=waiting)
    assert Registration.objects.get(user=behind).status == "waitlisted"
    assert (
        Registration.objects.filter(event=event).with_waitlist_position().get(user=behind).waitlist_position
        == 1
    )
    assert not Notification.objects.filter(verb="events.promoted").exists()


def test_registering_again_after_cancelling_goes_to_the_end_of_the_queue(network):
    event = EventFactory(network=network, capacity=1)
    holder, comeback, waiting = (member_of(network) for _ in range(3))
    registration_create(event=event, user=holder)
    first = registration_create(event=event, user=comeback)
    registration_create(event=event, user=waiting)
    registration_cancel(registration=first, by=comeback)
    again = registration_create(event=event, user=comeback)
    assert again.pk == first.pk
    assert again.status == "waitlisted"
    assert again.waitlist_position == 2


@pytest.mark.parametrize(
    "overrides",
    [
        {"registration_closes_at": timezone.now() - timedelta(hours=1)},
        {"registration_opens_at": timezone.now() + timedelta(days=1)},
        {"past": True},
        {"started": True},
        {"status": "draft"},
        {"status": "cancelled"},
    ],
    ids=["closed", "not-open-yet", "past", "started", "draft", "cancelled"],
)
def test_registration_is_refused_outside_the_open_window(network, overrides):
    member = member_of(network)
    event = EventFactory(network=network, **overrides)
    with pytest.raises(EventActionRefused):
        registration_create(event=event, user=member)
    assert not Registration.objects.exists()
    assert not Notification.objects.exists()


def test_registration_is_open_inside_its_window(network):
    now = timezone.now()
    event = EventFactory(
        network=network,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=1),
    )
    assert registration_create(event=event, user=member_of(network)).status == "registered"


@pytest.mark.parametrize("who", ["non_member", "other_member"])
def test_people_outside_the_network_may_not_register(people, public_event, who):
    with pytest.raises(EventActionRefused, match="Only members of the Prevention test network"):
        registration_create(event=public_event, user=people[who])
    assert not Registration.objects.filter(user=people[who]).exists()


def test_a_suspended_member_may_not_register(network):
    member = member_of(network)
    member.memberships.update(status="suspended")
    with pytest.raises(EventActionRefused):
        registration_create(event=EventFactory(network=network), user=member)


def test_dps_staff_may_register_for_any_network(people, public_event):
    assert registration_create(event=public_event, user=people["staff"]).status == "registered"


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_non_member_is_refused_with_a_message_in_their_language(client, people, public_event, language):
    client.force_login(people["non_member"])
    prefix = "" if language == "en" else f"/{language}"
    response = client.post(f"{prefix}/network/events/{public_event.slug}/register/", follow=True)
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    with translation.override(language):
        expected = translation.gettext("Only members of the %(network)s can register for this event.") % {
            "network": public_event.network.name
        }
    assert 'class="message error"' in page
    assert expected in page
    assert not Registration.objects.filter(user=people["non_member"]).exists()


def test_a_member_registers_and_cancels_with_the_buttons(client, network):
    member = member_of(network)
    event = EventFactory(network=network, capacity=1)
    client.force_login(member)
    page = client.get(f"/network/events/{event.slug}/").content.decode()
    assert f'action="/network/events/{event.slug}/register/"' in page
    assert "csrfmiddlewaretoken" in page
    response = client.post(f"/network/events/{event.slug}/register/")
    assert response.status_code == 302
    assert Registration.objects.get(user=member).status == "registered"
    page = client.get(f"/network/events/{event.slug}/").content.decode()
    assert 'data-registration="registered"' in page
    client.post(f"/network/events/{event.slug}/cancel/")
    assert Registration.objects.get(user=member).status == "cancelled"


def test_a_member_sees_their_place_on_the_waiting_list(client, network):
    event = EventFactory(network=network, capacity=1)
    registration_create(event=event, user=member_of(network))
    registration_create(event=event, user=member_of(network))
    member = member_of(network)
    client.force_login(member)
    page = client.get(f"/network/events/{event.slug}/").content.decode()
    assert "Join the waiting list" in page
    client.post(f"/network/events/{event.slug}/register/")
    page = client.get(f"/network/events/{event.slug}/").content.decode()
    assert 'data-registration="waitlisted"' in page
    assert "number 2 on the waiting list" in page


def test_the_register_and_cancel_buttons_refuse_get_and_visitors(client, network):
    event = EventFactory(network=network)
    assert client.get(f"/network/events/{event.slug}/register/").status_code == 405
    response = client.post(f"/network/events/{event.slug}/register/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Registration.objects.exists()


def test_cancelling_someone_elses_registration_is_refused(network):
    event = EventFactory(network=network)
    owner, stranger = member_of(network), member_of(network)
    registration = registration_create(event=event, user=owner)
    with pytest.raises(EventActionRefused):
        registration_cancel(registration=registration, by=stranger)
    assert Registration.objects.get(pk=registration.pk).status == "registered"


def test_a_registration_cannot_be_cancelled_once_the_event_started(network):
    member = member_of(network)
    event = EventFactory(network=network, started=True)
    registration = RegistrationFactory(event=event, user=member)
    with pytest.raises(EventActionRefused):
        registration_cancel(registration=registration, by=member)


def test_more_seats_in_the_cms_go_to_the_waiting_list(network, people):
    event = EventFactory(network=network, capacity=1)
    registration_create(event=event, user=member_of(network))
    waiting = member_of(network)
    registration_create(event=event, user=waiting)
    event.capacity = 2
    event.save()
    services.event_after_admin_save(event=event, by=people["staff"])
    assert Registration.objects.get(user=waiting).status == "registered"


def test_cancelling_an_event_tells_everyone_registered_or_waiting_once(network, people):
    event = EventFactory(network=network, capacity=1)
    seated, waiting, gone = member_of(network), member_of(network), member_of(network)
    registration_create(event=event, user=seated)
    registration_create(event=event, user=waiting)
    RegistrationFactory(event=event, user=gone, status="cancelled")
    services.event_cancel(event=event, by=people["manager"], reason="venue unavailable")
    services.event_cancel(event=event, by=people["manager"])
    services.event_after_admin_save(event=event, by=people["manager"])
    recipients = sorted(
        Notification.objects.filter(verb="events.cancelled").values_list("recipient_id", flat=True)
    )
    assert recipients == sorted([seated.id, waiting.id])
    assert AuditEntry.objects.filter(action="event.cancelled", reason="venue unavailable").count() == 1


def test_only_managers_cancel_events(network, people):
    event = EventFactory(network=network)
    with pytest.raises(PermissionDenied):
        services.event_cancel(event=event, by=people["member"])
    assert Event.objects.get(pk=event.pk).status == "published"


def test_the_waiting_list_notification_is_worded_in_the_members_language(network):
    member = member_of(network, language="es")
    event = EventFactory(network=network, capacity=1)
    registration_create(event=event, user=member_of(network))
    registration_create(event=event, user=member)
    notification = Notification.objects.get(recipient=member, verb="events.registered")
    with translation.override("es"):
        assert notification.params["outcome"] == translation.gettext(
            "you are number %(position)d on the waiting list"
        ) % {"position": 1}
