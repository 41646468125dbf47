"""DPS staff manage institutions and certifications in the Wagtail admin (/cms/)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from network.institutions import services
from network.institutions.files import MAX_EVIDENCE_BYTES
from network.institutions.models import Certification
from network.institutions.tests.factories import CertificationFactory, InstitutionFactory, country

pytestmark = pytest.mark.django_db

INSTITUTIONS = "/cms/snippets/institutions/institution/"
CERTIFICATIONS = "/cms/snippets/institutions/certification/"


def form_data(institution, evidence=None, **overrides):
    data = {
        "institution": str(institution.pk),
        "standard": "ISO 9001:2015",
        "scope": "Basic training",
        "certifying_body": "INTECO",
        "certificate_number": "",
        "valid_from": "2026-01-01",
        "valid_until": "2029-01-01",
    }
    if evidence is not None:
        data["evidence_document"] = evidence
    data.update(overrides)
    return data


def test_the_dps_staff_group_may_manage_them_in_the_wagtail_admin(staff):
    for codename in ("add_institution", "change_certification", "delete_certification", "view_institution"):
        assert staff.has_perm(f"institutions.{codename}")
    assert staff.has_perm("wagtailadmin.access_admin")


def test_staff_list_search_and_filter_institutions(staff_client):
    InstitutionFactory(name="Policía Nacional del Perú", acronym="PNP", country=country("PE"))
    InstitutionFactory(name="Carabineros de Chile", country=country("CL"), kind="police_force")
    InstitutionFactory(name="Universidad de Chile", country=country("CL"), kind="university")
    page = staff_client.get(INSTITUTIONS).content.decode()
    assert "Policía Nacional del Perú" in page and "Carabineros de Chile" in page
    page = staff_client.get(INSTITUTIONS + "?q=pnp").content.decode()
    assert "Policía Nacional del Perú" in page and "Carabineros de Chile" not in page
    page = staff_client.get(INSTITUTIONS + "?country=CL&kind=university").content.decode()
    assert "Universidad de Chile" in page and "Carabineros de Chile" not in page


def test_staff_list_and_filter_certifications(staff_client):
    CertificationFactory(
        institution=InstitutionFactory(name="Peru one", country=country("PE")), scope="Records"
    )
    CertificationFactory(
        institution=InstitutionFactory(name="Chile one", country=country("CL")), scope="Stations"
    )
    page = staff_client.get(CERTIFICATIONS + "?institution__country=PE").content.decode()
    assert "Peru one" in page and "Chile one" not in page
    page = staff_client.get(CERTIFICATIONS + "?q=stations").content.decode()
    assert "Chile one" in page and "Peru one" not in page


def test_the_standard_field_suggests_the_usual_standards(staff_client):
    page = staff_client.get(CERTIFICATIONS + "add/").content.decode()
    assert 'list="id_standard-suggestions"' in page
    assert '<option value="ISO 37001:2016">' in page


def test_staff_add_a_certification_with_a_pdf_kept_in_the_private_folder(
    staff_client, private_media, settings
):
    institution = InstitutionFactory()
    pdf = SimpleUploadedFile("certificate.pdf", services.tiny_pdf(["ok"]), content_type="application/pdf")
    response = staff_client.post(CERTIFICATIONS + "add/", form_data(institution, pdf))
    assert response.status_code == 302, response.content.decode()[:3000]
    cert = Certification.objects.get()
    assert (private_media / cert.evidence_document.name).read_bytes().startswith(b"%PDF-")
    assert not (Path(settings.MEDIA_ROOT) / cert.evidence_document.name).exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "certificate.pdf"),
        (b"\x89PNG\r\n\x1a\n", "scan.pdf"),
        (b"MZ\x90\x00", "certificate.exe"),
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_with_a_message(staff_client, private_media, content, name):
    institution = InstitutionFactory()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = staff_client.post(CERTIFICATIONS + "add/", form_data(institution, upload))
    assert response.status_code == 200
    assert "Only PDF files are accepted." in response.content.decode()
    assert not Certification.objects.exists()
    assert not private_media.exists() or not any(private_media.rglob("*"))


def test_a_pdf_over_10_mb_is_refused_with_a_message(staff_client, private_media):
    institution = InstitutionFactory()
    upload = SimpleUploadedFile(
        "big.pdf", b"%PDF-1.4\n" + b"0" * MAX_EVIDENCE_BYTES, content_type="application/pdf"
    )
    response = staff_client.post(CERTIFICATIONS + "add/", form_data(institution, upload))
    assert response.status_code == 200
    assert "The file is too large" in response.content.decode()
    assert not Certification.objects.exists()


def test_the_end_of_validity_before_its_start_is_refused(staff_client):
    institution = InstitutionFactory()
    response = staff_client.post(
        CERTIFICATIONS + "add/", form_data(institution, valid_from="2026-05-01", valid_until="2026-04-01")
    )
    assert response.status_code == 200
    assert "The end of validity must be after its start." in response.content.decode()
    assert not Certification.objects.exists()


def test_editing_a_certification_keeps_its_evidence(staff_client, private_media):
    from django.core.files.base import ContentFile

    cert = services.certification_attach_evidence(
        certification=CertificationFactory(), evidence=ContentFile(services.tiny_pdf(["x"]), name="x.pdf")
    )
    name = cert.evidence_document.name
    response = staff_client.post(
        f"{CERTIFICATIONS}edit/{cert.pk}/", form_data(cert.institution, scope="New scope")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    cert.refresh_from_db()
    assert cert.scope == "New scope"
    assert cert.evidence_document.name == name
    assert (private_media / name).is_file()


def test_members_cannot_reach_the_admin(vetted_client):
    response = vetted_client.get(INSTITUTIONS)
    assert response.status_code in (302, 403)
