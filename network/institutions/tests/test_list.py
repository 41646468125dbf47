import re
from datetime import timedelta

import pytest
from django.utils import timezone

from network.institutions.selectors import InstitutionFilters, institution_facets
from network.institutions.tests.factories import CertificationFactory, InstitutionFactory, country

pytestmark = pytest.mark.django_db

URL = "/network/institutions/"


def names(response) -> list[str]:
    return re.findall(
        r'<h3><a href="/(?:[a-z-]+/)?network/institutions/\d+/">([^<]+)</a>', response.content.decode()
    )


def certify(institution, *, until_days: int):
    today = timezone.localdate()
    return CertificationFactory(
        institution=institution,
        valid_from=today - timedelta(days=400),
        valid_until=today + timedelta(days=until_days),
    )


@pytest.fixture
def institutions():
    """Colombia: a valid and an expiring one; Chile: an expired one and one never certified."""
    valid = InstitutionFactory(name="Policía Nacional de Colombia", acronym="PONAL", country=country("CO"))
    certify(valid, until_days=700)
    expiring = InstitutionFactory(name="Universidad Nacional de Colombia", acronym="UNAL", kind="university")
    certify(expiring, until_days=30)
    expired = InstitutionFactory(name="Carabineros de Chile", acronym="", country=country("CL"))
    certify(expired, until_days=-5)
    none = InstitutionFactory(
        name="Academia de Chile", acronym="ACH", country=country("CL"), kind="police_academy"
    )
    return {"valid": valid, "expiring": expiring, "expired": expired, "none": none}


@pytest.mark.parametrize("language", ["en", "es", "pt-br", "fr"])
def test_the_list_renders_for_visitors_in_each_language(client, institutions, language):
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(prefix + URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert page.count("<h1>") == 1
    assert 'href="/static/institutions/institutions.css"' in page
    assert len(names(response)) == 4
    for control in ("filter-q", "filter-country", "filter-kind", "filter-status", "filter-sort"):
        assert f'<label for="{control}">' in page


def test_anonymous_visitors_see_institutions_but_not_the_export_link(client, institutions):
    page = client.get(URL).content.decode()
    assert "Policía Nacional de Colombia" in page
    assert "export.csv" not in page


def test_staff_see_the_export_link(staff_client, institutions):
    assert "/network/institutions/export.csv" in staff_client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?country=CO", {"Policía Nacional de Colombia", "Universidad Nacional de Colombia"}),
        ("?kind=university", {"Universidad Nacional de Colombia"}),
        ("?status=valid", {"Policía Nacional de Colombia"}),
        ("?status=expiring", {"Universidad Nacional de Colombia"}),
        ("?status=expired", {"Carabineros de Chile"}),
        ("?status=none", {"Academia de Chile"}),
        ("?status=certified", {"Policía Nacional de Colombia", "Universidad Nacional de Colombia"}),
        ("?q=nacional", {"Policía Nacional de Colombia", "Universidad Nacional de Colombia"}),
        ("?q=ach", {"Academia de Chile"}),
        ("?q=chile&status=expired", {"Carabineros de Chile"}),
        ("?country=CL&kind=police_force", {"Carabineros de Chile"}),
        ("?country=PE", set()),
    ],
)
def test_filters_narrow_the_list(client, institutions, query, expected):
    response = client.get(URL + query)
    assert set(names(response)) == expected
    if not expected:
        assert 'class="empty"' in response.content.decode()


def test_sorting_by_name_or_by_country_name(client, institutions):
    by_name = names(client.get(URL + "?sort=name"))
    assert by_name == sorted(by_name)
    by_country = names(client.get(URL + "?sort=country"))
    assert by_country[:2] == ["Academia de Chile", "Carabineros de Chile"]  # Chile before Colombia


def test_sorting_by_country_follows_the_readers_language(client):
    InstitutionFactory(name="A", country=country("US"))  # United States / Estados Unidos
    InstitutionFactory(name="B", country=country("BR"))  # Brazil / Brasil
    InstitutionFactory(name="C", country=country("DO"))  # Dominican Republic / República Dominicana
    assert names(client.get(URL + "?sort=country")) == ["B", "C", "A"]
    assert names(client.get("/es" + URL + "?sort=country")) == ["B", "A", "C"]


def test_facet_counts_apply_the_other_filters_but_not_their_own(institutions):
    facets = institution_facets(filters=InstitutionFilters(country="CO"))
    countries = {facet.value: facet.count for facet in facets.countries}
    assert countries["CO"] == 2 and countries["CL"] == 2 and countries["PE"] == 0
    assert len(countries) == 34
    kinds = {facet.value: facet.count for facet in facets.kinds}
    assert kinds == {**dict.fromkeys(kinds, 0), "police_force": 1, "university": 1}
    statuses = {facet.value: facet.count for facet in facets.statuses}
    assert statuses == {"certified": 2, "valid": 1, "expiring": 1, "expired": 0, "none": 0}

    statuses = {f.value: f.count for f in institution_facets(filters=InstitutionFilters()).statuses}
    assert statuses == {"certified": 2, "valid": 1, "expiring": 1, "expired": 1, "none": 1}
    countries = {
        f.value: f.count for f in institution_facets(filters=InstitutionFilters(status="none")).countries
    }
    assert countries["CL"] == 1 and countries["CO"] == 0


def test_facet_counts_are_shown_next_to_each_option(client, institutions):
    page = client.get(URL + "?country=CL").content.decode()
    assert '<option value="CL" selected>Chile (2)</option>' in page
    assert '<option value="CO">Colombia (2)</option>' in page
    assert re.search(r'<option value="expired">[^<]+ \(1\)</option>', page)
    assert re.search(r'<option value="valid">[^<]+ \(0\)</option>', page)


def test_each_institution_shows_its_status_and_standards_in_force(client, institutions):
    page = client.get(URL).content.decode()
    assert 'class="status status-valid"' in page
    assert 'class="status status-expiring"' in page
    assert 'class="status status-expired"' in page
    assert 'class="status status-none"' in page
    assert page.count('<span class="standard">ISO 9001:2015</span>') == 2  # the expired one is not in force


@pytest.mark.parametrize(
    "query",
    [
        "?country=ZZ",
        "?kind=spaceship",
        "?status=<script>",
        "?sort=password",
        "?page=abc",
        "?page=999",
        "?q=" + "x" * 500,
        "?country=CO&country=CL",
        "?q=%00",
    ],
)
def test_bad_filters_are_reported_and_ignored_without_an_error(client, institutions, query):
    response = client.get(URL + query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>" not in page.split("</header>", 1)[1]
    if "country=ZZ" in query or "kind=" in query or "status=" in query or "x" * 500 in query:
        assert 'class="form-errors" role="alert"' in page


def test_an_invalid_filter_leaves_the_valid_ones_working(client, institutions):
    response = client.get(URL + "?country=ZZ&kind=university")
    assert set(names(response)) == {"Universidad Nacional de Colombia"}


def test_the_list_is_paged_by_25_and_the_links_keep_the_filters(client):
    for number in range(30):
        InstitutionFactory(name=f"Policía {number:02d}", country=country("PE"))
    InstitutionFactory(name="Elsewhere", country=country("CL"))
    first = client.get(URL + "?country=PE")
    assert len(names(first)) == 25
    page = first.content.decode()
    assert 'href="?country=PE&amp;page=2"' in page
    second = client.get(URL + "?country=PE&page=2")
    assert len(names(second)) == 5
    assert set(names(first)).isdisjoint(names(second))


def test_the_number_of_queries_does_not_grow_with_the_institutions(client, django_assert_max_num_queries):
    def make(count: int, offset: int):
        for number in range(count):
            institution = InstitutionFactory(name=f"Inst {offset + number:03d}", country=country("CO"))
            certify(institution, until_days=100 + number)
            certify(institution, until_days=-10)

    make(3, 0)
    with django_assert_max_num_queries(50) as few:
        assert client.get(URL + "?status=certified&sort=country").status_code == 200
    make(27, 100)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(URL + "?status=certified&sort=country")
    assert len(names(response)) == 25
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_site_navigation_links_to_the_institutions(client):
    page = client.get("/es" + URL).content.decode()
    assert '<a href="/es/network/institutions/" aria-current="page">' in page
