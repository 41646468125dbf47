"""The demo chat: both networks, four languages, every kind of room, and running the
seeder twice changes nothing."""

import pytest

from chat import selectors
from chat.models import Membership, Mention, Message, Reaction, Report, Room
from chat.seed import seed_chat
from network.registry import registry
from network.seed import seed_accounts, seed_networks

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Room.objects.order_by("pk").values_list("slug", "kind", "message_count", "last_message_id")),
        Membership.objects.count(),
        list(Message.objects.order_by("pk").values_list("pk", "room__slug", "author__username", "body")),
        Reaction.objects.count(),
        Mention.objects.count(),
        Report.objects.count(),
    )


def test_the_demo_chat_is_complete_and_idempotent(django_user_model):
    seed_accounts()
    seed_networks()
    seed_chat()
    first = _snapshot()
    seed_chat()
    assert _snapshot() == first

    kinds = set(Room.objects.values_list("kind", flat=True))
    assert kinds == {"network", "topic", "private", "direct"}
    assert set(Room.objects.filter(kind="network").values_list("network__slug", flat=True)) == {
        "prevention",
        "police",
    }
    for general in Room.objects.filter(kind="network"):
        assert general.message_count >= 25
        authors = set(general.messages.values_list("author__username", flat=True))
        assert {"admin", "moderator", "officer", "member"} <= authors
    assert Room.objects.get(slug="general-police").messages.filter(author__username="instructor").exists()
    bodies = " ".join(Message.objects.values_list("body", flat=True))
    for word in ("Welcome", "Bienvenidos", "Olá", "Bonjour"):
        assert word in bodies

    people = {user.username: user for user in django_user_model.objects.all()}
    group = Room.objects.get(kind="private")
    assert {m.user.username for m in group.memberships.all()} == {"officer", "member", "moderator"}
    direct = Room.objects.get(kind="direct")
    assert {m.user.username for m in direct.memberships.all()} == {"officer", "member"}
    assert Reaction.objects.count() >= 2 and Mention.objects.exists()
    assert Report.objects.filter(resolved_at=None).count() == 1
    assert selectors.unread_total(people["member"]) > 0
    # Every membership is one its member may read.
    for membership in Membership.objects.select_related("room", "user"):
        assert selectors.can_read_room(membership.user, membership.room), membership


def test_the_chat_seeder_runs_after_the_accounts_networks_and_library():
    seeders = {seeder.name: seeder.order for seeder in registry.ordered_seeders()}
    assert seeders["chat"] == 50
    assert seeders["accounts"] < seeders["networks"] < seeders["library"] < seeders["chat"]
