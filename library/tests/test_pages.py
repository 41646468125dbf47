import pytest
from django.core.cache import cache
from wagtail.models import Page, PageViewRestriction

from library.models import (
    ArticlePage,
    BestPracticePage,
    HomePage,
    LibraryIndexPage,
    LibraryItem,
    ProgrammePage,
    PublicationPage,
    VideoPage,
)
from library.tests import factories
from network.models import Country, Topic

pytestmark = pytest.mark.django_db


def test_the_library_index_lives_at_library_under_the_home_page():
    index = factories.library_index()
    assert isinstance(index.get_parent().specific, HomePage)
    assert index.url == "/library/"


def test_items_can_be_created_under_a_library_index_but_not_under_the_home_page():
    for model in (PublicationPage, BestPracticePage, ArticlePage, VideoPage, ProgrammePage):
        assert model.can_create_at(factories.library_index()), model
        assert not model.can_create_at(HomePage.objects.first()), model
    assert LibraryIndexPage.can_create_at(HomePage.objects.first())
    assert not LibraryItem.is_creatable
    assert not PublicationPage.can_create_at(Page.get_first_root_node())


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_library_index_renders_in_english_and_spanish(client, prefix):
    factories.publication(title="Manual on community policing")
    response = client.get(f"{prefix}/library/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{prefix.strip("/") or "en"}">' in html
    assert "<h1>Library</h1>" in html
    assert 'id="facets-heading"' in html
    assert "Manual on community policing" in html


def test_an_anonymous_visitor_reads_the_index_and_a_public_publication(client):
    page = factories.publication(title="Open manual", abstract="<p>About it</p>")
    assert client.get("/library/").status_code == 200
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 lang="en">Open manual</h1>' in html
    assert 'id="citation-text"' in html
    assert "Open manual" in page.citation()
    assert "library/library.js" in html and "<script>" not in html


def test_every_page_type_renders_for_a_visitor_in_two_languages(client):
    index = factories.library_index()
    pages = [
        factories.publication(),
        factories.best_practice(problem="<p>Problem</p>"),
        factories.article(
            body=[("paragraph", "<p>Hello</p>"), ("quote", {"quote": "Q", "attribution": "A"})]
        ),
    ]
    video = VideoPage(title="A video", slug="a-video", video_url="https://example.org/v")
    index.add_child(instance=video)
    programme = ProgrammePage(
        title="A programme", slug="a-programme", pillar="Security", donors="Canada\nItaly"
    )
    index.add_child(instance=programme)
    pages += [video, programme]
    for page in pages:
        for prefix, lang in (("", "en"), ("/es", "es")):
            response = client.get(prefix + page.url)
            assert response.status_code == 200, (page, prefix)
            assert f'<html lang="{lang}">' in response.content.decode()


def test_facets_count_items_by_topic_country_language_year_and_type(client):
    topic = Topic.objects.get(slug="cybercrime")
    other = Topic.objects.get(slug="migration")
    brazil = Country.objects.get(code="BR")
    factories.publication(title="Cyber one", topics=[topic], countries=[brazil], language="pt-br", year=2021)
    factories.publication(title="Cyber two", topics=[topic], year=2021)
    factories.publication(title="Migration one", topics=[other], year=2019)
    factories.best_practice(title="Rated promising", rating="promising")
    factories.best_practice(title="Rated effective", rating="effective")

    browse = client.get("/library/").context["browse"]
    facets = {facet.key: {value.value: value.count for value in facet.values} for facet in browse.facets}
    assert facets["topic"] == {"cybercrime": 2, "migration": 1}
    assert facets["country"] == {"BR": 1}
    assert facets["language"] == {"en": 4, "pt-br": 1}
    assert facets["year"] == {"2021": 2, "2019": 1}
    assert facets["type"] == {"publicationpage": 3, "bestpracticepage": 2}
    assert facets["rating"] == {"promising": 1, "effective": 1}

    response = client.get("/library/?topic=cybercrime")
    titles = [item.title for item in response.context["browse"].page.object_list]
    assert sorted(titles) == ["Cyber one", "Cyber two"]
    facets = {f.key: {v.value: v.count for v in f.values} for f in response.context["browse"].facets}
    assert facets["year"] == {"2021": 2}
    # The topic facet itself still counts every topic (other filters only).
    assert facets["topic"] == {"cybercrime": 2, "migration": 1}

    response = client.get("/library/?rating=promising")
    assert [item.title for item in response.context["browse"].page.object_list] == ["Rated promising"]


def test_sorting_by_title_and_paging_by_twenty(client):
    for number in range(23):
        factories.publication(title=f"Item {number:02d}")
    response = client.get("/library/?sort=title")
    items = response.context["browse"].page.object_list
    assert len(items) == 20
    assert items[0].title == "Item 00"
    response = client.get("/library/?sort=title&page=2")
    assert [item.title for item in response.context["browse"].page.object_list] == [
        "Item 20",
        "Item 21",
        "Item 22",
    ]


def test_hostile_or_malformed_filters_get_a_normal_page(client):
    factories.publication(title="Still here")
    for query in (
        "?year=abcd",
        "?topic=<script>",
        "?country=%00",
        "?page=-3",
        "?sort=drop",
        "?type=Page",
        "?q=" + "x" * 5000,
        "?rating=1'",
    ):
        response = client.get("/library/" + query)
        assert response.status_code == 200, query
        assert "Still here" in response.content.decode()


def test_the_index_query_count_does_not_grow_with_items(client, django_assert_max_num_queries):
    topic = Topic.objects.get(slug="cybercrime")
    for _ in range(3):
        factories.publication(topics=[topic], countries=[Country.objects.get(code="BR")])
    client.get("/library/")  # warm the content-type caches
    cache.clear()
    with django_assert_max_num_queries(40) as small:
        client.get("/library/")
    with django_assert_max_num_queries(len(small.captured_queries) - 5):  # counts and ids cached
        client.get("/library/")
    for _ in range(27):
        factories.publication(topics=[topic], countries=[Country.objects.get(code="MX")])
        factories.best_practice()
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/library/")
    assert response.context["browse"].total == 57


def test_cached_counts_follow_publishing_unpublishing_and_privacy(client):
    first = factories.publication(title="First manual")
    assert client.get("/library/").context["browse"].total == 1
    second = factories.publication(title="Second manual")
    response = client.get("/library/")
    assert response.context["browse"].total == 2 and "Second manual" in response.content.decode()
    second.unpublish()
    response = client.get("/library/")
    assert response.context["browse"].total == 1 and "Second manual" not in response.content.decode()
    PageViewRestriction.objects.create(page=first, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/library/")
    assert response.context["browse"].total == 0 and "First manual" not in response.content.decode()
    assert "First manual" not in client.get("/search/", {"q": "manual"}).content.decode()


def test_the_home_page_lists_the_latest_public_items_with_constant_queries(
    client, django_assert_max_num_queries
):
    factories.publication(title="Latest public")
    factories.publication(title="Latest private", private=True)
    client.get("/")
    with django_assert_max_num_queries(60) as small:
        response = client.get("/")
    html = response.content.decode()
    assert "Latest public" in html and "Latest private" not in html
    for _ in range(10):
        factories.publication()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/")


def test_the_nav_item_points_at_the_library():
    from django.urls import reverse

    from network.registry import registry

    item = registry.nav_items["library"]
    assert reverse(item.url_name, args=item.url_args) == "/library/"


def test_the_spanish_library_lists_items_of_every_language_preferring_spanish_versions(client):
    from library.services import page_translate

    index = factories.library_index()
    page_translate(page=index, language_code="es", title="Biblioteca")
    english_only = factories.publication(title="Manual on community policing")
    french_only = factories.publication(title="Guide de la police de proximité", language="fr")
    translated = factories.publication(title="Port security assessment")
    page_translate(page=translated, language_code="es", title="Evaluación de seguridad portuaria")

    html = client.get("/es/library/").content.decode()
    assert "Manual on community policing" in html
    assert "Guide de la police de proximité" in html
    assert "Evaluación de seguridad portuaria" in html
    assert "Port security assessment" not in html  # one version per item: the Spanish one
    assert f'href="/es{english_only.url}"' in html  # read with the Spanish interface
    assert f'href="/es{french_only.url}"' in html
    assert "Francés" in html  # the item's language, named in Spanish

    english = client.get("/library/").content.decode()
    assert "Port security assessment" in english and "Evaluación de seguridad portuaria" not in english


def test_an_untranslated_item_is_served_under_the_language_prefix(client):
    from library.services import page_translate

    page_translate(page=factories.library_index(), language_code="es", title="Biblioteca")
    page = factories.publication(title="Manual on community policing")
    response = client.get(f"/es{page.url}")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Manual on community policing" in html
    assert client.get("/es/library/no-such-page/").status_code == 404
