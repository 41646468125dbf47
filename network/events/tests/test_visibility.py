"""Who sees what: anonymous / non-member / member of another network / member / registered
member / manager / staff, on the list, the event page, the online link, the .ics and feeds."""

import pytest

from network.events import selectors
from network.events.tests.factories import SECRET_LINK, EventFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "non_member", "other_member", "member", "registered", "manager", "staff"]
SEES_MEMBERS_ONLY = {"member", "registered", "manager", "staff"}
SEES_LINK = {"registered", "manager", "staff"}


@pytest.mark.parametrize("role", ROLES)
def test_a_public_event_is_listed_for_everyone(role, people, login, public_event):
    page = login(people[role]).get("/network/events/").content.decode()
    assert public_event.title in page


@pytest.mark.parametrize("role", ROLES)
def test_a_members_only_event_is_listed_only_for_members_of_its_network_and_staff(
    role, people, login, members_event
):
    page = login(people[role]).get("/network/events/").content.decode()
    assert (members_event.title in page) == (role in SEES_MEMBERS_ONLY)


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_listed_for_nobody(role, people, login, network):
    draft = EventFactory(network=network, title="Draft planning session", status="draft")
    page = login(people[role]).get("/network/events/").content.decode()
    assert draft.title not in page


@pytest.mark.parametrize("role", ROLES)
def test_a_public_event_page_shows_the_online_link_only_to_registered_members_and_managers(
    role, people, login, public_event
):
    response = login(people[role]).get(f"/network/events/{public_event.slug}/")
    assert response.status_code == 200
    assert public_event.title in response.content.decode()
    assert (SECRET_LINK in response.content.decode()) == (role in SEES_LINK)


@pytest.mark.parametrize("role", ROLES)
def test_a_members_only_event_page_is_hidden_from_everyone_else(role, people, login, members_event):
    response = login(people[role]).get(f"/network/events/{members_event.slug}/")
    if role in SEES_MEMBERS_ONLY:
        assert response.status_code == 200
        assert (SECRET_LINK in response.content.decode()) == (role in SEES_LINK)
    elif role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 404
        assert members_event.title not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_page_is_seen_only_by_the_networks_managers_and_staff(role, people, login, network):
    draft = EventFactory(network=network, title="Draft planning session", status="draft")
    response = login(people[role]).get(f"/network/events/{draft.slug}/")
    assert response.status_code == (200 if role in {"manager", "staff"} else 404)


def test_a_waitlisted_member_does_not_see_the_online_link(people, login, public_event):
    public_event.registrations.filter(user=people["registered"]).update(status="waitlisted")
    page = login(people["registered"]).get(f"/network/events/{public_event.slug}/").content.decode()
    assert SECRET_LINK not in page
    assert 'data-registration="waitlisted"' in page


def test_a_registered_member_who_left_the_network_loses_the_online_link(people, public_event):
    user = people["registered"]
    user.memberships.update(status="left")
    assert not selectors.can_see_online_link(user, public_event)


@pytest.mark.parametrize("role", ROLES)
def test_the_ics_of_a_public_event_has_the_online_link_only_for_those_who_may_see_it(
    role, people, login, public_event
):
    response = login(people[role]).get(f"/network/events/{public_event.slug}.ics")
    assert response.status_code == 200
    text = response.content.decode()
    assert "BEGIN:VEVENT" in text
    unfolded = text.replace("\r\n ", "")
    assert (f"LOCATION:{SECRET_LINK}" in unfolded) == (role in SEES_LINK)
    assert SECRET_LINK in unfolded or "LOCATION:Online" in unfolded


@pytest.mark.parametrize("role", ROLES)
def test_the_ics_of_a_members_only_event_is_members_only(role, people, login, members_event):
    response = login(people[role]).get(f"/network/events/{members_event.slug}.ics")
    if role in SEES_MEMBERS_ONLY:
        assert response.status_code == 200
        assert "Closed coordination meeting" in response.content.decode()
    else:
        assert response.status_code in (302, 404)
        assert b"Closed coordination meeting" not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_the_network_feed_has_members_only_events_only_for_members(
    role, people, login, network, public_event, members_event
):
    response = login(people[role]).get(f"/network/events/feed/{network.slug}.ics")
    assert response.status_code == 200
    text = response.content.decode().replace("\r\n ", "")
    assert public_event.title in text
    assert (members_event.title in text) == (role in SEES_MEMBERS_ONLY)
    assert (SECRET_LINK in text) == (role in SEES_LINK)


@pytest.mark.parametrize("role", ["non_member", "other_member", "member", "registered", "manager", "staff"])
def test_the_personal_feed_shows_what_its_owner_may_see(
    role, people, client, network, public_event, members_event
):
    token = selectors.feed_token_for(people[role])
    response = client.get(f"/network/events/feed/{network.slug}/{token}.ics")
    assert response.status_code == 200
    text = response.content.decode().replace("\r\n ", "")
    assert public_event.title in text
    assert (members_event.title in text) == (role in SEES_MEMBERS_ONLY)
    assert (SECRET_LINK in text) == (role in SEES_LINK)
    assert "private" in response["Cache-Control"]


def test_a_forged_or_revoked_feed_token_gets_a_404(people, client, network, members_event):
    user = people["member"]
    token = selectors.feed_token_for(user)
    assert client.get(f"/network/events/feed/{network.slug}/{token[:-2]}xx.ics").status_code == 404
    other_token = selectors.feed_token_for(people["registered"])
    forged = other_token.split("-", 1)[0] + "-" + token.split("-", 1)[1]
    assert client.get(f"/network/events/feed/{network.slug}/{forged}.ics").status_code == 404
    user.set_password("a-new-password-42")
    user.save()
    assert client.get(f"/network/events/feed/{network.slug}/{token}.ics").status_code == 404
    fresh = selectors.feed_token_for(user)
    assert client.get(f"/network/events/feed/{network.slug}/{fresh}.ics").status_code == 200


def test_a_deactivated_member_feed_token_stops_working(people, client, network):
    user = people["member"]
    token = selectors.feed_token_for(user)
    user.is_active = False
    user.save()
    assert client.get(f"/network/events/feed/{network.slug}/{token}.ics").status_code == 404


def test_an_unknown_network_feed_gets_a_404(client):
    assert client.get("/network/events/feed/no-such-network.ics").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_members_only_materials_are_hidden_from_visitors(role, people, login, network):
    from network.events.tests.factories import EventLinkFactory

    event = EventFactory(network=network, past=True)
    EventLinkFactory(event=event, label="Public slides")
    EventLinkFactory(event=event, label="Internal protocol", members_only=True, kind="recording")
    page = login(people[role]).get("/network/events/past/").content.decode()
    assert "Public slides" in page
    assert ("Internal protocol" in page) == (role in SEES_MEMBERS_ONLY)
