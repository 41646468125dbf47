"""Vetting: applying, the managers' decisions, leaving, suspension; who may do what."""

import pytest
from django.utils import translation

from network import membership
from network.models import (
    ApplicationStatus,
    AuditEntry,
    Country,
    Membership,
    MembershipApplication,
    MembershipStatus,
    Notification,
)
from tests.factories import NetworkFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    return NetworkFactory(slug="prevention", name="Network for the Prevention of Violence and Crime")


@pytest.fixture
def manager(network):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = member_of(network, role="manager")
    TOTP.activate(user, generate_totp_secret())  # managers moderate: two-factor is required
    return user


@pytest.fixture
def applicant():
    return UserFactory(language="es")


def apply_data(network, **overrides):
    data = {
        "network": network.pk,
        "institution_name": "Policía Nacional de Colombia",
        "position": "Subintendente",
        "country": "CO",
        "reason": "Trabajo en prevención del delito en Medellín.",
        "reference": "",
    }
    data.update(overrides)
    return data


def submit(applicant, network):
    return membership.application_submit(
        applicant=applicant,
        network=network,
        institution_name="Policía Nacional de Colombia",
        position="Subintendente",
        country=Country.objects.get(code="CO"),
        reason="Prevención",
    )


def test_the_34_member_states_are_there_with_names_in_four_languages():
    assert Country.objects.count() == 34
    brazil = Country.objects.get(code="BR")
    with translation.override("pt-br"):
        assert brazil.name == "Brasil"
    with translation.override("fr"):
        assert brazil.name == "Brésil"
    assert not Country.objects.filter(code="CU").exists()


def test_a_verified_user_applies_and_the_managers_are_told(client, applicant, network, manager):
    client.force_login(applicant)
    response = client.post("/network/apply/", apply_data(network))
    assert response.status_code == 302
    application = MembershipApplication.objects.get(applicant=applicant)
    assert application.status == ApplicationStatus.PENDING
    assert Notification.objects.filter(recipient=manager, verb="network.application_received").count() == 1
    assert AuditEntry.objects.filter(action="application.submitted", subject_user=applicant).exists()


def test_an_unverified_user_cannot_apply(client, network):
    unverified = UserFactory(verified=False)
    client.force_login(unverified)
    response = client.post("/network/apply/", apply_data(network))
    assert response.status_code == 200
    assert not MembershipApplication.objects.exists()


def test_applying_twice_is_refused_with_a_message_in_the_users_language(client, applicant, network):
    client.force_login(applicant)
    client.post("/es/network/apply/", apply_data(network))
    again = client.post("/es/network/apply/", apply_data(network))
    assert again.status_code == 200
    assert MembershipApplication.objects.count() == 1


def test_a_bad_application_re_renders_with_errors_and_stores_nothing(client, applicant, network):
    client.force_login(applicant)
    response = client.post("/fr/network/apply/", apply_data(network, country="XX", reason=""))
    assert response.status_code == 200
    with translation.override("fr"):
        assert translation.gettext("This field is required.") in response.content.decode()
    assert not MembershipApplication.objects.exists()


def test_the_manager_approves_and_the_applicant_becomes_a_member(client, applicant, network, manager):
    application = submit(applicant, network)
    client.force_login(manager)
    queue = client.get("/network/applications/")
    assert applicant.name in queue.content.decode()
    response = client.post(f"/network/applications/{application.pk}/", {"decision": "approve", "message": ""})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.reviewed_by == manager
    assert Membership.objects.get(user=applicant, network=network).status == MembershipStatus.ACTIVE
    assert Notification.objects.filter(recipient=applicant, verb="network.application_approved").exists()
    assert AuditEntry.objects.filter(action="application.approved", actor=manager).exists()


def test_rejecting_needs_a_reason_that_the_applicant_sees(client, applicant, network, manager):
    application = submit(applicant, network)
    client.force_login(manager)
    refused = client.post(f"/network/applications/{application.pk}/", {"decision": "reject", "message": ""})
    assert refused.status_code == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    client.post(
        f"/network/applications/{application.pk}/", {"decision": "reject", "message": "Sin referencia."}
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    client.force_login(applicant)
    assert "Sin referencia." in client.get("/es/network/apply/").content.decode()


def test_asking_for_more_information_and_answering_returns_it_to_the_queue(
    client, applicant, network, manager
):
    application = submit(applicant, network)
    client.force_login(manager)
    client.post(
        f"/network/applications/{application.pk}/",
        {"decision": "request_info", "message": "¿Quién es su supervisor?"},
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NEEDS_INFO
    client.force_login(applicant)
    assert "¿Quién es su supervisor?" in client.get("/network/apply/").content.decode()
    client.post(f"/network/apply/{application.pk}/answer/", {"answer": "Comisario Pérez"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert application.info_response == "Comisario Pérez"


def test_a_member_cannot_see_or_decide_applications(client, applicant, network):
    application = submit(applicant, network)
    plain_member = member_of(network)
    client.force_login(plain_member)
    assert client.get("/network/applications/").status_code == 403
    assert client.post(f"/network/applications/{application.pk}/", {"decision": "approve"}).status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_a_manager_of_another_network_cannot_decide(client, applicant, network):
    application = submit(applicant, network)
    other_manager = member_of(NetworkFactory(slug="police"), role="manager")
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(other_manager, generate_totp_secret())
    client.force_login(other_manager)
    assert client.get(f"/network/applications/{application.pk}/").status_code == 404
    assert applicant.name not in client.get("/network/applications/").content.decode()


def test_an_applicant_cannot_see_another_applicants_application(client, applicant, network):
    application = submit(applicant, network)
    someone = UserFactory()
    client.force_login(someone)
    assert application.reason not in client.get("/network/apply/").content.decode()
    response = client.post(f"/network/apply/{application.pk}/withdraw/")
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_visitors_are_sent_to_log_in(client):
    for path in ("/network/apply/", "/network/applications/", "/network/n/prevention/members/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_networks_page_renders_for_visitors_in_two_languages(client, network, prefix):
    response = client.get(f"{prefix}/network/")
    assert response.status_code == 200
    assert network.name in response.content.decode()


@pytest.mark.parametrize("prefix", ["", "/pt-br"])
def test_the_queue_and_review_pages_render_in_two_languages(client, applicant, network, manager, prefix):
    application = submit(applicant, network)
    client.force_login(manager)
    lang = "pt-br" if prefix else "en"
    for path in (
        "/network/applications/",
        f"/network/applications/{application.pk}/",
        "/network/apply/",
        f"/network/n/{network.slug}/members/",
    ):
        page = client.get(prefix + path)
        assert page.status_code == 200, path
        assert f'<html lang="{lang}">' in page.content.decode()


def test_the_queue_runs_the_same_queries_for_3_or_30_applications(
    client, network, manager, django_assert_max_num_queries
):
    for _ in range(3):
        submit(UserFactory(), network)
    client.force_login(manager)
    with django_assert_max_num_queries(20) as few:
        client.get("/network/applications/")
    for _ in range(27):
        submit(UserFactory(), network)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/network/applications/")


def test_leaving_suspending_and_reinstating_are_audited(client, network, manager):
    member = member_of(network)
    own = Membership.objects.get(user=member, network=network)
    client.force_login(manager)
    client.post(
        f"/network/n/{network.slug}/members/", {"membership": own.pk, "action": "suspend", "reason": "Spam"}
    )
    own.refresh_from_db()
    assert own.status == MembershipStatus.SUSPENDED
    client.post(
        f"/network/n/{network.slug}/members/",
        {"membership": own.pk, "action": "reinstate", "reason": "Apologised"},
    )
    own.refresh_from_db()
    assert own.status == MembershipStatus.ACTIVE
    client.force_login(member)
    client.post(f"/network/n/{network.slug}/leave/")
    own.refresh_from_db()
    assert own.status == MembershipStatus.LEFT
    actions = list(
        AuditEntry.objects.filter(subject_user=member)
        .order_by("created_at", "id")
        .values_list("action", "reason")
    )
    assert actions == [
        ("membership.suspended", "Spam"),
        ("membership.reinstated", "Apologised"),
        ("membership.left", ""),
    ]


def test_suspension_needs_a_reason_and_a_manager(client, network, manager):
    member = member_of(network)
    own = Membership.objects.get(user=member, network=network)
    with pytest.raises(membership.MembershipError):
        membership.membership_suspend(membership=own, by=manager, reason=" ")
    with pytest.raises(membership.MembershipError):
        membership.membership_suspend(membership=own, by=member_of(network), reason="No")
    own.refresh_from_db()
    assert own.status == MembershipStatus.ACTIVE


def test_a_suspended_member_loses_members_only_access_and_cannot_reapply(network, manager):
    from network import permissions

    member = member_of(network)
    own = Membership.objects.get(user=member, network=network)
    membership.membership_suspend(membership=own, by=manager, reason="Abuse")
    fresh = type(member).objects.get(pk=member.pk)
    assert not permissions.is_network_member(fresh, network)
    with pytest.raises(membership.MembershipError):
        submit(fresh, network)


def test_a_member_made_manager_reaches_the_cms_and_loses_it_with_the_role(client, network, manager):
    member = member_of(network)
    own = Membership.objects.get(user=member, network=network)
    membership.membership_set_role(membership=own, by=manager, role="manager")
    member = type(member).objects.get(pk=member.pk)
    assert member.has_perm("wagtailadmin.access_admin")
    membership.membership_set_role(membership=own, by=manager, role="member")
    member = type(member).objects.get(pk=member.pk)
    assert not member.has_perm("wagtailadmin.access_admin")
