import pytest

from tests.factories import NetworkFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/cms/snippets/network/network/",
        "/cms/snippets/network/membership/",
        "/cms/snippets/network/membershipapplication/",
        "/cms/snippets/network/topic/",
        "/cms/snippets/network/country/",
        "/cms/snippets/assistance/assistancerequest/",
    ],
)
def test_dps_staff_manage_the_networks_from_the_cms(staff_client, path):
    network = NetworkFactory(slug="prevention")
    member_of(network)
    assert staff_client.get(path).status_code == 200


def test_members_cannot_open_the_cms(client):
    client.force_login(member_of(NetworkFactory()))
    response = client.get("/cms/snippets/network/membership/")
    assert response.status_code in (302, 403)


def test_the_audit_log_cannot_be_edited_in_the_django_admin(staff_client):
    from network.models import AuditEntry

    entry = AuditEntry.objects.create(action="membership.suspended", reason="x")
    assert staff_client.get("/django-admin/network/auditentry/").status_code == 200
    response = staff_client.post(
        f"/django-admin/network/auditentry/{entry.pk}/change/", {"reason": "changed"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "x"
