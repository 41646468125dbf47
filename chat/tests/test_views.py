"""Chat pages: who sees which room, what the pages show, what a refused message looks like,
and query counts that do not grow with the rooms or messages shown.

People and rooms are the fixtures of chat/tests/conftest.py: Ana and Rui in the prevention
network, Otto in the police network, "nobody" in no network; `room` (a network room of
prevention), `group` (Ana's private group with Rui) and `dm` (Ana and Rui).
"""

import datetime
import json
import uuid

import pytest
from django.utils import timezone, translation
from django.utils.html import escape

from chat import selectors, services
from chat.models import Membership, Message, Reaction, Room, RoomKind
from chat.views import direct_message_action
from tests.factories import member_of

pytestmark = pytest.mark.django_db

XSS_NAME = '<img src=x onerror="alert(1)">'


def in_language(language, text):
    with translation.override(language):
        return translation.gettext(text)


def post(user, room, body="hello"):
    message, _created = services.post_message(user, room, body)
    return message


def page_of(response) -> str:
    return response.content.decode()


def message_ids(html: str) -> list[int]:
    ids = []
    for part in html.split('data-message-id="')[1:]:
        ids.append(int(part.split('"', 1)[0]))
    return ids


def make_history(room, author, count, *, start=None):
    """`count` messages in `room`, one minute apart from `start` (bulk: fast, as the seed)."""
    start = start or timezone.now() - datetime.timedelta(days=1)
    Message.objects.bulk_create(
        Message(room=room, author=author, body=f"note {n}", body_html=f"<p>note {n}</p>",
                created_at=start + datetime.timedelta(minutes=n))
        for n in range(count)
    )  # fmt: skip
    last = room.messages.order_by("-id").first()
    Room.objects.filter(pk=room.pk).update(
        last_message_id=last.id, last_message_at=last.created_at, message_count=count
    )
    room.refresh_from_db()
    return list(room.messages.order_by("id"))


# --- who gets in ----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/es"])
@pytest.mark.parametrize("path", ["/chat/", "/chat/general/", "/chat/general/messages/", "/chat/dm/rui/"])
def test_visitors_are_sent_to_the_login_page(client, room, rui, prefix, path):
    response = client.get(prefix + path)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_visitor_cannot_post_a_message(client, room):
    response = client.post("/chat/general/send/", {"body": "anonymous hello"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Message.objects.exists()


def test_a_member_of_another_network_gets_404_for_a_room_and_every_url_below_it(client, room, otto, rui):
    message = post(rui, room, "internal")
    client.force_login(otto)
    for path in (
        "/chat/general/",
        f"/chat/general/?around={message.pk}",
        "/chat/general/messages/?before=99",
    ):
        assert client.get(path).status_code == 404, path
    for path in ("send", "join", "leave", "mute", "invite", "remove"):
        response = client.post(f"/chat/general/{path}/", {"body": "hi", "username": "rui", "muted": "1"})
        assert response.status_code == 404, path
    assert Message.objects.count() == 1
    assert not Membership.objects.filter(user=otto).exists()
    assert "General" not in page_of(client.get("/chat/"))


def test_private_groups_and_direct_messages_are_404_for_everyone_outside_them(client, group, dm, network):
    third = member_of(network, username="third")
    client.force_login(third)
    assert client.get(f"/chat/{group.slug}/").status_code == 404
    assert client.get(f"/chat/{dm.slug}/").status_code == 404
    assert client.post(f"/chat/{dm.slug}/send/", {"body": "let me in"}).status_code == 404
    assert client.get("/chat/does-not-exist/").status_code == 404


def test_someone_in_no_network_sees_an_empty_chat_page(client, room, nobody):
    client.force_login(nobody)
    response = client.get("/chat/")
    assert response.status_code == 200
    page = page_of(response)
    assert "General" not in page and "New private group" not in page
    assert client.get("/chat/general/").status_code == 404


# --- the list of rooms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "language"), [("", "en"), ("/es", "es"), ("/pt-br", "pt-br"), ("/fr", "fr")]
)
def test_the_chat_page_renders_in_each_language(client, ana, room, group, prefix, language):
    client.force_login(ana)
    response = client.get(f"{prefix}/chat/")
    assert response.status_code == 200
    assert response["Content-Language"] == language
    page = page_of(response)
    assert f'<html lang="{language}">' in page
    assert escape(in_language(language, "Skip to content")) in page
    assert escape(in_language(language, "Direct messages")) in page


def test_the_chat_page_lists_my_rooms_most_recent_first_with_unread_counts(client, ana, rui, room, group, dm):
    post(ana, room, "I joined by writing")
    post(rui, group, "one")
    post(rui, group, "two")
    post(rui, dm, "psst")
    Membership.objects.filter(room=dm, user=ana).update(notifications_muted=True)
    client.force_login(ana)
    response = client.get("/chat/")
    page = page_of(response)
    mine = page.split('id="chat-my-rooms"')[1].split("</section>")[0]
    assert mine.index("Working group") < mine.index("General")  # the group's message is newer
    assert 'data-room-unread="working-group">\n    <span data-count>2</span>' in mine
    directs = page.split('id="chat-directs"')[1].split("</section>")[0]
    assert "Rui Leitor" in directs and "muted" in directs
    # The muted conversation's message is not in the total.
    assert "2 unread messages" in page


def test_open_rooms_not_joined_are_offered_with_a_join_button(client, ana, room, network, other_network):
    Room.objects.create(slug="police-only", kind=RoomKind.NETWORK, network=other_network, name="Police only")
    Room.objects.create(slug="old", kind=RoomKind.TOPIC, network=network, name="Old", is_archived=True)
    client.force_login(ana)
    joinable = page_of(client.get("/chat/")).split('id="chat-joinable"')[1].split("</section>")[0]
    assert "General" in joinable and 'action="/chat/general/join/"' in joinable
    assert "Police only" not in joinable and "Old" not in joinable
    response = client.post("/chat/general/join/")
    assert response.status_code == 302 and response["Location"] == "/chat/general/"
    assert Membership.objects.filter(room=room, user=ana).exists()
    assert 'id="chat-joinable"' not in page_of(client.get("/chat/"))


def test_the_chat_page_makes_the_same_queries_for_three_rooms_or_thirty(
    client, ana, rui, network, django_assert_max_num_queries
):
    def add_rooms(count):
        for number in range(count):
            open_room = Room.objects.create(
                slug=f"room-{count}-{number}", kind=RoomKind.NETWORK, network=network, name=f"R{number}"
            )
            post(rui, open_room)
            services.join_room(ana, open_room)
            Room.objects.create(
                slug=f"other-{count}-{number}", kind=RoomKind.TOPIC, network=network, name="T"
            )
            services.start_direct(ana, member_of(network, username=f"p{count}-{number}"))
        services.create_private_group(ana, name=f"group {count}", members=[rui])

    client.force_login(ana)
    add_rooms(1)
    client.get("/chat/")  # sessions, caches
    with django_assert_max_num_queries(16) as few:
        assert client.get("/chat/").status_code == 200
    add_rooms(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = page_of(client.get("/chat/"))
    # Joined rooms, groups, conversations and rooms to join: 11 + 2 + 11 + 11.
    assert page.count('class="chat-room-entry') == 35


# --- creating rooms and conversations -----------------------------------------------------


def test_a_member_creates_a_private_group_with_members_of_their_networks(client, ana, rui):
    client.force_login(ana)
    response = client.post("/chat/new/group/", {"name": "Tourism plan", "members": "@rui, ana"})
    room = Room.objects.get(name="Tourism plan")
    assert response.status_code == 302 and response["Location"] == f"/chat/{room.slug}/"
    assert room.kind == RoomKind.PRIVATE
    assert set(room.memberships.values_list("user__username", flat=True)) == {"ana", "rui"}


@pytest.mark.parametrize(
    ("members", "unknown"), [("otto", "otto"), ("rui ghost", "ghost"), ("nobody", "nobody")]
)
def test_a_group_with_someone_outside_my_networks_is_refused_and_nothing_created(
    client, ana, rui, otto, nobody, members, unknown
):
    client.force_login(ana)
    response = client.post("/es/chat/new/group/", {"name": "Secret", "members": members})
    assert response.status_code == 400
    page = page_of(response)
    with translation.override("es"):
        expected = translation.gettext("No member of your networks has this username: %(names)s") % {
            "names": unknown
        }
    assert escape(expected) in page
    assert not Room.objects.filter(name="Secret").exists()


def test_a_group_needs_a_name(client, ana):
    client.force_login(ana)
    response = client.post("/chat/new/group/", {"name": "  ", "members": ""})
    assert response.status_code == 400 and 'id="id_name_error"' in page_of(response)
    assert not Room.objects.exists()


def test_network_moderators_open_rooms_and_members_cannot(client, ana, mod, network):
    client.force_login(ana)
    assert 'id="chat-new-room"' not in page_of(client.get("/chat/"))
    data = {"network": network.pk, "kind": "topic", "name": "Port security", "description": "Ports"}
    assert client.post("/chat/new/room/", data).status_code == 404
    client.force_login(mod)
    assert 'id="chat-new-room"' in page_of(client.get("/chat/"))
    response = client.post("/chat/new/room/", data)
    room = Room.objects.get(name="Port security")
    assert response.status_code == 302 and response["Location"] == f"/chat/{room.slug}/"
    assert (room.kind, room.network, room.created_by) == (RoomKind.TOPIC, network, mod)


def test_a_direct_conversation_starts_from_a_confirmation_page_and_then_opens(client, ana, rui):
    client.force_login(ana)
    response = client.get("/chat/dm/rui/")
    assert response.status_code == 200 and "Rui Leitor" in page_of(response)
    assert not Room.objects.exists()  # a GET changes nothing
    response = client.post("/chat/dm/rui/")
    room = Room.objects.get(kind=RoomKind.DIRECT)
    assert response["Location"] == f"/chat/{room.slug}/"
    assert client.get("/chat/dm/rui/")["Location"] == f"/chat/{room.slug}/"
    assert client.post("/chat/dm/rui/")["Location"] == f"/chat/{room.slug}/"
    assert Room.objects.count() == 1
    page = page_of(client.get(f"/chat/{room.slug}/"))
    assert "<h1" in page and "Rui Leitor</a></h1>" in page


def test_no_direct_conversation_with_someone_outside_my_networks_or_myself(client, ana, otto, nobody):
    client.force_login(ana)
    for username in ("otto", "nobody", "ana", "ghost"):
        assert client.get(f"/chat/dm/{username}/").status_code == 404
        assert client.post(f"/chat/dm/{username}/").status_code == 404
    assert not Room.objects.exists()


def test_the_profile_button_is_offered_to_those_who_may_write_and_leads_to_the_conversation(ana, rui, otto):
    from network.profiles.services import profile_for

    profile = profile_for(rui)
    profile.contact_preference = "message"
    html = direct_message_action(ana, rui, profile)
    assert 'href="/chat/dm/rui/"' in html and "Send a message" in html
    assert direct_message_action(otto, rui, profile) is None
    profile.contact_preference = "email"
    assert direct_message_action(ana, rui, profile) is None


def test_the_profile_shows_the_button_once_registered(client, ana, rui):
    from network.profiles import registry
    from network.profiles.services import profile_for

    profile = profile_for(rui)
    profile.contact_preference = "message"
    profile.save()
    registry.register_contact_action("chat", direct_message_action, order=10)
    try:
        client.force_login(ana)
        assert "data-chat-direct" in page_of(client.get("/network/members/rui/"))
    finally:
        registry.unregister("chat")


# --- a room ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "language"), [("", "en"), ("/es", "es"), ("/pt-br", "pt-br"), ("/fr", "fr")]
)
def test_a_room_renders_in_each_language(client, ana, rui, room, prefix, language):
    post(rui, room, "Hola a todos")
    client.force_login(ana)
    response = client.get(f"{prefix}/chat/general/")
    assert response.status_code == 200 and response["Content-Language"] == language
    page = page_of(response)
    assert f'<html lang="{language}">' in page and "Hola a todos" in page
    assert escape(in_language(language, "Show older messages")) in page
    assert escape(in_language(language, "Send")) in page


def test_a_room_shows_the_latest_page_and_links_to_older_messages_by_id(client, ana, rui, room):
    messages = make_history(room, rui, 120)
    client.force_login(ana)
    page = page_of(client.get("/chat/general/"))
    shown = message_ids(page)
    assert shown == [m.pk for m in messages[-50:]]
    assert f'href="?before={messages[-50].pk}"' in page
    assert f'data-since="{messages[-1].pk}"' in page and 'data-live="true"' in page

    older = page_of(client.get(f"/chat/general/?before={messages[-50].pk}"))
    assert message_ids(older) == [m.pk for m in messages[20:70]]
    assert f'href="?before={messages[20].pk}"' in older and f'href="?after={messages[69].pk}"' in older
    assert 'data-live="false"' in older and "Back to the latest messages" in older
    oldest = page_of(client.get(f"/chat/general/?before={messages[20].pk}"))
    assert message_ids(oldest) == [m.pk for m in messages[:20]]
    assert "data-older hidden" in oldest


def test_older_messages_come_as_json_for_the_script(client, ana, rui, room):
    messages = make_history(room, rui, 60)
    client.force_login(ana)
    response = client.get(f"/chat/general/messages/?before={messages[10].pk}")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert [m["id"] for m in data["messages"]] == [m.pk for m in messages[:10]]
    assert data["has_older"] is False
    assert set(data["messages"][0]) >= {"id", "author", "body_html", "created_at", "reactions", "deleted"}
    data = json.loads(client.get("/chat/general/messages/").content)
    assert len(data["messages"]) == 50 and data["has_older"] is True
    data = json.loads(client.get(f"/chat/general/messages/?after={messages[55].pk}").content)
    assert [m["id"] for m in data["messages"]] == [m.pk for m in messages[56:]]


def test_a_date_opens_the_page_starting_on_that_day_with_its_first_message_highlighted(
    client, ana, rui, room
):
    start = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    messages = make_history(room, rui, 90, start=start)
    Message.objects.filter(pk__gte=messages[40].pk).update(
        created_at=datetime.datetime(2026, 3, 5, 10, 0, tzinfo=datetime.UTC)
    )
    client.force_login(ana)
    page = page_of(client.get("/chat/general/?date=2026-03-03"))
    assert message_ids(page)[0] == messages[40].pk
    assert f'class="chat-message is-highlighted" id="message-{messages[40].pk}"' in page
    assert "data-older" in page and f'href="?before={messages[40].pk}"' in page


@pytest.mark.parametrize(
    ("value", "notice"), [("yesterday", "This is not a date"), ("2099-01-01", "No messages on")]
)
def test_a_bad_or_empty_date_says_so_and_shows_the_latest_messages(client, ana, rui, room, value, notice):
    post(rui, room, "latest words")
    client.force_login(ana)
    response = client.get(f"/chat/general/?date={value}")
    assert response.status_code == 200
    page = page_of(response)
    assert notice in page and "latest words" in page


def test_a_search_lists_matching_messages_that_link_to_them_in_the_room(client, ana, rui, room):
    make_history(room, rui, 70)
    hit = post(rui, room, "Seguridad turística en Cancún")
    post(rui, room, "nothing to see")
    client.force_login(ana)
    page = page_of(client.get("/chat/general/?q=seguridad+turistica"))
    results = page.split('class="chat-results')[1].split("</section>")[0]
    assert f'?around={hit.pk}#message-{hit.pk}"' in results and "nothing to see" not in results
    around = page_of(client.get(f"/chat/general/?around={hit.pk}"))
    assert f'class="chat-message is-highlighted" id="message-{hit.pk}"' in around
    assert hit.pk in message_ids(around)


def test_opening_a_room_marks_it_read_up_to_the_last_message_shown(client, ana, rui, group):
    post(rui, group, "one")
    last = post(rui, group, "two")
    assert selectors.unread_counts(ana)[group.slug] == 2
    client.force_login(ana)
    client.get(f"/chat/{group.slug}/")
    assert selectors.unread_counts(ana)[group.slug] == 0
    assert Membership.objects.get(room=group, user=ana).last_read_id == last.pk


def test_a_room_page_makes_the_same_queries_for_five_messages_or_fifty(
    client, ana, rui, room, network, django_assert_max_num_queries
):
    services.join_room(ana, room)
    make_history(room, rui, 5)
    client.force_login(ana)
    client.get("/chat/general/")
    post(rui, room, "unread: the page marks it read")
    with django_assert_max_num_queries(25) as few:
        assert client.get("/chat/general/").status_code == 200
    for number in range(30):
        services.join_room(member_of(network, username=f"reader{number}"), room)
    authors = [member_of(network, username=f"author{number}") for number in range(5)]
    for number, message in enumerate(make_history(room, rui, 80)[-50:]):
        Message.objects.filter(pk=message.pk).update(author=authors[number % 5])
        if number % 3 == 0:
            Reaction.objects.create(message=message, user=rui, kind="like")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = page_of(client.get("/chat/general/"))
    assert len(message_ids(page)) == 50 and 'data-kind="like"' in page


def test_hostile_text_in_messages_and_names_is_shown_as_text(client, ana, network, room):
    writer = member_of(network, username="writer", display_name=XSS_NAME)
    post(writer, room, "<script>alert(1)</script> [x](javascript:alert(1))")
    client.force_login(ana)
    page = page_of(client.get("/chat/general/"))
    assert "<script>alert(1)" not in page and XSS_NAME not in page and "javascript:alert" not in page
    assert escape(XSS_NAME) in page


# --- sending without JavaScript ---------------------------------------------------------------


def test_the_composer_posts_a_message_and_returns_to_it(client, ana, room):
    client.force_login(ana)
    response = client.post("/chat/general/send/", {"body": "From a phone without JavaScript"})
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/chat/general/#message-{message.pk}"
    assert message.author == ana and Membership.objects.filter(room=room, user=ana).exists()


def test_a_double_submit_of_the_same_form_stores_one_message(client, ana, room):
    client.force_login(ana)
    client_id = str(uuid.uuid4())
    for _attempt in range(2):
        client.post("/chat/general/send/", {"body": "once only", "client_id": client_id})
    assert Message.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", ["empty", "oversized"])
def test_an_empty_or_oversized_message_gets_a_clear_error_keeps_the_text_and_stores_nothing(
    client, ana, room, settings, language, kind
):
    settings.PUENTE_CHAT_MAX_MESSAGE_CHARS = 100
    body = "   " if kind == "empty" else "x" * 101
    client.force_login(ana)
    prefix = "" if language == "en" else f"/{language}"
    response = client.post(f"{prefix}/chat/general/send/", {"body": body})
    assert response.status_code == 400
    page = page_of(response)
    with translation.override(language):
        if kind == "empty":
            expected = translation.gettext("Write something before sending.")
        else:
            expected = translation.gettext(
                "Your message is too long: %(length)s characters, the limit is %(limit)s."
            ) % {"length": "101", "limit": "100"}
    assert 'class="chat-error" id="chat-error" role="alert" data-chat-error>' + escape(expected) in page
    assert 'aria-invalid="true"' in page
    if kind == "oversized":
        assert ">" + body + "</textarea>" in page
    assert not Message.objects.exists()


def test_a_silenced_member_reads_but_cannot_write(client, ana, rui, room):
    services.join_room(ana, room)
    Membership.objects.filter(room=room, user=ana).update(
        silenced_until=timezone.now() + datetime.timedelta(hours=2), silenced_reason="Flooding"
    )
    client.force_login(ana)
    page = page_of(client.get("/chat/general/"))
    assert "data-chat-form" not in page and "Flooding" in page
    response = client.post("/chat/general/send/", {"body": "let me talk"})
    assert response.status_code == 403 and "silenced" in page_of(response)
    assert not Message.objects.exists()


def test_an_archived_room_has_no_composer(client, ana, room):
    Room.objects.filter(pk=room.pk).update(is_archived=True)
    client.force_login(ana)
    page = page_of(client.get("/chat/general/"))
    assert "archived" in page and "data-chat-form" not in page and "Join this room" not in page
    assert client.post("/chat/general/send/", {"body": "anyone?"}).status_code == 403
    assert not Message.objects.exists()


def test_sending_too_fast_is_refused_with_429_and_the_text_kept(client, ana, room, settings):
    settings.PUENTE_CHAT_MESSAGES_PER_WINDOW = 2
    client.force_login(ana)
    for number in range(2):
        client.post("/chat/general/send/", {"body": f"fast {number}"})
    response = client.post("/chat/general/send/", {"body": "too fast"})
    assert response.status_code == 429
    assert "too fast</textarea>" in page_of(response) and "Try again in" in page_of(response)
    assert Message.objects.count() == 2


# --- membership: leave, mute, invite, remove ------------------------------------------------


def test_mute_and_unmute_notifications_of_a_room(client, ana, group):
    client.force_login(ana)
    client.post(f"/chat/{group.slug}/mute/", {"muted": "1"})
    assert Membership.objects.get(room=group, user=ana).notifications_muted
    assert "Turn notifications on" in page_of(client.get(f"/chat/{group.slug}/"))
    client.post(f"/chat/{group.slug}/mute/", {"muted": "0"})
    assert not Membership.objects.get(room=group, user=ana).notifications_muted


def test_muting_a_room_one_has_not_joined_says_join_first(client, ana, room):
    client.force_login(ana)
    response = client.post("/chat/general/mute/", {"muted": "1"}, follow=True)
    assert "Join the room first." in page_of(response)


def test_leaving_a_private_group_closes_it(client, ana, rui, group):
    client.force_login(rui)
    response = client.post(f"/chat/{group.slug}/leave/")
    assert response["Location"] == "/chat/"
    assert client.get(f"/chat/{group.slug}/").status_code == 404


def test_the_owner_invites_and_removes_members_of_a_private_group(client, ana, rui, otto, group, network):
    carla = member_of(network, username="carla", display_name="Carla Nueva")
    client.force_login(ana)
    page = page_of(client.get(f"/chat/{group.slug}/"))
    assert 'action="/chat/working-group/invite/"' in page
    assert page.count('action="/chat/working-group/remove/"') == 1  # Rui's, not the owner's own
    assert client.post(f"/chat/{group.slug}/invite/", {"username": "@carla"}).status_code == 302
    assert Membership.objects.filter(room=group, user=carla).exists()
    refused = client.post(f"/chat/{group.slug}/invite/", {"username": "otto"})
    assert refused.status_code == 400 and "No member of your networks" in page_of(refused)
    assert not Membership.objects.filter(room=group, user=otto).exists()
    client.post(f"/chat/{group.slug}/remove/", {"username": "carla"})
    assert not Membership.objects.filter(room=group, user=carla).exists()


def test_members_without_the_right_cannot_invite_or_remove(client, ana, rui, group, network):
    carla = member_of(network, username="carla")
    client.force_login(rui)
    page = page_of(client.get(f"/chat/{group.slug}/"))
    assert "/invite/" not in page and "/remove/" not in page
    assert client.post(f"/chat/{group.slug}/invite/", {"username": "carla"}).status_code == 403
    client.post(f"/chat/{group.slug}/remove/", {"username": "ana"})
    assert not Membership.objects.filter(room=group, user=carla).exists()
    assert Membership.objects.filter(room=group, user=ana).exists()
