import pytest
from django.contrib.auth.models import Group
from wagtail.models import Locale, PageViewRestriction, WorkflowPage

from library.management.commands.import_activity_sheets import default_sheets_path
from library.models import (
    ArticlePage,
    BestPracticePage,
    LibraryItem,
    ProgrammePage,
    PublicationPage,
    VideoPage,
)
from library.seed import seed_library
from network.seed import seed_accounts, seed_networks

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not default_sheets_path().is_file(), reason="the shared activity sheets are not here"),
]


@pytest.fixture
def seeded():
    seed_accounts()
    seed_networks()
    steps = []
    seed_library(progress=steps.append)
    return steps


def test_the_seeder_creates_programmes_translations_and_demo_content_once(seeded):
    assert seeded and all(step == 1 for step in seeded)
    counts = {
        model: model.objects.filter(locale__language_code="en").count()
        for model in (ProgrammePage, PublicationPage, BestPracticePage, ArticlePage, VideoPage)
    }
    seed_library()
    assert counts == {
        model: model.objects.filter(locale__language_code="en").count()
        for model in (ProgrammePage, PublicationPage, BestPracticePage, ArticlePage, VideoPage)
    }
    assert counts[ProgrammePage] == 6
    assert counts[PublicationPage] + counts[BestPracticePage] >= 12
    assert counts[VideoPage] >= 1 and counts[ArticlePage] >= 1
    assert PageViewRestriction.objects.filter(restriction_type="login").exists()
    assert set(LibraryItem.objects.values_list("language", flat=True)) >= {"en", "es", "pt-br", "fr"}
    assert ProgrammePage.objects.filter(locale__language_code="es").count() == 2


def test_the_spanish_tourism_programme_is_served_under_es_with_links_between_languages(client, seeded):
    assert Locale.objects.filter(language_code__in=["es", "pt-br", "fr"]).count() == 3
    english = ProgrammePage.objects.get(source_key="tourism-security-plan", locale__language_code="en")
    spanish = english.get_translation(Locale.objects.get(language_code="es"))
    assert spanish.title == "Plan de Seguridad Turística"
    assert spanish.url == "/es/library/programmes/tourism-security-plan/"
    response = client.get(spanish.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in html
    assert "Plan de Seguridad Turística" in html
    assert f'href="{english.url}"' in html and 'hreflang="en"' in html
    english_html = client.get(english.url).content.decode()
    assert f'href="{spanish.url}"' in english_html
    spanish_index = client.get("/es/library/").content.decode()
    assert "Biblioteca" in spanish_index
    assert "Plan de Seguridad Turística" in spanish_index


def test_library_editors_and_the_moderation_workflow_cover_the_library(seeded):
    group = Group.objects.get(name="Library editors")
    codenames = set(group.page_permissions.values_list("permission__codename", flat=True))
    assert codenames == {"add_page", "change_page", "publish_page"}
    workflow = WorkflowPage.objects.get(page__url_path="/home/library/").workflow
    assert workflow.name == "Library review"
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["Library editors"]


def test_each_network_has_a_section_whose_editors_may_not_publish_or_edit_elsewhere(seeded):
    from library.models import LibraryIndexPage

    sections = LibraryIndexPage.objects.exclude(network=None)
    assert {section.network.slug for section in sections} == {"prevention", "police"}
    for section in sections:
        group = Group.objects.get(name=f"Library editors: {section.network.slug}")
        grants = set(group.page_permissions.values_list("page_id", "permission__codename"))
        assert grants == {(section.pk, "add_page"), (section.pk, "change_page")}
    assert Group.objects.get(name="Library editors: prevention").user_set.filter(username="manager").exists()


def test_the_library_journeys_of_a_visitor_and_a_member_on_the_demo_content(client, seeded):
    """Issue 4's "done when", on the demo data, through the pages people use."""
    import re

    from network.models import User

    # A visitor finds the Tourism Security Plan in Spanish or in English.
    for query in ("seguridad turística", "tourism security"):
        html = client.get("/search/", {"q": query}).content.decode()
        assert "Tourism Security Plan" in html or "Plan de Seguridad Turística" in html, query

    # ...reads a best practice rated "promising" (the rating facet leads there).
    listing = client.get("/library/", {"rating": "promising"})
    practice = listing.context["browse"].page.object_list[0]
    page = client.get(practice.url).content.decode()
    assert "Promising" in page

    # ...downloads a public manual, as an attachment.
    manual = PublicationPage.objects.filter(kind="manual").public().live().first()
    link = re.search(r'href="(/documents/[^"]+)"', client.get(manual.url).content.decode()).group(1)
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")

    # A members-only protocol: the visitor is sent to log in, a member reads it.
    protocol = next(
        page
        for page in PublicationPage.objects.filter(kind="protocol").live()
        if PageViewRestriction.objects.filter(page__in=page.get_ancestors(inclusive=True)).exists()
    )
    assert client.get(protocol.url)["Location"].startswith("/accounts/login/")
    client.force_login(User.objects.get(username="member"))
    response = client.get(protocol.url)
    assert response.status_code == 200
    assert protocol.title in response.content.decode()
