import pytest
from wagtail.models import Page

from library.models import PublicationPage
from library.scale import SCALE_SLUG_PREFIX, seed_library_scale
from library.services import library_index_ensure
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db


def test_scale_publications_are_real_pages_that_render_and_are_found(client):
    NetworkFactory(slug="prevention")
    steps = []
    seed_library_scale(progress=steps.append, scale=30)
    assert sum(steps) == 30
    pages = PublicationPage.objects.live().filter(slug__startswith=SCALE_SLUG_PREFIX)
    assert pages.count() == 30
    assert not any(Page.find_problems())  # the tree stays consistent (paths, depth, numchild)
    index = library_index_ensure()
    assert index.get_children().count() == 30
    page = pages.order_by("pk").first()
    assert page.topics.exists() and page.countries.exists() and page.network is not None
    response = client.get(page.url)
    assert response.status_code == 200
    assert page.title in response.content.decode()
    from django.contrib.auth.models import AnonymousUser

    from library.search_provider import _matching

    assert page.pk in set(_matching(AnonymousUser(), page.title, {}).values_list("pk", flat=True))


def test_a_second_run_adds_only_what_is_missing(client):
    seed_library_scale(scale=5)
    seed_library_scale(scale=8)
    assert PublicationPage.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).count() == 8
    assert not any(Page.find_problems())
    # An editor can still add a page next to them (the tree's next free path is right).
    from library.tests import factories

    added = factories.publication(title="Added by an editor")
    assert added.get_parent().pk == library_index_ensure().pk
    assert client.get(added.url).status_code == 200
