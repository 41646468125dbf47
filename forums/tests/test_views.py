"""Forum pages: who sees what, what a refused post looks like, and constant query counts."""

import pytest
from django.utils import translation

from forums import services
from forums.models import Category, Post, PostRevision, Subscription, Topic, TopicReadState
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def in_language(language, text):
    with translation.override(language):
        return translation.gettext(text)


# --- who sees what --------------------------------------------------------------------------


def test_visitors_see_public_categories_and_topics_only(client, topic, public_topic):
    index = client.get("/forums/").content.decode()
    assert "Open questions" in index and "Experiences" not in index
    assert client.get("/forums/open-questions/").status_code == 200
    assert client.get(public_topic.get_absolute_url()).status_code == 200
    assert client.get("/forums/experiences/").status_code == 404
    assert client.get(topic.get_absolute_url()).status_code == 404
    assert client.get(f"/forums/t/{topic.pk}/").status_code == 404


def test_members_of_another_network_get_404_for_members_only_categories(
    client, outsider, topic, public_topic
):
    client.force_login(outsider)
    assert "Experiences" not in client.get("/forums/").content.decode()
    assert client.get("/forums/experiences/").status_code == 404
    assert client.get(topic.get_absolute_url()).status_code == 404
    post = topic.posts.get()
    assert client.get(f"/forums/post/{post.pk}/history/").status_code == 404
    assert client.post(f"/forums/post/{post.pk}/react/", {"kind": "like"}).status_code == 404
    assert client.get(f"/forums/topic/{topic.pk}/mentions/?q=a").status_code == 404
    # A public category is readable, but only its network's members may write in it.
    response = client.get(public_topic.get_absolute_url())
    assert response.status_code == 200 and "data-reply-form" not in response.content.decode()


def test_members_read_and_reply_in_their_networks_categories(client, reader, topic):
    client.force_login(reader)
    assert "Experiences" in client.get("/forums/").content.decode()
    assert "Tourism security plans" in client.get("/forums/experiences/").content.decode()
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "How do you start?" in page and "data-reply-form" in page


def test_held_topics_are_listed_for_moderators_and_their_author_only(
    client, category, network, forum_moderator, reader
):
    category.hold_first_posts = 1
    category.save()
    newcomer = member_of(network, username="newbie")
    held = services.topic_create(
        author=newcomer, category=category, title="Held topic", body="hi", language="en"
    )
    for person, sees in ((reader, False), (newcomer, True), (forum_moderator, True)):
        client.force_login(person)
        assert ("Held topic" in client.get("/forums/experiences/").content.decode()) is sees
        assert client.get(held.get_absolute_url()).status_code == (200 if sees else 404)


def test_hidden_posts_show_a_placeholder_to_readers_and_the_reason_to_the_author(
    client, topic, reader, author
):
    reply = services.post_reply(author=reader, topic=topic, body="Buy cheap watches")
    Post.objects.filter(pk=reply.pk).update(status="hidden", hidden_reason="Spam")
    client.force_login(author)
    page = client.get(topic.get_absolute_url() + "?page=1").content.decode()
    assert "Buy cheap watches" not in page and "hidden by a moderator" in page
    client.force_login(reader)
    page = client.get(topic.get_absolute_url() + "?page=1").content.decode()
    assert "Buy cheap watches" in page and "Spam" in page


def test_a_merged_topic_redirects_permanently_to_its_target(client, reader, topic, category, author):
    target = services.topic_create(author=author, category=category, title="Target", body="b", language="en")
    Topic.objects.filter(pk=topic.pk).update(merged_into=target)
    client.force_login(reader)
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 301 and response["Location"] == target.get_absolute_url()


# --- writing through the pages --------------------------------------------------------------


def test_replying_through_the_page_stores_the_reply_and_shows_it(client, reader, topic):
    client.force_login(reader)
    response = client.post(
        topic.get_absolute_url(), {"body": "Olá, @ana! Comecem pelo diagnóstico."}, follow=True
    )
    assert response.status_code == 200
    assert "Comecem pelo diagnóstico" in response.content.decode()
    assert topic.posts.count() == 2


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [("", 400, "Write something before posting."), ("x" * 50_001, 400, "Your message is too long")],
)
def test_a_bad_reply_gets_a_clear_message_keeps_the_text_and_stores_nothing(
    client, reader, topic, body, status, message
):
    client.force_login(reader)
    response = client.post(topic.get_absolute_url(), {"body": body})
    assert response.status_code == status
    assert message in response.content.decode()
    assert topic.posts.count() == 1


def test_a_rate_limited_reply_is_refused_in_the_members_language(client, reader, topic, settings):
    settings.PUENTE_FORUMS_POSTS_PER_MINUTE = 1
    client.force_login(reader)
    client.post(topic.get_absolute_url(), {"body": "first"})
    response = client.post(f"/es{topic.get_absolute_url()}", {"body": "second"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "second" in page  # the member's text is kept in the composer
    assert not Post.objects.filter(body="second").exists()


def test_a_locked_topic_refuses_replies_over_html(client, reader, topic):
    Topic.objects.filter(pk=topic.pk).update(is_locked=True)
    client.force_login(reader)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "data-reply-form" not in page and "locked" in page
    response = client.post(topic.get_absolute_url(), {"body": "let me in"})
    assert response.status_code == 403
    assert "This topic is locked" in response.content.decode()
    assert topic.posts.count() == 1


def test_editing_someone_elses_post_through_the_page_is_refused(client, reader, topic):
    post = topic.posts.get()
    client.force_login(reader)
    assert client.post(f"/forums/post/{post.pk}/edit/", {"body": "mine now"}).status_code == 403
    post.refresh_from_db()
    assert post.body == "How do you start?"


def test_the_author_edits_and_everyone_sees_the_history(client, author, reader, topic):
    post = topic.posts.get()
    client.force_login(author)
    response = client.post(f"/forums/post/{post.pk}/edit/", {"body": "How do you start a plan?"})
    assert response.status_code == 302
    assert PostRevision.objects.filter(post=post, body="How do you start?").exists()
    client.force_login(reader)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert f"/forums/post/{post.pk}/history/" in page
    history = client.get(f"/forums/post/{post.pk}/history/").content.decode()
    assert "How do you start?" in history and "How do you start a plan?" in history


def test_the_author_deletes_a_reply_and_readers_see_a_placeholder(client, reader, author, topic):
    reply = services.post_reply(author=reader, topic=topic, body="oops")
    client.force_login(author)
    client.post(f"/forums/post/{reply.pk}/delete/")
    reply.refresh_from_db()
    assert reply.deleted_at is None  # not the author
    client.force_login(reader)
    client.post(f"/forums/post/{reply.pk}/delete/")
    reply.refresh_from_db()
    assert reply.deleted_at is not None
    page = client.get(topic.get_absolute_url() + "?page=1").content.decode()
    assert "deleted by its author" in page and "oops" not in page


def test_starting_a_topic_with_tags_language_and_kind(client, reader, category):
    from network.models import Topic as Tag

    tag = Tag.objects.create(
        slug="tourism", name_en="Tourism", name_es="Turismo", name_pt="Turismo", name_fr="Tourisme"
    )
    client.force_login(reader)
    form = client.get("/fr/forums/experiences/new/")
    assert form.status_code == 200 and '<html lang="fr">' in form.content.decode()
    response = client.post(
        "/forums/experiences/new/",
        {
            "title": "Sécurité des ports",
            "body": "Par où commencer ?",
            "language": "fr",
            "kind": "question",
            "tags": [tag.pk],
        },
    )
    topic = Topic.objects.get(title="Sécurité des ports")
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    assert topic.kind == "question" and topic.language == "fr" and list(topic.tags.all()) == [tag]


def test_a_new_topic_with_an_empty_title_or_body_is_refused(client, reader, category):
    client.force_login(reader)
    response = client.post(
        "/forums/experiences/new/", {"title": "T", "body": "", "language": "en", "kind": "discussion"}
    )
    assert response.status_code == 400 and "Write something before posting." in response.content.decode()
    assert not Topic.objects.exists()


def test_follow_react_and_accept_through_the_pages(client, author, reader, category):
    question = services.topic_create(
        author=author, category=category, title="Q", body="?", language="en", kind="question"
    )
    answer = services.post_reply(author=reader, topic=question, body="A.")
    client.force_login(reader)
    client.post(f"/forums/topic/{question.pk}/follow/")
    assert Subscription.objects.filter(user=reader, topic=question).exists()
    client.post(f"/forums/{category.slug}/follow/")
    assert Subscription.objects.filter(user=reader, category=category).exists()
    reacted = client.post(
        f"/forums/post/{question.posts.first().pk}/react/",
        {"kind": "insightful"},
        HTTP_ACCEPT="application/json",
    )
    assert reacted.json()["counts"]["insightful"] == 1
    client.post(f"/forums/post/{answer.pk}/accept/")
    question.refresh_from_db()
    assert question.accepted_post is None  # only the asker or a moderator
    client.force_login(author)
    client.post(f"/forums/post/{answer.pk}/accept/")
    question.refresh_from_db()
    assert question.accepted_post == answer
    assert "Accepted answer by" in client.get(question.get_absolute_url() + "?page=1").content.decode()


def test_preview_renders_safely_and_mentions_autocomplete_lists_readers_only(
    client, reader, author, outsider, topic
):
    client.force_login(reader)
    html = client.post("/forums/preview/", {"body": "**hi** <script>x</script>"}).json()["html"]
    assert "<strong>hi</strong>" in html and "<script" not in html
    names = [r["username"] for r in client.get(f"/forums/topic/{topic.pk}/mentions/?q=a").json()["results"]]
    assert names == ["ana"]
    assert client.get(f"/forums/topic/{topic.pk}/mentions/?q=ot").json()["results"] == []


# --- reading state ----------------------------------------------------------------------------


def test_the_topic_page_jumps_to_where_the_member_stopped(client, reader, author, topic, settings):
    settings.PUENTE_FORUMS_POSTS_PER_PAGE = 2
    settings.PUENTE_FORUMS_POSTS_PER_MINUTE = 0
    for n in range(4):
        services.post_reply(author=author, topic=topic, body=f"reply {n}")
    TopicReadState.objects.create(topic=topic, user=reader, last_read_number=3)
    client.force_login(reader)
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 302 and response["Location"].endswith("?page=2#post-4")
    client.get(topic.get_absolute_url() + "?page=3")
    assert TopicReadState.objects.get(topic=topic, user=reader).last_read_number == 5


def test_the_category_list_marks_new_and_unread_topics(client, reader, author, category, topic):
    client.force_login(reader)
    page = client.get("/forums/experiences/").content.decode()
    assert "marker-new" in page
    client.get(topic.get_absolute_url())
    services.post_reply(author=author, topic=topic, body="more")
    page = client.get("/forums/experiences/").content.decode()
    assert "marker-new" not in page and "1 unread" in page


# --- languages and anonymous access -----------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es", "pt-br"])
def test_forum_pages_render_in_each_language(client, reader, topic, language):
    prefix = "" if language == "en" else f"/{language}"
    client.force_login(reader)
    for path in (
        "/forums/",
        "/forums/experiences/",
        topic.get_absolute_url() + "?page=1",
        "/forums/experiences/new/",
    ):
        response = client.get(prefix + path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert f'<html lang="{language}">' in page
        assert in_language(language, "Forums") in page


def test_anonymous_visitors_are_sent_to_log_in_for_writing_pages(client, public_topic):
    response = client.get("/forums/open-questions/new/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post("/forums/preview/", {"body": "x"}).status_code == 302
    response = client.post(public_topic.get_absolute_url(), {"body": "drive-by"})
    assert response.status_code == 302
    assert public_topic.posts.count() == 1


def test_the_nav_links_to_the_forums(client):
    assert 'href="/forums/"' in client.get("/forums/").content.decode()


# --- constant query counts --------------------------------------------------------------------


def _fill(topic, people, count):
    posts = [
        Post(
            topic=topic,
            author=people[n % len(people)],
            number=topic.last_post_number + 1 + n,
            body=f"p{n}",
            body_html=f"<p>p{n}</p>",
        )
        for n in range(count)
    ]
    Post.objects.bulk_create(posts)
    topic.last_post_number += count
    topic.save()
    services.topic_refresh_counters(topic)


def test_a_topic_page_runs_the_same_number_of_queries_with_20_100_or_1000_posts(
    client, reader, author, topic, django_assert_max_num_queries
):
    client.force_login(reader)
    counts = []
    for total in (20, 100, 1000):
        _fill(topic, [author, reader], total - topic.last_post_number)
        for post in Post.objects.filter(topic=topic).order_by("-number")[:5]:
            services.reaction_toggle(user=reader, post=post, kind="like")
        last_page = (total - 1) // 20 + 1
        client.get(topic.get_absolute_url() + f"?page={last_page}")  # the read state is up to date
        with django_assert_max_num_queries(20) as captured:
            response = client.get(topic.get_absolute_url() + f"?page={last_page}")
        assert response.status_code == 200 and f'id="post-{total}"' in response.content.decode()
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_list_pages_run_a_constant_number_of_queries(client, reader, author, network, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PUENTE_FORUMS_TOPICS_PER_HOUR = 0
    settings.PUENTE_FORUMS_POSTS_PER_MINUTE = 0
    client.force_login(reader)
    counts = []
    for round_, size in enumerate((3, 40)):
        busy = Category.objects.create(network=network, slug=f"busy-{round_}", name="Busy")
        for n in range(size):
            Category.objects.create(network=network, slug=f"c{round_}-{n}", name=f"C{n}")
            services.topic_create(author=author, category=busy, title=f"T{n}", body="b", language="en")
        with CaptureQueriesContext(connection) as index:
            assert client.get("/forums/").status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert client.get(f"/forums/busy-{round_}/").status_code == 200
        counts.append((len(index.captured_queries), len(listing.captured_queries)))
    assert counts[0] == counts[1], counts
    assert counts[1][0] <= 12 and counts[1][1] <= 20


def test_a_new_topic_may_carry_a_poll_shown_on_the_topic_page(client, reader, category):
    client.force_login(reader)
    response = client.post(
        "/forums/experiences/new/",
        {
            "title": "Which day for the webinar?",
            "body": "Vote please.",
            "language": "en",
            "kind": "discussion",
            "add_poll": "on",
            "poll-question": "Which day?",
            "poll-options": "Tuesday\nThursday",
        },
    )
    topic = Topic.objects.get(title="Which day for the webinar?")
    assert response.status_code == 302
    assert topic.poll.question == "Which day?" and topic.poll.options.count() == 2
    assert "Which day?" in client.get(topic.get_absolute_url() + "?page=1").content.decode()


def test_asking_for_a_poll_without_options_stores_nothing(client, reader, category):
    client.force_login(reader)
    response = client.post(
        "/forums/experiences/new/",
        {"title": "T", "body": "b", "language": "en", "kind": "discussion", "add_poll": "on"},
    )
    assert response.status_code == 400 and not Topic.objects.exists()


def test_readers_get_a_flag_link_and_moderators_their_controls(
    client, topic, reader, author, forum_moderator
):
    reply = services.post_reply(author=reader, topic=topic, body="Vocês são todos incompetentes")
    client.force_login(author)
    page = client.get(topic.get_absolute_url() + "?page=1").content.decode()
    assert f"/forums/moderation/posts/{reply.pk}/flag/" in page
    assert (
        f"/forums/moderation/posts/{topic.posts.get(number=1).pk}/flag/" not in page
    )  # not on one's own post
    assert "/hide/" not in page
    client.force_login(forum_moderator)
    page = client.get(topic.get_absolute_url() + "?page=1").content.decode()
    assert f"/forums/moderation/posts/{reply.pk}/hide/" in page
    assert f"/forums/moderation/topics/{topic.pk}/" in page
