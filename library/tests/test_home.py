"""The home page's "what's new": highlights, the library, forum discussions and events,
each showing only what the reader may see, in a fixed number of queries."""

import pytest
from django.core.cache import cache

from forums.models import Category, ReadAccess, Topic
from library.models import HomePage
from library.services import _publish
from library.tests import factories
from network.events.tests.factories import EventFactory
from tests.factories import NetworkFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    return NetworkFactory(slug="prevention")


def _topic(category, title, author):
    return Topic.objects.create(category=category, author=author, title=title, slug="t", language="pt-br")


@pytest.fixture
def content(network):
    author = member_of(network)
    public = Category.objects.create(network=network, slug="open", name="Open", read_access=ReadAccess.PUBLIC)
    members = Category.objects.create(network=network, slug="internal", name="Internal")
    _topic(public, "Open discussion on school safety", author)
    _topic(members, "Internal discussion on informants", author)
    EventFactory(network=network, title="Public workshop on port security", is_public=True)
    EventFactory(network=network, title="Members-only coordination meeting", is_public=False)
    open_page = factories.publication(title="Open manual")
    closed_page = factories.publication(title="Confidential protocol", private=True)
    home = HomePage.objects.first()
    home.highlights = [
        (
            "highlight",
            {"title": "Read the open manual", "text": "New edition.", "page": open_page, "url": ""},
        ),
        ("highlight", {"title": "Confidential protocol", "text": "", "page": closed_page, "url": ""}),
        (
            "highlight",
            {"title": "Join the webinar", "text": "", "page": None, "url": "https://example.org/w"},
        ),
    ]
    _publish(home)
    return author


def test_a_visitor_sees_public_highlights_discussions_and_events_only(client, content):
    html = client.get("/").content.decode()
    assert "Read the open manual" in html and "Join the webinar" in html
    assert "Confidential protocol" not in html
    assert "Open discussion on school safety" in html
    assert "Internal discussion on informants" not in html
    assert "Public workshop on port security" in html
    assert "Members-only coordination meeting" not in html


def test_a_member_sees_their_network_s_discussions_and_events(client, content):
    client.force_login(content)
    html = client.get("/").content.decode()
    assert "Internal discussion on informants" in html
    assert "Members-only coordination meeting" in html
    assert "Confidential protocol" in html  # the highlight leads to a page they may read


def test_a_signed_in_user_outside_the_network_is_treated_as_a_visitor(client, content):
    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    assert "Internal discussion on informants" not in html
    assert "Members-only coordination meeting" not in html


@pytest.mark.parametrize(
    "prefix, heading", [("", "Latest forum discussions"), ("/es", "Últimas discusiones")]
)
def test_the_home_page_renders_its_sections_in_two_languages(client, content, prefix, heading):
    response = client.get(f"{prefix}/")
    assert response.status_code == 200
    assert heading.split()[0] in response.content.decode()


def test_the_home_page_query_count_does_not_grow_with_content(
    client, content, network, django_assert_max_num_queries
):
    client.force_login(content)
    client.get("/")
    cache.clear()
    with django_assert_max_num_queries(60) as few:
        client.get("/")
    category = Category.objects.get(slug="internal")
    for number in range(10):
        _topic(category, f"Discussion {number}", content)
        EventFactory(network=network, title=f"Meeting {number}")
        factories.publication(title=f"Report {number}")
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")
