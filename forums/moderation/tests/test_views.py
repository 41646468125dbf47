"""The moderation pages end to end: who gets what, bad input, languages, query counts."""

import pytest

from forums.models import Post, PostStatus, Topic
from forums.moderation import services
from forums.moderation.models import Flag, Silence
from network.models import AuditEntry
from tests.factories import member_of

from .conftest import add_post, make_topic

pytestmark = pytest.mark.django_db


def logged_in(client, user):
    client.force_login(user)
    return client


def page_text(response) -> str:
    return response.content.decode()


# --- anonymous visitors and languages -----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/forums/moderation/",
        "/forums/moderation/audit/",
        "/forums/moderation/posts/{post}/flag/",
        "/forums/moderation/posts/{post}/hide/",
        "/forums/moderation/posts/{post}/restore/",
        "/forums/moderation/posts/{post}/approve/",
        "/forums/moderation/posts/{post}/reject/",
        "/forums/moderation/posts/{post}/dismiss-flags/",
        "/forums/moderation/topics/{topic}/",
        "/forums/moderation/networks/prevention/members/autora/",
        "/es/forums/moderation/",
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, post, topic, path):
    response = client.get(path.format(post=post.pk, topic=topic.pk))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_anonymous_posts_change_nothing(client, post):
    response = client.post(f"/forums/moderation/posts/{post.pk}/hide/", {"reason": "x"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED


@pytest.mark.parametrize("prefix, lang", [("", "en"), ("/es", "es"), ("/pt-br", "pt-br")])
def test_the_moderation_pages_render_in_each_language(client, moderator, post, topic, prefix, lang, reader):
    services.flag_post(reporter=reader, post=post, reason="spam")
    services.lock_topic(moderator=moderator, topic=topic)
    held = add_post(topic, reader, "Held", status=PostStatus.PENDING)
    logged_in(client, moderator)
    for path in (
        "/forums/moderation/",
        "/forums/moderation/?tab=held",
        "/forums/moderation/audit/",
        f"/forums/moderation/posts/{post.pk}/hide/",
        f"/forums/moderation/posts/{post.pk}/restore/",
        f"/forums/moderation/posts/{post.pk}/dismiss-flags/",
        f"/forums/moderation/posts/{held.pk}/approve/",
        f"/forums/moderation/posts/{held.pk}/reject/",
        f"/forums/moderation/topics/{topic.pk}/",
        "/forums/moderation/networks/prevention/members/lector/",
    ):
        response = client.get(prefix + path)
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in page_text(response)


def test_the_flag_form_renders_in_two_languages(client, reader, post):
    logged_in(client, reader)
    assert '<html lang="en">' in page_text(client.get(f"/forums/moderation/posts/{post.pk}/flag/"))
    spanish = client.get(f"/es/forums/moderation/posts/{post.pk}/flag/")
    assert spanish.status_code == 200 and '<html lang="es">' in page_text(spanish)


# --- flagging -----------------------------------------------------------------------------


def test_a_member_flags_a_post_through_the_form(client, reader, post, moderator):
    logged_in(client, reader)
    response = client.post(
        f"/forums/moderation/posts/{post.pk}/flag/",
        {"reason": "offensive", "note": "Rude", "next": "/forums/"},
    )
    assert response.status_code == 302 and response["Location"] == "/forums/"
    flag = Flag.objects.get()
    assert (flag.reporter, flag.reason, flag.note) == (reader, "offensive", "Rude")

    again = client.get(f"/forums/moderation/posts/{post.pk}/flag/")
    assert "already flagged" in page_text(again)


def test_a_flag_without_a_reason_is_refused_with_a_clear_message(client, reader, post):
    logged_in(client, reader)
    response = client.post(f"/forums/moderation/posts/{post.pk}/flag/", {"reason": "", "note": "?"})
    assert response.status_code == 200
    assert "Choose why you are flagging this post." in page_text(response)
    assert not Flag.objects.exists()


def test_a_member_of_another_network_gets_404_for_the_flag_page(client, police, post):
    logged_in(client, member_of(police))
    assert client.get(f"/forums/moderation/posts/{post.pk}/flag/").status_code == 404
    assert client.post(f"/forums/moderation/posts/{post.pk}/flag/", {"reason": "spam"}).status_code == 404
    assert client.get("/forums/moderation/posts/999999/flag/").status_code == 404
    assert not Flag.objects.exists()


def test_a_hidden_post_cannot_be_flagged_by_readers(client, reader, post, moderator):
    services.hide_post(moderator=moderator, post=post, reason="Spam")
    logged_in(client, reader)
    response = client.post(f"/forums/moderation/posts/{post.pk}/flag/", {"reason": "spam"})
    assert response.status_code == 403
    assert not Flag.objects.exists()


# --- who may moderate ---------------------------------------------------------------------


def test_members_get_403_for_the_queue_audit_and_actions(client, reader, post, topic):
    logged_in(client, reader)
    for path in (
        "/forums/moderation/",
        "/forums/moderation/audit/",
        f"/forums/moderation/posts/{post.pk}/hide/",
        f"/forums/moderation/topics/{topic.pk}/",
        "/forums/moderation/networks/prevention/members/autora/",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/forums/moderation/posts/{post.pk}/hide/", {"reason": "x"}).status_code == 403
    assert client.post(f"/forums/moderation/topics/{topic.pk}/", {"action": "lock"}).status_code == 403
    post.refresh_from_db()
    topic.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and not topic.is_locked


def test_a_moderator_of_another_network_gets_404_or_403(
    client, police_moderator, post, topic, public_category, author
):
    logged_in(client, police_moderator)
    # Members-only category of a network they are not in: they may not know it exists.
    assert client.post(f"/forums/moderation/posts/{post.pk}/hide/", {"reason": "x"}).status_code == 404
    assert client.post(f"/forums/moderation/topics/{topic.pk}/", {"action": "lock"}).status_code == 404
    # A public category: readable, but not theirs to moderate.
    public_post = make_topic(public_category, author, title="Open").posts.get()
    assert client.post(f"/forums/moderation/posts/{public_post.pk}/hide/", {"reason": "x"}).status_code == 403
    assert client.get("/forums/moderation/networks/prevention/members/autora/").status_code == 403
    assert Post.objects.filter(status=PostStatus.HIDDEN).count() == 0


def test_a_moderator_without_two_factor_is_sent_to_set_it_up(client, prevention, post):
    logged_in(client, member_of(prevention, role="moderator"))
    response = client.get("/forums/moderation/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_the_moderation_link_shows_for_moderators_only(client, reader, moderator, staff):
    logged_in(client, reader)
    assert 'href="/forums/moderation/"' not in page_text(client.get("/notifications/"))
    for user in (moderator, staff):
        logged_in(client, user)
        assert 'href="/forums/moderation/"' in page_text(client.get("/notifications/"))


# --- the queue ----------------------------------------------------------------------------


def test_the_queue_lists_flagged_and_held_posts_of_the_moderators_networks(
    client, moderator, police_moderator, staff, reader, post, topic, police_category, police
):
    services.flag_post(reporter=reader, post=post, reason="spam", note="Sells watches")
    held = add_post(topic, reader, "Waiting for a moderator", status=PostStatus.PENDING)
    police_topic = make_topic(police_category, member_of(police), title="Police topic")
    services.flag_post(reporter=member_of(police), post=police_topic.posts.get(), reason="off_topic")

    logged_in(client, moderator)
    flags = page_text(client.get("/forums/moderation/"))
    assert "Sells watches" in flags and post.body in flags
    assert "Police topic" not in flags
    assert 'data-queue-count="flags">1<' in flags and 'data-queue-count="held">1<' in flags
    assert held.body in page_text(client.get("/forums/moderation/?tab=held"))

    logged_in(client, police_moderator)
    theirs = page_text(client.get("/forums/moderation/"))
    assert "Police topic" in theirs and "Sells watches" not in theirs

    logged_in(client, staff)
    everything = page_text(client.get("/forums/moderation/"))
    assert "Police topic" in everything and "Sells watches" in everything


def test_the_queue_runs_the_same_queries_for_3_or_20_flagged_posts(
    client, moderator, reader, category, author, prevention, django_assert_max_num_queries
):
    def flag_topics(count):
        for index in range(count):
            topic = make_topic(category, author, title=f"Topic {Topic.objects.count()} {index}")
            services.flag_post(reporter=reader, post=topic.posts.get(), reason="spam")
            services.flag_post(reporter=member_of(prevention), post=topic.posts.get(), reason="other")

    logged_in(client, moderator)
    flag_topics(3)
    client.get("/forums/moderation/")  # sessions, caches
    with django_assert_max_num_queries(40) as few:
        assert client.get("/forums/moderation/").status_code == 200
    flag_topics(17)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = page_text(client.get("/forums/moderation/"))
    assert page.count("queue-post-") == 20


def test_hiding_from_the_queue(client, moderator, reader, post, author):
    services.flag_post(reporter=reader, post=post, reason="offensive")
    logged_in(client, moderator)

    response = client.post(
        f"/forums/moderation/posts/{post.pk}/hide/", {"reason": "Insults", "next": "/forums/moderation/"}
    )

    assert response.status_code == 302 and response["Location"] == "/forums/moderation/"
    post.refresh_from_db()
    assert post.status == PostStatus.HIDDEN and post.hidden_reason == "Insults"
    assert 'data-queue-count="flags">0<' in page_text(client.get("/forums/moderation/"))


def test_an_offsite_next_is_ignored(client, moderator, post):
    logged_in(client, moderator)
    response = client.post(
        f"/forums/moderation/posts/{post.pk}/hide/", {"reason": "Spam", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_hiding_without_a_reason_shows_an_error_and_changes_nothing(client, moderator, post):
    logged_in(client, moderator)
    response = client.post(f"/forums/moderation/posts/{post.pk}/hide/", {"reason": ""})
    assert response.status_code == 400
    assert "Give a reason: the member will be told." in page_text(response)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert not AuditEntry.objects.exists()


def test_hiding_twice_answers_with_a_message(client, moderator, post):
    services.hide_post(moderator=moderator, post=post, reason="Spam")
    logged_in(client, moderator)
    response = client.post(f"/forums/moderation/posts/{post.pk}/hide/", {"reason": "Again"})
    assert response.status_code == 400 and "already hidden" in page_text(response)
    assert AuditEntry.objects.count() == 1


def test_spanish_errors_are_in_spanish(client, moderator, post):
    moderator.language = "es"
    moderator.save()
    logged_in(client, moderator)
    response = client.post(f"/es/forums/moderation/posts/{post.pk}/hide/", {"reason": ""})
    assert response.status_code == 400
    assert '<html lang="es">' in page_text(response)


def test_approving_and_rejecting_held_posts(client, moderator, reader, topic):
    first = add_post(topic, reader, "First", status=PostStatus.PENDING)
    second = add_post(topic, reader, "Second", status=PostStatus.PENDING)
    logged_in(client, moderator)

    assert client.post(f"/forums/moderation/posts/{first.pk}/approve/").status_code == 302
    refused = client.post(f"/forums/moderation/posts/{second.pk}/reject/", {"reason": ""})
    assert refused.status_code == 400
    assert (
        client.post(f"/forums/moderation/posts/{second.pk}/reject/", {"reason": "Off topic"}).status_code
        == 302
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (PostStatus.PUBLISHED, PostStatus.HIDDEN)
    assert second.hidden_reason == "Off topic"


# --- topics -------------------------------------------------------------------------------


def test_topic_actions_through_the_form(client, moderator, topic, other_category, category, author):
    logged_in(client, moderator)
    url = f"/forums/moderation/topics/{topic.pk}/"
    for action in ("lock", "pin"):
        assert client.post(url, {"action": action}).status_code == 302
    assert client.post(url, {"action": "move", "category": other_category.pk}).status_code == 302
    topic.refresh_from_db()
    assert topic.is_locked and topic.is_pinned and topic.category == other_category

    target = make_topic(category, author, title="Target topic")
    response = client.post(
        url, {"action": "merge", "target": f"http://testserver/forums/t/{target.pk}/target-topic/"}
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.merged_into == target
    assert Post.objects.filter(topic=target).count() == 4


def test_bad_topic_actions_are_refused_with_a_message(client, moderator, topic, police_category):
    logged_in(client, moderator)
    url = f"/forums/moderation/topics/{topic.pk}/"
    cases = [
        ({"action": "explode"}, "Choose an action."),
        ({"action": "move"}, "Choose the category to move the topic to."),
        ({"action": "move", "category": police_category.pk}, "Choose one of the categories you moderate."),
        ({"action": "merge", "target": "yesterday"}, "Give the number of the topic or paste its address."),
        ({"action": "merge", "target": "999999"}, "There is no topic with this number."),
        ({"action": "merge", "target": str(topic.pk)}, "cannot be merged into itself"),
        ({"action": "unlock"}, "Choose an action."),  # not offered: the topic is not locked
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert message in page_text(response), data
    topic.refresh_from_db()
    assert topic.category.slug == "experiences" and topic.merged_into is None
    assert not AuditEntry.objects.exists()


# --- members ------------------------------------------------------------------------------


def test_a_moderator_silences_and_lets_a_member_speak_again(client, moderator, reader, category):
    from forums.selectors import can_post_in

    logged_in(client, moderator)
    url = "/forums/moderation/networks/prevention/members/lector/"
    response = client.post(url, {"action": "silence", "duration": "7", "reason": "Spam"})
    assert response.status_code == 302
    silence = Silence.objects.get()
    assert silence.user == reader and silence.until is not None
    assert not can_post_in(reader, category)
    assert "This member is silenced" in page_text(client.get(url))

    assert client.post(url, {"action": "lift", "reason": ""}).status_code == 302
    assert can_post_in(reader, category)


def test_bad_silence_input_is_refused(client, moderator, manager, reader):
    logged_in(client, moderator)
    url = "/forums/moderation/networks/prevention/members/lector/"
    assert client.post(url, {"action": "silence", "duration": "7", "reason": ""}).status_code == 400
    assert client.post(url, {"action": "silence", "duration": "1000", "reason": "x"}).status_code == 400
    assert client.post(url, {"action": "suspend", "reason": "x"}).status_code == 400  # managers only
    response = client.post(
        "/forums/moderation/networks/prevention/members/gerente/", {"action": "silence", "reason": "x"}
    )
    assert response.status_code == 400
    assert not Silence.objects.exists()
    assert client.get("/forums/moderation/networks/prevention/members/nobody/").status_code == 404
    assert client.get("/forums/moderation/networks/nowhere/members/lector/").status_code == 404


def test_a_manager_suspends_a_member_from_the_same_page(client, manager, reader):
    logged_in(client, manager)
    response = client.post(
        "/forums/moderation/networks/prevention/members/lector/", {"action": "suspend", "reason": "Abuse"}
    )
    assert response.status_code == 302
    assert reader.memberships.get().status == "suspended"


# --- the audit list -----------------------------------------------------------------------


def test_the_audit_list_shows_each_network_to_its_moderators(
    client, moderator, police_moderator, staff, post, police_category, police
):
    services.hide_post(moderator=moderator, post=post, reason="Prevention reason")
    police_post = make_topic(police_category, member_of(police), title="Police topic").posts.get()
    services.hide_post(moderator=police_moderator, post=police_post, reason="Police reason")

    logged_in(client, moderator)
    mine = page_text(client.get("/forums/moderation/audit/"))
    assert "Prevention reason" in mine and "Post hidden" in mine and "Police reason" not in mine
    logged_in(client, police_moderator)
    assert "Prevention reason" not in page_text(client.get("/forums/moderation/audit/"))
    logged_in(client, staff)
    everything = page_text(client.get("/forums/moderation/audit/"))
    assert "Prevention reason" in everything and "Police reason" in everything
    filtered = page_text(client.get("/forums/moderation/audit/?network=police"))
    assert "Prevention reason" not in filtered and "Police reason" in filtered


def test_the_audit_list_runs_a_constant_number_of_queries(
    client, moderator, category, author, django_assert_max_num_queries
):
    def hide(count):
        for index in range(count):
            topic = make_topic(category, author, title=f"T{index}-{Topic.objects.count()}", posts=2)
            services.hide_post(moderator=moderator, post=topic.posts.get(number=2), reason=f"Reason {index}")

    logged_in(client, moderator)
    hide(2)
    client.get("/forums/moderation/audit/")
    with django_assert_max_num_queries(30) as few:
        client.get("/forums/moderation/audit/")
    hide(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert page_text(client.get("/forums/moderation/audit/")).count("Reason ") == 12


# --- what readers and the author see on the topic page ------------------------------------


def test_a_hidden_post_disappears_for_readers_and_its_author_sees_why(
    client, moderator, reader, author, post, topic
):
    services.hide_post(moderator=moderator, post=post, reason="Personal data of a victim")
    url = topic.get_absolute_url()

    logged_in(client, reader)
    seen_by_reader = page_text(client.get(url))
    assert post.body not in seen_by_reader
    assert "Personal data of a victim" not in seen_by_reader
    assert "This message was hidden by a moderator." in seen_by_reader

    logged_in(client, author)
    seen_by_author = page_text(client.get(url))
    assert post.body in seen_by_author and "Personal data of a victim" in seen_by_author

    client.logout()
    public = client.get(url)
    assert public.status_code in (302, 404)  # a members-only category


def test_a_rejected_post_never_reaches_readers(client, moderator, reader, author, topic, prevention):
    held = add_post(
        topic, member_of(prevention, username="nueva"), "Spam link here", status=PostStatus.PENDING
    )
    services.reject_post(moderator=moderator, post=held, reason="Spam")
    logged_in(client, reader)
    assert "Spam link here" not in page_text(client.get(topic.get_absolute_url()))
