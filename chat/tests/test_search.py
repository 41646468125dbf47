"""Chat messages in the site search: only rooms the searcher reads, never for visitors,
never deleted messages; a hit leads to the message in its room."""

import pytest

from chat import services
from network.search import site_search

pytestmark = pytest.mark.django_db


def post(user, room, body):
    return services.post_message(user, room, body)[0]


def chat_hits(user, query):
    page = site_search(user=user, query=query, params={"kind": "chat"})
    return page.hits, next((entry.count for entry in page.providers if entry.provider.key == "chat"), 0)


def test_members_find_messages_of_rooms_they_read_whatever_the_accents(room, group, ana, rui, mod):
    open_message = post(ana, room, "El plan de Seguridad Turística de Cartagena")
    post(rui, group, "seguridad turistica en el grupo privado")
    hits, count = chat_hits(mod, "seguridad turistica")
    assert count == 1 and len(hits) == 1
    assert hits[0].url == f"/chat/general/?around={open_message.pk}"
    assert "<mark>Seguridad</mark>" in hits[0].snippet and hits[0].members_only
    assert "General" in hits[0].title and "Ana Autora" in hits[0].title
    _hits, count = chat_hits(rui, "seguridad turistica")
    assert count == 2


def test_visitors_outsiders_and_deleted_messages_find_nothing(client, room, ana, otto):
    message = post(ana, room, "reunión confidencial del lunes")
    from django.contrib.auth.models import AnonymousUser

    assert chat_hits(AnonymousUser(), "confidencial") == ([], 0)
    assert chat_hits(otto, "confidencial") == ([], 0)
    services.delete_message(ana, message)
    assert chat_hits(ana, "confidencial") == ([], 0)
    assert "reunión confidencial" not in client.get("/search/?q=confidencial").content.decode()


def test_an_edit_is_found_by_its_new_words_only(room, ana):
    message = post(ana, room, "borrador inicial")
    services.edit_message(ana, message, "versión definitiva")
    assert chat_hits(ana, "borrador")[1] == 0
    assert chat_hits(ana, "definitiva")[1] == 1


def test_the_search_page_shows_chat_hits_to_members(client, room, ana):
    post(ana, room, "Protocolo de protección de testigos")
    client.force_login(ana)
    html = client.get("/search/?q=testigos").content.decode()
    assert "/chat/general/?around=" in html and "<mark>testigos</mark>" in html
