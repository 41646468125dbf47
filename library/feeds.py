"""RSS feeds of news and new publications: public pages only (`.live().public()`)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext_lazy as _

from library import selectors


class _LibraryFeed(Feed):
    feed_type = Rss201rev2Feed

    def link(self):
        return settings.SITE_URL + "/library/"

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_full_url() or item.url_path

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


class NewsFeed(_LibraryFeed):
    title = _("Puente: news")
    description = _("News and blog posts of the Inter-American networks.")

    def items(self):
        return selectors.public_news()

    def item_author_name(self, item):
        return item.author or None


class PublicationsFeed(_LibraryFeed):
    title = _("Puente: new publications")
    description = _("Reports, manuals, protocols, guides and datasets newly published in the library.")

    def items(self):
        return selectors.public_publications()

    def item_author_name(self, item):
        return item.authors or None
