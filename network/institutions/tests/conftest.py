import pytest
from django.contrib.auth.models import Group

from network.permissions import DPS_STAFF_GROUP
from tests.factories import NetworkFactory, UserFactory, member_of


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Evidence files and public media in a temporary folder for each test."""
    settings.PUENTE_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.PUENTE_PRIVATE_MEDIA_ROOT


def _with_two_factor(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def staff(db):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=DPS_STAFF_GROUP)[0])
    return _with_two_factor(user)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def vetted(db):
    """A member of a network: may see members-only things."""
    return member_of(NetworkFactory(slug="police"))


@pytest.fixture
def vetted_client(client, vetted):
    client.force_login(vetted)
    return client


@pytest.fixture
def outsider(db):
    """Signed in, but a member of no network yet."""
    return UserFactory()


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def manager(db):
    return _with_two_factor(member_of(NetworkFactory(slug="prevention"), role="manager"))
