"""Every write of chat: what members get, what is refused, and that a refusal stores nothing."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from chat import selectors, services
from chat.models import Membership, Mention, Message, Reaction, Room, RoomKind, RoomRole
from chat.services import ChatError
from network.models import Notification

pytestmark = pytest.mark.django_db


def post(user, room, body="hello", **kwargs):
    message, _created = services.post_message(user, room, body, **kwargs)
    return message


# --- sending -------------------------------------------------------------------------------


def test_a_message_is_stored_rendered_and_counted_and_the_author_joins_the_room(room, ana):
    message = post(ana, room, "**Hola** a todos")
    room.refresh_from_db()
    assert message.body_html == "<p><strong>Hola</strong> a todos</p>"
    assert (room.message_count, room.last_message_id) == (1, message.pk)
    membership = Membership.objects.get(room=room, user=ana)
    assert membership.last_read_id == message.pk


def test_a_resent_client_id_returns_the_stored_message_and_stores_nothing_new(room, ana):
    client_id = str(uuid.uuid4())
    first, created = services.post_message(ana, room, "once", client_id=client_id)
    again, created_again = services.post_message(ana, room, "once (resent)", client_id=client_id)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and again.body == "once"
    assert Message.objects.count() == 1


def test_a_client_id_is_a_uuid_and_belongs_to_one_room(room, group, ana):
    with pytest.raises(ChatError) as error:
        post(ana, room, client_id="not-a-uuid")
    assert error.value.code == "invalid"
    client_id = uuid.uuid4()
    post(ana, room, client_id=client_id)
    with pytest.raises(ChatError):
        post(ana, group, client_id=client_id)
    assert Message.objects.count() == 1


@pytest.mark.parametrize("body", ["", "   \n ", None, 42, ["list"]])
def test_an_empty_or_non_text_message_is_refused_and_nothing_is_stored(room, ana, body):
    with pytest.raises(ChatError) as error:
        post(ana, room, body)
    assert error.value.code == "invalid" and error.value.message
    assert not Message.objects.exists()


def test_a_message_over_the_size_cap_is_refused_with_both_numbers(room, ana, settings):
    settings.PUENTE_CHAT_MAX_MESSAGE_CHARS = 100
    with pytest.raises(ChatError) as error:
        post(ana, room, "x" * 101)
    assert "101" in error.value.message and "100" in error.value.message
    assert not Message.objects.exists()
    assert post(ana, room, "x" * 100).pk


def test_sending_too_fast_is_refused_with_the_seconds_to_wait(room, ana, settings):
    settings.PUENTE_CHAT_MESSAGES_PER_WINDOW = 2
    settings.PUENTE_CHAT_RATE_WINDOW_SECONDS = 30
    post(ana, room, "one")
    post(ana, room, "two")
    with pytest.raises(ChatError) as error:
        post(ana, room, "three")
    assert error.value.code == "rate_limited"
    assert 1 <= error.value.retry_after <= 31
    assert str(error.value.retry_after) in error.value.message
    assert Message.objects.count() == 2


def test_room_moderators_are_not_rate_limited(room, mod, settings):
    settings.PUENTE_CHAT_MESSAGES_PER_WINDOW = 1
    for number in range(3):
        post(mod, room, f"announcement {number}")
    assert Message.objects.count() == 3


def test_outsiders_cannot_send_and_nothing_is_stored(room, group, dm, otto, mod):
    for user, target in ((otto, room), (mod, group), (mod, dm)):
        with pytest.raises(ChatError) as error:
            post(user, target)
        assert error.value.code == "forbidden"
    assert not Message.objects.exists()


def test_a_silenced_member_is_told_until_when_and_why(room, ana):
    until = timezone.now() + timedelta(hours=2)
    Membership.objects.create(room=room, user=ana, silenced_until=until, silenced_reason="Spam links")
    with pytest.raises(ChatError) as error:
        post(ana, room)
    assert error.value.code == "forbidden"
    assert "silenced" in error.value.message and "Spam links" in error.value.message
    assert str(timezone.localtime(until).year) in error.value.message
    assert not Message.objects.exists()


def test_an_archived_room_says_so(room, ana):
    Room.objects.filter(pk=room.pk).update(is_archived=True)
    room.refresh_from_db()
    with pytest.raises(ChatError) as error:
        post(ana, room)
    assert "archived" in error.value.message


# --- mentions and notifications ------------------------------------------------------------


def test_mentions_notify_only_people_who_can_read_the_room(
    group, ana, rui, otto, mod, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = post(ana, group, "@rui @otto @mod please look")
    assert set(Mention.objects.filter(message=message).values_list("user__username", flat=True)) == {"rui"}
    notified = set(
        Notification.objects.filter(verb="chat.mention").values_list("recipient__username", flat=True)
    )
    assert notified == {"rui"}
    # The links are there for everyone who exists, whatever they may read.
    assert message.body_html.count('class="mention"') == 3


def test_mentions_in_an_open_room_reach_network_members_who_have_not_joined(
    room, ana, rui, otto, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(ana, room, "@rui and @otto")
    assert list(
        Notification.objects.filter(verb="chat.mention").values_list("recipient__username", flat=True)
    ) == ["rui"]


def test_a_muted_member_is_not_notified(group, ana, rui, django_capture_on_commit_callbacks):
    services.set_notifications_muted(rui, group, True)
    with django_capture_on_commit_callbacks(execute=True):
        post(ana, group, "@rui ping")
    assert not Notification.objects.filter(recipient=rui).exists()


def test_a_direct_message_notifies_the_other_member(dm, ana, rui, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(ana, dm, "¿Hablamos mañana?")
    notification = Notification.objects.get(recipient=rui, verb="chat.direct")
    assert notification.params["excerpt"] == "¿Hablamos mañana?"
    assert notification.url == f"/chat/{dm.slug}/"
    assert not Notification.objects.filter(recipient=ana).exists()


# --- editing, deleting, reacting -----------------------------------------------------------


def test_authors_edit_their_own_messages_only(room, ana, rui, mod):
    message = post(ana, room, "frist")
    edited = services.edit_message(ana, message, "first")
    assert edited.body == "first" and edited.edited_at and edited.changed_at
    for other in (rui, mod):
        with pytest.raises(ChatError):
            services.edit_message(other, message, "hijacked")
    message.refresh_from_db()
    assert message.body == "first"


def test_an_edit_is_checked_like_a_new_message(room, ana, settings):
    message = post(ana, room, "short")
    settings.PUENTE_CHAT_MAX_MESSAGE_CHARS = 10
    with pytest.raises(ChatError):
        services.edit_message(ana, message, "far too long for the cap")
    with pytest.raises(ChatError):
        services.edit_message(ana, message, "  ")
    message.refresh_from_db()
    assert message.body == "short"


def test_authors_and_moderators_delete_others_do_not(room, ana, rui, mod):
    own = post(ana, room, "mine")
    services.delete_message(ana, own)
    other = post(ana, room, "theirs")
    with pytest.raises(ChatError):
        services.delete_message(rui, other)
    deleted = services.delete_message(mod, other)
    assert deleted.deleted_by == mod and deleted.is_deleted
    payload = selectors.message_payload(deleted)
    assert payload["deleted"] and payload["body"] == "" and payload["body_html"] == ""
    with pytest.raises(ChatError):
        services.delete_message(mod, deleted)  # already gone


def test_a_reaction_toggles(room, ana, rui):
    message = post(ana, room)
    assert services.toggle_reaction(rui, message, "like") is True
    assert selectors.message_payload(Message.objects.get(pk=message.pk))["reactions"] == {"like": 1}
    assert services.toggle_reaction(rui, message, "like") is False
    assert not Reaction.objects.exists()
    with pytest.raises(ChatError):
        services.toggle_reaction(rui, message, "rocket")
    services.delete_message(ana, message)
    message.refresh_from_db()
    with pytest.raises(ChatError):
        services.toggle_reaction(rui, message, "like")
    assert not Reaction.objects.exists()


# --- read positions and unread counts ------------------------------------------------------


def test_the_read_position_never_moves_back(room, ana, rui):
    services.join_room(rui, room)
    messages = [post(ana, room, f"m{n}") for n in range(3)]
    room.refresh_from_db()
    assert services.mark_read(rui, room, messages[2].pk) == messages[2].pk
    services.mark_read(rui, room, messages[0].pk)
    assert Membership.objects.get(room=room, user=rui).last_read_id == messages[2].pk
    assert services.mark_read(rui, room, 10**9) == room.last_message_id  # not past the last message
    for bad in (-1, "3", None, True):
        with pytest.raises(ChatError):
            services.mark_read(rui, room, bad)


def test_unread_counts_leave_out_ones_own_and_deleted_messages(room, group, ana, rui, no_rate_limit):
    services.join_room(rui, room)
    post(rui, room, "my own")
    kept = [post(ana, room, f"for rui {n}") for n in range(3)]
    services.delete_message(ana, kept[0])
    post(ana, group, "in the group")
    assert selectors.unread_counts(rui) == {"general": 2, group.slug: 1}
    assert selectors.unread_total(rui) == 3
    services.set_notifications_muted(rui, group, True)
    assert selectors.unread_total(rui) == 2
    services.mark_read(rui, room, kept[-1].pk)
    assert selectors.unread_counts(rui)["general"] == 0


# --- direct messages -----------------------------------------------------------------------


def test_starting_a_direct_conversation_twice_gives_the_same_room(ana, rui):
    first = services.start_direct(ana, rui)
    assert services.start_direct(rui, ana).pk == first.pk
    assert first.kind == RoomKind.DIRECT
    assert set(first.memberships.values_list("user__username", flat=True)) == {"ana", "rui"}


def test_direct_messages_across_networks_are_refused(ana, otto):
    with pytest.raises(ChatError) as error:
        services.start_direct(ana, otto)
    assert error.value.code == "forbidden"
    assert not Room.objects.exists()


def test_someone_who_left_a_direct_conversation_is_back_in_it_when_it_starts_again(dm, ana, rui):
    services.leave_room(rui, dm)
    services.start_direct(ana, rui)
    assert selectors.can_read_room(rui, Room.objects.get(pk=dm.pk))


# --- private groups ------------------------------------------------------------------------


def test_the_owner_invites_members_of_a_shared_network_only(group, ana, rui, otto, nobody, network):
    from tests.factories import member_of

    newcomer = member_of(network, username="newcomer")
    services.invite(ana, group, newcomer)
    assert selectors.can_read_room(newcomer, group)
    for refused in (otto, nobody):
        with pytest.raises(ChatError):
            services.invite(ana, group, refused)
    with pytest.raises(ChatError):
        services.invite(rui, group, newcomer)  # not in charge of the group
    assert group.memberships.count() == 3


def test_a_group_cannot_be_created_with_people_one_may_not_invite(ana, rui, otto):
    with pytest.raises(ChatError) as error:
        services.create_private_group(ana, name="Mixed", members=[rui, otto])
    assert "Otto Outsider" in error.value.message
    assert not Room.objects.filter(name="Mixed").exists()


def test_removing_a_member_and_never_the_owner(group, ana, rui):
    with pytest.raises(ChatError):
        services.remove_member(rui, group, ana)
    services.remove_member(ana, group, rui)
    assert not selectors.can_read_room(rui, Room.objects.get(pk=group.pk))
    with pytest.raises(ChatError):
        services.remove_member(ana, group, rui)  # already out


def test_the_last_owner_leaving_hands_the_group_to_the_oldest_member(group, ana, rui, network):
    from tests.factories import member_of

    later = member_of(network)
    services.invite(ana, group, later)
    services.leave_room(ana, group)
    assert Membership.objects.get(room=group, user=rui).role == RoomRole.OWNER
    assert Membership.objects.get(room=group, user=later).role == RoomRole.MEMBER


def test_the_creator_leaving_an_open_room_hands_nothing_over(network, mod, ana):
    room = services.create_room(mod, network=network, name="Port security")
    services.join_room(ana, room)
    services.leave_room(mod, room)
    assert Membership.objects.get(room=room, user=ana).role == RoomRole.MEMBER
    assert not selectors.can_moderate_room(ana, room)


def test_only_network_moderators_open_rooms_and_names_never_take_a_reserved_address(network, mod, ana):
    with pytest.raises(ChatError):
        services.create_room(ana, network=network, name="Mine")
    room = services.create_room(mod, network=network, name="Moderation")
    assert room.slug == "moderation-room"
    assert services.create_room(mod, network=network, name="Moderation").slug == "moderation-room-2"


def test_a_message_sent_on_the_socket_takes_a_fixed_number_of_queries(
    room, ana, no_rate_limit, django_assert_max_num_queries
):
    from network.models import User

    services.post_message(ana, room, "first")  # a member already
    ana = User.objects.get(pk=ana.pk)  # nothing cached on the user
    # room; groups; network memberships; client_id; room membership; (savepoint); room lock;
    # insert; room counters; read position; (release)
    with django_assert_max_num_queries(11):
        event = services.socket_send(ana, room.slug, {"body": "hello", "client_id": str(uuid.uuid4())})
    assert event["event"] == "message.created" and event["data"]["reactions"] == {}
    assert Membership.objects.get(room=room, user=ana).last_read_id == event["data"]["id"]


def test_the_unread_state_leaves_muted_rooms_out_of_the_total_and_names_them(
    room, group, ana, rui, no_rate_limit
):
    from chat import realtime as chat_realtime

    services.join_room(rui, room)
    services.set_notifications_muted(rui, group, True)
    post(ana, room, "one")
    post(ana, group, "two")
    post(ana, group, "three")
    [event] = chat_realtime.unread_state(rui)
    assert event["event"] == "chat.unread"
    assert event["data"] == {"total": 1, "rooms": {room.slug: 1, group.slug: 2}, "muted": [group.slug]}
