"""Two networks, their forum categories, members and moderators (with two-factor, which
moderators need before they may act)."""

import pytest
from django.utils.text import slugify

from forums.models import Category, Post, PostStatus, ReadAccess, Topic
from tests.factories import NetworkFactory, UserFactory, member_of


def with_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


def make_topic(
    category, author, *, title="Community policing in Medellín", posts=1, status=PostStatus.PUBLISHED
):
    """A topic with `posts` posts written by `author` (the first one with `status`)."""
    topic = Topic.objects.create(category=category, author=author, title=title, slug=slugify(title))
    for number in range(1, posts + 1):
        Post.objects.create(
            topic=topic,
            author=author,
            number=number,
            body=f"Message {number} of {title}",
            body_html=f"<p>Message {number} of {title}</p>",
            status=status if number == 1 else PostStatus.PUBLISHED,
        )
    Topic.objects.filter(pk=topic.pk).update(last_post_number=posts, post_count=posts)
    topic.refresh_from_db()
    return topic


def add_post(topic, author, body="A reply", *, status=PostStatus.PUBLISHED, **fields):
    number = topic.last_post_number + 1
    post = Post.objects.create(
        topic=topic,
        author=author,
        number=number,
        body=body,
        body_html=f"<p>{body}</p>",
        status=status,
        **fields,
    )
    Topic.objects.filter(pk=topic.pk).update(last_post_number=number)
    topic.refresh_from_db()
    return post


@pytest.fixture
def prevention(db):
    return NetworkFactory(slug="prevention", name="Network for the Prevention of Violence and Crime")


@pytest.fixture
def police(db):
    return NetworkFactory(slug="police", name="Network for Police Development and Professionalization")


@pytest.fixture
def category(prevention):
    return Category.objects.create(network=prevention, slug="experiences", name="Experiences")


@pytest.fixture
def other_category(prevention):
    return Category.objects.create(network=prevention, slug="publications", name="Publications")


@pytest.fixture
def police_category(police):
    return Category.objects.create(network=police, slug="training", name="Training")


@pytest.fixture
def public_category(prevention):
    return Category.objects.create(
        network=prevention, slug="open-forum", name="Open forum", read_access=ReadAccess.PUBLIC
    )


@pytest.fixture
def author(prevention):
    return member_of(prevention, username="autora", display_name="Ana Autora", language="es")


@pytest.fixture
def reader(prevention):
    return member_of(prevention, username="lector", display_name="Luis Lector")


@pytest.fixture
def moderator(prevention):
    return with_totp(member_of(prevention, role="moderator", username="mod", display_name="Marta Moderadora"))


@pytest.fixture
def manager(prevention):
    return with_totp(member_of(prevention, role="manager", username="gerente", display_name="Gema Gerente"))


@pytest.fixture
def police_moderator(police):
    return with_totp(member_of(police, role="moderator", username="polmod", display_name="Pedro Policía"))


@pytest.fixture
def staff(db):
    return with_totp(UserFactory(is_staff=True, username="dps", display_name="Diana DPS"))


@pytest.fixture
def topic(category, author):
    return make_topic(category, author, posts=3)


@pytest.fixture
def post(topic):
    return topic.posts.get(number=2)
