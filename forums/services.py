"""Actions that change the forums. Each checks permission and input first (raising
`ForumError` with a message for the member, nothing stored), writes in a transaction, and
sends live events and notification work only after commit.

Events on `forums.topic.<id>`: post.created, post.updated, post.hidden, post.restored,
post.deleted, post.reactions, topic.updated. On `forums.category.<slug>`: topic.created.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forums import selectors
from forums.models import (
    Category,
    CategoryVisit,
    Mention,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    Subscription,
    Topic,
    TopicKind,
    TopicReadState,
)
from forums.rendering import render_post
from network import ratelimit, realtime


class ForumError(ValidationError):
    """A refusal with a message for the member (already in their language).

    `code`: "invalid" (bad input), "forbidden" (no permission, locked topic) or
    "rate_limited" — the same codes as the WebSocket's error frames."""

    def __init__(self, message, code: str = "invalid"):
        super().__init__(message, code=code)
        self.detail = str(message)

    def __str__(self):
        return self.detail


# --- checks ---------------------------------------------------------------------------------


def _check_body(body) -> str:
    body = (body or "").strip() if isinstance(body, str) else ""
    if not body:
        raise ForumError(_("Write something before posting."))
    limit = settings.PUENTE_FORUMS_MAX_POST_CHARS
    if len(body) > limit:
        raise ForumError(
            _("Your message is too long: %(length)s characters, the limit is %(limit)s.")
            % {"length": f"{len(body):,}", "limit": f"{limit:,}"}
        )
    return body


def _rate_limits(new_topic: bool) -> list[tuple[str, int, int]]:
    limits = [("forums-post", settings.PUENTE_FORUMS_POSTS_PER_MINUTE, 60)]
    if new_topic:
        limits.append(("forums-topic", settings.PUENTE_FORUMS_TOPICS_PER_HOUR, 3600))
    return limits


def _check_rate(user, category, *, new_topic: bool) -> None:
    """Sliding-window limits per member; moderators are not limited."""
    if selectors.can_moderate(user, category):
        return
    for name, limit, window in _rate_limits(new_topic):
        if ratelimit.seconds_until_allowed(name, user.pk, limit=limit, window=window):
            if name == "forums-topic":
                message = ngettext(
                    "You have started %(limit)s topic in the last hour, the most allowed. "
                    "Please wait before starting another.",
                    "You have started %(limit)s topics in the last hour, the most allowed. "
                    "Please wait before starting another.",
                    limit,
                )
            else:
                message = ngettext(
                    "You have posted %(limit)s message in the last minute, the most allowed. "
                    "Please wait a minute and try again.",
                    "You have posted %(limit)s messages in the last minute, the most allowed. "
                    "Please wait a minute and try again.",
                    limit,
                )
            raise ForumError(message % {"limit": limit}, code="rate_limited")


def _count_rate(user, *, new_topic: bool) -> None:
    for name, limit, window in _rate_limits(new_topic):
        ratelimit.count(name, user.pk, window=window, limit=limit)


def _should_hold(author, category) -> bool:
    if not category.hold_first_posts or selectors.can_moderate(author, category):
        return False
    published = Post.objects.filter(
        author=author, topic__category=category, status=PostStatus.PUBLISHED
    ).count()
    return published < category.hold_first_posts


def _attach(post, tokens, user) -> None:
    tokens = [t for t in (tokens or ()) if isinstance(t, str) and t]
    if not tokens:
        return
    try:
        from forums.attachments import attach_to_post
    except ImportError:
        return
    attach_to_post(post=post, tokens=tokens, user=user)


# --- counters -------------------------------------------------------------------------------


def topic_refresh_counters(topic: Topic) -> None:
    """Recompute post_count, last_posted_at and last_poster from the published, not deleted
    posts (and is_visible from the first post)."""
    live = Post.objects.filter(topic=topic, status=PostStatus.PUBLISHED, deleted_at=None)
    last = live.order_by("-created_at", "-pk").values("created_at", "author_id").first()
    topic.post_count = live.count()
    topic.last_post_number = max(
        topic.last_post_number, Post.objects.filter(topic=topic).aggregate(m=Max("number"))["m"] or 0
    )
    if last is not None:
        topic.last_posted_at = last["created_at"]
        topic.last_poster_id = last["author_id"]
    first = Post.objects.filter(topic=topic).order_by("number").values("status").first()
    topic.is_visible = first is None or first["status"] == PostStatus.PUBLISHED
    topic.save(
        update_fields=["post_count", "last_post_number", "last_posted_at", "last_poster", "is_visible"]
    )


def category_refresh_counters(category: Category) -> None:
    """Recompute topic_count, post_count and last_posted_at from the visible topics."""
    topics = Topic.objects.filter(category=category, is_visible=True, merged_into=None)
    totals = topics.aggregate(n=Count("id"), posts=Sum("post_count"), last=Max("last_posted_at"))
    category.topic_count = totals["n"] or 0
    category.post_count = totals["posts"] or 0
    category.last_posted_at = totals["last"]
    category.save(update_fields=["topic_count", "post_count", "last_posted_at"])


# --- live events ----------------------------------------------------------------------------


def topic_stream(topic_id: int) -> str:
    return f"forums.topic.{topic_id}"


def category_stream(slug: str) -> str:
    return f"forums.category.{slug}"


def broadcast_post(post: Post, event: str) -> None:
    """Send `event` about `post` on forums.topic.<id> after commit (data.id = the post id)."""
    realtime.broadcast(topic_stream(post.topic_id), event, selectors.post_payload(post))


def _broadcast_topic_created(topic: Topic) -> None:
    realtime.broadcast(category_stream(topic.category.slug), "topic.created", selectors.topic_payload(topic))


def _after_publish(post: Post) -> None:
    """Live event and notifications for a post readers can now see (after commit)."""
    from forums.tasks import notify_post
    from network.services import enqueue

    if post.number == 1:
        _broadcast_topic_created(post.topic)
    broadcast_post(post, "post.created")
    enqueue(notify_post, post.pk)


# --- writing --------------------------------------------------------------------------------


def _unique_slug(title: str) -> str:
    return (slugify(title) or "topic")[:200]


def _create_post(*, author, topic, body, reply_to=None, client_id="", status) -> Post:
    rendered = render_post(body, topic=topic)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    number = topic.last_post_number + 1
    Topic.objects.filter(pk=topic.pk).update(last_post_number=number)
    post = Post.objects.create(
        topic=topic,
        author=author,
        number=number,
        reply_to=reply_to,
        body=body,
        body_html=rendered.html,
        status=status,
        client_id=client_id,
    )
    _store_mentions(post, rendered.mentioned)
    return post


def _store_mentions(post: Post, users) -> list:
    """Mention rows for the users who can read the category (others are only linked)."""
    category = post.topic.category
    readers = [u for u in users if u.pk != post.author_id and selectors.can_read_category(u, category)]
    existing = set(Mention.objects.filter(post=post).values_list("user_id", flat=True))
    new = [u for u in readers if u.pk not in existing]
    Mention.objects.bulk_create([Mention(post=post, user=u) for u in new], ignore_conflicts=True)
    return new


def topic_create(
    *,
    author,
    category,
    title,
    body,
    language,
    kind=TopicKind.DISCUSSION,
    tags=(),
    attachment_tokens=(),
    poll=None,
) -> Topic:
    """Start a topic with its first post. The author follows it. Held for approval when the
    category holds the author's first posts (nothing broadcast or notified until then)."""
    if not selectors.can_post_in(author, category):
        raise ForumError(_("You may not start topics in this category."), code="forbidden")
    title = (title or "").strip() if isinstance(title, str) else ""
    if not title:
        raise ForumError(_("Give your topic a title."))
    if len(title) > 200:
        raise ForumError(_("The title is too long: at most 200 characters."))
    if language not in dict(settings.LANGUAGES):
        raise ForumError(_("Choose the language the topic is written in."))
    if kind not in TopicKind.values:
        raise ForumError(_("Choose what kind of topic this is."))
    body = _check_body(body)
    _check_rate(author, category, new_topic=True)
    held = _should_hold(author, category)
    now = timezone.now()
    with transaction.atomic():
        topic = Topic.objects.create(
            category=category,
            author=author,
            title=title,
            slug=_unique_slug(title),
            kind=kind,
            language=language,
            is_visible=not held,
            created_at=now,
            last_posted_at=now,
            last_poster=author,
        )
        if tags:
            topic.tags.set(tags)
        post = _create_post(
            author=author,
            topic=topic,
            body=body,
            status=PostStatus.PENDING if held else PostStatus.PUBLISHED,
        )
        _attach(post, attachment_tokens, author)
        if poll:
            from forums.polls import poll_create

            poll_create(topic=topic, **poll)
        Subscription.objects.get_or_create(user=author, topic=topic)
        topic.refresh_from_db()
        if not held:
            topic_refresh_counters(topic)
            category_refresh_counters(category)
            _after_publish(post)
        TopicReadState.objects.update_or_create(topic=topic, user=author, defaults={"last_read_number": 1})
        _count_rate(author, new_topic=True)
    return topic


def post_reply(*, author, topic, body, reply_to=None, attachment_tokens=(), client_id="") -> Post:
    """Reply in a topic. A resend with the same `client_id` returns the stored post (no
    duplicate). Locked topics refuse (except moderators); held like topic_create."""
    client_id = (client_id or "")[:64] if isinstance(client_id, str) else ""
    if client_id and author is not None and author.is_authenticated:
        existing = Post.objects.filter(author=author, client_id=client_id).select_related("topic").first()
        if existing is not None:
            return existing
    if topic.merged_into_id:
        topic = topic.merged_into
    category = topic.category
    if not selectors.can_read_topic(author, topic):
        raise ForumError(_("This topic does not exist or you may not read it."), code="forbidden")
    if topic.is_locked and not selectors.can_moderate(author, category):
        raise ForumError(_("This topic is locked: no more replies."), code="forbidden")
    if not selectors.can_reply(author, topic):
        raise ForumError(_("You may not reply in this topic."), code="forbidden")
    body = _check_body(body)
    if reply_to is not None and reply_to.topic_id != topic.pk:
        reply_to = None
    _check_rate(author, category, new_topic=False)
    held = _should_hold(author, category)
    try:
        with transaction.atomic():
            post = _create_post(
                author=author,
                topic=topic,
                body=body,
                reply_to=reply_to,
                client_id=client_id,
                status=PostStatus.PENDING if held else PostStatus.PUBLISHED,
            )
            _attach(post, attachment_tokens, author)
            if not held:
                topic_refresh_counters(post.topic)
                category_refresh_counters(category)
                _after_publish(post)
            TopicReadState.objects.update_or_create(
                topic=topic,
                user=author,
                defaults={"last_read_number": post.number, "updated_at": timezone.now()},
            )
            _count_rate(author, new_topic=False)
    except IntegrityError:
        # Two tabs resent the same client_id at once: the other one stored it.
        existing = Post.objects.filter(author=author, client_id=client_id).first() if client_id else None
        if existing is None:
            raise
        return existing
    return post


def post_published(post: Post) -> None:
    """A held post was approved (status set to published by moderation): counters, the
    live event and notifications, after commit."""
    post = Post.objects.select_related("topic__category", "author", "reply_to").get(pk=post.pk)
    with transaction.atomic():
        topic_refresh_counters(post.topic)
        category_refresh_counters(post.topic.category)
        if post.status == PostStatus.PUBLISHED and post.deleted_at is None:
            _after_publish(post)


def post_edit(*, editor, post, body) -> Post:
    """The author changes the text; the previous text is kept as a PostRevision (the
    visible edit history). Newly mentioned readers are notified."""
    if not selectors.can_edit_post(editor, post):
        raise ForumError(_("You may not edit this message."), code="forbidden")
    body = _check_body(body)
    if body == post.body:
        return post
    from forums.tasks import notify_mentions
    from network.services import enqueue

    with transaction.atomic():
        post = (
            Post.objects.select_for_update(of=("self",))
            .select_related("topic__category", "author")
            .get(pk=post.pk)
        )
        rendered = render_post(body, topic=post.topic)
        PostRevision.objects.create(post=post, body=post.body, editor=editor)
        post.body = body
        post.body_html = rendered.html
        post.edited_at = timezone.now()
        post.edit_count += 1
        post.save(update_fields=["body", "body_html", "edited_at", "edit_count"])
        new_mentions = _store_mentions(post, rendered.mentioned)
        if post.status == PostStatus.PUBLISHED:
            broadcast_post(post, "post.updated")
            if new_mentions:
                enqueue(notify_mentions, post.pk, [u.pk for u in new_mentions])
    return post


def post_delete(*, user, post) -> None:
    """The author deletes their post: kept in the database, shown as "deleted"."""
    if not selectors.can_delete_post(user, post):
        raise ForumError(_("You may not delete this message."), code="forbidden")
    with transaction.atomic():
        post.deleted_at = timezone.now()
        post.save(update_fields=["deleted_at"])
        topic_refresh_counters(post.topic)
        category_refresh_counters(post.topic.category)
        broadcast_post(post, "post.deleted")


# --- reading state, reactions, following, answers ------------------------------------------


def topic_mark_read(*, user, topic, number: int) -> None:
    """Remember the furthest post `user` has seen (never moves backwards)."""
    if not user.is_authenticated or number <= 0:
        return
    updated = TopicReadState.objects.filter(topic=topic, user=user, last_read_number__lt=number).update(
        last_read_number=number, updated_at=timezone.now()
    )
    if not updated:
        try:
            with transaction.atomic():
                TopicReadState.objects.get_or_create(
                    topic=topic, user=user, defaults={"last_read_number": number}
                )
        except IntegrityError:
            pass


def category_mark_visited(*, user, category) -> None:
    if user.is_authenticated:
        CategoryVisit.objects.update_or_create(
            category=category, user=user, defaults={"visited_at": timezone.now()}
        )


def reaction_toggle(*, user, post, kind: str) -> bool:
    """Add the reaction, or take it back if it was there. Returns True when added."""
    if kind not in Reaction.KINDS:
        raise ForumError(_("Unknown reaction."))
    if not selectors.can_react(user, post):
        raise ForumError(_("You may not react to this message."), code="forbidden")
    from forums.tasks import notify_reaction
    from network.services import enqueue

    with transaction.atomic():
        deleted, _rows = Reaction.objects.filter(post=post, user=user, kind=kind).delete()
        added = not deleted
        if added:
            Reaction.objects.create(post=post, user=user, kind=kind)
            if post.author_id and post.author_id != user.pk:
                enqueue(notify_reaction, post.pk, user.pk, kind)
        realtime.broadcast(
            topic_stream(post.topic_id),
            "post.reactions",
            {"id": post.pk, "counts": selectors.reaction_counts(post)},
        )
    return added


def subscription_toggle(*, user, topic=None, category=None) -> bool:
    """Follow or stop following a topic or a category. Returns True when now following."""
    target_category = category or topic.category
    if not selectors.can_follow(user, target_category):
        raise ForumError(_("You may not follow this."), code="forbidden")
    with transaction.atomic():
        lookup = {"topic": topic} if topic is not None else {"category": category}
        deleted, _rows = Subscription.objects.filter(user=user, **lookup).delete()
        if deleted:
            return False
        Subscription.objects.get_or_create(user=user, **lookup)
    return True


def topic_accept_answer(*, user, topic, post) -> bool:
    """Mark `post` as the accepted answer of a question (again: unmark). True when marked."""
    if not selectors.can_accept_answer(user, topic):
        raise ForumError(
            _("Only the author of the question or a moderator may accept an answer."), "forbidden"
        )
    if (
        post.topic_id != topic.pk
        or post.number == 1
        or post.status != PostStatus.PUBLISHED
        or post.deleted_at
    ):
        raise ForumError(_("This message cannot be the accepted answer."))
    with transaction.atomic():
        marked = topic.accepted_post_id != post.pk
        topic.accepted_post = post if marked else None
        topic.save(update_fields=["accepted_post"])
        realtime.broadcast(
            topic_stream(topic.pk), "topic.updated", {"id": topic.pk, "accepted_post": topic.accepted_post_id}
        )
    return marked


# --- WebSocket --------------------------------------------------------------------------------


def post_reply_from_socket(user, key: str, frame: dict) -> dict:
    """`send` on forums.topic.<id>: the same service and checks as the HTML form."""
    from network.registry import StreamError

    topic = selectors.topic_by_id_for(user, key)
    if topic is None:
        raise StreamError("forbidden", _("You may not follow this stream."))
    reply_to = None
    reply_number = frame.get("reply_to")
    if isinstance(reply_number, int) and not isinstance(reply_number, bool):
        reply_to = Post.objects.filter(topic=topic, number=reply_number).first()
    try:
        post = post_reply(
            author=user,
            topic=topic,
            body=frame.get("body"),
            reply_to=reply_to,
            client_id=frame.get("client_id") or "",
        )
    except ForumError as exc:
        raise StreamError(exc.code or "invalid", exc.detail) from exc
    post = Post.objects.select_related("author", "reply_to").get(pk=post.pk)
    if post.status == PostStatus.PENDING:
        return {
            "event": "post.held",
            "data": {"id": post.pk, "client_id": post.client_id, "number": post.number},
        }
    return {"event": "post.created", "data": selectors.post_payload(post)}
