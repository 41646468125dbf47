from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
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
