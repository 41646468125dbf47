"""Chat in the Django admin: DPS staff list and open rooms, messages and reports."""

import pytest

from chat import services
from chat.moderation.services import report_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(staff):
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    return staff


def test_staff_browse_rooms_messages_and_reports(client, superuser, room, ana, rui):
    message = services.post_message(ana, room, "Texto **importante**")[0]
    report = report_message(rui, message, reason="spam")
    client.force_login(superuser)
    for path in (
        "/django-admin/chat/room/",
        f"/django-admin/chat/room/{room.pk}/change/",
        "/django-admin/chat/message/",
        "/django-admin/chat/message/?q=importante",
        f"/django-admin/chat/message/{message.pk}/change/",
        "/django-admin/chat/report/",
        f"/django-admin/chat/report/{report.pk}/change/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    html = client.get(f"/django-admin/chat/room/{room.pk}/change/").content.decode()
    assert "ana" in html  # the memberships inline


def test_a_message_body_cannot_be_changed_in_the_admin(client, superuser, room, ana):
    message = services.post_message(ana, room, "original")[0]
    client.force_login(superuser)
    client.post(f"/django-admin/chat/message/{message.pk}/change/", {"body": "forged"})
    message.refresh_from_db()
    assert message.body == "original"
