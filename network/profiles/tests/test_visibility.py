"""Who sees which profile and which of its fields, in every place a field can show or be found:
the directory, the profile page, the photo files, search and filters."""

import pytest

from network.models import Country, Topic
from network.profiles.models import Profile
from network.profiles.tests.factories import language, show

pytestmark = pytest.mark.django_db

ALL_VIEWERS = ["anonymous", "not_vetted", "other_network", "sharing", "self", "staff"]
MAY_SEE_PROFILE = {"sharing", "self", "staff"}

# field → text that appears on a page only when the field is shown
FIELD_TEXT = {
    "country": "Paraguay",
    "institution": "Xylophonic Institute",
    "position": "Zanzibar analyst",
    "expertise": "Cybercrime",
    "languages": "Guarani",
    "bio": "Second line",
    "email": "zq@example.org",
}
# field → a search that finds the subject only through that field
FIELD_SEARCH = {
    "country": "paraguai",  # the Portuguese name
    "institution": "xylophonic",
    "position": "zanzibar",
    "expertise": "cybercriminalite",  # the French name, without its accent
}


def results_of(response) -> str:
    """The directory's result list (the filter form lists every country and topic)."""
    page = response.content.decode()
    start = page.find('class="member-list"')
    return page[start : page.find("</main>")] if start >= 0 else ""


@pytest.mark.parametrize("kind", ALL_VIEWERS)
def test_the_directory_lists_the_member_only_to_viewers_who_share_a_network(kind, viewers, client_as):
    response = client_as(viewers[kind]).get("/network/members/")
    if kind == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif kind == "not_vetted":
        assert response.status_code == 403
        assert 'href="/network/apply/"' in response.content.decode()
        assert "Quillfeather" not in response.content.decode()
    else:
        assert response.status_code == 200
        assert ("Zoë Quillfeather" in results_of(response)) == (kind in MAY_SEE_PROFILE)


@pytest.mark.parametrize("kind", ALL_VIEWERS)
def test_the_profile_page_is_seen_only_by_viewers_who_share_a_network(kind, viewers, client_as):
    response = client_as(viewers[kind]).get("/network/members/subject/")
    if kind == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif kind in MAY_SEE_PROFILE:
        assert response.status_code == 200
        assert "<h1>Zoë Quillfeather</h1>" in response.content.decode()
    else:
        # Looks exactly like a member that does not exist.
        assert response.status_code == 404
        assert "Quillfeather" not in response.content.decode()
        assert client_as(viewers[kind]).get("/network/members/nobody-by-that-name/").status_code == 404


@pytest.mark.parametrize("field", sorted(FIELD_TEXT))
@pytest.mark.parametrize("kind", ["sharing", "self", "staff"])
def test_each_field_shows_on_the_profile_page_only_when_the_member_shows_it(
    field, kind, subject, viewers, client_as
):
    client = client_as(viewers[kind])
    assert FIELD_TEXT[field] in client.get("/network/members/subject/").content.decode()
    show(subject.profile, field, visible=False)
    page = client.get("/network/members/subject/").content.decode()
    assert (FIELD_TEXT[field] in page) == (kind == "self")


@pytest.mark.parametrize("field", sorted(set(FIELD_TEXT) - {"bio", "email"}))
@pytest.mark.parametrize("kind", ["sharing", "staff"])
def test_each_field_shows_in_the_directory_only_when_the_member_shows_it(
    field, kind, subject, viewers, client_as
):
    client = client_as(viewers[kind])
    assert FIELD_TEXT[field] in results_of(client.get("/network/members/"))
    show(subject.profile, field, visible=False)
    results = results_of(client.get("/network/members/"))
    assert "Zoë Quillfeather" in results
    assert FIELD_TEXT[field] not in results


def test_the_bio_is_escaped_and_keeps_its_line_breaks(viewers, client_as):
    page = client_as(viewers["sharing"]).get("/network/members/subject/").content.decode()
    assert "<b>line</b>" not in page
    assert "First &lt;b&gt;line&lt;/b&gt;<br>Second line" in page


def test_the_member_sees_which_of_their_fields_are_hidden(subject, viewers, client_as):
    show(subject.profile, "position", visible=False)
    own = client_as(subject).get("/network/members/subject/").content.decode()
    assert "Zanzibar analyst" in own
    assert 'class="tag"' in own
    other = client_as(viewers["sharing"]).get("/network/members/subject/").content.decode()
    assert "Zanzibar analyst" not in other


@pytest.mark.parametrize("kind", ALL_VIEWERS)
def test_the_photo_is_served_only_to_viewers_who_may_see_it(kind, viewers, client_as):
    for size in ("400", "96"):
        response = client_as(viewers[kind]).get(f"/network/members/subject/photo/{size}.jpg")
        if kind == "anonymous":
            assert response.status_code == 302
        elif kind in MAY_SEE_PROFILE:
            assert response.status_code == 200
            assert response["Content-Type"] == "image/jpeg"
            assert "private" in response["Cache-Control"]
            assert "public" not in response["Cache-Control"]
            assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
        else:
            assert response.status_code == 404


@pytest.mark.parametrize("kind", ["sharing", "staff"])
def test_a_hidden_photo_is_neither_linked_nor_served(kind, subject, viewers, client_as):
    client = client_as(viewers[kind])
    assert "/network/members/subject/photo/96.jpg?v=" in results_of(client.get("/network/members/"))
    assert (
        "/network/members/subject/photo/400.jpg?v="
        in client.get("/network/members/subject/").content.decode()
    )
    show(subject.profile, "photo", visible=False)
    assert "/photo/" not in results_of(client.get("/network/members/"))
    assert "/photo/" not in client.get("/network/members/subject/").content.decode()
    assert client.get("/network/members/subject/photo/400.jpg").status_code == 404
    assert client.get("/network/members/subject/photo/96.jpg").status_code == 404
    # The member still sees their own.
    assert client_as(subject).get("/network/members/subject/photo/96.jpg").status_code == 200


def test_photos_are_never_linked_by_their_media_path(subject, viewers, client_as):
    client = client_as(viewers["sharing"])
    for path in ("/network/members/", "/network/members/subject/"):
        page = client.get(path).content.decode()
        assert "/media/" not in page
        assert subject.profile.photo.name not in page


def test_an_unknown_photo_size_is_a_404(viewers, client_as):
    assert client_as(viewers["sharing"]).get("/network/members/subject/photo/4000.jpg").status_code == 404


@pytest.mark.parametrize("field", sorted(FIELD_SEARCH))
@pytest.mark.parametrize("kind", ["sharing", "self", "staff"])
def test_a_member_is_found_by_a_field_only_while_they_show_it(field, kind, subject, viewers, client_as):
    client = client_as(viewers[kind])
    query = FIELD_SEARCH[field]
    assert "Zoë Quillfeather" in results_of(client.get("/network/members/", {"q": query}))
    show(subject.profile, field, visible=False)
    # Hidden fields are left out of the search text: not even the member finds themself by them.
    assert "Zoë Quillfeather" not in results_of(client.get("/network/members/", {"q": query}))
    assert "Zoë Quillfeather" in results_of(client.get("/network/members/", {"q": "quillfeather"}))


FILTERS = {
    "country": ("country", lambda: "PY"),
    "expertise": ("topic", lambda: "cybercrime"),
    "languages": ("language", lambda: "gn"),
}


@pytest.mark.parametrize("field", sorted(FILTERS))
@pytest.mark.parametrize("kind", ["sharing", "self", "staff"])
def test_a_member_is_found_by_a_filter_only_while_they_show_the_field(
    field, kind, subject, viewers, client_as
):
    client = client_as(viewers[kind])
    parameter, value = FILTERS[field]
    assert "Zoë Quillfeather" in results_of(client.get("/network/members/", {parameter: value()}))
    show(subject.profile, field, visible=False)
    assert "Zoë Quillfeather" not in results_of(client.get("/network/members/", {parameter: value()}))


def test_a_member_is_found_by_institution_only_while_they_show_it(subject, viewers, client_as):
    from network.institutions.models import Institution

    institution = Institution.objects.create(
        name="Instituto Ñandutí", acronym="IÑ", country=Country.objects.get(code="PY"), kind="university"
    )
    profile = subject.profile
    profile.institution = institution
    profile.save(update_fields=["institution"])
    from network.profiles.services import profile_refresh_search

    profile_refresh_search(profile=profile)
    client = client_as(viewers["sharing"])
    assert "Zoë Quillfeather" in results_of(client.get("/network/members/", {"institution": institution.pk}))
    assert "Zoë Quillfeather" in results_of(client.get("/network/members/", {"q": "nanduti"}))
    show(profile, "institution", visible=False)
    assert "Zoë Quillfeather" not in results_of(
        client.get("/network/members/", {"institution": institution.pk})
    )
    assert "Zoë Quillfeather" not in results_of(client.get("/network/members/", {"q": "nanduti"}))


def test_an_inactive_or_departed_member_disappears_from_the_directory_and_profile(
    subject, prevention, viewers, client_as
):
    client = client_as(viewers["sharing"])
    membership = subject.memberships.get(network=prevention)
    membership.status = "left"
    membership.save()
    assert "Zoë Quillfeather" not in results_of(client.get("/network/members/"))
    assert client.get("/network/members/subject/").status_code == 404
    membership.status = "active"
    membership.save()
    subject.is_active = False
    subject.save()
    assert "Zoë Quillfeather" not in results_of(client.get("/network/members/"))
    assert client.get("/network/members/subject/").status_code == 404


def test_the_profile_shows_only_the_networks_the_viewer_shares(subject, police, viewers, client_as):
    from network.models import Membership

    Membership.objects.create(user=subject, network=police, role="moderator")
    sharing_page = client_as(viewers["sharing"]).get("/network/members/subject/").content.decode()
    assert "Prevention network" in sharing_page
    assert "Police network" not in sharing_page
    staff_page = client_as(viewers["staff"]).get("/network/members/subject/").content.decode()
    assert "Prevention network" in staff_page
    assert "Police network" in staff_page
    assert "Moderator" in staff_page


def test_the_email_contact_shows_only_when_the_member_allows_it(subject, viewers, client_as):
    client = client_as(viewers["sharing"])
    assert 'href="mailto:zq@example.org"' in client.get("/network/members/subject/").content.decode()
    show(subject.profile, "email", visible=False)
    assert "zq@example.org" not in client.get("/network/members/subject/").content.decode()


def test_fields_hidden_in_the_profile_stay_out_of_the_stored_search_text(subject):
    profile = Profile.objects.get(user=subject)
    assert "zanzibar" in profile.search_document
    assert "paraguay" in profile.search_document
    for field in ("position", "country", "institution", "expertise"):
        show(profile, field, visible=False)
    profile.refresh_from_db()
    assert profile.search_document == "zoe quillfeather"


def test_filters_and_topics_ignore_hidden_language_even_for_other_languages(subject, viewers, client_as):
    # A hidden field stays hidden in every language of the interface.
    show(subject.profile, "languages", visible=False)
    client = client_as(viewers["sharing"])
    for prefix in ("", "/es", "/fr"):
        response = client.get(f"{prefix}/network/members/", {"language": "gn"})
        assert "Quillfeather" not in results_of(response)
    assert Topic.objects.get(slug="cybercrime") in subject.profile.expertise.all()
    assert language("gn") in subject.profile.languages_spoken.all()
