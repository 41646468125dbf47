from datetime import date

import pytest

from network import membership
from network.dashboard import dashboard_for, months_back
from network.models import Country
from tests.factories import NetworkFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def with_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def networks():
    return NetworkFactory(slug="prevention"), NetworkFactory(slug="police")


def approved_member(network, manager, country_code):
    applicant = UserFactory()
    application = membership.application_submit(
        applicant=applicant,
        network=network,
        institution_name="Inst",
        position="Officer",
        country=Country.objects.get(code=country_code),
        reason="r",
    )
    membership.application_approve(application=application, by=manager)
    return applicant


def test_months_back_crosses_the_year():
    assert months_back(date(2026, 2, 14), 4) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_the_dashboard_counts_members_and_applications_by_country(networks):
    prevention, police = networks
    manager = with_totp(member_of(prevention, role="manager"))
    approved_member(prevention, manager, "MX")
    approved_member(prevention, manager, "MX")
    approved_member(prevention, manager, "CL")
    board = dashboard_for(user=manager)
    by_key = {metric.key: metric for metric in board.metrics}
    assert by_key["members"].by_country["MX"] == 2
    assert by_key["members"].by_country["CL"] == 1
    assert by_key["applications"].total == 3


def test_a_manager_sees_only_their_networks(networks):
    prevention, police = networks
    manager = with_totp(member_of(prevention, role="manager"))
    other_manager = with_totp(member_of(police, role="manager"))
    approved_member(police, other_manager, "PE")
    board = dashboard_for(user=manager)
    assert {metric.key: metric.total for metric in board.metrics}["applications"] == 0
    staff = with_totp(UserFactory(is_staff=True))
    assert {m.key: m.total for m in dashboard_for(user=staff).metrics}["applications"] == 1


def test_the_dashboard_page_and_csv_are_for_managers_and_staff_only(client, networks):
    prevention, _police = networks
    manager = with_totp(member_of(prevention, role="manager"))
    approved_member(prevention, manager, "BR")
    assert client.get("/network/dashboard/")["Location"].startswith("/accounts/login/")
    client.force_login(member_of(prevention))
    assert client.get("/network/dashboard/").status_code == 403
    assert client.get("/network/dashboard/export.csv").status_code == 403
    client.force_login(manager)
    page = client.get("/network/dashboard/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    csv_text = b"".join(client.get("/network/dashboard/export.csv").streaming_content).decode("utf-8-sig")
    assert "metric,month,country_code,country,count" in csv_text
    assert "applications," in csv_text and ",BR,Brazil,1" in csv_text


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_dashboard_renders_in_two_languages_and_survives_bad_parameters(client, networks, prefix):
    prevention, _police = networks
    manager = with_totp(member_of(prevention, role="manager"))
    client.force_login(manager)
    response = client.get(f"{prefix}/network/dashboard/?months=abc&network=nope")
    assert response.status_code == 200
    assert f'<html lang="{"es" if prefix else "en"}">' in response.content.decode()


def test_events_and_registrations_appear_on_the_dashboard(networks):
    from network.events.services import registration_create
    from network.events.tests.factories import EventFactory

    prevention, _police = networks
    manager = with_totp(member_of(prevention, role="manager"))
    event = EventFactory(network=prevention, online=True, capacity=5)
    registration_create(event=event, user=member_of(prevention))
    totals = {metric.key: metric.total for metric in dashboard_for(user=manager).metrics}
    assert totals["events"] == 1
    assert totals["event_registrations"] == 1
