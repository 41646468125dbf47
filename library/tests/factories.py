"""Helpers that build library pages the way editors do (add_child, then publish)."""

import datetime
import itertools

from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from library.models import (
    ArticlePage,
    BestPracticePage,
    LibraryIndexPage,
    PublicationDocument,
    PublicationPage,
)
from library.seed import DEMO_PDF
from library.services import _publish, library_index_ensure

_numbers = itertools.count(1)


def library_index() -> LibraryIndexPage:
    return library_index_ensure()


def publication(*, parent=None, title=None, private=False, topics=(), countries=(), document=None, **fields):
    parent = parent or library_index()
    number = next(_numbers)
    page = PublicationPage(
        title=title or f"Publication {number}",
        slug=f"publication-{number}",
        summary=fields.pop("summary", f"Summary {number}"),
        year=fields.pop("year", 2020),
        **fields,
    )
    parent.add_child(instance=page)
    page.topics.set(topics)
    page.countries.set(countries)
    if document is not None:
        PublicationDocument.objects.create(page=page, document=document, label="Full text", sort_order=0)
    _publish(page)
    if private:
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    return page


def best_practice(*, parent=None, title=None, rating="promising", **fields):
    parent = parent or library_index()
    number = next(_numbers)
    page = BestPracticePage(
        title=title or f"Practice {number}", slug=f"practice-{number}", evidence_rating=rating, **fields
    )
    parent.add_child(instance=page)
    _publish(page)
    return page


def article(*, parent=None, title=None, private=False, body=(), **fields):
    parent = parent or library_index()
    number = next(_numbers)
    page = ArticlePage(
        title=title or f"News {number}",
        slug=f"news-{number}",
        date=fields.pop("date", datetime.date(2026, 11, 1)),
        summary=fields.pop("summary", f"News summary {number}"),
        body=list(body),
        **fields,
    )
    parent.add_child(instance=page)
    _publish(page)
    if private:
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    return page


def document(*, title="A document", filename="doc.pdf", private=False, content=DEMO_PDF) -> Document:
    root = Collection.get_first_root_node()
    collection = root
    if private:
        collection = root.get_children().filter(name="Private").first() or root.add_child(name="Private")
        CollectionViewRestriction.objects.get_or_create(
            collection=collection, restriction_type=CollectionViewRestriction.LOGIN
        )
    doc = Document(title=title, collection=collection)
    doc.file.save(filename, ContentFile(content), save=False)
    doc.save()
    return doc
