"""Writing in the forums: what is stored, what is refused (with a message, storing nothing),
and who hears about it."""

import pytest
from django.core import mail

from forums import services
from forums.models import Mention, Post, PostStatus, Reaction, Subscription, Topic
from forums.services import ForumError
from network.models import Notification
from network.tasks import send_daily_digests
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def test_topic_create_stores_the_topic_its_first_post_and_the_author_follows_it(topic, author, category):
    topic.refresh_from_db()
    category.refresh_from_db()
    assert topic.post_count == 1 and topic.last_post_number == 1 and topic.is_visible
    assert topic.posts.get().number == 1
    assert Subscription.objects.filter(user=author, topic=topic).exists()
    assert category.topic_count == 1 and category.post_count == 1


@pytest.mark.parametrize("body", ["", "   \n  ", None])
def test_an_empty_reply_is_refused_and_nothing_is_stored(topic, reader, body):
    with pytest.raises(ForumError, match="Write something"):
        services.post_reply(author=reader, topic=topic, body=body)
    assert topic.posts.count() == 1


def test_a_reply_over_50000_characters_is_refused_with_the_limit_and_nothing_is_stored(topic, reader):
    with pytest.raises(ForumError) as refused:
        services.post_reply(author=reader, topic=topic, body="x" * 50_001)
    assert "50,001" in str(refused.value) and "50,000" in str(refused.value)
    assert topic.posts.count() == 1
    assert services.post_reply(author=reader, topic=topic, body="x" * 50_000).number == 2


def test_an_oversized_first_post_creates_no_topic(author, category):
    with pytest.raises(ForumError):
        services.topic_create(author=author, category=category, title="T", body="y" * 50_001, language="en")
    assert not Topic.objects.exists()


def test_posting_too_fast_is_refused_with_a_clear_message_and_nothing_is_stored(topic, reader, settings):
    settings.PUENTE_FORUMS_POSTS_PER_MINUTE = 2
    services.post_reply(author=reader, topic=topic, body="one")
    services.post_reply(author=reader, topic=topic, body="two")
    with pytest.raises(ForumError) as refused:
        services.post_reply(author=reader, topic=topic, body="three")
    assert refused.value.code == "rate_limited"
    assert "Please wait a minute" in str(refused.value)
    assert not Post.objects.filter(body="three").exists()


def test_moderators_are_not_rate_limited(topic, forum_moderator, settings):
    settings.PUENTE_FORUMS_POSTS_PER_MINUTE = 1
    for n in range(3):
        services.post_reply(author=forum_moderator, topic=topic, body=f"note {n}")


def test_starting_too_many_topics_is_refused(author, category, settings):
    settings.PUENTE_FORUMS_TOPICS_PER_HOUR = 1
    services.topic_create(author=author, category=category, title="First", body="b", language="en")
    with pytest.raises(ForumError) as refused:
        services.topic_create(author=author, category=category, title="Second", body="b", language="en")
    assert refused.value.code == "rate_limited"
    assert list(Topic.objects.values_list("title", flat=True)) == ["First"]


def test_a_locked_topic_refuses_replies_but_not_from_moderators(topic, reader, forum_moderator):
    Topic.objects.filter(pk=topic.pk).update(is_locked=True)
    topic.refresh_from_db()
    with pytest.raises(ForumError, match="locked") as refused:
        services.post_reply(author=reader, topic=topic, body="hello")
    assert refused.value.code == "forbidden"
    assert services.post_reply(author=forum_moderator, topic=topic, body="closing note").number == 2


def test_members_of_another_network_and_visitors_without_a_network_cannot_post(
    topic, outsider, stranger, category
):
    for person in (outsider, stranger):
        with pytest.raises(ForumError):
            services.post_reply(author=person, topic=topic, body="hi")
        with pytest.raises(ForumError):
            services.topic_create(author=person, category=category, title="t", body="b", language="en")
    assert Post.objects.count() == 1


def test_only_moderators_start_topics_in_a_moderators_only_category(staff_category, reader, forum_moderator):
    with pytest.raises(ForumError):
        services.topic_create(author=reader, category=staff_category, title="t", body="b", language="en")
    services.topic_create(author=forum_moderator, category=staff_category, title="t", body="b", language="en")


def test_a_silenced_member_cannot_post(topic, reader, network, forum_moderator):
    from forums.moderation.models import Silence

    Silence.objects.create(user=reader, network=network, reason="cool down", created_by=forum_moderator)
    with pytest.raises(ForumError):
        services.post_reply(author=reader, topic=topic, body="hi")


def test_a_resend_with_the_same_client_id_stores_one_post(topic, reader):
    first = services.post_reply(author=reader, topic=topic, body="hello", client_id="tab-1-msg-1")
    again = services.post_reply(author=reader, topic=topic, body="hello", client_id="tab-1-msg-1")
    assert first.pk == again.pk
    assert topic.posts.count() == 2


def test_editing_keeps_the_previous_text_in_the_history(topic, author):
    post = topic.posts.get()
    services.post_edit(editor=author, post=post, body="How do you **start**?")
    services.post_edit(editor=author, post=post, body="Where do you start?")
    post.refresh_from_db()
    assert post.edit_count == 2 and post.edited_at is not None
    assert "Where do you start?" in post.body_html
    assert list(post.revisions.values_list("body", flat=True)) == [
        "How do you start?",
        "How do you **start**?",
    ]


def test_editing_someone_elses_post_is_refused_and_changes_nothing(topic, reader, forum_moderator):
    post = topic.posts.get()
    for person in (reader, forum_moderator):
        with pytest.raises(ForumError) as refused:
            services.post_edit(editor=person, post=post, body="vandalised")
        assert refused.value.code == "forbidden"
    post.refresh_from_db()
    assert post.body == "How do you start?" and not post.revisions.exists()


def test_an_edit_may_not_empty_or_oversize_a_post(topic, author):
    post = topic.posts.get()
    for body in ("", "z" * 50_001):
        with pytest.raises(ForumError):
            services.post_edit(editor=author, post=post, body=body)
    post.refresh_from_db()
    assert post.edit_count == 0


def test_deleting_is_a_soft_delete_by_the_author_only(topic, author, reader):
    reply = services.post_reply(author=reader, topic=topic, body="a reply")
    with pytest.raises(ForumError):
        services.post_delete(user=author, post=reply)
    services.post_delete(user=reader, post=reply)
    reply.refresh_from_db()
    topic.refresh_from_db()
    assert reply.deleted_at is not None and reply.body == "a reply"
    assert topic.post_count == 1


def test_held_first_posts_wait_and_are_counted_once_published(category, network, forum_moderator):
    category.hold_first_posts = 1
    category.save()
    newcomer = member_of(network, username="newbie")
    topic = services.topic_create(author=newcomer, category=category, title="Hello", body="hi", language="en")
    post = topic.posts.get()
    assert post.status == PostStatus.PENDING and not topic.is_visible
    category.refresh_from_db()
    assert category.topic_count == 0
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHED)
    services.post_published(post)
    topic.refresh_from_db()
    category.refresh_from_db()
    assert topic.is_visible and topic.post_count == 1 and category.topic_count == 1
    # Once one post is approved, the next one is published at once.
    assert services.post_reply(author=newcomer, topic=topic, body="again").status == PostStatus.PUBLISHED


def test_moderators_posts_are_never_held(category, forum_moderator):
    category.hold_first_posts = 5
    category.save()
    topic = services.topic_create(
        author=forum_moderator, category=category, title="Rules", body="b", language="en"
    )
    assert topic.is_visible


def test_mentions_are_stored_only_for_people_who_can_read_the_category(topic, reader, outsider):
    post = services.post_reply(author=reader, topic=topic, body="Thanks @ana and @otto and @nobody-here")
    assert set(Mention.objects.filter(post=post).values_list("user__username", flat=True)) == {"ana"}
    assert 'href="/network/members/otto/"' in post.body_html  # linked, but not told


def test_a_mention_notifies_the_member_at_once_by_email(
    topic, reader, author, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(author=reader, topic=topic, body="What do you think, @ana?")
    notification = Notification.objects.get(recipient=author)
    assert notification.verb == "forums.mention"
    assert notification.url.startswith(topic.get_absolute_url())
    assert len(mail.outbox) == 1 and "mentioned you" in mail.outbox[0].subject


def test_a_reply_in_a_followed_topic_reaches_the_daily_digest(
    topic, reader, author, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(author=reader, topic=topic, body="Start with a risk assessment.")
    notification = Notification.objects.get(recipient=author)
    assert notification.verb == "forums.reply"
    assert mail.outbox == []  # replies are gathered in the daily digest by default
    assert send_daily_digests() == 1
    assert "replied in" in mail.outbox[0].body


def test_a_member_is_notified_once_per_post_even_when_mentioned_and_following(
    topic, reader, author, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(author=reader, topic=topic, body="@ana [quote=1]How do you start?[/quote]")
    assert list(Notification.objects.filter(recipient=author).values_list("verb", flat=True)) == [
        "forums.mention"
    ]


def test_a_quote_notifies_the_quoted_author(topic, reader, author, django_capture_on_commit_callbacks):
    Subscription.objects.filter(user=author).delete()
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_reply(
            author=reader, topic=topic, body="[quote=1]How do you start?[/quote]\nLike this."
        )
    assert 'class="quote-source"' in post.body_html and "Ana Autora" in post.body_html
    assert Notification.objects.get(recipient=author).verb == "forums.quote"


def test_followers_of_a_category_hear_of_new_topics(
    category, author, reader, django_capture_on_commit_callbacks
):
    services.subscription_toggle(user=reader, category=category)
    with django_capture_on_commit_callbacks(execute=True):
        services.topic_create(author=author, category=category, title="Ports", body="b", language="pt-br")
    assert Notification.objects.get(recipient=reader).verb == "forums.new_topic"


def test_reactions_toggle_and_tell_the_author(topic, reader, author, django_capture_on_commit_callbacks):
    post = topic.posts.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reaction_toggle(user=reader, post=post, kind="thanks") is True
    assert Notification.objects.get(recipient=author).verb == "forums.reaction"
    assert services.reaction_toggle(user=reader, post=post, kind="thanks") is False
    assert not Reaction.objects.exists()
    with pytest.raises(ForumError):
        services.reaction_toggle(user=reader, post=post, kind="<script>")


def test_only_the_question_author_or_a_moderator_accepts_an_answer(author, reader, category, forum_moderator):
    question = services.topic_create(
        author=author, category=category, title="Which tool?", body="?", language="fr", kind="question"
    )
    answer = services.post_reply(author=reader, topic=question, body="This one.")
    with pytest.raises(ForumError):
        services.topic_accept_answer(user=reader, topic=question, post=answer)
    assert services.topic_accept_answer(user=author, topic=question, post=answer) is True
    question.refresh_from_db()
    assert question.accepted_post == answer
    assert services.topic_accept_answer(user=forum_moderator, topic=question, post=answer) is False
