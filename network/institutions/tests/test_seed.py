import pytest

from network.institutions.models import Certification, Institution
from network.institutions.seed import CERTIFICATIONS, INSTITUTIONS, seed_institutions

pytestmark = pytest.mark.django_db


def test_the_seeder_creates_institutions_across_member_states_with_every_status(private_media):
    steps = []
    seed_institutions(progress=steps.append)
    assert Institution.objects.count() == len(INSTITUTIONS) >= 20
    assert Institution.objects.values("country").distinct().count() >= 10
    assert set(Institution.objects.values_list("kind", flat=True)) >= {
        "police_academy",
        "police_force",
        "ministry",
        "university",
        "ngo",
        "international",
    }
    assert Certification.objects.valid().filter(standard__startswith="ISO 9001").count() >= 3
    assert Certification.objects.expiring().exists()
    assert Certification.objects.expired().exists()
    assert len(steps) == len(INSTITUTIONS) + len(CERTIFICATIONS)
    for cert in Certification.objects.all():
        assert (private_media / cert.evidence_document.name).read_bytes().startswith(b"%PDF-1.4")


def test_the_seeder_is_idempotent_and_replaces_its_files(private_media):
    seed_institutions()
    seed_institutions()
    assert Institution.objects.count() == len(INSTITUTIONS)
    assert Certification.objects.count() == len(CERTIFICATIONS)
    assert len(list(private_media.rglob("*.pdf"))) == len(CERTIFICATIONS)


def test_the_seeder_runs_from_seed_demo(settings, private_media):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", "--only", "institutions")
    assert Institution.objects.filter(name="Royal Canadian Mounted Police").exists()
