"""Writing profiles. Every write keeps the search columns in step with what is visible.

`sort_name` (the normalized display name) orders the directory; `search_document` holds
the normalized text of the fields the member shows to members of their networks, and only
those, so a hidden field can never be found; on PostgreSQL `search_vector` is the same text
as a tsvector under a GIN index.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Func, TextField, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from network import permissions
from network.models import MembershipStatus

from .models import VISIBILITY_FIELDS, ContactPreference, Profile, Visibility
from .photos import ProcessedPhoto, process_photo
from .text import normalize

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "country",
    "institution",
    "institution_name_other",
    "position",
    "languages_other",
    "bio",
    "contact_preference",
    *(f"{field}_visibility" for field in VISIBILITY_FIELDS),
)


# --- the search columns -------------------------------------------------------------------


def sort_name_for(user) -> str:
    return normalize(user.name)[:150]


def search_document_for(profile: Profile, *, user=None, topics=None) -> str:
    """The normalized words of the display name and of every field shown to members.

    `topics` may be given to spare a query (the seeders know them); otherwise they are read.
    Country and topic names go in in all four languages: members search in theirs.
    """
    user = user or profile.user
    parts = [user.name]
    if profile.shows("institution"):
        if profile.institution_id:
            institution = profile.institution
            parts += [institution.name, institution.acronym]
        else:
            parts.append(profile.institution_name_other)
    if profile.shows("position"):
        parts.append(profile.position)
    if profile.shows("country") and profile.country_id:
        country = profile.country
        parts += [country.name_en, country.name_es, country.name_pt, country.name_fr]
    if profile.shows("expertise"):
        if topics is None:
            topics = list(profile.expertise.all()) if profile.pk else []
        for topic in topics:
            parts += [topic.name_en, topic.name_es, topic.name_pt, topic.name_fr]
    words = normalize(" ".join(part for part in parts if part)).split()
    return " ".join(dict.fromkeys(words))  # each word once, in order


def search_vector_of(document):
    """The tsvector of a normalized document (a string, or an expression such as F("search_document")),
    in the "simple" configuration (no stemming: names and acronyms stay whole) and stripped of
    positions, which only ranking and phrase search use: a third smaller, rows stay narrow."""
    if isinstance(document, str):
        document = Value(document, output_field=TextField())
    return Func(SearchVector(document, config="simple"), function="strip", output_field=SearchVectorField())


def _reindex(profile: Profile, *, user=None, topics=None) -> None:
    user = user or profile.user
    profile.sort_name = sort_name_for(user)
    profile.search_document = search_document_for(profile, user=user, topics=topics)
    updates = {"sort_name": profile.sort_name, "search_document": profile.search_document}
    if connection.vendor == "postgresql":
        updates["search_vector"] = search_vector_of(profile.search_document)
    Profile.objects.filter(pk=profile.pk).update(**updates)


def store_search_vectors(profile_ids) -> None:
    """Recompute the tsvector of these profiles from their stored document (PostgreSQL only)."""
    if connection.vendor == "postgresql":
        Profile.objects.filter(pk__in=list(profile_ids)).update(
            search_vector=search_vector_of(F("search_document"))
        )


@transaction.atomic
def profile_refresh_search(*, profile: Profile) -> Profile:
    """Rebuild one profile's search columns: call it when the member's display name changes."""
    _reindex(profile)
    return profile


def profiles_reindex(*, profile_ids=None, batch_size: int = 1000, progress=None) -> int:
    """Rebuild the search columns of many profiles (after a topic, country or institution is
    renamed). Batches commit one by one, so a crash leaves the done ones done."""
    profiles = Profile.objects.order_by("pk")
    if profile_ids is not None:
        profiles = profiles.filter(pk__in=list(profile_ids))
    done = 0
    last_pk = 0
    while True:
        batch = list(
            profiles.filter(pk__gt=last_pk)
            .select_related("user", "country", "institution")
            .prefetch_related("expertise")[:batch_size]
        )
        if not batch:
            return done
        with transaction.atomic():
            for profile in batch:
                profile.sort_name = sort_name_for(profile.user)
                profile.search_document = search_document_for(profile, topics=list(profile.expertise.all()))
            Profile.objects.bulk_update(batch, ["sort_name", "search_document"])
            store_search_vectors(profile.pk for profile in batch)
        done += len(batch)
        last_pk = batch[-1].pk
        if progress:
            progress(len(batch))


# --- creating -----------------------------------------------------------------------------


def profile_for(user) -> Profile:
    """The member's profile, created (empty, visible to members of their networks) on first use."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            profile = Profile.objects.create(user=user)
            _reindex(profile, user=user, topics=[])
    except IntegrityError:  # created meanwhile by a parallel request
        profile = Profile.objects.get(user=user)
    user.profile = profile
    return profile


@transaction.atomic
def profile_for_new_member(*, user, application=None) -> Profile:
    """The profile of a newly approved member, started from their application's answers
    (country, position, institution) where the profile has nothing yet."""
    profile = profile_for(user)
    if application is None:
        return profile
    changed = []
    if not profile.country_id and application.country_id:
        profile.country_id = application.country_id
        changed.append("country")
    if not profile.position and application.position:
        profile.position = application.position[:200]
        changed.append("position")
    if not profile.institution_id and not profile.institution_name_other and application.institution_name:
        profile.institution_name_other = application.institution_name[:200]
        changed.append("institution_name_other")
    if changed:
        profile.updated_at = timezone.now()
        profile.save(update_fields=[*changed, "updated_at"])
        _reindex(profile, user=user)
    return profile


def profiles_create_missing(*, batch_size: int = 5000, progress=None) -> int:
    """Give every active member (active user, active membership) without a profile an empty one.

    Idempotent; meant for a periodic task and for databases that had members before profiles.
    """
    User = get_user_model()
    created = 0
    while True:
        missing = list(
            User.objects.filter(
                is_active=True,
                memberships__status=MembershipStatus.ACTIVE,
                profile__isnull=True,
            )
            .distinct()
            .order_by("pk")[:batch_size]
        )
        if not missing:
            return created
        with transaction.atomic():
            profiles = Profile.objects.bulk_create(
                [Profile(user=user, sort_name=sort_name_for(user)) for user in missing],
                ignore_conflicts=True,
            )
            fresh = Profile.objects.filter(user__in=missing).select_related("user")
            for profile in fresh:
                profile.search_document = search_document_for(profile, topics=[])
            Profile.objects.bulk_update(fresh, ["search_document"])
            store_search_vectors(profile.pk for profile in fresh)
        created += len(profiles)  # (with ignore_conflicts: the ones attempted)
        if progress:
            progress(len(missing))


# --- editing ------------------------------------------------------------------------------


def _check_consistent(values: dict) -> None:
    errors = {}
    if (
        values.get("contact_preference") == ContactPreference.EMAIL
        and values.get("email_visibility") != Visibility.MEMBERS
    ):
        errors["email_visibility"] = _(
            "To be contacted by e-mail, let the members of your networks see your e-mail address."
        )
    if errors:
        raise ValidationError(errors)


def _delete_files_on_commit(*names: str) -> None:
    names = [name for name in names if name]
    if not names:
        return

    def delete():
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("could not delete old profile photo %s", name)

    transaction.on_commit(delete)


@transaction.atomic
def profile_update(
    *,
    profile: Profile,
    by,
    display_name: str | None = None,
    values: dict | None = None,
    expertise=None,
    languages=None,
    photo=None,
    remove_photo: bool = False,
) -> Profile:
    """Save a member's own changes to their profile.

    `values` holds any of EDITABLE_FIELDS; `expertise` and `languages` (iterables of Topic and
    Language) replace the current ones when given; `photo` is an uploaded file, checked and
    re-encoded (ValidationError with the reason when it is not acceptable), or a ProcessedPhoto
    the form already made; `remove_photo`
    deletes the current one. Validates everything before writing; the replaced image files
    are deleted after commit. Only the member may change their profile here.
    """
    if not permissions.is_member(by) or by.pk != profile.user_id:
        raise PermissionDenied(_("You can only change your own profile."))
    values = dict(values or {})
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = {field: getattr(profile, field) for field in EDITABLE_FIELDS if field.endswith("_visibility")}
    current["contact_preference"] = profile.contact_preference
    _check_consistent(current | values)
    processed = photo if isinstance(photo, ProcessedPhoto) or photo is None else process_photo(photo)
    if display_name is not None:
        display_name = display_name.strip()
        if not display_name:
            raise ValidationError({"display_name": _("Please give the name members will see.")})

    for field, value in values.items():
        setattr(profile, field, value)
    profile.full_clean(exclude=["user", "photo", "photo_thumbnail", "search_vector"])

    user = profile.user
    if display_name is not None and display_name != user.display_name:
        user.display_name = display_name[:150]
        user.save(update_fields=["display_name"])
    old_files = []
    if processed is not None or remove_photo:
        old_files = [profile.photo.name, profile.photo_thumbnail.name]
        profile.photo = profile.photo_thumbnail = ""
    if processed is not None:
        # The field's upload_to gives each file a fresh random name.
        profile.photo.save("photo.jpg", ContentFile(processed.large), save=False)
        profile.photo_thumbnail.save("thumbnail.jpg", ContentFile(processed.thumbnail), save=False)
    profile.updated_at = timezone.now()
    profile.save()
    if expertise is not None:
        profile.expertise.set(expertise)
    if languages is not None:
        profile.languages_spoken.set(languages)
    _delete_files_on_commit(*old_files)
    _reindex(profile, user=user)
    return profile
