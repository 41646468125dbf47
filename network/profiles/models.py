"""Member profiles: what a member tells the others, and who may see each part of it.

Every optional field has its own visibility: "members of my networks" or "nobody". The
display name is always visible to those who may see the profile at all (see
`selectors.can_view_profile`). Search and filters only ever look at visible fields:
`search_document` is built from them alone, and every filter pairs its field with that
field's visibility.
"""

import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import NamedInFourLanguages

BIO_MAX_LENGTH = 1000


class Visibility(models.TextChoices):
    MEMBERS = "members", _("Members of my networks")
    NOBODY = "nobody", _("Nobody (only me)")


class ContactPreference(models.TextChoices):
    MESSAGE = "message", _("A direct message on Puente")
    EMAIL = "email", _("E-mail (my address is shown to members of my networks)")
    NONE = "none", _("Please do not contact me")


# The parts of a profile a member can show or hide, in the order the edit form shows them.
VISIBILITY_FIELDS = ("photo", "country", "institution", "position", "expertise", "languages", "bio", "email")


class Language(NamedInFourLanguages, models.Model):  # noqa: DJ008 (its __str__ is the mixin's)
    """A language a member may speak: the four official languages and the region's others."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name_en = models.CharField(max_length=60)
    name_es = models.CharField(max_length=60)
    name_pt = models.CharField(max_length=60)
    name_fr = models.CharField(max_length=60)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name_en"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")


def photo_path(instance, filename: str) -> str:
    # Unguessable names: photos are members-only and must not be found by walking /media/.
    return f"profiles/photos/{secrets.token_urlsafe(24)}.jpg"


def _visibility_field(label, default=Visibility.MEMBERS):
    return models.CharField(label, max_length=8, choices=Visibility.choices, default=default)


class ProfileQuerySet(models.QuerySet):
    def of_active_members(self, network_ids=None):
        """Profiles of active users with an active membership (of one of `network_ids`, if given)."""
        from network.models import Membership, MembershipStatus

        memberships = Membership.objects.filter(user_id=OuterRef("user_id"), status=MembershipStatus.ACTIVE)
        if network_ids is not None:
            memberships = memberships.filter(network_id__in=network_ids)
        return self.filter(Exists(memberships), user__is_active=True)

    def showing(self, field: str):
        """Profiles that let members of their networks see `field`."""
        return self.filter(**{f"{field}_visibility": Visibility.MEMBERS})

    def in_country(self, country_code: str):
        return self.showing("country").filter(country_id=country_code)

    def at_institution(self, institution_id: int):
        return self.showing("institution").filter(institution_id=institution_id)

    def with_expertise(self, topic):
        """`topic`: a Topic id or slug (an id lets PostgreSQL estimate, and plan, far better)."""
        through = Profile.expertise.through.objects.filter(profile_id=OuterRef("pk"))
        if isinstance(topic, int):
            through = through.filter(topic_id=topic)
        else:
            through = through.filter(topic__slug=topic)
        return self.showing("expertise").filter(Exists(through))

    def speaking(self, language_code: str):
        through = Profile.languages_spoken.through
        return self.showing("languages").filter(
            Exists(through.objects.filter(profile_id=OuterRef("pk"), language_id=language_code))
        )


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("member")
    )
    # Both images are made by the service from the upload (which is never kept).
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True, max_length=200)
    photo_thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_path, blank=True, max_length=200)
    country = models.ForeignKey(
        "network.Country",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="profiles",
        verbose_name=_("country"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="profiles",
        verbose_name=_("institution"),
    )
    institution_name_other = models.CharField(
        _("institution (if not in the list)"), max_length=200, blank=True
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    expertise = models.ManyToManyField(
        "network.Topic", blank=True, related_name="profiles", verbose_name=_("areas of expertise")
    )
    languages_spoken = models.ManyToManyField(
        Language, blank=True, related_name="profiles", verbose_name=_("languages spoken")
    )
    languages_other = models.CharField(_("other languages"), max_length=200, blank=True)
    bio = models.TextField(_("about me"), max_length=BIO_MAX_LENGTH, blank=True)
    contact_preference = models.CharField(
        _("how members may contact me"),
        max_length=8,
        choices=ContactPreference.choices,
        default=ContactPreference.MESSAGE,
    )

    photo_visibility = _visibility_field(_("who sees my photo"))
    country_visibility = _visibility_field(_("who sees my country"))
    institution_visibility = _visibility_field(_("who sees my institution"))
    position_visibility = _visibility_field(_("who sees my position"))
    expertise_visibility = _visibility_field(_("who sees my areas of expertise"))
    languages_visibility = _visibility_field(_("who sees my languages"))
    bio_visibility = _visibility_field(_("who sees my presentation"))
    email_visibility = _visibility_field(_("who sees my e-mail address"), default=Visibility.NOBODY)

    # Kept by the services: the normalized display name (ordering) and the normalized text of
    # the visible fields (search); on PostgreSQL also that text as a tsvector (GIN index).
    sort_name = models.CharField(max_length=150, blank=True, editable=False)
    search_document = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name", "id"]
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        indexes = [
            models.Index(fields=["sort_name", "id"], name="profile_sort_idx"),
            models.Index(fields=["country", "sort_name"], name="profile_country_sort_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(contact_preference=ContactPreference.EMAIL)
                | Q(email_visibility=Visibility.MEMBERS),
                name="profile_email_contact_needs_visible_email",
                violation_error_code="email_hidden",
                violation_error_message=_(
                    "To be contacted by e-mail, let the members of your networks see your e-mail address."
                ),
            ),
        ]

    def __str__(self):
        return str(self.user)

    def shows(self, field: str) -> bool:
        """Whether members of this member's networks may see `field`."""
        return getattr(self, f"{field}_visibility") == Visibility.MEMBERS

    @property
    def institution_label(self) -> str:
        if self.institution_id:
            return str(self.institution)
        return self.institution_name_other

    @property
    def photo_version(self) -> str:
        """Changes whenever the photo does: part of the photo URL so browsers may cache it."""
        return str(int(self.updated_at.timestamp()))
