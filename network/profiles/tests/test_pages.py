"""Every page of the app in two languages, for visitors, and the edit form's behaviour."""

import pytest
from django.utils.html import format_html

from network.models import Country, Topic
from network.profiles import registry
from network.profiles.models import Profile
from network.profiles.tests.factories import image_bytes, make_profile, upload
from tests.factories import UserFactory, member_of

pytestmark = pytest.mark.django_db

MEMBER_PAGES = ["/network/members/", "/network/members/subject/", "/network/members/me/edit/"]


@pytest.fixture
def sharing_client(client, prevention, subject):
    client.force_login(member_of(prevention))
    return client


@pytest.mark.parametrize(
    "path", MEMBER_PAGES + ["/network/members/me/", "/network/members/subject/photo/96.jpg"]
)
@pytest.mark.parametrize("prefix", ["", "/es"])
def test_visitors_are_sent_to_the_login_page(client, subject, path, prefix):
    response = client.get(prefix + path)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("path", MEMBER_PAGES)
@pytest.mark.parametrize("language", ["en", "es", "pt-br"])
def test_member_pages_render_in_each_language(sharing_client, path, language):
    prefix = "" if language == "en" else f"/{language}"
    response = sharing_client.get(prefix + path)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert page.count("<h1") == 1
    assert "profiles/profiles.css" in page
    assert "<script>" not in page and "style=" not in page  # the CSP forbids inline code


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_member_not_yet_vetted_learns_how_to_apply(client, language):
    client.force_login(UserFactory())
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(prefix + "/network/members/")
    assert response.status_code == 403
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert f'href="{prefix}/network/apply/"' in page


def test_me_redirects_to_the_members_own_profile(client, subject):
    client.force_login(subject)
    response = client.get("/network/members/me/")
    assert response.status_code == 302
    assert response["Location"] == "/network/members/subject/"


def test_a_member_not_yet_vetted_may_see_and_edit_their_own_profile(client):
    user = UserFactory(username="newbie", display_name="New Bie")
    client.force_login(user)
    assert client.get("/network/members/newbie/").status_code == 200
    response = client.post("/network/members/me/edit/", form_data(user, position="Intern"))
    assert response.status_code == 302
    assert Profile.objects.get(user=user).position == "Intern"


def test_the_members_link_is_in_the_navigation_of_signed_in_users(client, subject):
    assert 'href="/network/members/"' not in client.get("/accounts/login/").content.decode()
    client.force_login(subject)
    assert 'href="/network/members/"' in client.get("/notifications/").content.decode()


def form_data(user, **overrides) -> dict:
    data = {
        "display_name": user.display_name or user.username,
        "country": "",
        "institution": "",
        "institution_name_other": "",
        "position": "",
        "languages_other": "",
        "bio": "",
        "contact_preference": "message",
        "photo_visibility": "members",
        "country_visibility": "members",
        "institution_visibility": "members",
        "position_visibility": "members",
        "expertise_visibility": "members",
        "languages_visibility": "members",
        "bio_visibility": "members",
        "email_visibility": "nobody",
    }
    data.update(overrides)
    return data


def test_the_edit_form_saves_every_field_and_updates_the_search_text(client, prevention):
    user = member_of(prevention, username="editor", display_name="Old Name")
    client.force_login(user)
    cyber = Topic.objects.get(slug="cybercrime")
    response = client.post(
        "/network/members/me/edit/",
        form_data(
            user,
            display_name="Nueva Nómbrez",
            country="CL",
            position="Fiscal",
            expertise=[cyber.pk],
            languages_spoken=["es", "qu"],
            languages_other="Mapudungun",
            bio="Hola",
            contact_preference="email",
            email_visibility="members",
            bio_visibility="nobody",
            photo=upload(image_bytes("JPEG"), "me.jpg", "image/jpeg"),
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == "/network/members/editor/"
    profile = Profile.objects.get(user=user)
    user.refresh_from_db()
    assert user.display_name == "Nueva Nómbrez"
    assert profile.country_id == "CL"
    assert list(profile.expertise.all()) == [cyber]
    assert sorted(profile.languages_spoken.values_list("code", flat=True)) == ["es", "qu"]
    assert profile.bio_visibility == "nobody"
    assert profile.photo and profile.photo_thumbnail
    assert profile.sort_name == "nueva nombrez"
    assert "chile" in profile.search_document and "fiscal" in profile.search_document
    assert "hola" not in profile.search_document


def test_the_edit_form_can_remove_the_photo(client, subject, django_capture_on_commit_callbacks):
    client.force_login(subject)
    assert 'name="remove_photo"' in client.get("/network/members/me/edit/").content.decode()
    data = form_data(subject, remove_photo="on", contact_preference="email", email_visibility="members")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/network/members/me/edit/", data).status_code == 302
    assert not Profile.objects.get(user=subject).photo


@pytest.mark.parametrize(
    ("photo", "code"),
    [
        (lambda: upload(b"%PDF-1.4 not an image", "cv.jpg", "image/jpeg"), "invalid"),
        (lambda: upload(image_bytes("PNG", size=(6001, 4), mode="L", color=0)), "too_large"),
        (lambda: upload(image_bytes("PNG", size=(8, 8)) + b"\0" * (5 * 1024 * 1024 + 1)), "too_big"),
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_bad_photo_is_refused_with_a_message_in_the_users_language_and_nothing_changes(
    client, subject, photo, code, language
):
    from django.utils import translation

    from network.profiles.photos import MESSAGES

    client.force_login(subject)
    prefix = "" if language == "en" else f"/{language}"
    data = form_data(subject, position="Changed", contact_preference="email", email_visibility="members")
    data["photo"] = photo()
    response = client.post(prefix + "/network/members/me/edit/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    with translation.override(language):
        message = str(MESSAGES[code])
    from django.utils.html import escape

    assert escape(message) in page
    assert 'id="id_photo_error"' in page
    profile = Profile.objects.get(user=subject)
    assert profile.position == "Zanzibar analyst"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"display_name": "   "}, "display_name"),
        ({"bio": "x" * 1001}, "bio"),
        ({"country": "ZZ"}, "country"),
        ({"expertise": ["999999"]}, "expertise"),
        ({"photo_visibility": "everyone"}, "photo_visibility"),
        ({"contact_preference": "email", "email_visibility": "nobody"}, None),
    ],
)
def test_bad_input_re_renders_the_form_with_errors_and_changes_nothing(client, prevention, overrides, field):
    user = member_of(prevention, display_name="Stays Same")
    make_profile(user, position="Unchanged", country=Country.objects.get(code="MX"))
    client.force_login(user)
    data = form_data(user, position="Changed", country="MX")
    data.update(overrides)
    response = client.post("/es/network/members/me/edit/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="form-errors" role="alert"' in page
    if field:
        assert f'id="id_{field}_error"' in page
    profile = Profile.objects.get(user=user)
    user.refresh_from_db()
    assert profile.position == "Unchanged"
    assert user.display_name == "Stays Same"


def test_a_member_cannot_edit_someone_elses_profile_through_the_service(subject, prevention):
    from django.core.exceptions import PermissionDenied

    from network.profiles.services import profile_update

    other = member_of(prevention)
    with pytest.raises(PermissionDenied):
        profile_update(profile=subject.profile, by=other, values={"position": "Hacked"})
    assert Profile.objects.get(user=subject).position == "Zanzibar analyst"


@pytest.fixture
def registered_hooks():
    yield
    registry.unregister("test-section")
    registry.unregister("test-contact")


def test_no_contact_button_when_no_action_is_registered(sharing_client, subject, monkeypatch):
    # Apps register theirs (chat's "Send a message"): take them away for this test only.
    monkeypatch.setattr(registry, "_contact_actions", {})
    profile = subject.profile
    profile.contact_preference = "message"
    profile.save()
    page = sharing_client.get("/network/members/subject/").content.decode()
    actions = page.split('<div class="profile-actions">', 1)[1].split("</div>", 1)[0]
    assert actions.strip() == ""


def test_registered_sections_and_contact_actions_render_on_the_profile(
    registered_hooks, sharing_client, subject, client
):
    seen = []

    def section(viewer, member):
        seen.append((viewer.pk, member.pk))
        return format_html('<section class="card" data-test-section><h2>{}</h2></section>', "Forum posts")

    def contact(viewer, member, profile):
        if profile.contact_preference != "message":
            return None
        return format_html(
            '<a class="button" data-test-contact href="/chat/dm/{}/">Message</a>', member.username
        )

    registry.register_profile_section("test-section", section, order=5)
    registry.register_contact_action("test-contact", contact)
    page = sharing_client.get("/network/members/subject/").content.decode()
    assert "data-test-section" in page
    assert "data-test-contact" not in page  # the subject prefers e-mail
    profile = subject.profile
    profile.contact_preference = "message"
    profile.save()
    assert "data-test-contact" in sharing_client.get("/network/members/subject/").content.decode()
    profile.contact_preference = "none"
    profile.save()
    page = sharing_client.get("/network/members/subject/").content.decode()
    assert "data-test-contact" not in page
    # The member does not get a button to contact themself.
    client.force_login(subject)
    profile.contact_preference = "message"
    profile.save()
    assert "data-test-contact" not in client.get("/network/members/subject/").content.decode()
    assert seen
