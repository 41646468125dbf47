"""Chat moderation: reports reach the room's moderators; they remove messages, dismiss
reports, silence and un-silence members, each action audited; the queue page shows only
the rooms one moderates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat import services
from chat.models import Membership, Message, Report
from chat.moderation import services as moderation
from chat.services import ChatError
from network.models import AuditEntry, Notification
from tests.factories import member_of

pytestmark = pytest.mark.django_db

QUEUE = "/chat/moderation/"


def post(user, room, body="hello"):
    return services.post_message(user, room, body)[0]


def notified(verb) -> set[str]:
    return set(Notification.objects.filter(verb=verb).values_list("recipient__username", flat=True))


@pytest.fixture
def reported(room, ana, rui):
    message = post(ana, room, "Buy cheap watches at example.org")
    moderation.report_message(rui, message, reason="spam", note="An advert")
    return message


# --- reporting -----------------------------------------------------------------------------


def test_a_report_reaches_the_networks_moderators_but_not_the_reporter(room, ana, rui, mod, network):
    quiet = member_of(network, role="moderator", username="quietmod")
    message = post(ana, room)
    report = moderation.report_message(rui, message, reason="abuse", note="  rude  ")
    assert (report.reporter, report.reason, report.note) == (rui, "abuse", "rude")
    assert notified("chat.report") == {"mod", "quietmod"}
    notification = Notification.objects.get(verb="chat.report", recipient=quiet)
    assert notification.url == QUEUE and notification.params["room"] == "General"


def test_a_report_in_a_private_group_goes_to_its_owner_and_in_a_dm_to_dps_staff(
    group, dm, ana, rui, staff, mod, network
):
    third = member_of(network, username="third")
    services.invite(ana, group, third)
    moderation.report_message(third, post(rui, group), reason="other")
    assert notified("chat.report") == {"ana"}
    Notification.objects.all().delete()
    moderation.report_message(rui, post(ana, dm), reason="abuse")
    assert notified("chat.report") == {"dps"}


@pytest.mark.parametrize(
    ("who", "reason", "note"),
    [
        ("ana", "spam", ""),  # one's own message
        ("otto", "spam", ""),  # cannot read the room
        ("rui", "boring", ""),  # not a reason
        ("rui", None, ""),
        ("rui", "spam", "x" * 1001),
    ],
)
def test_refused_reports_store_nothing(request, room, ana, who, reason, note):
    message = post(ana, room)
    with pytest.raises(ChatError) as error:
        moderation.report_message(request.getfixturevalue(who), message, reason=reason, note=note)
    assert error.value.message
    assert not Report.objects.exists() and not Notification.objects.filter(verb="chat.report").exists()


def test_one_open_report_per_member_and_message(reported, rui):
    with pytest.raises(ChatError) as error:
        moderation.report_message(rui, reported, reason="abuse")
    assert "already reported" in error.value.message
    assert Report.objects.count() == 1


# --- acting on reports ---------------------------------------------------------------------


def test_removing_a_reported_message_deletes_it_closes_its_reports_and_is_audited(reported, mod, network):
    assert moderation.remove_message(mod, reported, reason="advert") == 1
    reported.refresh_from_db()
    assert reported.is_deleted and reported.deleted_by == mod
    report = Report.objects.get()
    assert (report.resolution, report.resolved_by) == ("removed", mod)
    entry = AuditEntry.objects.get(action="chat.message_removed")
    assert (entry.actor, entry.network, entry.subject_user.username, entry.reason) == (
        mod,
        network,
        "ana",
        "advert",
    )


def test_dismissing_keeps_the_message_and_closes_the_reports(reported, mod):
    assert moderation.dismiss_reports(mod, reported) == 1
    reported.refresh_from_db()
    assert not reported.is_deleted
    assert Report.objects.get().resolution == "dismissed"
    assert AuditEntry.objects.filter(action="chat.reports_dismissed").count() == 1
    with pytest.raises(ChatError):
        moderation.dismiss_reports(mod, reported)  # nothing open any more


def test_members_and_other_networks_moderators_cannot_act(reported, ana, rui, other_network):
    from chat.tests.conftest import with_totp

    elsewhere = with_totp(member_of(other_network, role="moderator"))
    for user in (ana, rui, elsewhere):
        with pytest.raises(ChatError) as error:
            moderation.remove_message(user, reported)
        assert error.value.code == "forbidden"
        with pytest.raises(ChatError):
            moderation.dismiss_reports(user, reported)
    reported.refresh_from_db()
    assert not reported.is_deleted and Report.objects.get().resolved_at is None
    assert not AuditEntry.objects.exists()


# --- silences ------------------------------------------------------------------------------


def test_a_silenced_member_is_told_cannot_write_and_may_write_again_once_lifted(room, ana, mod):
    until = timezone.now() + timedelta(days=1)
    moderation.silence_member(mod, room, ana, until=until, reason="Repeated adverts")
    membership = Membership.objects.get(room=room, user=ana)
    assert membership.is_silenced() and membership.silenced_reason == "Repeated adverts"
    notification = Notification.objects.get(recipient=ana, verb="chat.silenced")
    assert notification.params["reason"] == "Repeated adverts" and notification.params["room"] == "General"
    with pytest.raises(ChatError) as error:
        post(ana, room)
    assert "Repeated adverts" in error.value.message
    moderation.lift_silence(mod, room, ana, reason="Apologised")
    assert post(ana, room, "sorry").pk
    assert Notification.objects.filter(recipient=ana, verb="chat.silence_lifted").exists()
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "subject_user__username"))
    assert actions == [("chat.member_silenced", "ana"), ("chat.silence_lifted", "ana")]


@pytest.mark.parametrize(
    ("target", "hours", "reason"),
    [
        ("mod", 1, "self"),  # oneself
        ("staff", 1, "staff"),
        ("otto", 1, "cannot read the room anyway"),
        ("ana", 1, ""),  # a reason is required: the member is told
        ("ana", -1, "in the past"),
        ("ana", 24 * 400, "too long"),
    ],
)
def test_refused_silences_change_nothing(request, room, mod, target, hours, reason):
    member = request.getfixturevalue(target)
    with pytest.raises(ChatError):
        moderation.silence_member(
            mod, room, member, until=timezone.now() + timedelta(hours=hours), reason=reason
        )
    assert not Membership.objects.filter(silenced_until__isnull=False).exists()
    assert not AuditEntry.objects.exists()


def test_only_the_rooms_moderators_silence_and_lifting_needs_a_silence(room, group, ana, rui, mod):
    with pytest.raises(ChatError):
        moderation.silence_member(rui, room, ana, until=timezone.now() + timedelta(hours=1), reason="x")
    with pytest.raises(ChatError):
        moderation.lift_silence(mod, room, ana)
    moderation.silence_member(ana, group, rui, until=timezone.now() + timedelta(hours=1), reason="Off topic")
    assert Membership.objects.get(room=group, user=rui).is_silenced()


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        QUEUE,
        "/es/chat/moderation/",
        "/chat/moderation/messages/1/report/",
        "/chat/moderation/rooms/general/members/ana/silence/",
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, room, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_posts_change_nothing(client, reported):
    response = client.post(f"/chat/moderation/messages/{reported.pk}/remove/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Message.objects.get(pk=reported.pk).is_deleted


@pytest.mark.parametrize(("prefix", "lang"), [("", "en"), ("/es", "es"), ("/fr", "fr")])
def test_the_moderation_pages_render_in_each_language(client, reported, mod, rui, ana, prefix, lang):
    client.force_login(mod)
    for path in (QUEUE, "/chat/moderation/rooms/general/members/ana/silence/"):
        response = client.get(prefix + path)
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in response.content.decode()
    client.force_login(rui)
    other = post(ana, reported.room, "another one")
    response = client.get(f"{prefix}/chat/moderation/messages/{other.pk}/report/")
    assert response.status_code == 200 and f'<html lang="{lang}">' in response.content.decode()


def test_the_queue_lists_open_reports_of_the_rooms_one_moderates_only(client, reported, group, ana, rui, mod):
    hidden = post(rui, group, "a group secret")
    moderation.report_message(ana, hidden, reason="other")
    client.force_login(mod)
    html = client.get(QUEUE).content.decode()
    assert "Buy cheap watches" in html and "An advert" in html
    assert "a group secret" not in html
    client.force_login(ana)  # owns the group: sees its report, not the network room's
    html = client.get(QUEUE).content.decode()
    assert "a group secret" in html and "Buy cheap watches" not in html


def test_members_who_moderate_nothing_get_403(client, room, rui):
    client.force_login(rui)
    assert client.get(QUEUE).status_code == 403


def test_the_queue_takes_the_same_queries_for_one_or_many_reports(
    client, room, ana, rui, mod, no_rate_limit, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def report_some(count):
        for number in range(count):
            moderation.report_message(rui, post(ana, room, f"advert {number}"), reason="spam")

    report_some(1)
    client.force_login(mod)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as one:
        client.get(QUEUE)
    report_some(12)
    with django_assert_max_num_queries(len(one)):
        response = client.get(QUEUE)
    assert response.content.decode().count('class="flags"') == 13


def test_a_member_reports_through_the_form(client, room, ana, rui):
    message = post(ana, room)
    client.force_login(rui)
    response = client.post(
        f"/chat/moderation/messages/{message.pk}/report/",
        {"reason": "abuse", "note": "Rude", "next": "/chat/"},
    )
    assert response.status_code == 302 and response["Location"] == "/chat/"
    assert Report.objects.get().note == "Rude"
    again = client.post(f"/chat/moderation/messages/{message.pk}/report/", {"reason": "abuse"})
    assert again.status_code == 400 and "already reported" in again.content.decode()
    assert Report.objects.count() == 1


def test_the_report_form_explains_a_missing_reason_and_stores_nothing(client, room, ana, rui):
    message = post(ana, room)
    client.force_login(rui)
    response = client.post(f"/chat/moderation/messages/{message.pk}/report/", {"reason": "nonsense"})
    assert response.status_code == 400 and "Choose why" in response.content.decode()
    assert not Report.objects.exists()


def test_people_who_cannot_read_the_room_get_404_for_its_messages(client, reported, otto):
    client.force_login(otto)
    for action in ("report", "remove", "dismiss"):
        method = client.get if action == "report" else client.post
        assert method(f"/chat/moderation/messages/{reported.pk}/{action}/").status_code == 404, action
    assert client.get("/chat/moderation/rooms/general/members/ana/silence/").status_code == 404
    assert client.get("/chat/moderation/messages/999999/report/").status_code == 404


def test_readers_who_do_not_moderate_get_403_for_actions(client, reported, rui):
    client.force_login(rui)
    assert client.post(f"/chat/moderation/messages/{reported.pk}/remove/").status_code == 403
    assert client.get("/chat/moderation/rooms/general/members/ana/silence/").status_code == 403
    assert client.post("/chat/moderation/rooms/general/members/ana/lift/").status_code == 403
    assert not Message.objects.get(pk=reported.pk).is_deleted


def test_a_moderator_removes_and_dismisses_from_the_queue(client, reported, room, ana, rui, mod):
    other = post(ana, room, "borderline")
    moderation.report_message(rui, other, reason="abuse")
    client.force_login(mod)
    assert client.get(f"/chat/moderation/messages/{reported.pk}/remove/").status_code == 405
    response = client.post(f"/chat/moderation/messages/{reported.pk}/remove/", {"next": QUEUE})
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert Message.objects.get(pk=reported.pk).is_deleted
    client.post(f"/chat/moderation/messages/{other.pk}/dismiss/")
    assert not Message.objects.get(pk=other.pk).is_deleted
    assert not Report.objects.filter(resolved_at=None).exists()
    assert "nothing to do" in client.get(QUEUE).content.decode()


def test_a_moderator_silences_for_a_chosen_time_and_lifts_it(client, room, ana, mod):
    client.force_login(mod)
    url = "/chat/moderation/rooms/general/members/ana/silence/"
    missing = client.post(url, {"duration": "7d", "reason": ""})
    assert missing.status_code == 400 and not Membership.objects.filter(silenced_until__isnull=False).exists()
    response = client.post(url, {"duration": "7d", "reason": "Adverts"})
    assert response.status_code == 302
    membership = Membership.objects.get(room=room, user=ana)
    assert timedelta(days=6, hours=23) < membership.silenced_until - timezone.now() <= timedelta(days=7)
    assert "Adverts" in client.get(QUEUE).content.decode()
    client.post("/chat/moderation/rooms/general/members/ana/lift/")
    membership.refresh_from_db()
    assert not membership.is_silenced()


def test_the_header_links_to_the_queue_for_network_moderators_only(client, room, mod, rui):
    client.force_login(mod)
    assert 'href="/chat/moderation/"' in client.get("/notifications/").content.decode()
    client.force_login(rui)
    assert 'href="/chat/moderation/"' not in client.get("/notifications/").content.decode()


def test_a_network_moderator_with_nothing_reported_sees_an_empty_queue(client, network, mod):
    client.force_login(mod)
    response = client.get(QUEUE)
    assert response.status_code == 200 and "nothing to do" in response.content.decode()
