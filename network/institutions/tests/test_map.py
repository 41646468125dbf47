import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from network.institutions.selectors import certified_counts_by_country
from network.institutions.tests.factories import CertificationFactory, InstitutionFactory, country
from network.models import Country

pytestmark = pytest.mark.django_db

URL = "/network/institutions/map/"
SVG = "{http://www.w3.org/2000/svg}"


def certify(institution, *, until_days: int):
    today = timezone.localdate()
    CertificationFactory(
        institution=institution,
        valid_from=today - timedelta(days=30),
        valid_until=today + timedelta(days=until_days),
    )


@pytest.fixture
def certified():
    for _ in range(3):
        certify(InstitutionFactory(country=country("CO")), until_days=500)
    certify(InstitutionFactory(country=country("CL")), until_days=20)  # expiring is still in force
    certify(InstitutionFactory(country=country("PE")), until_days=-1)  # expired: not counted
    both = InstitutionFactory(country=country("CL"))
    certify(both, until_days=500)
    certify(both, until_days=600)  # two certifications, one institution
    InstitutionFactory(country=country("MX"))  # never certified


def svgs(page: str) -> dict[str, ET.Element]:
    found = {}
    for markup in re.findall(r"<svg .*?</svg>", page, flags=re.S):
        root = ET.fromstring(markup)  # noqa: S314 (our own page, in a test)
        found[root.get("id")] = root
    return found


def test_counts_by_country_count_institutions_with_a_certification_in_force(certified):
    assert certified_counts_by_country() == {"CO": 3, "CL": 2}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_map_page_renders_for_visitors_in_two_languages(client, certified, language):
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(prefix + URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert set(svgs(page)) == {"institutions-map", "institutions-by-country"}


def test_the_map_has_a_tile_for_every_member_state_with_its_value_and_localized_name(client, certified):
    page = client.get("/es" + URL).content.decode()
    tile_map = svgs(page)["institutions-map"]
    assert tile_map.get("role") == "img"
    tiles = {g.get("data-code"): g for g in tile_map.iter(f"{SVG}g") if g.get("class") == "tile"}
    assert set(tiles) == set(Country.objects.values_list("code", flat=True))
    assert len(tiles) == 34
    values = {code: int(float(tile.get("data-value"))) for code, tile in tiles.items()}
    assert values["CO"] == 3 and values["CL"] == 2 and values["PE"] == 0 and values["MX"] == 0
    assert sum(values.values()) == 5
    with translation.override("es"):
        peru_title = tiles["PE"].find(f"{SVG}title").text
    assert peru_title.startswith("Perú")
    assert tiles["CO"].find(f"{SVG}text").text == "CO"


def test_map_tiles_and_bars_link_to_the_filtered_list(client, certified):
    page = client.get(URL).content.decode()
    found = svgs(page)
    map_links = {a.get("href") for a in found["institutions-map"].iter(f"{SVG}a")}
    assert "/network/institutions/?country=CO&status=certified" in map_links
    bar_links = [a.get("href") for a in found["institutions-by-country"].iter(f"{SVG}a")]
    assert bar_links == [
        "/network/institutions/?country=CO&status=certified",
        "/network/institutions/?country=CL&status=certified",
    ]
    listed = client.get("/network/institutions/?country=CO&status=certified").content.decode()
    assert listed.count('class="card institution"') == 3


def test_the_bar_chart_shows_certified_countries_largest_first(client, certified):
    bars = svgs(client.get(URL).content.decode())["institutions-by-country"]
    labels = [g.find(f"{SVG}text").text for g in bars.iter(f"{SVG}g") if g.get("class") == "bar"]
    assert labels == ["Colombia", "Chile"]
    widths = [float(rect.get("width")) for rect in bars.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > 0
    assert widths[1] == pytest.approx(widths[0] * 2 / 3, abs=0.01)


def test_the_data_table_gives_the_same_numbers(client, certified):
    page = client.get(URL).content.decode()
    rows = dict(re.findall(r'<tr><th scope="row"><a href="[^"]+">([^<]+)</a></th><td>(\d+)</td></tr>', page))
    assert len(rows) == 34
    assert rows["Colombia"] == "3" and rows["Chile"] == "2" and rows["Peru"] == "0"
    assert '<th scope="col">' in page and "<caption>" in page


def test_the_map_page_with_no_institutions_renders(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "No data" in response.content.decode()


def test_the_map_page_needs_the_same_queries_however_many_institutions(client, django_assert_max_num_queries):
    for _ in range(3):
        certify(InstitutionFactory(country=country("CO")), until_days=500)
    with django_assert_max_num_queries(30) as few:
        client.get(URL)
    for code in ("AR", "BR", "CA", "US", "MX", "PE", "UY", "JM", "TT"):
        for _ in range(3):
            certify(InstitutionFactory(country=country(code)), until_days=500)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)
