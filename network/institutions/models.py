"""Institutions of the member states and their quality-management certifications.

A certification's status follows from its dates and "today": valid, expiring (within
EXPIRY_WARNING_DAYS), expired, or upcoming (not yet in force). An institution's status is
the best status among its certifications, or "none".
"""

import uuid
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.institutions.files import EvidenceFileField, private_storage, validate_pdf_evidence

EXPIRY_WARNING_DAYS = 90

# Suggestions offered when typing a standard; any other text is accepted.
STANDARD_SUGGESTIONS = [
    "ISO 9001:2015",
    "ISO 37001:2016",
    "ISO 27001:2022",
    "ISO 14001:2015",
    "ISO 45001:2018",
    "ISO 18788:2015",
    "ISO 21001:2018",
    "CALEA accreditation",
    "CALEA Training Academy accreditation",
]


class InstitutionKind(models.TextChoices):
    POLICE_ACADEMY = "police_academy", _("Police academy")
    POLICE_FORCE = "police_force", _("Police force")
    MINISTRY = "ministry", _("Ministry")
    UNIVERSITY = "university", _("University")
    NGO = "ngo", _("Civil society organisation")
    INTERNATIONAL = "international", _("International partner")
    OTHER = "other", _("Other")


class CertificationStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    UPCOMING = "upcoming", _("Not yet in force")


class InstitutionStatus(models.TextChoices):
    """An institution's certification status, as filtered in the list."""

    VALID = "valid", _("Certified, valid")
    EXPIRING = "expiring", _("Certified, expiring within 90 days")
    EXPIRED = "expired", _("Certification expired")
    NONE = "none", _("Not certified")


# "certified" in the list filter: a certification in force, valid or expiring.
IN_FORCE = (InstitutionStatus.VALID, InstitutionStatus.EXPIRING)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


class CertificationQuerySet(models.QuerySet):
    def valid(self, today: date | None = None):
        today = _today(today)
        return self.filter(valid_from__lte=today, valid_until__gt=today + timedelta(days=EXPIRY_WARNING_DAYS))

    def expiring(self, today: date | None = None):
        today = _today(today)
        return self.filter(
            valid_from__lte=today,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=EXPIRY_WARNING_DAYS),
        )

    def expired(self, today: date | None = None):
        return self.filter(valid_until__lt=_today(today))

    def upcoming(self, today: date | None = None):
        return self.filter(valid_from__gt=_today(today))

    def in_force(self, today: date | None = None):
        today = _today(today)
        return self.filter(valid_from__lte=today, valid_until__gte=today)

    def with_status(self, today: date | None = None):
        """Annotate `status_today` (a CertificationStatus value) computed in the database."""
        today = _today(today)
        return self.annotate(status_today=status_expression(today))


def status_expression(today: date, prefix: str = ""):
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    return Case(
        When(**{f"{prefix}valid_until__lt": today}, then=Value(CertificationStatus.EXPIRED.value)),
        When(**{f"{prefix}valid_from__gt": today}, then=Value(CertificationStatus.UPCOMING.value)),
        When(**{f"{prefix}valid_until__lte": soon}, then=Value(CertificationStatus.EXPIRING.value)),
        default=Value(CertificationStatus.VALID.value),
        output_field=models.CharField(max_length=10),
    )


def certification_status_on(*, valid_from: date, valid_until: date, today: date) -> str:
    """The same rule as `status_expression`, in Python."""
    if valid_until < today:
        return CertificationStatus.EXPIRED
    if valid_from > today:
        return CertificationStatus.UPCOMING
    if valid_until <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        return CertificationStatus.EXPIRING
    return CertificationStatus.VALID


class InstitutionQuerySet(models.QuerySet):
    def with_certification_status(self, today: date | None = None):
        """Annotate `certification_status` (an InstitutionStatus value): the best of its
        certifications today: valid, else expiring, else expired, else none."""
        today = _today(today)
        certifications = Certification.objects.filter(institution=OuterRef("pk"))
        return self.annotate(
            certification_status=Case(
                When(Exists(certifications.valid(today)), then=Value(InstitutionStatus.VALID.value)),
                When(Exists(certifications.expiring(today)), then=Value(InstitutionStatus.EXPIRING.value)),
                When(Exists(certifications.expired(today)), then=Value(InstitutionStatus.EXPIRED.value)),
                default=Value(InstitutionStatus.NONE.value),
                output_field=models.CharField(max_length=10),
            )
        )

    def certified(self, today: date | None = None):
        """Institutions with a certification in force today (valid or expiring)."""
        return self.filter(Exists(Certification.objects.filter(institution=OuterRef("pk")).in_force(today)))

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(acronym__icontains=text))


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

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        indexes = [models.Index(fields=["country", "kind"], name="institution_country_kind_idx")]
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="institution_unique_per_country")
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("institutions:detail", args=[self.pk])

    @property
    def certification_status_label(self) -> str:
        """The label of `certification_status` (annotated by `with_certification_status`)."""
        status = getattr(self, "certification_status", None)
        return InstitutionStatus(status).label if status else ""


def evidence_upload_to(instance, filename: str) -> str:
    # The uploaded name is never used: it could carry a path or a misleading extension.
    return f"certifications/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class Certification(models.Model):
    """A quality-management certification (ISO 9001, ISO 37001, CALEA, ...) of an institution."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="certifications", verbose_name=_("institution")
    )
    standard = models.CharField(
        _("standard"),
        max_length=120,
        help_text=_("For example ISO 9001:2015, ISO 37001 or CALEA accreditation."),
    )
    scope = models.CharField(
        _("scope"), max_length=500, help_text=_("The process or unit that is certified.")
    )
    certifying_body = models.CharField(_("certifying body"), max_length=200)
    certificate_number = models.CharField(_("certificate number"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    evidence_document = EvidenceFileField(
        _("evidence (PDF)"),
        storage=private_storage,
        upload_to=evidence_upload_to,
        max_length=200,
        blank=True,
        validators=[validate_pdf_evidence],
        help_text=_("The certificate as a PDF file of at most 10 MB. Only members can download it."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_until", "standard"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        indexes = [
            models.Index(
                fields=["institution", "valid_until", "valid_from"], name="certification_validity_idx"
            ),
            models.Index(fields=["valid_until"], name="certification_until_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("valid_from")), name="certification_until_after_from"
            )
        ]

    def __str__(self):
        return f"{self.standard} – {self.institution}"

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The end of validity must be after its start.")})

    def status_on(self, today: date) -> str:
        return certification_status_on(valid_from=self.valid_from, valid_until=self.valid_until, today=today)

    @property
    def status(self) -> str:
        return getattr(self, "status_today", None) or self.status_on(timezone.localdate())

    @property
    def status_label(self) -> str:
        return CertificationStatus(self.status).label

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_document)

    def get_evidence_url(self) -> str:
        return reverse("institutions:evidence", args=[self.pk])
