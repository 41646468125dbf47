"""Meetings, workshops, webinars and course sessions of the networks, and who registered.

Times are stored in UTC; each event names the IANA time zone it happens in, and pages show
its times in that zone. Who may see what is decided in `selectors.py`; every change goes
through `services.py`.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, tzinfo
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

# Paths under /network/events/ that an event slug may not take.
RESERVED_SLUGS = frozenset({"past", "feed", "new", "admin"})

validate_http_url = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a web address starting with http:// or https://."),
    # Its own code, so that the field's generic "Enter a valid URL." does not replace the message.
    code="invalid_scheme",
)


@lru_cache(maxsize=1)
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone. Use a name like America/Bogota or UTC."),
            code="invalid_time_zone",
            params={"value": value},
        )


class EventKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    WORKSHOP = "workshop", _("Workshop")
    WEBINAR = "webinar", _("Webinar")
    COURSE_SESSION = "course_session", _("Course session")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses shown on the site: a cancelled event stays visible so people learn it is off.
LISTED_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


class EventQuerySet(models.QuerySet):
    def listed(self):
        return self.filter(status__in=LISTED_STATUSES)

    def published(self):
        return self.filter(status=EventStatus.PUBLISHED)

    def upcoming(self, now=None):
        """Not over yet (an ongoing month-long course is still upcoming), soonest first."""
        return self.filter(ends_at__gt=now or timezone.now()).order_by("starts_at", "id")

    def past(self, now=None):
        return self.filter(ends_at__lte=now or timezone.now()).order_by("-starts_at", "-id")

    def visible_in(self, *, network_ids: set[int] | None):
        """Public events plus the members-only events of `network_ids` (None: all networks)."""
        if network_ids is None:
            return self
        return self.filter(Q(is_public=True) | Q(network_id__in=network_ids))

    def with_seats_taken(self):
        return self.annotate(
            seats_taken=models.Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
            )
        )


class Event(ClusterableModel):
    network = models.ForeignKey(
        "network.Network", on_delete=models.CASCADE, related_name="events", verbose_name=_("network")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=220,
        unique=True,
        blank=True,
        help_text=_("The event's address on the site. Left empty, it is made from the title."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices, default=EventKind.MEETING)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the event is held in."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_(
            "Where the event happens, as an IANA name (America/Bogota, America/Port_of_Spain). "
            "Start and end times are entered and shown in this zone."
        ),
    )
    is_online = models.BooleanField(_("online"), default=False)
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("address"), max_length=300, blank=True)
    venue_city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.ForeignKey(
        "network.Country",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("country"),
    )
    online_url = models.URLField(
        _("online link"),
        max_length=500,
        blank=True,
        validators=[validate_http_url],
        help_text=_("Shown only to registered members and the network's managers."),
    )
    capacity = models.PositiveIntegerField(
        _("seats"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty for no limit. When all seats are taken, members join a waiting list."),
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Public events are listed for everyone; otherwise only members of the network see them."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set once the registrants were told of a cancellation, so they are told only once.
    cancellation_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["status", "ends_at", "starts_at"], name="event_listing_idx"),
            models.Index(fields=["network", "status", "ends_at"], name="event_network_idx"),
            models.Index(fields=["status", "is_public", "ends_at"], name="event_public_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="event_capacity_positive"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def tz(self) -> tzinfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return UTC

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(self.tz)

    @property
    def local_ends_at(self):
        return self.ends_at.astimezone(self.tz)

    @property
    def utc_offset_label(self) -> str:
        """ "UTC−05:00" at the event's start (offsets change with daylight saving)."""
        offset = self.local_starts_at.utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        sign = "+" if minutes >= 0 else "−"
        minutes = abs(minutes)
        return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    def has_started(self, now=None) -> bool:
        return self.starts_at <= (now or timezone.now())

    def is_over(self, now=None) -> bool:
        return self.ends_at <= (now or timezone.now())

    def registration_is_open(self, now=None) -> bool:
        """Published, not started, and inside the registration window if there is one."""
        now = now or timezone.now()
        if not self.is_published or self.has_started(now):
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now >= self.registration_closes_at)

    @property
    def location_text(self) -> str:
        """The venue on one line (for calendars); empty for online events."""
        if self.is_online:
            return ""
        parts = [self.venue_name, self.venue_address, self.venue_city]
        if self.country_id:
            parts.append(self.country.name)
        return ", ".join(part for part in parts if part)

    def clean(self):
        super().clean()
        errors = {}
        if self.slug and self.slug in RESERVED_SLUGS:
            errors["slug"] = _("This address is reserved; choose another.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The event must end after it starts.")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            errors["registration_closes_at"] = _("Registration must close after it opens.")
        if self.registration_closes_at and self.starts_at and self.registration_closes_at > self.starts_at:
            errors["registration_closes_at"] = _("Registration must close by the time the event starts.")
        if not self.is_online:
            if not self.venue_city:
                errors["venue_city"] = _("An in-person event needs a city.")
            if not self.country_id:
                errors["country"] = _("An in-person event needs a country.")
        if errors:
            raise ValidationError(errors)


class EventLinkKind(models.TextChoices):
    MATERIAL = "material", _("Material")
    RECORDING = "recording", _("Recording")


class EventLink(Orderable):
    """Slides, documents or the recording of an event (later: items of the library)."""

    event = ParentalKey(Event, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(_("label"), max_length=200)
    url = models.URLField(_("web address"), max_length=500, validators=[validate_http_url])
    kind = models.CharField(
        _("kind"), max_length=16, choices=EventLinkKind.choices, default=EventLinkKind.MATERIAL
    )
    members_only = models.BooleanField(
        _("members only"),
        default=False,
        help_text=_("Hide this link from visitors who are not members of the network."),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("event link")
        verbose_name_plural = _("materials and recordings")

    def __str__(self):
        return self.label


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_REGISTRATION_STATUSES = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_REGISTRATION_STATUSES)

    def registered(self):
        return self.filter(status=RegistrationStatus.REGISTERED)

    def waitlisted(self):
        """The waiting list in order: first come, first served."""
        return self.filter(status=RegistrationStatus.WAITLISTED).order_by("created_at", "id")

    def with_waitlist_position(self):
        """Annotate `waitlist_position` (1 = next to get a seat) in one query, for any number of rows."""
        ahead = (
            Registration.objects.filter(
                event_id=models.OuterRef("event_id"), status=RegistrationStatus.WAITLISTED
            )
            .filter(
                Q(created_at__lt=models.OuterRef("created_at"))
                | Q(created_at=models.OuterRef("created_at"), id__lt=models.OuterRef("id"))
            )
            .order_by()
            .values("event_id")
            .annotate(count=models.Count("id"))
            .values("count")
        )
        return self.annotate(
            waitlist_position=models.Case(
                models.When(
                    status=RegistrationStatus.WAITLISTED,
                    then=Coalesce(models.Subquery(ahead), 0) + 1,
                ),
                default=None,
                output_field=models.IntegerField(),
            )
        )


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED
    )
    # When the member (last) asked for a seat: the waiting list is served in this order.
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    promoted_at = models.DateTimeField(_("moved off the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="registration_unique")]
        indexes = [
            models.Index(fields=["event", "status", "created_at"], name="registration_queue_idx"),
            models.Index(fields=["user", "status"], name="registration_user_idx"),
            models.Index(fields=["status", "reminder_sent_at"], name="registration_reminder_idx"),
        ]

    def __str__(self):
        return f"{self.user} → {self.event} ({self.status})"

    @property
    def is_registered(self) -> bool:
        return self.status == RegistrationStatus.REGISTERED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == RegistrationStatus.WAITLISTED

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_REGISTRATION_STATUSES
