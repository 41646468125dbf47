"""Four languages: Accept-Language picks the first page, the switcher's choice is
remembered (cookie and account), English stays at the unprefixed paths."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_english_is_served_at_the_bare_path_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("accept", "prefix"),
    [("es-MX,es;q=0.9,en;q=0.5", "/es/"), ("pt-BR,pt;q=0.9", "/pt-br/"), ("fr-CA,fr;q=0.8", "/fr/")],
)
def test_the_browser_language_picks_the_first_page(client, accept, prefix):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == prefix
    page = client.get(prefix)
    assert page.status_code == 200
    assert page["Content-Language"] == prefix.strip("/")


def test_an_unsupported_browser_language_falls_back_to_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"


def test_the_query_string_survives_the_language_redirect(client):
    response = client.get("/accounts/login/?next=/notifications/", HTTP_ACCEPT_LANGUAGE="es")
    assert response["Location"] == "/es/accounts/login/?next=/notifications/"


def test_switching_language_is_remembered_over_the_browser_language(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    # A Spanish browser that chose French keeps French.
    later = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    assert later["Location"] == "/fr/"


def test_choosing_english_stays_at_the_bare_paths_even_for_a_spanish_browser(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/es/accounts/login/"})
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"


def test_a_members_choice_is_saved_on_the_account(member_client, member):
    member_client.post("/i18n/setlang/", {"language": "pt-br", "next": "/"})
    member.refresh_from_db()
    assert member.language == "pt-br"


def test_an_unknown_language_changes_nothing(member_client, member):
    response = member_client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "en"


@pytest.mark.parametrize(("prefix", "language"), [("/es", "es"), ("/pt-br", "pt-br"), ("/fr", "fr")])
def test_interface_strings_are_translated(client, prefix, language):
    from django.utils import translation
    from django.utils.html import escape

    with translation.override(language):
        skip_link = translation.gettext("Skip to content")
        switch = translation.gettext("Language")
    assert skip_link != "Skip to content"
    page = client.get(f"{prefix}/accounts/login/").content.decode()
    assert escape(skip_link) in page
    assert escape(switch) in page
    assert f'<html lang="{language}">' in page


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", "March 5, 2026, 2:30 p.m."),
        ("/es", "5 de marzo de 2026 a las 14:30"),
        ("/fr", "5 mars 2026 14:30"),
    ],
)
def test_dates_follow_the_language(member_client, member, prefix, expected):
    from datetime import UTC, datetime

    from network.models import Notification
    from network.services import notify

    notification = notify(user=member, verb="network.announcement", params={"title": "Webinar"})
    Notification.objects.filter(id=notification.id).update(
        created_at=datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    )
    page = member_client.get(f"{prefix}/notifications/").content.decode()
    assert expected in page


@pytest.mark.parametrize("locale_dir", ["es", "pt_BR", "fr"])
def test_catalogues_are_complete_real_translations(locale_dir):
    """Every project string is translated (nothing fuzzy or empty), and not by copying the English."""
    import gettext
    import shutil
    import subprocess

    po = settings.BASE_DIR / "locale" / locale_dir / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"{po} is missing"
    if shutil.which("msgfmt"):
        stats = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
            capture_output=True,
            text=True,
            env={"LC_ALL": "C"},
        )
        assert stats.returncode == 0, stats.stderr
        assert "fuzzy" not in stats.stderr and "untranslated" not in stats.stderr, stats.stderr
    with open(po.with_suffix(".mo"), "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    entries = {k: v for k, v in catalog.items() if k}
    assert len(entries) > 50
    copies = [k for k, v in entries.items() if isinstance(k, str) and k == v and len(k) > 12]
    assert len(copies) <= len(entries) // 20, copies


@pytest.mark.parametrize("path", ["/sitemap.xml", "/library/feeds/news.xml", "/healthz"])
def test_language_neutral_urls_are_not_redirected_for_a_spanish_browser(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
