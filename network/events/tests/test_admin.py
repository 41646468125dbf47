"""Events in the Wagtail admin: staff and managers create and publish events, times are
entered in the event's zone, bad input is refused, registrations are read-only."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission

from network.events.models import Event, Registration
from network.events.services import registration_create
from network.events.tests.factories import EventFactory, RegistrationFactory, with_two_factor
from network.models import Notification
from tests.factories import UserFactory, member_of

pytestmark = pytest.mark.django_db

ADD_URL = "/cms/snippets/events/event/add/"


@pytest.fixture
def admin_user(db):
    return with_two_factor(UserFactory(is_staff=True, is_superuser=True))


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def manager(network):
    user = with_two_factor(member_of(network, "manager"))
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return user


def form_data(network, **overrides):
    data = {
        "title": "Port security workshop",
        "slug": "",
        "network": network.pk,
        "kind": "workshop",
        "language": "en",
        "status": "published",
        "is_public": "on",
        "description": "Two days on the ISPS Code.",
        "time_zone": "America/Bogota",
        "starts_at": "2027-01-10 10:00",
        "ends_at": "2027-01-10 17:00",
        "online_url": "",
        "venue_name": "Police academy",
        "venue_address": "",
        "venue_city": "Bogotá",
        "country": "CO",
        "capacity": "20",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_staff_create_an_event_with_times_in_its_own_zone(admin_client, admin_user, network):
    response = admin_client.post(ADD_URL, form_data(network))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get()
    assert event.slug == "port-security-workshop"
    assert event.starts_at == datetime(2027, 1, 10, 15, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2027, 1, 10, 22, 0, tzinfo=UTC)
    assert event.created_by == admin_user
    edit = admin_client.get(f"/cms/snippets/events/event/edit/{event.pk}/").content.decode()
    assert 'value="2027-01-10 10:00"' in edit


def test_materials_and_recordings_are_added_inline(admin_client, network):
    data = form_data(
        network,
        **{
            "links-TOTAL_FORMS": "2",
            "links-0-label": "Slides",
            "links-0-url": "https://example.org/slides.pdf",
            "links-0-kind": "material",
            "links-0-ORDER": "1",
            "links-1-label": "Recording",
            "links-1-url": "https://video.example.org/42",
            "links-1-kind": "recording",
            "links-1-members_only": "on",
            "links-1-ORDER": "2",
        },
    )
    assert admin_client.post(ADD_URL, data).status_code == 302
    links = list(Event.objects.get().links.values_list("label", "kind", "members_only"))
    assert links == [("Slides", "material", False), ("Recording", "recording", True)]


@pytest.mark.parametrize(
    "overrides, field_error",
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "is not a known time zone"),
        ({"time_zone": "../../etc/passwd"}, "is not a known time zone"),
        ({"ends_at": "2027-01-10 09:00"}, "The event must end after it starts."),
        ({"venue_city": "", "country": ""}, "An in-person event needs a city."),
        ({"is_online": "on", "online_url": "ftp://files.example.org/room"}, "http://"),
        ({"is_online": "on", "online_url": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"capacity": "0"}, "greater than or equal to 1"),
        ({"slug": "past"}, "This address is reserved"),
        (
            {"registration_closes_at": "2027-01-11 10:00"},
            "Registration must close by the time the event starts.",
        ),
    ],
    ids=[
        "unknown-zone",
        "path-as-zone",
        "ends-before-start",
        "no-venue",
        "ftp-link",
        "script-link",
        "no-seats",
        "reserved-slug",
        "closes-after-start",
    ],
)
def test_bad_input_in_the_admin_form_is_refused_with_a_message(admin_client, network, overrides, field_error):
    response = admin_client.post(ADD_URL, form_data(network, **overrides))
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not Event.objects.exists()


def test_an_existing_slug_gets_a_number(admin_client, network):
    EventFactory(network=network, slug="port-security-workshop")
    assert admin_client.post(ADD_URL, form_data(network)).status_code == 302
    assert Event.objects.filter(slug="port-security-workshop-2").exists()


def test_the_admin_list_filters_by_network_and_status_and_searches_titles(
    admin_client, network, other_network
):
    EventFactory(network=network, title="Tourism security webinar", status="draft")
    EventFactory(network=other_network, title="Police academy session")
    page = admin_client.get("/cms/snippets/events/event/?q=tourism").content.decode()
    assert "Tourism security webinar" in page and "Police academy session" not in page
    page = admin_client.get(f"/cms/snippets/events/event/?network={other_network.pk}").content.decode()
    assert "Police academy session" in page and "Tourism security webinar" not in page
    page = admin_client.get("/cms/snippets/events/event/?status=draft").content.decode()
    assert "Tourism security webinar" in page and "Police academy session" not in page


def test_a_manager_manages_only_the_events_of_their_networks(client, manager, network, other_network):
    mine = EventFactory(network=network, title="Our network meeting")
    theirs = EventFactory(network=other_network, title="Another network meeting")
    client.force_login(manager)
    page = client.get("/cms/snippets/events/event/").content.decode()
    assert mine.title in page and theirs.title not in page
    assert client.get(f"/cms/snippets/events/event/edit/{mine.pk}/").status_code == 200
    assert client.get(f"/cms/snippets/events/event/edit/{theirs.pk}/").status_code in (302, 403)
    response = client.post(
        f"/cms/snippets/events/event/edit/{theirs.pk}/", form_data(other_network, title="Hijacked")
    )
    assert response.status_code in (302, 403)
    assert Event.objects.get(pk=theirs.pk).title == "Another network meeting"
    assert client.get(f"/cms/snippets/events/event/delete/{theirs.pk}/").status_code in (302, 403)


def test_a_manager_cannot_create_an_event_for_another_network(client, manager, other_network, network):
    client.force_login(manager)
    response = client.post(ADD_URL, form_data(other_network))
    assert response.status_code == 200
    assert not Event.objects.exists()
    assert client.post(ADD_URL, form_data(network)).status_code == 302


def test_a_plain_member_cannot_reach_the_events_admin(client, network):
    member = member_of(network)
    member.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    client.force_login(member)
    assert client.get("/cms/snippets/events/event/").status_code in (302, 403)
    assert client.post(ADD_URL, form_data(network)).status_code in (302, 403)
    assert not Event.objects.exists()


def test_registrations_are_listed_read_only(admin_client, network):
    registration = RegistrationFactory(event=EventFactory(network=network, title="Listed event"))
    page = admin_client.get("/cms/snippets/events/registration/")
    assert page.status_code == 200
    assert "Listed event" in page.content.decode()
    assert (
        admin_client.get(f"/cms/snippets/events/registration/inspect/{registration.pk}/").status_code == 200
    )
    assert admin_client.get("/cms/snippets/events/registration/add/").status_code in (302, 403)
    response = admin_client.post(
        f"/cms/snippets/events/registration/edit/{registration.pk}/", {"status": "cancelled"}
    )
    assert response.status_code in (302, 403)
    assert Registration.objects.get(pk=registration.pk).status == "registered"


def test_a_manager_sees_only_the_registrations_of_their_networks(client, manager, network, other_network):
    RegistrationFactory(event=EventFactory(network=network, title="Ours"))
    theirs = RegistrationFactory(event=EventFactory(network=other_network, title="Theirs"))
    client.force_login(manager)
    page = client.get("/cms/snippets/events/registration/").content.decode()
    assert "Ours" in page and "Theirs" not in page
    assert client.get(f"/cms/snippets/events/registration/inspect/{theirs.pk}/").status_code in (302, 403)


def test_cancelling_in_the_admin_tells_the_registrants(admin_client, network):
    event = EventFactory(network=network, slug="to-be-cancelled")
    member = member_of(network)
    registration_create(event=event, user=member)
    local = event.local_starts_at.strftime("%Y-%m-%d %H:%M")
    local_end = event.local_ends_at.strftime("%Y-%m-%d %H:%M")
    data = form_data(
        network, title=event.title, slug=event.slug, status="cancelled", starts_at=local, ends_at=local_end
    )
    response = admin_client.post(f"/cms/snippets/events/event/edit/{event.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    assert event.status == "cancelled"
    assert event.starts_at.replace(second=0, microsecond=0) == event.starts_at
    assert Notification.objects.filter(recipient=member, verb="events.cancelled").count() == 1


@pytest.mark.parametrize("view", ["history", "usage"])
def test_the_history_and_usage_views_follow_the_network_rule(
    client, admin_client, manager, network, other_network, view
):
    mine = EventFactory(network=network)
    theirs = EventFactory(network=other_network)
    assert admin_client.get(f"/cms/snippets/events/event/{view}/{theirs.pk}/").status_code == 200
    client.force_login(manager)
    assert client.get(f"/cms/snippets/events/event/{view}/{mine.pk}/").status_code == 200
    assert client.get(f"/cms/snippets/events/event/{view}/{theirs.pk}/").status_code in (302, 403)
