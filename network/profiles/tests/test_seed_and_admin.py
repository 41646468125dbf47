"""Demo and scale seeding; the Wagtail and Django admin views for DPS staff."""

import pytest
from django.contrib.auth import get_user_model

from network.models import Membership
from network.profiles import seed
from network.profiles.models import Profile
from network.profiles.tests.factories import make_profile, staff_user
from network.seed import seed_accounts, seed_networks

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_networks():
    seed_accounts()
    seed_networks()


def test_the_demo_seeder_is_idempotent_and_fills_the_demo_accounts(demo_networks):
    seed.seed_profiles()
    counts = (Profile.objects.count(), Membership.objects.count(), get_user_model().objects.count())
    seed.seed_profiles()
    seed.seed_profile_institutions()
    assert (Profile.objects.count(), Membership.objects.count(), get_user_model().objects.count()) == counts
    assert Profile.objects.filter(user__username__startswith="demo-").count() == seed.DEMO_MEMBER_COUNT
    member = Profile.objects.get(user__username="member")
    assert member.country_id == "MX"
    assert member.expertise.exists()
    assert "analista" in member.search_document
    # Demo members come from many countries and are in both networks.
    assert Profile.objects.values("country").distinct().count() > 20
    demo = Membership.objects.filter(user__username__startswith="demo-")
    assert demo.filter(network__slug="police").exists() and demo.filter(network__slug="prevention").exists()


def test_the_scale_seeder_adds_members_in_batches_and_only_the_missing_ones(demo_networks, monkeypatch):
    monkeypatch.setattr(seed, "SCALE_BATCH", 10)
    steps = []
    seed.seed_scale(progress=steps.append, scale=25)
    assert steps == [10, 10, 5]

    def scaled():
        return Profile.objects.filter(user__username__startswith="scale-")

    assert scaled().count() == 25
    assert not get_user_model().objects.get(username="scale-000001").has_usable_password()
    assert Membership.objects.filter(user__username__startswith="scale-").count() >= 25
    assert all(profile.search_document and profile.sort_name for profile in scaled())
    assert Profile.expertise.through.objects.filter(profile__in=scaled()).count() >= 25
    steps.clear()
    seed.seed_scale(progress=steps.append, scale=30)
    assert steps == [25, 5]
    assert scaled().count() == 30
    seed.seed_scale(progress=steps.append, scale=0)
    assert scaled().count() == 30


def test_scaled_members_are_found_by_the_directory_search(demo_networks, client):
    seed.seed_scale(scale=40)
    client.force_login(get_user_model().objects.get(username="member"))
    profile = Profile.objects.filter(
        user__username__startswith="scale-", country_visibility="members"
    ).first()
    surname = profile.user.display_name.split()[-1]
    response = client.get("/network/members/", {"q": surname, "country": profile.country_id})
    assert profile.user.display_name in response.content.decode()


@pytest.fixture
def staff_client(client):
    client.force_login(staff_user(is_staff=True, is_superuser=True))
    return client


def test_staff_find_profiles_in_the_wagtail_admin(staff_client, prevention):
    from tests.factories import member_of

    make_profile(member_of(prevention, display_name="Findable Person"), position="Analyst")
    make_profile(member_of(prevention, display_name="Other Person"))
    response = staff_client.get("/cms/snippets/profiles/profile/", {"q": "findable"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Findable Person" in page
    assert "Other Person" not in page
    assert staff_client.get("/cms/snippets/profiles/profile/", {"country": "MX"}).status_code == 200


def test_staff_edits_in_the_wagtail_admin_update_the_search_text(staff_client, prevention):
    from tests.factories import member_of

    profile = make_profile(member_of(prevention, display_name="Edited Person"), position="Analyst")
    edit_url = f"/cms/snippets/profiles/profile/edit/{profile.pk}/"
    assert staff_client.get(edit_url).status_code == 200
    data = {
        "country": "",
        "institution": "",
        "institution_name_other": "",
        "position": "Comisionado",
        "languages_other": "",
        "bio": "",
        "contact_preference": "message",
        **{f"{name}_visibility": "members" for name in ("photo", "country", "institution", "position")},
        **{f"{name}_visibility": "members" for name in ("expertise", "languages", "bio")},
        "email_visibility": "nobody",
    }
    response = staff_client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    profile.refresh_from_db()
    assert profile.position == "Comisionado"
    assert "comisionado" in profile.search_document
    # Profiles come with their members: no "add" in the admin.
    assert staff_client.get("/cms/snippets/profiles/profile/add/").status_code in (302, 403)


def test_staff_find_profiles_in_the_django_admin(staff_client, prevention):
    from tests.factories import member_of

    make_profile(member_of(prevention, display_name="Admin Findable"))
    response = staff_client.get("/django-admin/profiles/profile/", {"q": "findable"})
    assert response.status_code == 200
    assert "Admin Findable" in response.content.decode()
    assert staff_client.get("/django-admin/profiles/profile/add/").status_code == 403


def test_members_cannot_open_the_admin_views(client, subject):
    client.force_login(subject)
    assert client.get("/cms/snippets/profiles/profile/").status_code in (302, 403)
