from datetime import timedelta

import factory
from django.utils import timezone

from network.institutions.models import Certification, Institution
from network.models import Country


def country(code: str = "CO") -> Country:
    """A member state. They come with the migrations; only a transactional test that runs
    after another one's flush finds none, and gets a bare one."""
    found = Country.objects.filter(code=code).first()
    if found is None:
        found = Country.objects.create(code=code, name_en=code, name_es=code, name_pt=code, name_fr=code)
    return found


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Institution {n:03d}")
    acronym = factory.Sequence(lambda n: f"I{n}")
    country = factory.LazyFunction(country)
    kind = "police_force"
    website = "https://police.example.org"


class CertificationFactory(factory.django.DjangoModelFactory):
    """Valid for two more years by default."""

    class Meta:
        model = Certification

    institution = factory.SubFactory(InstitutionFactory)
    standard = "ISO 9001:2015"
    scope = "Training"
    certifying_body = "Bureau Veritas"
    certificate_number = factory.Sequence(lambda n: f"QMS-{n}")
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=730))
