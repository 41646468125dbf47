import pytest

from library.tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.urls("library.tests.urls")]


def test_the_news_feed_lists_public_news_only(client):
    factories.article(title="Open news")
    factories.article(title="Members news", private=True)
    response = client.get("/library/feeds/news.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    body = response.content.decode()
    assert "<title>Open news</title>" in body
    assert "Members news" not in body


def test_the_publications_feed_lists_public_publications_only(client, vetted_member):
    factories.publication(title="Open report")
    factories.publication(title="Members report", private=True)
    client.force_login(vetted_member)  # even a member's feed reader gets the public feed
    body = client.get("/library/feeds/publications.xml").content.decode()
    assert "<title>Open report</title>" in body
    assert "Members report" not in body


def test_the_sitemap_lists_public_pages_only(client):
    public = factories.publication(title="Open report")
    private = factories.publication(title="Members report", private=True)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert public.slug in body
    assert private.slug not in body
    assert "/library/</loc>" in body
