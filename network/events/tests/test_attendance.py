"""Attendance: only the network's managers and staff, only for in-person events that started."""

import pytest
from django.core.exceptions import PermissionDenied

from network.events.services import EventActionRefused, attendance_record
from network.events.tests.factories import EventFactory, RegistrationFactory, with_two_factor
from network.models import AuditEntry
from tests.factories import member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def started_event(network):
    return EventFactory(network=network, started=True)


@pytest.fixture
def attendees(network, started_event):
    people = [member_of(network) for _ in range(3)]
    for person in people:
        RegistrationFactory(event=started_event, user=person)
    return people


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_a_manager_records_who_came_and_each_change_is_audited(role, people, started_event, attendees):
    came, missed, also_came = attendees
    changed = attendance_record(
        event=started_event, by=people[role], attended_user_ids=[came.id, also_came.id]
    )
    assert changed == 3
    attended = dict(started_event.registrations.values_list("user_id", "attended"))
    assert attended == {came.id: True, missed.id: False, also_came.id: True}
    entries = AuditEntry.objects.filter(action="event.attendance", network=started_event.network)
    assert entries.count() == 3
    assert {entry.actor_id for entry in entries} == {people[role].id}
    assert entries.get(subject_user=missed).data["attended"] is False

    # Correcting one box changes (and audits) only that one.
    assert attendance_record(event=started_event, by=people[role], attended_user_ids=[came.id]) == 1
    assert AuditEntry.objects.filter(action="event.attendance").count() == 4


@pytest.mark.parametrize("role", ["member", "registered", "other_member", "non_member"])
def test_others_may_not_record_attendance(role, people, started_event, attendees):
    with pytest.raises(PermissionDenied):
        attendance_record(event=started_event, by=people[role], attended_user_ids=[attendees[0].id])
    assert not started_event.registrations.filter(attended__isnull=False).exists()


def test_a_manager_of_another_network_may_not_record_attendance(other_network, started_event, attendees):
    outsider = with_two_factor(member_of(other_network, "manager"))
    with pytest.raises(PermissionDenied):
        attendance_record(event=started_event, by=outsider, attended_user_ids=[])


def test_attendance_waits_for_the_event_to_start(people, network):
    event = EventFactory(network=network)
    RegistrationFactory(event=event)
    with pytest.raises(PermissionDenied):
        attendance_record(event=event, by=people["manager"], attended_user_ids=[])


def test_online_events_have_no_attendance_list(people, network):
    event = EventFactory(network=network, online=True, started=True)
    with pytest.raises(PermissionDenied):
        attendance_record(event=event, by=people["manager"], attended_user_ids=[])


def test_only_registered_members_can_be_marked_present(people, network, started_event, attendees):
    stranger = member_of(network)
    RegistrationFactory(event=started_event, user=member_of(network), status="waitlisted")
    with pytest.raises(EventActionRefused):
        attendance_record(event=started_event, by=people["manager"], attended_user_ids=[stranger.id])
    assert not AuditEntry.objects.filter(action="event.attendance").exists()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_attendance_page_is_a_checklist_for_managers(language, people, login, started_event, attendees):
    prefix = "" if language == "en" else f"/{language}"
    response = login(people["manager"]).get(f"{prefix}/network/events/{started_event.slug}/attendance/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert page.count('type="checkbox" name="attended"') == 3
    assert '<th scope="col">' in page
    for person in attendees:
        assert f'<label for="attended-{person.id}">' in page


def test_the_attendance_form_saves_the_checked_members(people, login, started_event, attendees):
    client = login(people["manager"])
    url = f"/network/events/{started_event.slug}/attendance/"
    response = client.post(url, {"attended": [attendees[1].id]})
    assert response.status_code == 302
    assert started_event.registrations.get(user=attendees[1]).attended is True
    assert started_event.registrations.get(user=attendees[0]).attended is False
    page = client.get(url).content.decode()
    assert f'value="{attendees[1].id}" id="attended-{attendees[1].id}" checked' in page


def test_the_attendance_form_rejects_people_who_are_not_registered(
    people, login, network, started_event, attendees
):
    stranger = member_of(network)
    response = login(people["manager"]).post(
        f"/network/events/{started_event.slug}/attendance/", {"attended": [stranger.id, "not-a-number"]}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not started_event.registrations.filter(attended__isnull=False).exists()


@pytest.mark.parametrize("role", ["member", "registered", "other_member", "non_member"])
def test_the_attendance_page_is_forbidden_to_others(role, people, login, started_event, network):
    response = login(people[role]).get(f"/network/events/{started_event.slug}/attendance/")
    assert response.status_code in (403, 404)
    if role in ("member", "registered"):
        assert response.status_code == 403


def test_the_attendance_page_sends_visitors_to_log_in(client, started_event):
    response = client.get(f"/network/events/{started_event.slug}/attendance/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_posting_attendance_before_the_start_changes_nothing(people, login, network):
    event = EventFactory(network=network)
    registration = RegistrationFactory(event=event)
    response = login(people["manager"]).post(
        f"/network/events/{event.slug}/attendance/", {"attended": [registration.user_id]}, follow=True
    )
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    registration.refresh_from_db()
    assert registration.attended is None
