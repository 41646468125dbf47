"""The editorial workflow through the Wagtail admin, as editors use it: a network editor
drafts a news item in Portuguese in their network's section and submits it; they can't
publish it nor write in another network's section; a DPS editor approves and it goes live."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from library.models import ArticlePage
from library.services import (
    LIBRARY_EDITORS_GROUP,
    library_editors_setup,
    library_index_ensure,
    network_editors_group_name,
    network_section_ensure,
)
from tests.factories import NetworkFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def sections():
    index = library_index_ensure()
    library_editors_setup(index=index)
    prevention = NetworkFactory(slug="prevention", short_name="Prevention")
    police = NetworkFactory(slug="police", short_name="Police")
    return network_section_ensure(network=prevention, index=index), network_section_ensure(
        network=police, index=index
    )


@pytest.fixture
def network_editor(sections):
    prevention_section = sections[0]
    editor = member_of(prevention_section.network)
    editor.groups.add(Group.objects.get(name=network_editors_group_name(prevention_section.network)))
    return editor


@pytest.fixture
def dps_editor(db):
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name=LIBRARY_EDITORS_GROUP))
    return editor


def _article_form(title: str, slug: str, action: str) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "author": "Equipe do DPS",
            "date": "2026-11-20",
            "summary": "Oficina regional sobre prevenção da violência nas escolas.",
            "body": streamfield([("paragraph", rich_text("<p>Os participantes trocaram experiências.</p>"))]),
            "language": "pt-br",
            "year": "",
            "network": "",
            "comments": inline_formset([]),
            action: "1",
        }
    )


def test_a_network_editor_drafts_and_submits_a_portuguese_news_item_and_a_dps_editor_publishes_it(
    client, sections, network_editor, dps_editor
):
    prevention_section, police_section = sections
    client.force_login(network_editor)
    add_url = reverse("wagtailadmin_pages:add", args=("library", "articlepage", prevention_section.pk))
    assert client.get(add_url).status_code == 200

    client.post(add_url, _article_form("Oficina sobre escolas seguras", "oficina-escolas", "action-submit"))
    page = ArticlePage.objects.get(slug="oficina-escolas")
    assert not page.live
    assert page.language == "pt-br"
    assert page.network == prevention_section.network  # filed in the section: the network's item
    state = page.current_workflow_state
    assert state is not None and state.status == "in_progress"
    assert client.get(page.url or "/library/prevention/oficina-escolas/").status_code == 404

    # Publishing is not theirs: the page stays a draft.
    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    client.post(edit_url, _article_form("Oficina sobre escolas seguras", "oficina-escolas", "action-publish"))
    page.refresh_from_db()
    assert not page.live

    # Nor is the other network's section.
    other = reverse("wagtailadmin_pages:add", args=("library", "articlepage", police_section.pk))
    response = client.post(other, _article_form("Outra notícia", "outra", "action-submit"))
    assert response.status_code in (302, 403)
    assert not ArticlePage.objects.filter(slug="outra").exists()

    client.force_login(dps_editor)
    task_state = page.current_workflow_state.current_task_state
    approve = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))
    client.post(approve, {"comment": "Aprovado."})
    page.refresh_from_db()
    assert page.live
    client.logout()
    response = client.get(f"/pt-br{page.url}")
    assert response.status_code == 200
    assert "Oficina sobre escolas seguras" in response.content.decode()
    assert "Oficina sobre escolas seguras" in client.get("/library/").content.decode()


def test_an_item_moved_into_a_section_takes_its_network(sections):
    from library.tests import factories

    prevention_section, police_section = sections
    page = factories.publication(parent=police_section, title="Police training manual")
    assert page.network == police_section.network
    page.network = prevention_section.network  # an editor can't file it under another network
    page.save()
    assert page.network == police_section.network
