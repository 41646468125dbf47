import pytest

from network.models import Country, Topic
from network.profiles.tests.factories import image_bytes, language, make_profile, staff_user, upload
from tests.factories import NetworkFactory, UserFactory, member_of


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def prevention(db):
    return NetworkFactory(slug="prevention", name="Prevention network")


@pytest.fixture
def police(db):
    return NetworkFactory(slug="police", name="Police network")


@pytest.fixture
def subject(prevention):
    """A member of the prevention network with every field filled in and shown."""
    user = member_of(prevention, username="subject", display_name="Zoë Quillfeather", email="zq@example.org")
    make_profile(
        user,
        country=Country.objects.get(code="PY"),
        institution_name_other="Xylophonic Institute",
        position="Zanzibar analyst",
        bio="First <b>line</b>\nSecond line",
        languages_other="Latin",
        contact_preference="email",
        email_visibility="members",
        expertise=[Topic.objects.get(slug="cybercrime")],
        languages=[language("gn")],
        photo=upload(image_bytes()),
    )
    user.refresh_from_db()
    return user


@pytest.fixture
def viewers(prevention, police, subject):
    """One viewer of each kind, by name."""
    return {
        "anonymous": None,
        "not_vetted": UserFactory(),
        "other_network": member_of(police),
        "sharing": member_of(prevention),
        "self": subject,
        "staff": staff_user(),
    }


@pytest.fixture
def client_as(client):
    def log_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return log_in
