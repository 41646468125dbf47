"""`seed_demo --scale N`: N extra publications below /library/, in bulk, for benchmarks.

Wagtail pages are multi-table models (Page → LibraryItem → PublicationPage) that Django's
`bulk_create` refuses, and `add_child` costs several queries per page. The pages are
written here table by table, in batches: tree paths computed as treebeard does, one
INSERT per table per batch, then the search backend indexes each batch. The publications
carry realistic words in the four languages, so searches match hundreds of them.
"""

from __future__ import annotations

import random
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from library.cache import bump_generation
from library.models import LibraryItem, PublicationKind, PublicationPage, item_search_text
from library.services import library_index_ensure
from network.models import Country, Network, Topic

SCALE_SLUG_PREFIX = "scale-publication-"
SCALE_BATCH = 1000

# (language, subjects, places, title pattern, summary pattern)
_WORDS = {
    "en": (
        [
            "school violence",
            "community policing",
            "tourism security",
            "port security",
            "juvenile justice",
            "domestic violence",
            "cybercrime",
            "police training",
            "crime prevention",
            "victim protection",
        ],
        "{kind} on {subject} in {country} ({year})",
        "A {kind_lower} on {subject} for public security institutions in {country}: findings, "
        "lessons learned and recommendations.",
    ),
    "es": (
        [
            "violencia escolar",
            "policía comunitaria",
            "seguridad turística",
            "seguridad portuaria",
            "justicia juvenil",
            "violencia doméstica",
            "ciberdelito",
            "formación policial",
            "prevención del delito",
            "protección de víctimas",
        ],
        "{kind}: {subject} en {country} ({year})",
        "Un documento sobre {subject} para las instituciones de seguridad pública de {country}: "
        "diagnóstico, lecciones aprendidas y recomendaciones.",
    ),
    "pt-br": (
        [
            "violência escolar",
            "policiamento comunitário",
            "segurança turística",
            "segurança portuária",
            "justiça juvenil",
            "violência doméstica",
            "crime cibernético",
            "formação policial",
            "prevenção da criminalidade",
            "proteção de vítimas",
        ],
        "{kind}: {subject} no {country} ({year})",
        "Um documento sobre {subject} para as instituições de segurança pública: diagnóstico, "
        "lições aprendidas e recomendações.",
    ),
    "fr": (
        [
            "violence scolaire",
            "police de proximité",
            "sécurité touristique",
            "sûreté portuaire",
            "justice des mineurs",
            "violence domestique",
            "cybercriminalité",
            "formation policière",
            "prévention de la criminalité",
            "protection des victimes",
        ],
        "{kind} : {subject} en {country} ({year})",
        "Un document sur {subject} destiné aux institutions de sécurité publique : diagnostic, "
        "leçons apprises et recommandations.",
    ),
}
_KIND_NAMES = {
    "en": {
        "report": "Report",
        "manual": "Manual",
        "protocol": "Protocol",
        "diagnostic": "Diagnostic",
        "guide": "Guide",
        "dataset": "Dataset",
    },
    "es": {
        "report": "Informe",
        "manual": "Manual",
        "protocol": "Protocolo",
        "diagnostic": "Diagnóstico",
        "guide": "Guía",
        "dataset": "Datos",
    },
    "pt-br": {
        "report": "Relatório",
        "manual": "Manual",
        "protocol": "Protocolo",
        "diagnostic": "Diagnóstico",
        "guide": "Guia",
        "dataset": "Dados",
    },
    "fr": {
        "report": "Rapport",
        "manual": "Manuel",
        "protocol": "Protocole",
        "diagnostic": "Diagnostic",
        "guide": "Guide",
        "dataset": "Données",
    },
}
_LANGUAGE_WEIGHTS = [("es", 0.45), ("en", 0.3), ("pt-br", 0.15), ("fr", 0.1)]


def _insert(model, rows: list[dict]) -> None:
    """One multi-row INSERT of `rows` into the model's own table (its local fields only)."""
    if not rows:
        return
    fields = [f for f in model._meta.local_concrete_fields if f.column in rows[0]]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):  # below SQLite's and PostgreSQL's parameter limits
            chunk = rows[start : start + 500]
            values = [f.get_db_prep_save(row[f.column], connection) for row in chunk for f in fields]
            cursor.execute(
                # Table and column names come from the model's meta, quoted; values are parameters.
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(chunk))}",  # noqa: S608
                values,
            )


def _child_path(parent: Page, number: int) -> str:
    return parent.path + Page._int2str(number).rjust(Page.steplen, "0")


def seed_library_scale(progress=None, scale: int = 0, **options) -> None:
    """`scale` public publications (scale-publication-000001...) below /library/; the ones
    already there are kept, so a second run adds only what is missing."""
    if not scale or scale <= 0:
        return
    index = library_index_ensure()
    existing = set(
        PublicationPage.objects.child_of(index)
        .filter(slug__startswith=SCALE_SLUG_PREFIX)
        .values_list("slug", flat=True)
    )
    todo = [n for n in range(1, scale + 1) if f"{SCALE_SLUG_PREFIX}{n:06d}" not in existing]
    if progress and scale - len(todo):
        progress(scale - len(todo))
    countries = list(Country.objects.order_by("code"))
    topics = list(Topic.objects.all())
    networks = list(Network.objects.order_by("slug"))
    for start in range(0, len(todo), SCALE_BATCH):
        batch = todo[start : start + SCALE_BATCH]
        with transaction.atomic():
            pages = _seed_batch(index, batch, countries, topics, networks)
        get_search_backend().add_bulk(PublicationPage, pages)
        if progress:
            progress(len(batch))
    if todo:
        bump_generation()  # bulk inserts send no page signals: drop the cached counts
    if todo and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Page, LibraryItem, PublicationPage, LibraryItem.topics.through):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _seed_batch(index, numbers, countries, topics, networks) -> list[PublicationPage]:
    index = Page.objects.select_for_update().get(pk=index.pk)  # numchild: one writer at a time
    content_type = ContentType.objects.get_for_model(PublicationPage)
    now = timezone.now()
    kinds = list(PublicationKind.values)
    page_rows, item_rows, publication_rows, plans = [], [], [], []
    for offset, number in enumerate(numbers):
        rng = random.Random(number)  # noqa: S311 (demo data: the same publication on every run)
        language = rng.choices([code for code, _w in _LANGUAGE_WEIGHTS], [w for _c, w in _LANGUAGE_WEIGHTS])[
            0
        ]
        subjects, title_pattern, summary_pattern = _WORDS[language]
        subject = rng.choice(subjects)
        country = rng.choice(countries)
        kind = rng.choice(kinds)
        year = rng.randint(2005, 2026)
        kind_name = _KIND_NAMES[language][kind]
        words = {
            "kind": kind_name,
            "kind_lower": kind_name.lower(),
            "subject": subject,
            "country": country.name_en,
            "year": year,
        }
        title = title_pattern.format(**words)
        summary = summary_pattern.format(**words)
        slug = f"{SCALE_SLUG_PREFIX}{number:06d}"
        path = _child_path(index, index.numchild + offset + 1)
        page_rows.append(
            {
                "path": path,
                "depth": index.depth + 1,
                "numchild": 0,
                "translation_key": uuid.uuid4(),
                "locale_id": index.locale_id,
                "latest_revision_id": None,
                "live": True,
                "has_unpublished_changes": False,
                "first_published_at": now,
                "last_published_at": now,
                "live_revision_id": None,
                "go_live_at": None,
                "expire_at": None,
                "expired": False,
                "content_type_id": content_type.pk,
                "title": title,
                "draft_title": title,
                "slug": slug,
                "url_path": f"{index.url_path}{slug}/",
                "owner_id": None,
                "seo_title": "",
                "show_in_menus": False,
                "search_description": "",
                "latest_revision_created_at": now,
                "locked": False,
                "locked_at": None,
                "locked_by_id": None,
                "alias_of_id": None,
            }
        )
        plans.append((path, rng, language, summary, title, year, kind, country, subject))
    _insert(Page, page_rows)
    ids = dict(Page.objects.filter(path__in=[row["path"] for row in page_rows]).values_list("path", "pk"))
    topic_rows = []
    country_rows = []
    for path, rng, language, summary, title, year, kind, country, _subject in plans:
        pk = ids[path]
        item_rows.append(
            {
                "page_ptr_id": pk,
                "summary": summary,
                "language": language,
                "year": year,
                "network_id": rng.choice(networks).pk if networks else None,
                "search_text": item_search_text(title, summary),
            }
        )
        publication_rows.append(
            {
                "libraryitem_ptr_id": pk,
                "kind": kind,
                "authors": "DPS; OAS",
                "publisher": "Department of Public Security",
                "abstract": f"<p>{summary}</p>",
            }
        )
        for topic in rng.sample(topics, k=min(len(topics), rng.randint(1, 3))):
            topic_rows.append(LibraryItem.topics.through(libraryitem_id=pk, topic_id=topic.pk))
        country_rows.append(LibraryItem.countries.through(libraryitem_id=pk, country_id=country.pk))
    _insert(LibraryItem, item_rows)
    _insert(PublicationPage, publication_rows)
    LibraryItem.topics.through.objects.bulk_create(topic_rows)
    LibraryItem.countries.through.objects.bulk_create(country_rows)
    Page.objects.filter(pk=index.pk).update(numchild=index.numchild + len(numbers))
    return list(PublicationPage.objects.filter(pk__in=ids.values()))
