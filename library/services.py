"""Writes of the library: the library tree, the programme import, translations, editors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from library.importers import ProgrammeRecord
from library.models import HomePage, LibraryIndexPage, ProgrammePage
from network.models import Country, Network

LIBRARY_EDITORS_GROUP = "Library editors"
NETWORK_EDITORS_PREFIX = "Library editors: "
REVIEW_WORKFLOW_NAME = "Library review"
REVIEW_TASK_NAME = "Review by a DPS editor"
PROGRAMMES_SLUG = "programmes"


def _publish(page: Page) -> Page:
    page.save_revision(clean=False).publish()
    page.refresh_from_db()
    return page


def paragraphs_html(paragraphs: Iterable[str]) -> str:
    return "".join(f"<p>{escape(text)}</p>" for text in paragraphs if text)


@transaction.atomic
def library_index_ensure() -> LibraryIndexPage:
    """The /library/ page (under the default-locale home page), created if missing."""
    default_locale = Locale.get_default()
    home = HomePage.objects.filter(locale=default_locale).first() or HomePage.objects.first()
    if home is None:
        raise RuntimeError("No home page: run the migrations first.")
    index = LibraryIndexPage.objects.child_of(home).filter(slug="library").first()
    if index is None:
        index = home.add_child(
            instance=LibraryIndexPage(
                title="Library",
                slug="library",
                intro="<p>Publications, best practices, news, videos and programmes of the networks.</p>",
            )
        )
        _publish(index)
    return index


@transaction.atomic
def programmes_index_ensure() -> LibraryIndexPage:
    library = library_index_ensure()
    index = LibraryIndexPage.objects.child_of(library).filter(slug=PROGRAMMES_SLUG).first()
    if index is None:
        index = library.add_child(
            instance=LibraryIndexPage(
                title="Programmes",
                slug=PROGRAMMES_SLUG,
                intro="<p>The programmes of the Department of Public Security (activity sheets).</p>",
            )
        )
        _publish(index)
    return index


def programme_key(record: ProgrammeRecord) -> str:
    """A stable key (and slug) from the programme's name: re-imports update the same page."""
    slug = slugify(record.name)
    if len(slug) > 80:
        slug = slug[:80].rsplit("-", 1)[0]
    return slug


def _country_lookup() -> dict[str, Country]:
    lookup: dict[str, Country] = {}
    for country in Country.objects.all():
        for name in (country.name_en, country.name_es, country.name_pt, country.name_fr):
            lookup[name.casefold()] = country
    return lookup


def _donor_countries(donors: list[str], lookup: dict[str, Country]) -> list[Country]:
    found = []
    for donor in donors:
        bare = re.sub(r"\s*\(.*?\)\s*", " ", donor).strip().casefold()
        if bare in lookup:
            found.append(lookup[bare])
    return found


def _named_countries(text: str, lookup: dict[str, Country]) -> list[Country]:
    found: dict[str, Country] = {}
    for name, country in lookup.items():
        if re.search(r"\b" + re.escape(name) + r"\b", text.casefold()):
            found[country.pk] = country
    return list(found.values())


def programmes_import(
    *, records: list[ProgrammeRecord], progress: Callable[[int], None] | None = None
) -> tuple[int, int]:
    """Create or update one ProgrammePage per record under /library/programmes/.

    Idempotent: pages are found again by `source_key` (the slugified name), so a second
    run updates them (a new revision, published) and creates nothing. Each programme is
    written in its own transaction. Returns (created, updated).
    """
    parent = programmes_index_ensure()
    lookup = _country_lookup()
    created = updated = 0
    for record in records:
        with transaction.atomic():
            key = programme_key(record)
            page = ProgrammePage.objects.filter(source_key=key, locale=parent.locale).first()
            is_new = page is None
            if is_new:
                page = ProgrammePage(source_key=key, slug=key, language="en")
            page.title = record.name
            page.pillar = record.pillar
            page.start_date = record.start_date
            page.end_date = record.end_date
            page.end_label = record.end_label
            page.beneficiaries = record.beneficiaries
            page.donors = "\n".join(record.donors)
            page.links = "\n".join(record.links)
            page.objectives = paragraphs_html(record.objectives)
            page.results = paragraphs_html(record.results)
            page.description = paragraphs_html(record.summary)
            first = record.summary[0] if record.summary else ""
            page.summary = (first[:297] + "…") if len(first) > 300 else first
            if is_new:
                parent.add_child(instance=page)
                created += 1
            else:
                updated += 1
            page.donor_countries.set(_donor_countries(record.donors, lookup))
            page.countries.set(_named_countries(record.beneficiaries, lookup))
            _publish(page)
        if progress:
            progress(1)
    return created, updated


@transaction.atomic
def page_translate(*, page: Page, language_code: str, **fields) -> Page:
    """The translation of `page` into `language_code` (created with copy_for_translation
    if missing, with its parents), `fields` set, published. Parents created on the way
    are published too so that the translated page is reachable."""
    locale, _created = Locale.objects.get_or_create(language_code=language_code)
    page = page.specific
    translated = page.get_translation_or_none(locale)
    if translated is None:
        translated = page.copy_for_translation(locale, copy_parents=True)
    translated = translated.specific
    for name, value in fields.items():
        setattr(translated, name, value)
    if hasattr(translated, "language"):
        translated.language = language_code
    translated.save()
    _publish(translated)
    for ancestor in translated.get_ancestors().filter(depth__gt=1).specific():
        if not ancestor.live:
            _publish(ancestor)
    return translated


def _grant_admin_access(group: Group) -> None:
    admin_access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    if admin_access:
        group.permissions.add(admin_access)


def _grant_pages(group: Group, page: Page, permission_types) -> None:
    for permission_type in permission_types:
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=f"{permission_type}_page"
        )
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


def _grant_media(group: Group, collection: Collection) -> None:
    for app_label, codenames in (
        ("wagtaildocs", ("add_document", "change_document", "choose_document")),
        ("wagtailimages", ("add_image", "change_image", "choose_image")),
    ):
        for codename in codenames:
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection, permission=permission
                )


@transaction.atomic
def library_editors_setup(*, index: LibraryIndexPage) -> Group:
    """The "Library editors" group: the DPS editors, who add, change and publish anywhere
    under /library/ and review what network editors submit (the "Library review" workflow,
    one approval task for this group, on the whole library tree)."""
    group, _created = Group.objects.get_or_create(name=LIBRARY_EDITORS_GROUP)
    _grant_admin_access(group)
    _grant_pages(group, index, ("add", "change", "publish"))
    _grant_media(group, Collection.get_first_root_node())
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK_NAME)
    task.groups.add(group)
    workflow, _created = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return group


def network_editors_group_name(network: Network) -> str:
    return f"{NETWORK_EDITORS_PREFIX}{network.slug}"


@transaction.atomic
def network_section_ensure(*, network: Network, index: LibraryIndexPage | None = None) -> LibraryIndexPage:
    """The network's section of the library (/library/<network slug>/) and its editors'
    group: they may add and change pages in that section only, with documents and images in
    the network's own collection; publishing goes through a DPS editor's review."""
    index = index or library_index_ensure()
    section = LibraryIndexPage.objects.child_of(index).filter(network=network).first()
    if section is None:
        section = index.add_child(
            instance=LibraryIndexPage(
                title=network.short_name or network.name,
                slug=slugify(network.slug),
                network=network,
                intro=paragraphs_html([network.description]),
            )
        )
        _publish(section)
    group, _created = Group.objects.get_or_create(name=network_editors_group_name(network))
    _grant_admin_access(group)
    _grant_pages(group, section, ("add", "change"))
    root = Collection.get_first_root_node()
    collection_name = f"{network.short_name or network.name} ({network.slug})"
    collection = root.get_children().filter(name=collection_name).first() or root.add_child(
        name=collection_name
    )
    _grant_media(group, collection)
    return section


def network_sections_ensure() -> list[LibraryIndexPage]:
    return [network_section_ensure(network=network) for network in Network.objects.order_by("slug")]
