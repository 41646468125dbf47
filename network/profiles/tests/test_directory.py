"""The directory: search, filters, keyset paging, query counts and bad input."""

import re

import pytest

from network.models import Country, Topic
from network.profiles import selectors
from network.profiles.models import Profile
from network.profiles.tests.factories import image_bytes, language, make_profile, upload
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def names_in(response) -> list[str]:
    page = response.content.decode()
    return re.findall(r'<h3><a href="/(?:[a-z-]+/)?network/members/[^/]+/">([^<]+)</a></h3>', page)


@pytest.fixture
def viewer(prevention):
    return member_of(prevention, display_name="Viewer Vásquez", username="viewer")


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


def add_member(network, name, **values):
    user = member_of(network, display_name=name)
    make_profile(user, **values)
    return user


def test_members_are_sorted_by_name_and_paged_forwards_and_backwards(prevention, viewer_client):
    # Duplicated names: the order is still total (name, then id) and no one is lost or repeated.
    for index in range(44):
        add_member(prevention, f"Member {index // 2:02d}")
    expected = sorted(["Viewer Vásquez"] + [f"Member {index // 2:02d}" for index in range(44)])
    first = viewer_client.get("/network/members/")
    assert names_in(first) == expected[:20]
    next_url = re.search(r'<a rel="next" href="([^"]+)"', first.content.decode()).group(1)
    assert 'rel="prev"' not in first.content.decode()
    second = viewer_client.get("/network/members/" + next_url.replace("&amp;", "&"))
    assert names_in(second) == expected[20:40]
    third_url = re.search(r'<a rel="next" href="([^"]+)"', second.content.decode()).group(1)
    third = viewer_client.get("/network/members/" + third_url.replace("&amp;", "&"))
    assert names_in(third) == expected[40:]
    assert 'rel="next"' not in third.content.decode()
    back_url = re.search(r'<a rel="prev" href="([^"]+)"', third.content.decode()).group(1)
    back = viewer_client.get("/network/members/" + back_url.replace("&amp;", "&"))
    assert names_in(back) == expected[20:40]
    back_again = re.search(r'<a rel="prev" href="([^"]+)"', back.content.decode()).group(1)
    assert (
        names_in(viewer_client.get("/network/members/" + back_again.replace("&amp;", "&"))) == expected[:20]
    )


def test_paging_keeps_the_search_and_filters(prevention, viewer_client):
    for index in range(25):
        add_member(prevention, f"García {index:02d}", country=Country.objects.get(code="MX"))
    add_member(prevention, "García Elsewhere", country=Country.objects.get(code="AR"))
    first = viewer_client.get("/network/members/", {"q": "garcia", "country": "MX"})
    next_url = (
        re.search(r'<a rel="next" href="([^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")
    )
    assert "q=garcia" in next_url and "country=MX" in next_url
    assert '<option value="MX" selected>' in first.content.decode()
    assert 'value="garcia"' in first.content.decode()
    second = viewer_client.get("/network/members/" + next_url)
    assert names_in(second) == [f"García {index:02d}" for index in range(20, 25)]


def test_the_total_is_counted_up_to_a_cap(prevention, viewer_client, monkeypatch):
    for index in range(6):
        add_member(prevention, f"Counted {index}")
    assert "7 members" in viewer_client.get("/network/members/").content.decode()
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    assert "More than 5 members" in viewer_client.get("/network/members/").content.decode()


def test_search_ignores_case_and_accents_and_matches_word_starts(prevention, viewer_client):
    add_member(prevention, "José Ñúñez", position="Comisario")
    add_member(prevention, "Joseph Smith", position="Superintendent")
    assert names_in(viewer_client.get("/network/members/", {"q": "JOSE nunez"})) == ["José Ñúñez"]
    assert names_in(viewer_client.get("/network/members/", {"q": "jos"})) == ["José Ñúñez", "Joseph Smith"]
    assert names_in(viewer_client.get("/network/members/", {"q": "comisário"})) == ["José Ñúñez"]
    # Inside a word is not a word start.
    assert names_in(viewer_client.get("/network/members/", {"q": "seph"})) == []


def test_search_finds_countries_and_expertise_in_every_language(prevention, viewer_client):
    add_member(
        prevention,
        "Ana Souza",
        country=Country.objects.get(code="BR"),
        expertise=[Topic.objects.get(slug="maritime-security")],
    )
    for query in ("brazil", "brasil", "bresil", "portuaria", "portuaire", "maritime port"):
        assert names_in(viewer_client.get("/network/members/", {"q": query})) == ["Ana Souza"], query


def test_filters_combine(prevention, police, viewer, viewer_client):
    from network.institutions.models import Institution
    from network.models import Membership

    Membership.objects.create(user=viewer, network=police)
    mexico = Country.objects.get(code="MX")
    institution = Institution.objects.create(name="SSPC", country=mexico, kind="ministry")
    cyber = Topic.objects.get(slug="cybercrime")
    add_member(prevention, "Both Match", country=mexico, expertise=[cyber], languages=[language("es")])
    add_member(police, "Police Match", country=mexico, expertise=[cyber], institution=institution)
    add_member(prevention, "Wrong Topic", country=mexico, expertise=[Topic.objects.get(slug="migration")])
    add_member(prevention, "Wrong Country", country=Country.objects.get(code="CL"), expertise=[cyber])
    found = names_in(viewer_client.get("/network/members/", {"country": "MX", "topic": "cybercrime"}))
    assert found == ["Both Match", "Police Match"]
    assert names_in(
        viewer_client.get("/network/members/", {"country": "MX", "topic": "cybercrime", "network": police.pk})
    ) == ["Police Match"]
    assert names_in(viewer_client.get("/network/members/", {"institution": institution.pk})) == [
        "Police Match"
    ]
    assert names_in(viewer_client.get("/network/members/", {"language": "es", "country": "MX"})) == [
        "Both Match"
    ]


def test_the_network_filter_offers_and_accepts_only_the_viewers_networks(prevention, police, viewer_client):
    add_member(police, "Police Only")
    page = viewer_client.get("/network/members/").content.decode()
    assert f'<option value="{prevention.pk}">' in page
    assert f'<option value="{police.pk}">' not in page
    response = viewer_client.get("/network/members/", {"network": police.pk})
    assert response.status_code == 200
    assert "Police Only" not in names_in(response)
    assert 'class="errorlist"' in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"country": "ZZ"},
        {"country": "<script>"},
        {"network": "abc"},
        {"network": "999999"},
        {"institution": "-1"},
        {"topic": "no-such-topic"},
        {"language": "xx"},
        {"after": "not-a-number"},
        {"before": "99999999"},
        {"after": "1e9"},
    ],
)
def test_bad_filter_values_are_reported_and_ignored(params, prevention, viewer_client):
    add_member(prevention, "Still Listed")
    response = viewer_client.get("/es/network/members/", params)
    assert response.status_code == 200
    assert '<html lang="es">' in response.content.decode()
    assert "Still Listed" in names_in(response)
    if not {"after", "before"} & set(params):
        assert 'class="errorlist"' in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_a_5000_character_query_gives_a_normal_page(prevention, viewer_client):
    add_member(prevention, "Long Query")
    response = viewer_client.get("/network/members/", {"q": "garcía " * 700})
    assert response.status_code == 200
    assert names_in(response) == []
    assert 'class="errorlist"' not in response.content.decode()
    response = viewer_client.get("/network/members/", {"q": "long " + "x" * 5000})
    assert response.status_code == 200


def test_a_query_of_only_punctuation_lists_everyone(prevention, viewer_client):
    add_member(prevention, "Punctuated")
    assert "Punctuated" in names_in(viewer_client.get("/network/members/", {"q": "&|!:*()'\""}))


def test_dps_staff_see_members_of_every_network(prevention, police, client):
    from network.profiles.tests.factories import staff_user

    add_member(prevention, "In Prevention")
    add_member(police, "In Police")
    client.force_login(staff_user())
    assert names_in(client.get("/network/members/")) == ["In Police", "In Prevention"]


def seed_members(network, count: int, start: int = 0):
    from network.institutions.models import Institution

    mexico = Country.objects.get(code="MX")
    institution = Institution.objects.get_or_create(name="SSPC", country=mexico, kind="ministry")[0]
    topics = list(Topic.objects.all()[:3])
    for index in range(start, start + count):
        add_member(
            network,
            f"Row {index:03d}",
            country=mexico,
            institution=institution if index % 2 else None,
            institution_name_other="" if index % 2 else "Elsewhere",
            expertise=topics,
            languages=[language("es"), language("en")],
            photo=upload(image_bytes(size=(20, 20))) if index % 3 == 0 else None,
        )


@pytest.mark.parametrize("params", [{}, {"q": "row"}, {"country": "MX", "topic": "community-policing"}])
def test_the_directory_runs_the_same_queries_for_3_or_30_members(
    params, prevention, viewer_client, django_assert_max_num_queries
):
    seed_members(prevention, 3)
    with django_assert_max_num_queries(30) as few:
        response = viewer_client.get("/network/members/", params)
    assert len(names_in(response)) >= 3
    seed_members(prevention, 27, start=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = viewer_client.get("/network/members/", params)
    assert len(names_in(response)) == 20


def test_a_member_without_a_profile_yet_appears_once_they_open_the_directory(prevention, client):
    newcomer = member_of(prevention, display_name="New Comer")
    assert not Profile.objects.filter(user=newcomer).exists()
    client.force_login(newcomer)
    assert "New Comer" in names_in(client.get("/network/members/"))
