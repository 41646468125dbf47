"""The event pages: languages, visitors, filters, paging, bad input and query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from network.events import selectors
from network.events.services import registration_create
from network.events.tests.factories import (
    EventFactory,
    EventLinkFactory,
    RegistrationFactory,
    with_two_factor,
)
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def prefix(language: str) -> str:
    return "" if language == "en" else f"/{language}"


@pytest.mark.parametrize("language", ["en", "es", "fr"])
@pytest.mark.parametrize("path", ["/network/events/", "/network/events/past/", "/network/events/{slug}/"])
def test_the_pages_render_for_visitors_in_each_language(client, network, language, path):
    event = EventFactory(network=network, slug="open-day")
    EventFactory(network=network, past=True, slug="last-year")
    response = client.get(prefix(language) + path.format(slug=event.slug))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert page.count("<h1") == 1
    assert "<main" in page


@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_the_pages_render_for_members_in_each_language(client, network, language):
    member = member_of(network)
    event = EventFactory(network=network, capacity=3)
    registration_create(event=event, user=member)
    client.force_login(member)
    for path in ("/network/events/", "/network/events/past/", f"/network/events/{event.slug}/"):
        response = client.get(prefix(language) + path)
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()


def test_the_event_page_shows_times_in_the_events_zone_and_names_it(client, network):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    starts = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("America/Port_of_Spain"))
    event = EventFactory(
        network=network,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        time_zone="America/Port_of_Spain",
    )
    page = client.get(f"/network/events/{event.slug}/").content.decode()
    assert '<time datetime="2026-12-05T10:00:00-04:00">' in page
    assert "America/Port_of_Spain (UTC−04:00)" in page


def test_the_event_page_shows_the_seats_left_and_the_venue(client, network):
    event = EventFactory(network=network, capacity=3, venue_name="Police academy", venue_city="Bogotá")
    RegistrationFactory(event=event)
    page = client.get(f"/network/events/{event.slug}/").content.decode()
    assert 'data-seats-left="2"' in page
    assert "Police academy" in page and "Colombia" in page
    assert "Log in to register." in page


def test_a_full_event_says_so_and_offers_the_waiting_list(client, network):
    event = EventFactory(network=network, capacity=1)
    RegistrationFactory(event=event)
    client.force_login(member_of(network))
    page = client.get(f"/network/events/{event.slug}/").content.decode()
    assert 'data-seats-left="0"' in page
    assert "The waiting list is open." in page
    assert "Join the waiting list" in page


def test_an_online_event_says_online_instead_of_a_venue(client, network):
    event = EventFactory(network=network, online=True)
    page = client.get(f"/network/events/{event.slug}/").content.decode()
    assert "Online" in page
    assert "Police academy" not in page


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "path",
    [
        "/network/events/no-such-event/",
        "/network/events/no-such-event.ics",
        "/network/events/nope/attendance/",
    ],
)
def test_an_unknown_event_gets_a_404(client, network, language, path):
    client.force_login(member_of(network))
    response = client.get(prefix(language) + path)
    assert response.status_code == 404


def test_bad_filters_are_reported_and_the_list_still_shows(client, network):
    EventFactory(network=network, title="Still listed workshop")
    response = client.get("/network/events/?kind=party&country=ZZ&network=nowhere&mode=space&page=abc")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="errorlist"') == 4
    assert "Still listed workshop" in page


def test_the_filters_narrow_the_list(client, network, other_network):
    EventFactory(network=network, title="Bogota workshop", kind="workshop")
    EventFactory(network=network, title="Online webinar", kind="webinar", online=True)
    EventFactory(network=other_network, title="Port of Spain meeting", kind="meeting", country_id="TT")

    def titles(query):
        page = client.get("/network/events/?" + query).content.decode()
        return {t for t in ("Bogota workshop", "Online webinar", "Port of Spain meeting") if t in page}

    assert titles("") == {"Bogota workshop", "Online webinar", "Port of Spain meeting"}
    assert titles("kind=webinar") == {"Online webinar"}
    assert titles(f"network={other_network.slug}") == {"Port of Spain meeting"}
    assert titles("country=CO") == {"Bogota workshop"}
    assert titles("mode=online") == {"Online webinar"}
    assert titles("mode=in_person") == {"Bogota workshop", "Port of Spain meeting"}


def test_the_list_shows_upcoming_and_ongoing_events_soonest_first_and_the_past_page_the_rest(client, network):
    now = timezone.now()
    EventFactory(network=network, title="Later event", starts_at=now + timedelta(days=9))
    EventFactory(network=network, title="Sooner event", starts_at=now + timedelta(days=2))
    EventFactory(
        network=network,
        title="Month-long course",
        starts_at=now - timedelta(days=3),
        ends_at=now + timedelta(days=20),
    )
    EventFactory(network=network, title="Finished event", past=True)
    page = client.get("/network/events/").content.decode()
    assert page.index("Month-long course") < page.index("Sooner event") < page.index("Later event")
    assert "Finished event" not in page
    past = client.get("/network/events/past/").content.decode()
    assert "Finished event" in past and "Sooner event" not in past


def test_paging_keeps_the_filters(client, network):
    for number in range(25):
        EventFactory(network=network, kind="webinar", title=f"Webinar {number:02d}")
    page = client.get("/network/events/?kind=webinar").content.decode()
    assert 'href="?kind=webinar&amp;page=2"' in page
    second = client.get("/network/events/?kind=webinar&page=2").content.decode()
    assert "Webinar 24" in second and "Webinar 00" not in second


def test_my_events_lists_my_seats_and_waiting_list_places(client, network):
    member = member_of(network)
    seat = EventFactory(network=network, title="Event with my seat", capacity=5)
    full = EventFactory(network=network, title="Full event", capacity=1)
    registration_create(event=full, user=member_of(network))
    registration_create(event=seat, user=member)
    registration_create(event=full, user=member)
    client.force_login(member)
    page = client.get("/network/events/").content.decode()
    section = page[
        page.index('id="my-events-title"') : page.index("</section>", page.index('id="my-events-title"'))
    ]
    assert "Event with my seat" in section and "Registered" in section
    assert "Full event" in section and "On the waiting list (number 1)" in section


def test_visitors_see_no_my_events_section_and_public_feeds(client, network):
    page = client.get("/network/events/").content.decode()
    assert "my-events-title" not in page
    assert f"http://testserver/network/events/feed/{network.slug}.ics" in page
    assert f"webcal://testserver/network/events/feed/{network.slug}.ics" in page


def test_members_get_a_personal_feed_address_for_their_networks(client, network, other_network):
    member = member_of(network)
    client.force_login(member)
    page = client.get("/network/events/").content.decode()
    token = selectors.feed_token_for(member)
    assert "Subscribe in your calendar" in page
    assert f"http://testserver/network/events/feed/{network.slug}/{token}.ics" in page
    assert f"/network/events/feed/{other_network.slug}/" not in page


def _list_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", ["/network/events/", "/network/events/past/"])
def test_list_queries_do_not_grow_with_the_number_of_events(
    client, network, other_network, url, django_assert_max_num_queries
):
    member = member_of(network)
    client.force_login(member)

    def add_events(count):
        for _ in range(count):
            upcoming = EventFactory(network=network, capacity=2, is_public=False)
            past = EventFactory(network=other_network, past=True)
            EventLinkFactory(event=past)
            EventLinkFactory(event=past, members_only=True)
            registration_create(event=upcoming, user=member)
            RegistrationFactory(event=upcoming)
            RegistrationFactory(event=upcoming, status="waitlisted")

    add_events(3)
    few = _list_queries(client, url)
    add_events(27)
    many = _list_queries(client, url)
    assert few == many
    with django_assert_max_num_queries(12):
        client.get(url)


def test_the_event_page_queries_do_not_grow_with_registrations_or_links(client, network):
    member = member_of(network)
    manager = with_two_factor(member_of(network, "manager"))
    event = EventFactory(network=network, capacity=100, online=True, started=False)
    registration_create(event=event, user=member)
    client.force_login(manager)
    url = f"/network/events/{event.slug}/"
    few = _list_queries(client, url)
    for _ in range(20):
        RegistrationFactory(event=event)
        EventLinkFactory(event=event)
    assert _list_queries(client, url) == few
