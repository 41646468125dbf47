"""Feeds and the sitemap; included by config/urls.py outside the language prefixes.

path("library/feeds/", include("library.urls")),  # before the Wagtail catch-all
path("sitemap.xml", library_views.sitemap, name="sitemap"),
"""

from django.urls import path

from library import feeds

app_name = "library"

urlpatterns = [
    path("news.xml", feeds.NewsFeed(), name="news_feed"),
    path("publications.xml", feeds.PublicationsFeed(), name="publications_feed"),
]
