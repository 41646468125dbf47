"""Who may see which profile, which of its fields, and the directory's reads.

The rules, in one place:
- a profile is seen by the member themself, by DPS staff, and by vetted members who share
  an active network with the member (an inactive account is seen by nobody else);
- of a profile, those viewers see the display name and the fields the member shows to
  "members of my networks"; the member sees everything of their own;
- the directory lists the profiles a viewer may see (members of the viewer's networks;
  everyone's for DPS staff), and its search and filters only look at shown fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Prefetch, Q

from network import permissions
from network.models import Membership

from . import registry
from .models import VISIBILITY_FIELDS, ContactPreference, Language, Profile
from .text import query_words

PER_PAGE = 20
COUNT_CAP = 100  # counting costs one row visit per match: stop early
PHOTO_SIZES = {"400": "photo", "96": "photo_thumbnail"}


# --- who sees what --------------------------------------------------------------------------


def can_view_directory(viewer) -> bool:
    return permissions.can_view_directory(viewer)


def can_view_profile(viewer, member) -> bool:
    if not permissions.is_member(viewer):
        return False
    if viewer.pk == member.pk:
        return True
    if not member.is_active:
        return False
    if permissions.is_dps_staff(viewer):
        return True
    return permissions.is_vetted_member(viewer) and permissions.shares_a_network(viewer, member)


def can_see_field(viewer, profile: Profile, field_name: str) -> bool:
    """For a viewer who may see the profile: may they see this field of it?"""
    return viewer.pk == profile.user_id or profile.shows(field_name)


@dataclass
class ProfileView:
    """A profile as one viewer may see it: hidden fields are simply absent (empty)."""

    profile: Profile
    member: object
    is_self: bool
    photo: bool = False
    country: object = None
    institution: str = ""
    position: str = ""
    expertise: list = field(default_factory=list)
    languages: list = field(default_factory=list)
    languages_other: str = ""
    bio: str = ""
    email: str = ""
    hidden: frozenset = frozenset()  # fields hidden from others (shown to the member only)

    @property
    def name(self) -> str:
        return self.member.name

    @property
    def username(self) -> str:
        return self.member.username

    @property
    def initials(self) -> str:
        words = self.member.name.split()
        return "".join(word[0] for word in words[:2]).upper() or "?"


def view_of(viewer, profile: Profile) -> ProfileView:
    """Only the fields `viewer` may see. Uses prefetched expertise and languages (no queries
    when they are prefetched, as the directory does)."""
    member = profile.user
    shown = {name: can_see_field(viewer, profile, name) for name in VISIBILITY_FIELDS}
    view = ProfileView(
        profile=profile,
        member=member,
        is_self=viewer.pk == member.pk,
        hidden=frozenset(name for name in VISIBILITY_FIELDS if not profile.shows(name)),
    )
    if shown["photo"]:
        view.photo = bool(profile.photo_thumbnail)
    if shown["country"]:
        view.country = profile.country
    if shown["institution"]:
        view.institution = profile.institution_label
    if shown["position"]:
        view.position = profile.position
    if shown["expertise"] and profile.pk:
        view.expertise = list(profile.expertise.all())
    if shown["languages"] and profile.pk:
        view.languages = list(profile.languages_spoken.all())
        view.languages_other = profile.languages_other
    if shown["bio"]:
        view.bio = profile.bio
    if shown["email"]:
        view.email = member.email
    return view


# --- the directory --------------------------------------------------------------------------


def directory_network_ids(viewer) -> set[int] | None:
    """The networks whose members the viewer sees in the directory; None: all (DPS staff)."""
    if permissions.is_dps_staff(viewer):
        return None
    return permissions.network_ids_of(viewer)


def _search(profiles, words: list[str]):
    """Every word must start a word of the document (accents and case already folded away)."""
    if not words:
        return profiles
    if connection.vendor == "postgresql":
        # Words are [a-z0-9]+ after normalization, so they are safe in a raw tsquery.
        query = SearchQuery(" & ".join(f"{word}:*" for word in words), config="simple", search_type="raw")
        return profiles.filter(search_vector=query)
    for word in words:
        profiles = profiles.filter(
            Q(search_document__startswith=word) | Q(search_document__contains=" " + word)
        )
    return profiles


def directory_queryset(
    viewer,
    *,
    q: str = "",
    country: str | None = None,
    network: int | None = None,
    institution: int | None = None,
    topic: int | str | None = None,
    language: str | None = None,
):
    """The profiles `viewer` may find, matching the search and filters (on shown fields only)."""
    if not can_view_directory(viewer):
        return Profile.objects.none()
    network_ids = directory_network_ids(viewer)
    if network is not None:
        if network_ids is not None and network not in network_ids:
            return Profile.objects.none()
        network_ids = {network}
    profiles = Profile.objects.of_active_members(network_ids)
    profiles = _search(profiles, query_words(q))
    if country:
        profiles = profiles.in_country(country)
    if institution:
        profiles = profiles.at_institution(institution)
    if topic:
        profiles = profiles.with_expertise(topic)
    if language:
        profiles = profiles.speaking(language)
    return profiles


@dataclass
class DirectoryPage:
    rows: list[ProfileView]
    total: int
    total_capped: bool
    has_next: bool
    has_previous: bool

    @property
    def next_cursor(self) -> int | None:
        return self.rows[-1].profile.pk if self.rows and self.has_next else None

    @property
    def previous_cursor(self) -> int | None:
        return self.rows[0].profile.pk if self.rows and self.has_previous else None


def _anchor(profile_id) -> tuple[str, int] | None:
    try:
        profile_id = int(profile_id)
    except (TypeError, ValueError):
        return None
    sort_name = Profile.objects.filter(pk=profile_id).values_list("sort_name", flat=True).first()
    return None if sort_name is None else (sort_name, profile_id)


def directory_page(viewer, *, after=None, before=None, per_page: int = PER_PAGE, **filters) -> DirectoryPage:
    """One page of the directory, by name, with keyset paging: `after`/`before` are the id of
    the last/first profile of the neighbouring page. No COUNT over the whole table: the total
    is counted up to COUNT_CAP."""
    matching = directory_queryset(viewer, **filters)
    total = matching.order_by().values("pk")[: COUNT_CAP + 1].count()
    rows = matching.select_related("user", "country", "institution").prefetch_related(
        Prefetch("expertise"), Prefetch("languages_spoken", queryset=Language.objects.all())
    )
    anchor = _anchor(before) if before else None
    backwards = anchor is not None
    if anchor is None and after:
        anchor = _anchor(after)
    if anchor is None:
        found = list(rows.order_by("sort_name", "pk")[: per_page + 1])
        has_previous, has_next = False, len(found) > per_page
        found = found[:per_page]
    else:
        sort_name, pk = anchor
        if backwards:
            # The redundant `lte` lets the database walk the (sort_name, id) index from the anchor.
            earlier = rows.filter(Q(sort_name__lt=sort_name) | Q(sort_name=sort_name, pk__lt=pk))
            found = list(
                earlier.filter(sort_name__lte=sort_name).order_by("-sort_name", "-pk")[: per_page + 1]
            )
            has_previous, has_next = len(found) > per_page, True
            found = list(reversed(found[:per_page]))
        else:
            later = rows.filter(Q(sort_name__gt=sort_name) | Q(sort_name=sort_name, pk__gt=pk))
            found = list(later.filter(sort_name__gte=sort_name).order_by("sort_name", "pk")[: per_page + 1])
            has_previous, has_next = True, len(found) > per_page
            found = found[:per_page]
    return DirectoryPage(
        rows=[view_of(viewer, profile) for profile in found],
        total=min(total, COUNT_CAP),
        total_capped=total > COUNT_CAP,
        has_next=has_next,
        has_previous=has_previous,
    )


def members_of_institution(*, viewer, institution):
    """The profiles of members at `institution` that the viewer may see and that show it
    (for the institution's page: the members list is members-only)."""
    return (
        directory_queryset(viewer, institution=institution.pk)
        .select_related("user")
        .order_by("sort_name", "pk")
    )


# --- one profile ----------------------------------------------------------------------------


def member_by_username(username: str):
    return get_user_model().objects.filter(username=username).first()


def networks_shown(viewer, member):
    """The member's active memberships (network and role) the viewer may know of: those in the
    viewer's own networks (all for DPS staff and for the member themself)."""
    memberships = Membership.objects.active().filter(user=member).select_related("network")
    if viewer.pk != member.pk and not permissions.is_dps_staff(viewer):
        memberships = memberships.filter(network_id__in=permissions.network_ids_of(viewer))
    return memberships.order_by("network__name")


def contact_actions_for(viewer, member, profile: Profile) -> list[str]:
    """HTML of the registered ways to contact the member (none when they ask not to be)."""
    if viewer.pk == member.pk or profile.contact_preference == ContactPreference.NONE:
        return []
    rendered = (action.render(viewer, member, profile) for action in registry.contact_actions())
    return [html for html in rendered if html]


def sections_for(viewer, member) -> list[str]:
    rendered = (section.render(viewer, member) for section in registry.profile_sections())
    return [html for html in rendered if html]


def photo_file_for(viewer, member, size: str):
    """The photo file of that size if the viewer may see it, else None."""
    if size not in PHOTO_SIZES or not can_view_profile(viewer, member):
        return None
    profile = Profile.objects.filter(user=member).first()
    if profile is None or not can_see_field(viewer, profile, "photo"):
        return None
    image = getattr(profile, PHOTO_SIZES[size])
    return image if image else None
