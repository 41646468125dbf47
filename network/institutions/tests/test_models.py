from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from network.institutions import services
from network.institutions.files import MAX_EVIDENCE_BYTES, validate_pdf_evidence
from network.institutions.models import Certification, CertificationStatus, Institution
from network.institutions.tests.factories import CertificationFactory, InstitutionFactory, country

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def certification(until_days: int, from_days: int = -365, **fields):
    return CertificationFactory(
        valid_from=TODAY + timedelta(days=from_days), valid_until=TODAY + timedelta(days=until_days), **fields
    )


@pytest.mark.parametrize(
    ("from_days", "until_days", "expected"),
    [
        (-365, 91, CertificationStatus.VALID),
        (-365, 90, CertificationStatus.EXPIRING),
        (-365, 1, CertificationStatus.EXPIRING),
        (-365, 0, CertificationStatus.EXPIRING),  # valid through its last day
        (-365, -1, CertificationStatus.EXPIRED),
        (0, 700, CertificationStatus.VALID),
        (1, 700, CertificationStatus.UPCOMING),
    ],
)
def test_the_status_follows_from_the_dates_in_python_and_in_the_database(from_days, until_days, expected):
    cert = certification(until_days, from_days)
    assert cert.status_on(TODAY) == expected
    annotated = Certification.objects.with_status(TODAY).get(pk=cert.pk)
    assert annotated.status_today == expected
    assert annotated.status == expected


def test_the_status_property_uses_today(monkeypatch):
    cert = certification(until_days=10)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)
    assert cert.status == CertificationStatus.EXPIRING
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY + timedelta(days=11))
    assert cert.status == CertificationStatus.EXPIRED
    assert cert.status_label == CertificationStatus.EXPIRED.label


def test_queryset_methods_split_certifications_by_status():
    valid, expiring, expired, upcoming = (
        certification(200),
        certification(30),
        certification(-30),
        certification(500, from_days=10),
    )
    assert list(Certification.objects.valid(TODAY)) == [valid]
    assert list(Certification.objects.expiring(TODAY)) == [expiring]
    assert list(Certification.objects.expired(TODAY)) == [expired]
    assert list(Certification.objects.upcoming(TODAY)) == [upcoming]
    assert set(Certification.objects.in_force(TODAY)) == {valid, expiring}


def test_an_institution_takes_the_best_status_of_its_certifications():
    both = InstitutionFactory()
    certification(-10, institution=both)
    certification(40, institution=both)
    expired_only = InstitutionFactory()
    certification(-10, institution=expired_only)
    upcoming_only = InstitutionFactory()
    certification(900, from_days=5, institution=upcoming_only)
    none = InstitutionFactory()
    valid = InstitutionFactory()
    certification(-3, institution=valid)
    certification(400, institution=valid)
    statuses = dict(
        Institution.objects.with_certification_status(TODAY).values_list("pk", "certification_status")
    )
    assert statuses == {
        both.pk: "expiring",
        expired_only.pk: "expired",
        upcoming_only.pk: "none",
        none.pk: "none",
        valid.pk: "valid",
    }
    assert set(Institution.objects.certified(TODAY)) == {both, valid}


def test_the_end_of_validity_must_come_after_its_start():
    cert = CertificationFactory.build(
        institution=InstitutionFactory(), valid_from=TODAY, valid_until=TODAY - timedelta(days=1)
    )
    with pytest.raises(ValidationError) as error:
        cert.full_clean()
    assert "valid_until" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        cert.save()


def test_search_finds_name_or_acronym_case_insensitively():
    police = InstitutionFactory(name="Policía Nacional del Perú", acronym="PNP")
    InstitutionFactory(name="Carabineros de Chile", acronym="")
    assert list(Institution.objects.search("nacional")) == [police]
    assert list(Institution.objects.search("pnp")) == [police]
    assert Institution.objects.search("  ").count() == 2


# --- evidence files ----------------------------------------------------------------------------


def test_a_pdf_passes_and_anything_else_is_refused_by_its_content():
    validate_pdf_evidence(ContentFile(b"%PDF-1.7\n...", name="x.pdf"))
    for content, name in [(b"<html><script>", "x.pdf"), (b"\x89PNG\r\n", "certificate.pdf"), (b"", "x.pdf")]:
        with pytest.raises(ValidationError) as error:
            validate_pdf_evidence(ContentFile(content, name=name))
        assert error.value.code == "not_pdf"


def test_an_evidence_file_over_10_mb_is_refused_without_reading_it():
    upload = ContentFile(b"%PDF-1.4\n", name="big.pdf")
    upload.size = MAX_EVIDENCE_BYTES + 1
    with pytest.raises(ValidationError) as error:
        validate_pdf_evidence(upload)
    assert error.value.code == "too_large"
    validate_pdf_evidence(ContentFile(b"%PDF-" + b"0" * (MAX_EVIDENCE_BYTES - 5), name="limit.pdf"))


def test_certification_create_stores_the_pdf_under_a_random_private_name(private_media):
    institution = InstitutionFactory(country=country("CL"))
    cert = services.certification_create(
        institution=institution,
        standard="ISO 37001:2016",
        scope="Procurement",
        certifying_body="SGS",
        valid_from=TODAY,
        valid_until=TODAY + timedelta(days=1000),
        evidence=ContentFile(services.tiny_pdf(["hello"]), name="../../etc/passwd.pdf"),
    )
    name = cert.evidence_document.name
    assert name.startswith("certifications/") and name.endswith(".pdf") and "passwd" not in name
    assert (private_media / name).read_bytes().startswith(b"%PDF-")
    assert cert.evidence_document.url == f"/network/institutions/certifications/{cert.pk}/evidence/"


def test_certification_create_refuses_a_non_pdf_and_stores_nothing(private_media):
    with pytest.raises(ValidationError):
        services.certification_create(
            institution=InstitutionFactory(),
            standard="ISO 9001:2015",
            scope="Training",
            certifying_body="SGS",
            valid_from=TODAY,
            valid_until=TODAY + timedelta(days=10),
            evidence=ContentFile(b"MZ\x90\x00", name="certificate.pdf"),
        )
    assert not Certification.objects.exists()
    assert not private_media.exists() or not any(private_media.rglob("*.pdf"))


def test_certification_create_refuses_dates_in_the_wrong_order():
    with pytest.raises(ValidationError):
        services.certification_create(
            institution=InstitutionFactory(),
            standard="ISO 9001:2015",
            scope="Training",
            certifying_body="SGS",
            valid_from=TODAY,
            valid_until=TODAY,
        )
    assert not Certification.objects.exists()


def test_attaching_new_evidence_replaces_the_old_file_after_commit(
    private_media, django_capture_on_commit_callbacks
):
    cert = CertificationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.certification_attach_evidence(
            certification=cert, evidence=ContentFile(b"%PDF-1 one", name="a")
        )
    cert.refresh_from_db()
    first = cert.evidence_document.name
    with django_capture_on_commit_callbacks(execute=True):
        services.certification_attach_evidence(
            certification=cert, evidence=ContentFile(b"%PDF-1 two", name="b")
        )
    cert.refresh_from_db()
    assert cert.evidence_document.name != first
    assert not (private_media / first).exists()
    assert (private_media / cert.evidence_document.name).read_bytes() == b"%PDF-1 two"


def test_the_private_storage_has_no_public_url(private_media):
    cert = CertificationFactory()
    services.certification_attach_evidence(certification=cert, evidence=ContentFile(b"%PDF-1", name="a"))
    with pytest.raises(ValueError, match="no public URL"):
        cert.evidence_document.storage.url(cert.evidence_document.name)


def test_the_demo_pdf_is_a_well_formed_pdf():
    pdf = services.tiny_pdf(["Certificate (demo)", "Policía Nacional – Perú \\ test"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    xref_at = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[xref_at:].startswith(b"xref")
    offsets = [int(line.split()[0]) for line in pdf[xref_at:].splitlines()[3:8]]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(f"{number} 0 obj".encode())
    length = int(pdf.split(b"/Length ", 1)[1].split()[0])
    stream = pdf.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    assert len(stream) == length
    assert b"\\(demo\\)" in stream
