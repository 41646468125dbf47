from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InstitutionKind(models.TextChoices):
    POLICE_ACADEMY = "police_academy", _("Police academy")
    POLICE_FORCE = "police_force", _("Police force")
    MINISTRY = "ministry", _("Ministry")
    UNIVERSITY = "university", _("University")
    NGO = "ngo", _("Civil society organisation")
    INTERNATIONAL = "international", _("International partner")
    OTHER = "other", _("Other")


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=250)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    country = models.ForeignKey(
        "network.Country", on_delete=models.PROTECT, related_name="institutions", verbose_name=_("country")
    )
    kind = models.CharField(_("type"), max_length=20, choices=InstitutionKind.choices)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        indexes = [models.Index(fields=["country", "kind"], name="institution_country_kind_idx")]
        constraints = [models.UniqueConstraint(fields=["name", "country"], name="institution_unique_per_country")]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name
