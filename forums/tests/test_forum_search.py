"""Forum search: topics and posts in the site search and within a category, read
permissions respected, hidden/pending/deleted posts never found, accent-insensitive
matching, highlighted snippets, hostile queries and constant query counts."""

from itertools import count

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from forums.models import Category, Post, PostStatus, ReadAccess, Topic
from forums.search_provider import count_forums, forum_facets, search_forums, term_regex
from network.search import normalise
from tests.factories import NetworkFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db

_numbers = count(1)


def make_topic(category, author, title, body, *, language="en", status=PostStatus.PUBLISHED, is_visible=True):
    topic = Topic.objects.create(
        category=category,
        author=author,
        title=title,
        slug=slugify(title)[:200] or "topic",
        language=language,
        is_visible=is_visible,
        last_post_number=1,
    )
    Post.objects.create(
        topic=topic, author=author, number=1, body=body, body_html=f"<p>{escape(body)}</p>", status=status
    )
    return topic


def add_reply(topic, author, body, *, status=PostStatus.PUBLISHED, deleted=False):
    topic.last_post_number += 1
    topic.save(update_fields=["last_post_number"])
    return Post.objects.create(
        topic=topic,
        author=author,
        number=topic.last_post_number,
        body=body,
        body_html=f"<p>{escape(body)}</p>",
        status=status,
        deleted_at=timezone.now() if deleted else None,
    )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _forums_provider_registered():
    # network/tests/test_search.py registers a stand-in under the key "forums" and then
    # unregisters that key: put the real provider back, as ForumsConfig.ready() does.
    from forums import search_provider

    search_provider.register()


@pytest.fixture
def network():
    return NetworkFactory(slug="prevention")


@pytest.fixture
def other_network():
    return NetworkFactory(slug="police")


@pytest.fixture
def members_only(network):
    return Category.objects.create(network=network, slug="practices", name="Practices")


@pytest.fixture
def public(network):
    return Category.objects.create(
        network=network, slug="open", name="Open forum", read_access=ReadAccess.PUBLIC
    )


@pytest.fixture
def police_category(other_network):
    return Category.objects.create(network=other_network, slug="police-training", name="Police training")


@pytest.fixture
def author(network):
    return member_of(network)


@pytest.fixture
def reader(network):
    return member_of(network)


def site_search(client, query, **params):
    return client.get("/search/", {"q": query, **params})


def category_search(client, category, query="", prefix="", **params):
    url = prefix + reverse("forums:category_search", args=[category.slug])
    return client.get(url, {"q": query, **params} if query else params)


# --- matching -------------------------------------------------------------------------------


def test_term_regex_matches_accents_and_case_like_the_highlighter():
    import re

    pattern = re.compile(term_regex(normalise("prevencao")), re.IGNORECASE)
    assert pattern.search("Prevenção da violência")
    assert pattern.search("PREVENÇÃO")
    assert not pattern.search("prevention")


def test_posts_are_found_whatever_their_accents_and_case(members_only, author, reader):
    make_topic(
        members_only,
        author,
        "Prevenção da violência nas escolas",
        "Experiências do Brasil.",
        language="pt-br",
    )
    make_topic(members_only, author, "Sécurité touristique", "Élèves et ÉCOLES.", language="fr")
    assert count_forums(reader, "prevencao violencia", {}) == 1
    assert count_forums(reader, "SECURITE", {}) == 1
    assert count_forums(reader, "eleves ecoles", {}) == 1
    assert count_forums(reader, "nothing like this", {}) == 0


def test_a_title_match_lists_the_topic_once_and_first(members_only, author, reader):
    older = make_topic(members_only, author, "Community policing", "How do you start?")
    add_reply(older, author, "We started with community meetings.")
    add_reply(older, author, "Another idea.")
    other = make_topic(members_only, author, "Budgets", "Community budgets help.")
    hits = search_forums(reader, "community", {})
    assert [hit.title for hit in hits] == ["Community policing", "Budgets", "Community policing"]
    assert hits[0].kind == "Forum topic" and hits[2].kind == "Forum reply"
    assert hits[2].url.endswith(f"/t/{older.pk}/{older.slug}/?post=2#post-2")
    assert hits[1].url.endswith(f"/t/{other.pk}/{other.slug}/")


def test_snippets_are_escaped_and_highlighted(members_only, author, reader):
    make_topic(members_only, author, "Payloads", 'Turística <script>alert("x")</script> <b onclick="y">b</b>')
    [hit] = search_forums(reader, "turistica script", {})
    assert "<mark>Turística</mark>" in hit.snippet
    assert "<script" not in hit.snippet and "<b " not in hit.snippet
    assert "&lt;<mark>script</mark>&gt;" in hit.snippet


# --- who finds what -------------------------------------------------------------------------


def test_visitors_find_public_topics_only(client, public, members_only, author):
    make_topic(public, author, "Open exchange on tourism", "Tourism security for everyone.")
    make_topic(members_only, author, "Internal tourism notes", "Tourism plans for members.")
    response = site_search(client, "tourism")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Open exchange on tourism" in html
    assert "Internal tourism notes" not in html
    assert count_forums(AnonymousUser(), "tourism", {}) == 1


def test_members_find_their_networks_topics_but_never_another_networks(
    client, members_only, police_category, author, reader, other_network
):
    make_topic(members_only, author, "Prevention practices", "Mentoring works.")
    make_topic(police_category, member_of(other_network), "Police practices", "Patrol schedules.")
    client.force_login(reader)
    html = site_search(client, "practices").content.decode()
    assert "Prevention practices" in html and "Police practices" not in html
    police_officer = member_of(other_network)
    assert [hit.title for hit in search_forums(police_officer, "practices", {})] == ["Police practices"]
    assert count_forums(UserFactory(), "practices", {}) == 0  # signed in, in no network


def test_hidden_pending_deleted_posts_and_invisible_topics_are_never_found(members_only, author, network):
    moderator = member_of(network, "moderator")
    topic = make_topic(members_only, author, "Evaluation", "Visible first post.")
    add_reply(topic, author, "secretword hidden", status=PostStatus.HIDDEN)
    add_reply(topic, author, "secretword pending", status=PostStatus.PENDING)
    add_reply(topic, author, "secretword deleted", deleted=True)
    make_topic(
        members_only,
        author,
        "Held secretword topic",
        "secretword held",
        status=PostStatus.PENDING,
        is_visible=False,
    )
    for user in (author, moderator, member_of(network)):
        assert count_forums(user, "secretword", {}) == 0
        assert search_forums(user, "secretword", {}) == []
        assert forum_facets(user, "secretword", {}) == []


def test_the_site_search_pages_and_filters_forum_hits(client, public, author):
    for number in range(3):
        make_topic(public, author, f"Training topic {number}", "Training in Spanish.", language="es")
    make_topic(public, author, "Training topic en", "Training in English.", language="en")
    response = site_search(client, "training", kind="forums", language="es")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Training topic") == 3 and "Training topic en" not in html
    facets = {facet.key: facet for facet in forum_facets(AnonymousUser(), "training", {})}
    assert {value.value: value.count for value in facets["language"].values} == {"en": 1, "es": 3}
    assert [(value.value, value.count) for value in facets["category"].values] == [("open", 4)]


def test_members_only_hits_are_labelled(members_only, public, author, reader):
    make_topic(members_only, author, "Closed budget", "x")
    make_topic(public, author, "Open budget", "x")
    labels = {hit.title: hit.members_only for hit in search_forums(reader, "budget", {})}
    assert labels == {"Closed budget": True, "Open budget": False}


def test_the_site_search_runs_the_same_queries_for_few_and_many_forum_hits(
    client, members_only, author, reader, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reader)
    make_topic(members_only, author, "Mediation one", "Mediation works.")
    site_search(client, "mediation")  # warm the per-process caches (content types, sites)
    with CaptureQueriesContext(connection) as few:
        assert site_search(client, "mediation", kind="forums").status_code == 200
    for number in range(30):
        topic = make_topic(members_only, author, f"Mediation {number}", "Mediation again.", language="es")
        add_reply(topic, author, "More mediation.")
    with CaptureQueriesContext(connection) as many:
        assert site_search(client, "mediation", kind="forums").status_code == 200
    assert len(many) == len(few)


# --- search within a category ----------------------------------------------------------------


def test_the_category_search_page_in_two_languages(client, public, author):
    make_topic(
        public, author, "Seguridad turística en el Caribe", "Planes de seguridad turística.", language="es"
    )
    english = category_search(client, public, "turistica")
    spanish = category_search(client, public, "turistica", prefix="/es")
    assert english.status_code == 200 and spanish.status_code == 200
    for response in (english, spanish):
        html = response.content.decode()
        assert "<mark>turística</mark>" in html.lower() or "<mark>Turística</mark>" in html
        assert "Seguridad turística en el Caribe" in html
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="es">' in spanish.content.decode() and "Buscar" in spanish.content.decode()


def test_a_visitor_may_search_a_public_category_without_a_query(client, public):
    response = category_search(client, public)
    assert response.status_code == 200
    assert "Search in Open forum" in response.content.decode()


def test_the_category_search_is_404_for_those_who_cannot_read_it(client, members_only, author, other_network):
    make_topic(members_only, author, "Internal", "internal notes")
    assert category_search(client, members_only, "internal").status_code == 404
    client.force_login(member_of(other_network))
    assert category_search(client, members_only, "internal").status_code == 404
    assert client.get("/forums/no-such-category/search/", {"q": "x"}).status_code == 404


def test_the_category_search_only_lists_that_category(client, members_only, public, author, reader):
    make_topic(members_only, author, "Mentoring inside", "mentoring")
    make_topic(public, author, "Mentoring outside", "mentoring")
    client.force_login(reader)
    html = category_search(client, members_only, "mentoring").content.decode()
    assert "Mentoring inside" in html and "Mentoring outside" not in html


@pytest.mark.parametrize(
    "query",
    [
        "a" * 5000,
        "<script>alert(1)</script>",
        "'; DROP TABLE forums_post; --",
        "((((((((((a+)+)+)+)+)+)+)+)+)+)$",
        "\x00\x01\x02 control",
        "%" * 300,
        "     ",
    ],
)
def test_a_long_or_hostile_query_gets_a_normal_page(client, public, author, query):
    make_topic(public, author, "Harmless", "text")
    response = category_search(client, public, query, page="99999999999", language="<b>")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert Post.objects.count() == 1


def test_the_category_search_pages_and_filters_by_language(client, public, author):
    for number in range(25):
        make_topic(public, author, f"Patrol {number}", "patrol", language="es" if number % 5 else "fr")
    first = category_search(client, public, "patrol")
    assert first.status_code == 200
    html = first.content.decode()
    assert html.count('<li class="card"') == 20 and 'rel="next"' in html
    second = category_search(client, public, "patrol", page="2")
    assert second.content.decode().count('<li class="card"') == 5
    french = category_search(client, public, "patrol", language="fr")
    assert french.content.decode().count('<li class="card"') == 5


def test_the_category_search_runs_the_same_queries_for_few_and_many_hits(client, public, author, reader):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reader)
    make_topic(public, author, "Victims one", "victims")
    category_search(client, public, "victims")
    with CaptureQueriesContext(connection) as few:
        category_search(client, public, "victims")
    for number in range(30):
        topic = make_topic(public, author, f"Victims {number}", "victims")
        add_reply(topic, author, "victims again")
    with CaptureQueriesContext(connection) as many:
        assert category_search(client, public, "victims").status_code == 200
    assert len(many) == len(few)
