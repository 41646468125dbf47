import pytest

from network.assistance.models import AssistanceRequest, RequestStatus, RequestUpdate
from network.models import Notification
from tests.factories import NetworkFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    return NetworkFactory(slug="police")


@pytest.fixture
def requester(network):
    return member_of(network)


@pytest.fixture
def staff():
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    return user


def request_data(**overrides):
    from network.models import Topic

    data = {
        "institution_name": "Policía Nacional del Perú",
        "country": "PE",
        "topic": Topic.objects.get(slug="cybercrime").pk,
        "title": "Cybercrime unit training",
        "description": "Training for 40 investigators.",
        "contact_name": "Ana Quispe",
        "contact_email": "ana@pnp.example",
        "contact_phone": "",
    }
    data.update(overrides)
    return data


def test_a_member_files_a_request_and_dps_staff_are_told(client, requester, staff):
    client.force_login(requester)
    response = client.post("/network/assistance/", request_data())
    assert response.status_code == 302
    item = AssistanceRequest.objects.get()
    assert item.status == RequestStatus.RECEIVED
    assert Notification.objects.filter(recipient=staff, verb="assistance.received").count() == 1


def test_a_bad_request_re_renders_and_stores_nothing(client, requester):
    client.force_login(requester)
    response = client.post("/es/network/assistance/", request_data(contact_email="no", title=""))
    assert response.status_code == 200
    assert not AssistanceRequest.objects.exists()


def test_staff_triage_and_the_requester_sees_the_history_but_not_internal_notes(client, requester, staff):
    client.force_login(requester)
    client.post("/network/assistance/", request_data())
    item = AssistanceRequest.objects.get()
    client.force_login(staff)
    assert item.title in client.get("/network/assistance/queue/").content.decode()
    client.post(
        f"/network/assistance/{item.pk}/",
        {"status": "in_progress", "note": "Expert assigned.", "assigned_to": staff.pk},
    )
    client.post(
        f"/network/assistance/{item.pk}/",
        {"status": "in_progress", "note": "Budget line 4.2", "internal": "on"},
    )
    item.refresh_from_db()
    assert item.status == RequestStatus.IN_PROGRESS
    assert item.assigned_to == staff
    assert RequestUpdate.objects.filter(request=item).count() == 3
    client.force_login(requester)
    page = client.get(f"/network/assistance/{item.pk}/").content.decode()
    assert "Expert assigned." in page
    assert "Budget line 4.2" not in page
    assert Notification.objects.filter(recipient=requester, verb="assistance.updated").count() == 1


def test_requesters_cannot_see_or_triage_other_requests(client, requester, network):
    client.force_login(requester)
    client.post("/network/assistance/", request_data())
    item = AssistanceRequest.objects.get()
    other = member_of(network)
    client.force_login(other)
    assert client.get(f"/network/assistance/{item.pk}/").status_code == 404
    assert client.get("/network/assistance/queue/").status_code == 403
    client.force_login(requester)
    response = client.post(f"/network/assistance/{item.pk}/", {"status": "done"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == RequestStatus.RECEIVED


def test_users_outside_the_networks_cannot_ask_and_visitors_must_log_in(client):
    assert client.get("/network/assistance/")["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.get("/network/assistance/").status_code == 403


@pytest.mark.parametrize("prefix", ["", "/fr"])
def test_the_assistance_pages_render_in_two_languages(client, requester, staff, prefix):
    client.force_login(requester)
    client.post("/network/assistance/", request_data())
    item = AssistanceRequest.objects.get()
    language = "fr" if prefix else "en"
    for user, path in (
        (requester, "/network/assistance/"),
        (requester, f"/network/assistance/{item.pk}/"),
        (staff, "/network/assistance/queue/"),
        (staff, f"/network/assistance/{item.pk}/"),
    ):
        client.force_login(user)
        page = client.get(prefix + path)
        assert page.status_code == 200, path
        assert f'<html lang="{language}">' in page.content.decode()
