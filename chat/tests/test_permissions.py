"""Who may read, write in and moderate each kind of room: one rule per question, and the
room lists (`readable_rooms`, `moderated_rooms`) agree with the rules room by room."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from chat import selectors
from chat.models import Membership, Room
from network.models import Membership as NetworkMembership
from network.permissions import forget_cached_roles
from tests.factories import member_of

pytestmark = pytest.mark.django_db

READ, SEND, MODERATE = "read", "send", "moderate"

# (person, room) → what they may do; anything not listed is refused.
MATRIX = {
    ("ana", "room"): {READ, SEND},
    ("rui", "room"): {READ, SEND},
    ("mod", "room"): {READ, SEND, MODERATE},
    ("staff", "room"): {READ, SEND, MODERATE},
    ("otto", "room"): set(),
    ("nobody", "room"): set(),
    ("anonymous", "room"): set(),
    ("ana", "group"): {READ, SEND, MODERATE},  # its owner
    ("rui", "group"): {READ, SEND},
    ("mod", "group"): set(),  # a network moderator outside the group
    ("staff", "group"): {MODERATE},  # DPS staff handle reports, but do not read along
    ("otto", "group"): set(),
    ("anonymous", "group"): set(),
    ("ana", "dm"): {READ, SEND},
    ("rui", "dm"): {READ, SEND},
    ("mod", "dm"): set(),  # a third person
    ("staff", "dm"): {MODERATE},
    ("nobody", "dm"): set(),
    ("anonymous", "dm"): set(),
}


def _person(request, name):
    return AnonymousUser() if name == "anonymous" else request.getfixturevalue(name)


def _allowed(user, room) -> set:
    rules = {READ: selectors.can_read_room, SEND: selectors.can_send, MODERATE: selectors.can_moderate_room}
    return {what for what, rule in rules.items() if rule(user, room)}


@pytest.mark.parametrize(("person", "kind"), list(MATRIX))
def test_each_person_may_do_exactly_what_the_room_kind_allows(request, person, kind):
    user = _person(request, person)
    room = request.getfixturevalue(kind)
    assert _allowed(user, room) == MATRIX[(person, kind)]


def test_room_lists_agree_with_the_rules_for_everyone(request, room, group, dm):
    rooms = [room, group, dm]
    for person in ("ana", "rui", "mod", "staff", "otto", "nobody", "anonymous"):
        user = _person(request, person)
        readable = set(selectors.readable_rooms(user).values_list("slug", flat=True))
        moderated = set(selectors.moderated_rooms(user).values_list("slug", flat=True))
        assert readable == {r.slug for r in rooms if selectors.can_read_room(user, r)}, person
        assert moderated == {r.slug for r in rooms if selectors.can_moderate_room(user, r)}, person


def test_a_moderator_without_two_factor_may_read_but_not_moderate_or_write(network, room):
    moderator = member_of(network, role="moderator")
    assert selectors.can_read_room(moderator, room)
    assert not selectors.can_moderate_room(moderator, room)
    assert not selectors.can_send(moderator, room)
    assert not selectors.moderated_rooms(moderator).exists()


def test_a_silenced_member_reads_but_does_not_write_until_the_silence_ends(room, ana):
    membership = Membership.objects.create(
        room=room, user=ana, silenced_until=timezone.now() + timedelta(hours=1), silenced_reason="calm down"
    )
    assert selectors.can_read_room(ana, room) and not selectors.can_send(ana, room)
    Membership.objects.filter(pk=membership.pk).update(silenced_until=timezone.now() - timedelta(seconds=1))
    selectors.forget_membership(room, ana.pk)
    assert selectors.can_send(ana, room)


def test_an_archived_room_is_read_only_for_everyone(room, ana, mod):
    Room.objects.filter(pk=room.pk).update(is_archived=True)
    room.refresh_from_db()
    assert selectors.can_read_room(ana, room) and not selectors.can_send(ana, room)
    assert not selectors.can_send(mod, room)


def test_a_member_whose_network_membership_is_suspended_loses_private_rooms_too(group, rui):
    NetworkMembership.objects.filter(user=rui).update(status="suspended")
    forget_cached_roles(rui)
    selectors.forget_membership(group, rui.pk)
    assert not selectors.can_read_room(rui, group)
    assert not selectors.readable_rooms(rui).exists()
    assert not selectors.memberships_with_unread(rui).exists()


def test_only_members_who_share_a_network_start_direct_messages(ana, rui, otto, nobody, staff):
    assert selectors.can_start_direct(ana, rui)
    assert not selectors.can_start_direct(ana, otto)
    assert not selectors.can_start_direct(ana, nobody)
    assert not selectors.can_start_direct(ana, ana)
    assert not selectors.can_start_direct(AnonymousUser(), ana)
    assert selectors.can_start_direct(staff, otto)


def test_reporting_is_for_readers_and_never_ones_own_or_a_deleted_message(room, ana, rui, otto):
    from chat import services

    message, _created = services.post_message(ana, room, "hello")
    assert selectors.can_report(rui, message)
    assert not selectors.can_report(ana, message)
    assert not selectors.can_report(otto, message)
    services.delete_message(ana, message)
    message.refresh_from_db()
    assert not selectors.can_report(rui, message)


def test_nobody_silences_themselves_staff_or_another_moderator_of_the_room(room, group, ana, rui, mod, staff):
    assert selectors.can_silence(mod, room, ana)
    assert not selectors.can_silence(mod, room, mod)
    assert not selectors.can_silence(mod, room, staff)
    assert not selectors.can_silence(ana, room, rui)  # not a moderator of an open room
    assert selectors.can_silence(ana, group, rui)  # the group's owner
    assert not selectors.can_silence(rui, group, ana)
    assert selectors.can_silence(staff, room, mod) is False
