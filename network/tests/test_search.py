"""The site search at /search/: providers, accent-insensitive matching, privacy, facets, paging."""

import pytest
from django.urls import reverse
from wagtail.models import PageViewRestriction

from library.models import ProgrammePage
from library.services import _publish, page_translate, programmes_index_ensure
from library.tests import factories as library_factories
from network import search
from network.models import Topic
from network.search import SearchHit, SearchProvider, highlight, normalise, query_terms
from tests.factories import NetworkFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db

URL = "/search/"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def vetted_member(db):
    return member_of(NetworkFactory(slug="prevention"))


@pytest.fixture
def tourism_programme(db):
    page = ProgrammePage(
        title="Tourism Security Plan",
        slug="tourism-security-plan",
        source_key="tourism-security-plan",
        language="en",
        summary="In 2016, the Tourism Security Program of CICTE started a three-year project.",
        objectives="<p>Strengthen the capacity of the public and private sectors.</p>",
    )
    programmes_index_ensure().add_child(instance=page)
    _publish(page)
    page_translate(
        page=page,
        language_code="es",
        title="Plan de Seguridad Turística",
        summary="En 2016 el Programa de Seguridad Turística del CICTE inició un proyecto de tres años.",
    )
    return page


def _titles(response) -> str:
    return response.content.decode()


# --- text helpers -------------------------------------------------------------------------


def test_normalise_drops_case_and_accents_in_spanish_portuguese_and_french():
    assert normalise("Seguridad TURÍSTICA") == "seguridad turistica"
    assert normalise("Prevenção à violência") == "prevencao a violencia"
    assert normalise("Sécurité élevée Ça") == "securite elevee ca"


def test_query_terms_keep_words_only_and_at_most_eight():
    assert query_terms("  <script>alert(1)</script> Turística ") == ["script", "alert", "1", "turistica"]
    assert len(query_terms(" ".join(f"w{n}" for n in range(30)))) == 8


def test_highlight_escapes_the_text_then_marks_the_matches():
    html = highlight('Plan de Seguridad Turística <b onclick="x">', ["turistica", "b"])
    assert "<mark>Turística</mark>" in html
    assert "<b " not in html
    assert "&lt;<mark>b</mark> onclick=&quot;x&quot;&gt;" in html


def test_highlight_cuts_a_long_text_around_the_first_match():
    text = "palabra " * 200 + "turística " + "fin " * 200
    html = highlight(text, ["turistica"], width=120)
    assert "<mark>turística</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(html) < 200


# --- the page -----------------------------------------------------------------------------


def test_a_visitor_finds_the_programme_by_searching_seguridad_turistica(client, tourism_programme):
    response = client.get(URL, {"q": "seguridad turistica"})
    assert response.status_code == 200
    assert "Plan de Seguridad Turística" in _titles(response)
    assert "<mark>Seguridad</mark> <mark>Turística</mark>" in _titles(response)


def test_a_visitor_finds_the_programme_by_searching_tourism_security(client, tourism_programme):
    response = client.get(URL, {"q": "tourism security"})
    assert response.status_code == 200
    assert "Tourism Security Plan" in _titles(response)
    assert tourism_programme.get_url() in _titles(response)


@pytest.mark.parametrize(
    "query", ["SEGURIDAD TURÍSTICA", "Seguridad Turistica", "seguridad turística", "turÍstica"]
)
def test_matching_ignores_case_and_accents(client, tourism_programme, query):
    response = client.get(URL, {"q": query})
    assert "Plan de Seguridad Turística" in _titles(response)


def test_a_query_matching_nothing_finds_nothing(client, tourism_programme):
    response = client.get(URL, {"q": "seguridad portuaria"})
    assert response.status_code == 200
    assert "Plan de Seguridad Turística" not in _titles(response)
    assert 'class="empty"' in _titles(response)


def test_french_and_portuguese_accents_are_ignored_too(client):
    library_factories.publication(title="Sécurité des ports", language="fr")
    library_factories.publication(title="Prevenção da violência", language="pt-br")
    assert "Sécurité des ports" in _titles(client.get(URL, {"q": "securite"}))
    assert "Prevenção da violência" in _titles(client.get(URL, {"q": "prevencao violencia"}))
    assert "Sécurité des ports" not in _titles(client.get(URL, {"q": "prevencao"}))


def test_a_members_only_publication_is_found_by_a_member_and_never_by_a_visitor(client, vetted_member):
    library_factories.publication(title="Confidential protocol for custody", private=True)
    assert "Confidential protocol" not in _titles(client.get(URL, {"q": "custody protocol"}))
    assert "Confidential protocol" not in _titles(client.get(URL, {"q": "custdy"}))  # not suggested either
    client.force_login(UserFactory())  # signed in, but in no network
    assert "Confidential protocol" not in _titles(client.get(URL, {"q": "custody protocol"}))
    client.force_login(vetted_member)
    response = client.get(URL, {"q": "custody protocol"})
    assert "Confidential protocol for custody" in _titles(response)
    assert "Members only" in _titles(response)


def test_a_body_only_match_is_found_through_the_search_backend(client):
    library_factories.publication(title="Annual report", abstract="<p>Findings on cybercrime in ports</p>")
    assert "Annual report" in _titles(client.get(URL, {"q": "cybercrime"}))


@pytest.mark.parametrize("query", ["analisis portuario", "ANÁLISIS PORTUÁRIO", "portuario"])
def test_a_body_only_match_ignores_accents_and_case_on_every_database(client, query):
    # The words are in the abstract only: the search backend's full text finds them (on
    # PostgreSQL through the accent-free `puente_text` configuration).
    library_factories.publication(
        title="Informe anual", summary="", abstract="<p>Análisis portuário de la región</p>"
    )
    assert "Informe anual" in _titles(client.get(URL, {"q": query}))


def test_the_title_and_summary_search_text_is_kept_in_step_with_edits(client):
    page = library_factories.publication(title="Guía de prevención", summary="Escuelas seguras")
    assert page.search_text == "guia de prevencion escuelas seguras"
    page.title = "Guía de mediación"
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.search_text == "guia de mediacion escuelas seguras"
    assert "Guía de mediación" in _titles(client.get(URL, {"q": "mediacion"}))
    assert "Guía de mediación" not in _titles(client.get(URL, {"q": "prevencion"}))


def test_unpublished_pages_are_not_found(client):
    page = library_factories.publication(title="Withdrawn guide on kidnapping")
    page.unpublish()
    assert "Withdrawn guide" not in _titles(client.get(URL, {"q": "kidnapping"}))


def test_a_misspelled_query_gets_a_suggestion(client, tourism_programme):
    response = client.get(URL, {"q": "turism securty"})
    body = _titles(response)
    assert "Tourism Security Plan" not in body.split("search-suggestions")[0]
    assert "search-suggestions" in body
    assert "q=tourism+security" in body


def test_suggestions_come_from_topic_names_too(client):
    Topic.objects.update_or_create(
        slug="search-test-topic",
        defaults={
            "name_en": "Extortionware",
            "name_es": "Extorsión",
            "name_pt": "Extorsão",
            "name_fr": "Extorsion",
        },
    )
    body = _titles(client.get(URL, {"q": "extortionwre"}))
    assert "q=extortionware" in body


def test_facets_count_by_type_topic_language_and_country_and_filter(client):
    topic = Topic.objects.create(
        slug="ports", name_en="Ports", name_es="Puertos", name_pt="Portos", name_fr="Ports"
    )
    library_factories.publication(title="Port security manual", topics=[topic], language="en")
    library_factories.publication(title="Port security handbook", language="es")
    library_factories.article(title="Port security news")
    response = client.get(URL, {"q": "port security"})
    library = next(
        entry for entry in response.context["results"].providers if entry.provider.key == "library"
    )
    facets = {facet.key: {value.value: value.count for value in facet.values} for facet in library.facets}
    assert facets["type"] == {"publicationpage": 2, "articlepage": 1}
    assert facets["topic"] == {"ports": 1}
    assert facets["language"] == {"en": 2, "es": 1}
    assert "type=publicationpage" in _titles(response)

    response = client.get(URL, {"q": "port security", "type": "articlepage"})
    body = _titles(response)
    assert "Port security news" in body
    assert "Port security manual" not in body
    assert response.context["results"].total == 1

    response = client.get(URL, {"q": "port security", "topic": "ports"})
    assert "Port security manual" in _titles(response)
    assert "Port security handbook" not in _titles(response)


def test_the_page_renders_in_english_and_spanish(client, tourism_programme):
    response = client.get(URL, {"q": "seguridad"})
    assert '<html lang="en"' in _titles(response)
    assert 'role="search"' in _titles(response)
    response = client.get("/es" + URL, {"q": "seguridad"})
    assert response.status_code == 200
    assert '<html lang="es"' in _titles(response)
    assert "<h1>" in _titles(response)
    assert "Plan de Seguridad Turística" in _titles(response)


def test_the_url_is_named_and_an_empty_query_gives_the_search_form(client):
    assert reverse("search") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert 'id="search-q"' in _titles(response)
    assert response.context["results"].hits == []


def test_the_header_carries_a_labelled_search_box(client):
    body = _titles(client.get(URL))
    assert 'for="site-search-q"' in body
    assert 'action="/search/"' in body


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 5000},
        {"q": "turística " * 600},
        {"q": "<script>alert(1)</script>"},
        {"q": "' OR 1=1; --"},
        {"q": '\x00\x01 AND OR NOT "* :( ) ^'},
        {"q": "seguridad", "page": "abc"},
        {"q": "seguridad", "page": "-4"},
        {"q": "seguridad", "page": "99999999999"},
        {"q": "seguridad", "type": "<b>", "topic": "x" * 900, "country": "ZZZ", "language": "klingon"},
        {"q": "seguridad", "kind": "nonsense"},
    ],
)
def test_hostile_or_huge_input_gets_a_normal_page(client, tourism_programme, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    body = _titles(response)
    assert "<script>alert(1)</script>" not in body
    assert len(response.context["results"].query) <= 200


def test_a_list_of_query_values_is_handled(client, tourism_programme):
    response = client.get(URL + "?q=tourism&q=security&page=1&page=2")
    assert response.status_code == 200


def test_results_are_paged(client):
    for number in range(25):
        library_factories.publication(title=f"Community policing note {number}")
    first = client.get(URL, {"q": "community policing"})
    second = client.get(URL, {"q": "community policing", "page": 2})
    assert first.context["results"].total == 25
    assert len(first.context["results"].hits) == 20
    assert len(second.context["results"].hits) == 5
    assert 'rel="next"' in _titles(first)
    titles = {hit.title for hit in first.context["results"].hits} | {
        hit.title for hit in second.context["results"].hits
    }
    assert len(titles) == 25


def _matching_pages(count):
    topic = Topic.objects.get_or_create(
        slug="gangs",
        defaults={"name_en": "Gangs", "name_es": "Pandillas", "name_pt": "Gangues", "name_fr": "Gangs"},
    )[0]
    for _number in range(count):
        library_factories.publication(title="Gang prevention guide", topics=[topic])


def test_the_query_count_does_not_grow_with_the_results(client, vetted_member, django_assert_max_num_queries):
    client.force_login(vetted_member)
    _matching_pages(3)
    client.get(URL, {"q": "gang prevention"})  # warm caches (site root paths, content types)
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the library's counts are cached: compare uncached pages
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"q": "gang prevention"})
    _matching_pages(27)
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL, {"q": "gang prevention"})
    assert response.context["results"].total == 30


# --- the registry -------------------------------------------------------------------------


def test_every_registered_provider_is_asked_and_filters_pick_the_providers(client, tourism_programme):
    def count(user, query, filters):
        return 1

    def hits(user, query, filters, limit=20, offset=0):
        return [SearchHit(title="Forum topic about tourism", url="/forums/t/1/x/", kind="Forum topic")]

    real_forums = search._providers.get("forums")  # the forums app's own provider, put back after
    search.register_search_provider(
        SearchProvider(key="forums", label="Forums", search=hits, count=count, order=20)
    )
    try:
        body = _titles(client.get(URL, {"q": "tourism"}))
        assert "Forum topic about tourism" in body
        assert "Tourism Security Plan" in body
        body = _titles(client.get(URL, {"q": "tourism", "kind": "forums"}))
        assert "Forum topic about tourism" in body
        assert "Tourism Security Plan" not in body
        # a library-only filter leaves out the providers that don't understand it
        body = _titles(client.get(URL, {"q": "tourism", "type": "programmepage"}))
        assert "Forum topic about tourism" not in body
        assert "Tourism Security Plan" in body
    finally:
        search.unregister_search_provider("forums")
        if real_forums is not None:
            search.register_search_provider(real_forums)


def test_a_restricted_section_hides_everything_below_it_from_visitors(client, vetted_member):
    section = library_factories.library_index().add_child(
        instance=library_factories.LibraryIndexPage(title="Internal", slug="internal")
    )
    _publish(section)
    PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)
    library_factories.publication(parent=section, title="Internal audit of prisons")
    assert "Internal audit of prisons" not in _titles(client.get(URL, {"q": "prisons"}))
    client.force_login(vetted_member)
    assert "Internal audit of prisons" in _titles(client.get(URL, {"q": "prisons"}))
