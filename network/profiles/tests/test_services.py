"""Services and selectors used by other apps: lazy creation, new members, reindexing."""

import pytest

from network.models import Country, MembershipApplication, Topic
from network.profiles import selectors, services
from network.profiles.models import Profile
from network.profiles.tests.factories import make_profile, show
from network.profiles.text import normalize, query_words
from tests.factories import NetworkFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def test_normalize_folds_case_accents_and_punctuation():
    assert normalize("  José-María  ÑÚÑEZ, O'Brien (PNP) ") == "jose maria nunez o brien pnp"
    assert normalize("Straße Œuvre Øresund") == "strasse oeuvre oresund"
    assert normalize(None) == ""


def test_query_words_are_distinct_and_capped():
    assert query_words("García garcia GARCÍA lópez") == ["garcia", "lopez"]
    assert len(query_words(" ".join(f"w{index}" for index in range(100)))) == 8
    assert query_words("x" * 5000) == ["x" * 40]
    assert query_words("&|!:*") == []


def test_profile_for_creates_the_profile_once():
    user = UserFactory(display_name="Lazy Ló")
    first = services.profile_for(user)
    again = services.profile_for(UserFactory._meta.model.objects.get(pk=user.pk))
    assert first.pk == again.pk
    assert Profile.objects.filter(user=user).count() == 1
    assert first.sort_name == "lazy lo"
    assert first.email_visibility == "nobody"
    assert first.position_visibility == "members"


def test_a_new_member_starts_from_their_application():
    network = NetworkFactory()
    user = UserFactory()
    application = MembershipApplication.objects.create(
        applicant=user,
        network=network,
        institution_name="Policía Nacional del Perú",
        position="Mayor PNP",
        country=Country.objects.get(code="PE"),
        reason="Prevención",
    )
    profile = services.profile_for_new_member(user=user, application=application)
    assert profile.country_id == "PE"
    assert profile.position == "Mayor PNP"
    assert profile.institution_name_other == "Policía Nacional del Perú"
    assert "policia" in profile.search_document and "peru" in profile.search_document
    # What the member wrote since is kept.
    services.profile_update(profile=profile, by=user, values={"position": "Comandante"})
    profile = services.profile_for_new_member(user=user, application=application)
    assert profile.position == "Comandante"


def test_missing_profiles_are_created_for_active_members_only():
    network = NetworkFactory()
    members = [member_of(network) for _ in range(3)]
    inactive = member_of(network, is_active=False)
    outsider = UserFactory()
    assert services.profiles_create_missing(batch_size=2) == 3
    assert set(Profile.objects.values_list("user_id", flat=True)) == {member.pk for member in members}
    assert not Profile.objects.filter(user__in=[inactive, outsider]).exists()
    assert services.profiles_create_missing() == 0
    assert Profile.objects.get(user=members[0]).sort_name


def test_reindexing_follows_renamed_topics():
    network = NetworkFactory()
    user = member_of(network)
    topic = Topic.objects.get(slug="drug-policy")
    profile = make_profile(user, expertise=[topic])
    Topic.objects.filter(pk=topic.pk).update(name_en="Narcotics policy")
    assert "narcotics" not in Profile.objects.get(pk=profile.pk).search_document
    assert services.profiles_reindex() == 1
    assert "narcotics" in Profile.objects.get(pk=profile.pk).search_document


def test_the_tasks_run_the_services():
    from network.profiles.tasks import create_missing_profiles, reindex_profiles

    member_of(NetworkFactory())
    assert create_missing_profiles.delay().get() == 1
    assert reindex_profiles.delay().get() == 1


def test_members_of_an_institution_respect_visibility_and_networks():
    from network.institutions.models import Institution

    prevention, police = NetworkFactory(), NetworkFactory()
    institution = Institution.objects.create(
        name="PNP", country=Country.objects.get(code="PE"), kind="police_force"
    )
    viewer = member_of(prevention)
    shown = member_of(prevention, display_name="Shown")
    hidden = member_of(prevention, display_name="Hidden")
    elsewhere = member_of(police, display_name="Elsewhere")
    for user in (shown, hidden, elsewhere):
        make_profile(user, institution=institution)
    show(hidden.profile, "institution", visible=False)
    found = selectors.members_of_institution(viewer=viewer, institution=institution)
    assert [profile.user for profile in found] == [shown]
    assert not selectors.members_of_institution(viewer=UserFactory(), institution=institution).exists()
    assert list(institution.profiles.all())  # the reverse relation the institutions app uses


def test_the_directory_is_empty_for_a_viewer_who_may_not_see_it():
    network = NetworkFactory()
    make_profile(member_of(network))
    assert not selectors.directory_queryset(UserFactory()).exists()
    assert selectors.directory_page(UserFactory()).rows == []
