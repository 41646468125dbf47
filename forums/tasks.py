"""Notification fan-out for forum posts, run by Celery after the post is committed.

Each task takes ids, loads the rows and is safe to run twice: a member is notified at most
once per post (a mention wins over a quote, a quote over "a reply in a topic you follow").
E-mail follows each member's preference per type, including the daily digest
(`network.tasks.send_daily_digests`).
"""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from forums import selectors
from forums.models import Mention, Post, PostStatus, Reaction, Subscription


def post_url(post: Post) -> str:
    return f"{post.topic.get_absolute_url()}?post={post.number}#post-{post.number}"


def _already_notified(post: Post) -> set[int]:
    from network.models import Notification

    return set(
        Notification.objects.filter(
            target_type=ContentType.objects.get_for_model(Post),
            target_id=str(post.pk),
            verb__startswith="forums.",
        ).values_list("recipient_id", flat=True)
    )


def _send(post: Post, recipients, verb: str, done: set[int], **params) -> int:
    from network.services import notify

    sent = 0
    for user in recipients:
        if user.pk in done or user.pk == post.author_id or not user.is_active:
            continue
        done.add(user.pk)
        if not selectors.can_read_topic(user, post.topic):
            continue
        notify(
            user=user,
            verb=verb,
            target=post,
            actor=post.author,
            url=post_url(post),
            params={"topic": post.topic.title, "category": post.topic.category.name, **params},
        )
        sent += 1
    return sent


def _load(post_id: int) -> Post | None:
    post = (
        Post.objects.select_related("topic__category__network", "author")
        .filter(pk=post_id, status=PostStatus.PUBLISHED, deleted_at=None)
        .first()
    )
    return post


@shared_task
def notify_post(post_id: int) -> int:
    """Mentions, quotes, followers of the topic and (for a new topic) of the category."""
    post = _load(post_id)
    if post is None:
        return 0
    done = _already_notified(post)
    User = get_user_model()
    sent = 0
    mentioned = User.objects.filter(pk__in=Mention.objects.filter(post=post).values("user_id"))
    sent += _send(post, mentioned, "forums.mention", done)
    from forums.rendering import render_post

    quoted_numbers = render_post(post.body, cards=False).quoted_numbers if "[quote=" in post.body else []
    if quoted_numbers:
        quoted = User.objects.filter(
            pk__in=Post.objects.filter(topic=post.topic, number__in=quoted_numbers).values("author_id")
        )
        sent += _send(post, quoted, "forums.quote", done)
    if post.number == 1:
        followers = User.objects.filter(
            pk__in=Subscription.objects.filter(category=post.topic.category).values("user_id")
        )
        sent += _send(post, followers.iterator(), "forums.new_topic", done)
    else:
        followers = User.objects.filter(
            pk__in=Subscription.objects.filter(topic=post.topic).values("user_id")
        ) | User.objects.filter(
            pk__in=Subscription.objects.filter(category=post.topic.category).values("user_id")
        )
        sent += _send(post, followers.distinct().iterator(), "forums.reply", done)
    return sent


@shared_task
def notify_mentions(post_id: int, user_ids: list[int]) -> int:
    """Members newly mentioned by an edit."""
    post = _load(post_id)
    if post is None:
        return 0
    done = _already_notified(post)
    users = get_user_model().objects.filter(pk__in=user_ids)
    return _send(post, users, "forums.mention", done)


@shared_task
def notify_reaction(post_id: int, user_id: int, kind: str) -> int:
    """Tell the author someone reacted (once per member and post, whatever the kind)."""
    from network.models import Notification
    from network.services import notify

    post = _load(post_id)
    reactor = get_user_model().objects.filter(pk=user_id).first()
    if post is None or reactor is None or post.author is None or post.author_id == user_id:
        return 0
    if not Reaction.objects.filter(post=post, user=reactor, kind=kind).exists():
        return 0
    already = Notification.objects.filter(
        recipient=post.author,
        verb="forums.reaction",
        actor=reactor,
        target_type=ContentType.objects.get_for_model(Post),
        target_id=str(post.pk),
    ).exists()
    if already or not selectors.can_read_topic(post.author, post.topic):
        return 0
    notify(
        user=post.author,
        verb="forums.reaction",
        target=post,
        actor=reactor,
        url=post_url(post),
        params={"topic": post.topic.title, "reaction": Reaction.KINDS.get(kind, "")},
    )
    return 1


@shared_task(name="forums.purge_unattached_uploads")
def purge_unattached_uploads() -> int:
    """Uploads a member never attached to a post (an abandoned composer) are deleted."""
    from forums.attachments import attachments_purge_unattached

    return attachments_purge_unattached()
