from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from network.institutions import services
from network.institutions.tests.factories import CertificationFactory, InstitutionFactory, country

pytestmark = pytest.mark.django_db

PDF = services.tiny_pdf(["Certificate"])


@pytest.fixture
def institution():
    return InstitutionFactory(
        name="Carabineros de Chile", acronym="", country=country("CL"), website="https://www.carabineros.cl"
    )


@pytest.fixture
def certification(institution):
    cert = CertificationFactory(institution=institution, standard="ISO 9001:2015", scope="Citizen service")
    return services.certification_attach_evidence(certification=cert, evidence=ContentFile(PDF, name="x.pdf"))


def evidence_url(cert) -> str:
    return f"/network/institutions/certifications/{cert.pk}/evidence/"


# --- the detail page ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_detail_page_renders_for_visitors_in_two_languages(client, certification, language):
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(f"{prefix}/network/institutions/{certification.institution_id}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert "<h1>Carabineros de Chile</h1>" in page
    assert '<th scope="row">ISO 9001:2015' in page
    assert "Citizen service" in page and "Bureau Veritas" in page
    assert 'class="status status-valid"' in page


def test_the_detail_page_shows_each_certifications_status():
    today = timezone.localdate()
    institution = InstitutionFactory()
    CertificationFactory(institution=institution, valid_until=today + timedelta(days=10))
    CertificationFactory(institution=institution, valid_until=today - timedelta(days=10))
    from django.test import Client

    page = Client().get(institution.get_absolute_url()).content.decode()
    assert 'class="status status-expiring"' in page
    assert 'class="status status-expired"' in page


def test_an_unknown_institution_is_a_404(client):
    assert client.get("/network/institutions/999999/").status_code == 404


def test_visitors_are_invited_to_log_in_for_the_evidence_but_get_no_link(client, certification):
    page = client.get(f"/network/institutions/{certification.institution_id}/").content.decode()
    assert evidence_url(certification) not in page
    assert "/accounts/login/?next=" in page


def test_members_of_no_network_get_no_evidence_link(outsider_client, certification):
    page = outsider_client.get(f"/network/institutions/{certification.institution_id}/").content.decode()
    assert evidence_url(certification) not in page


def test_vetted_members_get_the_evidence_link(vetted_client, certification):
    page = vetted_client.get(f"/network/institutions/{certification.institution_id}/").content.decode()
    assert f'href="{evidence_url(certification)}"' in page


def test_a_certification_without_evidence_shows_no_link(vetted_client, institution):
    cert = CertificationFactory(institution=institution)
    page = vetted_client.get(f"/network/institutions/{institution.pk}/").content.decode()
    assert evidence_url(cert) not in page


def test_the_members_section_is_hidden_from_visitors_and_outsiders(client, outsider_client, institution):
    assert 'id="members-heading"' not in client.get(institution.get_absolute_url()).content.decode()
    assert 'id="members-heading"' not in outsider_client.get(institution.get_absolute_url()).content.decode()


def test_vetted_members_see_the_members_section(vetted_client, institution):
    assert 'id="members-heading"' in vetted_client.get(institution.get_absolute_url()).content.decode()


def test_vetted_members_see_who_works_there_and_visitors_do_not(client, vetted, institution):
    from django.test import Client

    from network.models import Network
    from network.profiles.models import Profile
    from tests.factories import member_of

    colleague = member_of(Network.objects.get(slug="police"), display_name="Carla Colega")
    Profile.objects.update_or_create(user=colleague, defaults={"institution": institution})
    hidden = member_of(Network.objects.get(slug="police"), display_name="Hugo Hidden")
    Profile.objects.update_or_create(
        user=hidden, defaults={"institution": institution, "institution_visibility": "nobody"}
    )
    viewer = Client()
    viewer.force_login(vetted)
    page = viewer.get(institution.get_absolute_url()).content.decode()
    assert "Carla Colega" in page
    assert "Hugo Hidden" not in page  # the member chose not to show their institution
    assert "Carla Colega" not in client.get(institution.get_absolute_url()).content.decode()


# --- the evidence download ---------------------------------------------------------------------


def test_visitors_are_sent_to_log_in_for_the_evidence(client, certification):
    response = client.get(evidence_url(certification))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_members_of_no_network_may_not_download_the_evidence(outsider_client, certification):
    assert outsider_client.get(evidence_url(certification)).status_code == 403


@pytest.mark.parametrize("who", ["vetted", "staff", "manager"])
def test_vetted_members_managers_and_staff_download_it_as_an_attachment(client, certification, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(evidence_url(certification))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="carabineros-de-chile-iso-90012015.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF


def test_a_missing_certification_or_file_is_a_404(vetted_client, certification, private_media):
    assert vetted_client.get("/network/institutions/certifications/999999/evidence/").status_code == 404
    assert vetted_client.get(evidence_url(CertificationFactory())).status_code == 404
    (private_media / certification.evidence_document.name).unlink()
    assert vetted_client.get(evidence_url(certification)).status_code == 404


def test_the_evidence_is_never_under_the_public_media_folder(client, vetted_client, certification, settings):
    from pathlib import Path

    name = certification.evidence_document.name
    assert (Path(settings.PUENTE_PRIVATE_MEDIA_ROOT) / name).is_file()
    assert not (Path(settings.MEDIA_ROOT) / name).exists()
    assert (
        not Path(settings.PUENTE_PRIVATE_MEDIA_ROOT)
        .resolve()
        .is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    )
    for path in (f"/media/{name}", f"/media/../private/{name}", f"/media/%2e%2e/private/{name}"):
        assert client.get(path).status_code == 404
        assert vetted_client.get(path).status_code == 404


def test_the_default_private_folder_is_outside_the_public_media_folder(settings):
    from pathlib import Path

    from network.institutions.files import private_root

    del settings.PUENTE_PRIVATE_MEDIA_ROOT
    root = Path(private_root()).resolve()
    assert root == (Path(settings.VAR_DIR) / "private").resolve()
    assert not root.is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def test_the_evidence_url_is_the_checked_view(certification):
    assert certification.evidence_document.url == evidence_url(certification)
