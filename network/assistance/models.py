from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


class AssistanceRequest(models.Model):
    """A member state's institution asks DPS for technical assistance."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assistance_requests"
    )
    institution_name = models.CharField(_("institution"), max_length=250)
    country = models.ForeignKey("network.Country", on_delete=models.PROTECT, verbose_name=_("country"))
    topic = models.ForeignKey(
        "network.Topic", on_delete=models.PROTECT, verbose_name=_("topic"), related_name="assistance_requests"
    )
    title = models.CharField(_("what do you need?"), max_length=200)
    description = models.TextField(
        _("description"),
        max_length=5000,
        help_text=_("The situation, what has been tried, who would take part, and by when."),
    )
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact telephone (optional)"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("technical-assistance request")
        verbose_name_plural = _("technical-assistance requests")
        indexes = [models.Index(fields=["status", "created_at"], name="assistance_queue_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("assistance:detail", args=[self.pk])


class RequestUpdate(models.Model):
    """One step in a request's history: a status change and/or a note to the requester."""

    request = models.ForeignKey(AssistanceRequest, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=RequestStatus.choices)
    note = models.TextField(_("note"), blank=True, max_length=5000)
    internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Visible to DPS staff only, not to the requester.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.request_id}: {self.status}"
