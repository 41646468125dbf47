"""Fixtures of the forum tests: two networks, categories with each access rule, and the
people whose view differs (anonymous, a member of the other network, a member, a moderator)."""

import pytest

from forums import services
from forums.models import Category, PostAccess, ReadAccess
from tests.factories import NetworkFactory, UserFactory, member_of


def with_totp(user):
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
def category(network):
    return Category.objects.create(network=network, slug="experiences", name="Experiences")


@pytest.fixture
def public_category(network):
    return Category.objects.create(
        network=network, slug="open-questions", name="Open questions", read_access=ReadAccess.PUBLIC
    )


@pytest.fixture
def staff_category(network):
    return Category.objects.create(
        network=network, slug="announcements", name="Announcements", post_access=PostAccess.MODERATORS
    )


@pytest.fixture
def author(network):
    return member_of(network, username="ana", display_name="Ana Autora")


@pytest.fixture
def reader(network):
    return member_of(network, username="rui", display_name="Rui Leitor")


@pytest.fixture
def outsider(other_network):
    return member_of(other_network, username="otto", display_name="Otto Outsider")


@pytest.fixture
def forum_moderator(network):
    return with_totp(member_of(network, role="moderator", username="mod", display_name="Mia Moderator"))


@pytest.fixture
def stranger(db):
    return UserFactory(username="nobody")


@pytest.fixture
def topic(author, category):
    return services.topic_create(
        author=author,
        category=category,
        title="Tourism security plans",
        body="How do you start?",
        language="en",
    )


@pytest.fixture
def public_topic(author, public_category):
    return services.topic_create(
        author=author,
        category=public_category,
        title="Planes de seguridad turística",
        body="¿Cómo empezar?",
        language="es",
    )
