"""Fixtures of the chat tests: two networks and the people whose view of a room differs
(a member, a second member, a member of the other network, someone in no network, DPS
staff, a network moderator), and one room of each kind."""

import pytest

from chat import services
from chat.models import Room, RoomKind
from tests.factories import NetworkFactory, UserFactory, member_of


def with_totp(user):
    """Staff and moderators act only with two-factor set up (the platform rule)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def network(db):
    return NetworkFactory(slug="prevention", name="Prevention network")


@pytest.fixture
def other_network(db):
    return NetworkFactory(slug="police", name="Police network")


@pytest.fixture
def ana(network):
    return member_of(network, username="ana", display_name="Ana Autora")


@pytest.fixture
def rui(network):
    return member_of(network, username="rui", display_name="Rui Leitor")


@pytest.fixture
def otto(other_network):
    return member_of(other_network, username="otto", display_name="Otto Outsider")


@pytest.fixture
def nobody(db):
    """Signed up, but in no network yet."""
    return UserFactory(username="nobody", display_name="No Body")


@pytest.fixture
def staff(db):
    return with_totp(UserFactory(username="dps", display_name="Dora DPS", is_staff=True))


@pytest.fixture
def mod(network):
    return with_totp(member_of(network, role="moderator", username="mod", display_name="Mia Moderator"))


@pytest.fixture
def room(network):
    return Room.objects.create(slug="general", kind=RoomKind.NETWORK, network=network, name="General")


@pytest.fixture
def group(ana, rui):
    """A private group owned by Ana, with Rui in it."""
    return services.create_private_group(ana, name="Working group", members=[rui])


@pytest.fixture
def dm(ana, rui):
    return services.start_direct(ana, rui)


@pytest.fixture
def no_rate_limit(settings):
    settings.PUENTE_CHAT_MESSAGES_PER_WINDOW = 0
