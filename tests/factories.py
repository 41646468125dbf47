import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

PASSWORD = "correct-horse-battery-9"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    display_name = factory.Faker("name")
    language = "en"

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or PASSWORD)
        if create:
            user.save()

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "network.Network"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"network-{n}")
    name = factory.LazyAttribute(lambda network: f"Network {network.slug}")
    short_name = factory.LazyAttribute(lambda network: network.slug)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "network.Membership"

    user = factory.SubFactory(UserFactory)
    network = factory.SubFactory(NetworkFactory)
    role = "member"
    status = "active"


def member_of(network, role: str = "member", **user_fields):
    """A user with an active membership of `network` in `role`."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, network=network, role=role)
    return user
