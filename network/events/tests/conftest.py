import pytest

from network.events.tests.factories import EventFactory, RegistrationFactory, with_two_factor
from tests.factories import NetworkFactory, UserFactory, member_of


@pytest.fixture
def network(db):
    return NetworkFactory(slug="prevention-test", name="Prevention test network", short_name="Prevention")


@pytest.fixture
def other_network(db):
    return NetworkFactory(slug="police-test", name="Police test network", short_name="Police")


@pytest.fixture
def people(network, other_network):
    """One person per role the visibility rules distinguish (None: an anonymous visitor)."""
    return {
        "anonymous": None,
        "non_member": UserFactory(),
        "other_member": member_of(other_network),
        "member": member_of(network),
        "registered": member_of(network),
        "manager": with_two_factor(member_of(network, "manager")),
        "staff": with_two_factor(UserFactory(is_staff=True)),
    }


@pytest.fixture
def login(client):
    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login


@pytest.fixture
def public_event(network, people):
    event = EventFactory(network=network, title="Open webinar on tourism security", online=True)
    RegistrationFactory(event=event, user=people["registered"])
    return event


@pytest.fixture
def members_event(network, people):
    event = EventFactory(network=network, title="Closed coordination meeting", online=True, is_public=False)
    RegistrationFactory(event=event, user=people["registered"])
    return event
