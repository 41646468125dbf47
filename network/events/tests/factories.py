from datetime import timedelta

import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from django.utils.text import slugify

from network.events.models import Event, EventLink, Registration
from network.models import Country
from tests.factories import NetworkFactory, UserFactory

SECRET_LINK = "https://meet.example.org/secret-room-4821"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    network = factory.SubFactory(NetworkFactory)
    title = factory.Sequence(lambda n: f"Workshop number {n}")
    slug = factory.LazyAttribute(lambda event: slugify(event.title))
    kind = "workshop"
    description = "Two days on port security."
    language = "en"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=3))
    time_zone = "America/Bogota"
    is_online = False
    venue_name = "Police academy"
    venue_city = "Bogotá"
    country = factory.LazyFunction(lambda: Country.objects.get(code="CO"))
    is_public = True
    status = "published"

    class Params:
        online = factory.Trait(
            is_online=True, online_url=SECRET_LINK, venue_name="", venue_city="", country=None
        )
        past = factory.Trait(starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=3)))
        started = factory.Trait(starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1)))


class EventLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventLink

    event = factory.SubFactory(EventFactory)
    label = factory.Sequence(lambda n: f"Slides {n}")
    url = factory.Sequence(lambda n: f"https://example.org/slides-{n}.pdf")
    kind = "material"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    status = "registered"


def with_two_factor(user):
    """Staff and managers may only act with TOTP set up (network.permissions.may_act)."""
    TOTP.activate(user, generate_totp_secret())
    return user
