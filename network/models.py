from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account. Network roles and profiles hang off this model."""

    email = models.EmailField(_("e-mail address"))
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    @property
    def name(self) -> str:
        return str(self)


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a member should know about. Its text is rendered in the reader's language
    from the registered type's message and the `params` snapshot taken when it was sent."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    target_id = models.CharField(max_length=64, blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["recipient", "-id"], name="notification_recent_idx"),
        ]

    def __str__(self):
        return f"{self.verb} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("E-mail each one at once")
    DAILY = "daily", _("One e-mail a day (digest)")
    OFF = "off", _("No e-mail (on the site only)")


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    verb = models.CharField(max_length=64)
    delivery = models.CharField(max_length=16, choices=Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "verb"], name="notification_pref_unique")]

    def __str__(self):
        return f"{self.user_id} {self.verb}: {self.delivery}"


class Announcement(models.Model):
    """A message from DPS staff to every active member, delivered as notifications."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), max_length=2000)
    url = models.URLField(_("link"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    recipients_total = models.PositiveIntegerField(default=0)
    recipients_done = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def progress_percent(self) -> int:
        if not self.recipients_total:
            return 100 if self.recipients_done else 0
        return min(100, round(100 * self.recipients_done / self.recipients_total))


class NamedInFourLanguages:
    """For reference data with `name_en`, `name_es`, `name_pt`, `name_fr`: `name` is the one
    of the active language (Brazilian Portuguese reads `name_pt`), English otherwise."""

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "en")[:2]
        return getattr(self, f"name_{language}", None) or self.name_en


class Country(NamedInFourLanguages, models.Model):
    """A member state. Names in the four languages; a tile position for the hemisphere map."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    name_en = models.CharField(max_length=80)
    name_es = models.CharField(max_length=80)
    name_pt = models.CharField(max_length=80)
    name_fr = models.CharField(max_length=80)
    map_row = models.PositiveSmallIntegerField(default=0)
    map_col = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class Topic(NamedInFourLanguages, models.Model):
    """An area of expertise / subject, shared by the directory, the library and the forums."""

    slug = models.SlugField(max_length=60, unique=True)
    name_en = models.CharField(max_length=100)
    name_es = models.CharField(max_length=100)
    name_pt = models.CharField(max_length=100)
    name_fr = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name_en"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class Network(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    is_open_for_applications = models.BooleanField(_("open for applications"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")
    INSTRUCTOR = "instructor", _("Instructor")
    MANAGER = "manager", _("Network manager")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LEFT = "left", _("Left")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=MembershipStatus.ACTIVE, user__is_active=True)


class Membership(models.Model):
    """A member's place in one network: their role and whether it is active."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    joined_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "network"], name="membership_unique")]
        indexes = [models.Index(fields=["network", "status", "role"], name="membership_network_idx")]

    def __str__(self):
        return f"{self.user} in {self.network} ({self.role}, {self.status})"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    NEEDS_INFO = "needs_info", _("More information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_APPLICATION_STATUSES = (ApplicationStatus.PENDING, ApplicationStatus.NEEDS_INFO)


class MembershipApplication(models.Model):
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership_applications"
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="applications")
    institution_name = models.CharField(_("institution"), max_length=200)
    position = models.CharField(_("position"), max_length=200)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, verbose_name=_("country"))
    reason = models.TextField(_("why do you want to join?"), max_length=3000)
    reference = models.CharField(
        _("reference (optional)"),
        max_length=300,
        blank=True,
        help_text=_("A colleague or supervisor who can vouch for you: name and e-mail."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True, max_length=3000)
    info_request = models.TextField(_("information requested"), blank=True, max_length=3000)
    info_response = models.TextField(_("your answer"), blank=True, max_length=3000)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "network"],
                condition=models.Q(status__in=["pending", "needs_info"]),
                name="one_open_application_per_network",
            )
        ]
        indexes = [models.Index(fields=["network", "status", "created_at"], name="application_queue_idx")]

    def __str__(self):
        return f"{self.applicant} → {self.network} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES


class AuditEntry(models.Model):
    """Who did what to whom, when and why: membership decisions, suspensions, moderation."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    target_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
