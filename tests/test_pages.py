"""Every page: renders in two languages, and anonymous visitors get what they should."""

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from network.models import Announcement, Notification, NotificationPreference
from network.permissions import DPS_STAFF_GROUP
from network.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
MEMBER_PAGES = [
    "/notifications/",
    "/notifications/preferences/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/3rdparty/",
]


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_public_pages_render_for_visitors_in_each_language(client, path, language):
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(prefix + path)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert in_language(language, "Skip to content") in page


@pytest.mark.parametrize("path", MEMBER_PAGES + ["/notifications/announce/"])
def test_member_pages_send_visitors_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", MEMBER_PAGES)
@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_member_pages_render_in_each_language(member_client, path, language):
    prefix = "" if language == "en" else f"/{language}"
    response = member_client.get(prefix + path)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_unknown_page_gets_a_404_in_the_users_language(client, language):
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(prefix + "/no/such/page/")
    assert response.status_code == 404
    assert in_language(language, "Page not found") in response.content.decode()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_forbidden_page_gets_a_403_in_the_users_language(member_client, language):
    prefix = "" if language == "en" else f"/{language}"
    response = member_client.get(prefix + "/notifications/announce/")
    assert response.status_code == 403
    assert in_language(language, "Access denied") in response.content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_server_error_gets_a_500_page_in_the_users_language(member_client, language, monkeypatch):
    import network.views

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(network.views.selectors, "notification_list_for", explode)
    member_client.raise_request_exception = False
    prefix = "" if language == "en" else f"/{language}"
    response = member_client.get(prefix + "/notifications/")
    assert response.status_code == 500
    assert in_language(language, "Something went wrong") in response.content.decode()


def test_the_home_page_is_light(client):
    """The first load stays far under 200 KB: the page plus its own CSS and JS."""
    from django.contrib.staticfiles import finders

    page = client.get("/").content
    total = len(page)
    for asset in ("css/puente.css", "js/puente.js", "img/puente.svg"):
        with open(finders.find(asset), "rb") as handle:
            total += len(handle.read())
    assert total < 60_000, total


def test_the_unread_badge_counts_the_members_unread_notifications(member_client, member):
    for title in ("One", "Two"):
        notify(user=member, verb="network.announcement", params={"title": title})
    page = member_client.get("/").content.decode()
    assert "<span data-unread-count>2</span>" in page


def test_the_notification_list_shows_only_the_members_own(member_client, member):
    other = UserFactory()
    notify(user=member, verb="network.announcement", params={"title": "For the member"})
    notify(user=other, verb="network.announcement", params={"title": "For someone else"})
    page = member_client.get("/notifications/").content.decode()
    assert "For the member" in page
    assert "For someone else" not in page


def test_notification_text_is_escaped(member_client, member):
    notify(user=member, verb="network.announcement", params={"title": "<script>alert(1)</script>"})
    page = member_client.get("/notifications/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_notification_list_runs_the_same_queries_for_5_or_50_items(
    member_client, member, django_assert_max_num_queries
):
    actor = UserFactory()
    for index in range(5):
        notify(user=member, verb="network.announcement", actor=actor, params={"title": f"n{index}"})
    with django_assert_max_num_queries(12) as few:
        member_client.get("/notifications/")
    for index in range(45):
        notify(user=member, verb="network.announcement", actor=actor, params={"title": f"m{index}"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        member_client.get("/notifications/")


def test_preferences_are_saved_and_bad_choices_change_nothing(member_client, member):
    response = member_client.post(
        "/notifications/preferences/", {"network.announcement": "daily", "network.welcome": "off"}
    )
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=member, verb="network.announcement").delivery == "daily"
    bad = member_client.post(
        "/es/notifications/preferences/", {"network.announcement": "hourly", "network.welcome": "off"}
    )
    assert bad.status_code == 200
    with translation.override("es"):
        assert (
            translation.gettext("Select a valid choice. %(value)s is not one of the available choices.")
            % {"value": "hourly"}
            in bad.content.decode()
        )
    assert NotificationPreference.objects.get(user=member, verb="network.announcement").delivery == "daily"


@pytest.fixture
def staff_client(client):
    staff = UserFactory()
    staff.groups.add(Group.objects.get_or_create(name=DPS_STAFF_GROUP)[0])
    # Staff need two-factor; give this one an authenticator.
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    return client


def test_staff_announce_to_every_member_and_see_delivery_progress(
    staff_client, django_capture_on_commit_callbacks
):
    members = [UserFactory() for _ in range(3)]
    inactive = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/notifications/announce/", {"title": "Webinar on Friday", "body": "Join us."}
        )
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    for member in members:
        assert Notification.objects.filter(recipient=member, verb="network.announcement").count() == 1
    assert not Notification.objects.filter(recipient=inactive).exists()
    announcement.refresh_from_db()
    assert announcement.recipients_done == announcement.recipients_total == 4  # three members and the author
    page = staff_client.get("/notifications/announce/").content.decode()
    assert "Webinar on Friday" in page
    assert '<progress max="100" value="100">' in page


def test_an_empty_announcement_is_refused_with_a_message_and_sends_nothing(staff_client):
    response = staff_client.post("/fr/notifications/announce/", {"title": "", "body": ""})
    assert response.status_code == 200
    assert in_language("fr", "This field is required.") in response.content.decode()
    assert not Announcement.objects.exists()
    assert not Notification.objects.exists()


def test_members_cannot_announce(member_client):
    response = member_client.post("/notifications/announce/", {"title": "Spam", "body": "Spam"})
    assert response.status_code == 403
    assert not Announcement.objects.exists()


def test_the_home_page_title_is_plain_text_and_its_sections_appear_once(client):
    page = client.get("/").content.decode()
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title
    assert title.strip().endswith("Puente")
    assert page.count('id="networks-heading"') == 1
    assert page.count("<section") == page.count("</section>")
