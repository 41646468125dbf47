"""Reads that decide what a member may see and do in the forums: one function per rule.

Views, the WebSocket streams, search, attachments and templates all ask these functions.
A reader who may not read a category gets 404 for its topics, posts, attachments and
stream (never a hint that they exist).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from network.permissions import is_dps_staff, is_member, is_network_member, is_network_moderator, may_act


def can_read_category(user, category) -> bool:
    from forums.models import ReadAccess

    if category.read_access == ReadAccess.PUBLIC:
        return True
    return is_dps_staff(user) or is_network_member(user, category.network_id)


def readable_categories(user) -> QuerySet:
    """The categories `user` may read (public ones, their networks', all for DPS staff)."""
    from forums.models import Category, ReadAccess
    from network.permissions import network_ids_of

    categories = Category.objects.select_related("network")
    if is_dps_staff(user):
        return categories
    return categories.filter(Q(read_access=ReadAccess.PUBLIC) | Q(network_id__in=network_ids_of(user)))


def can_moderate(user, category) -> bool:
    """Moderators and managers of the category's network, and DPS staff (with two-factor)."""
    return is_member(user) and is_network_moderator(user, category.network_id) and may_act(user)


def can_post_in(user, category) -> bool:
    """May start topics in (and reply in) `category`: a member of its network, not silenced;
    moderators-only categories take moderators only."""
    from forums.models import PostAccess
    from forums.moderation.selectors import is_silenced

    if not may_act(user):
        return False
    if not (is_dps_staff(user) or is_network_member(user, category.network_id)):
        return False
    if category.post_access == PostAccess.MODERATORS and not can_moderate(user, category):
        return False
    return not is_silenced(user, category.network_id)


def can_reply(user, topic) -> bool:
    """Replies: as `can_post_in`, and the topic is not locked (moderators may still reply)."""
    if not can_post_in(user, topic.category):
        return False
    return not topic.is_locked or can_moderate(user, topic.category)


def can_read_topic(user, topic) -> bool:
    """Readable category, and the topic is visible (held or hidden first posts: its author
    and the moderators only)."""
    if not can_read_category(user, topic.category):
        return False
    if topic.is_visible:
        return True
    if user is not None and user.is_authenticated and topic.author_id == user.pk:
        return True
    return can_moderate(user, topic.category)


def can_see_post_body(user, post, *, moderator: bool | None = None) -> bool:
    """Whether `user` sees what `post` says (the topic being readable): published posts for
    everyone; held and hidden ones for their author and the moderators; deleted ones never."""
    from forums.models import PostStatus

    if post.deleted_at is not None:
        return False
    if post.status == PostStatus.PUBLISHED:
        return True
    if user is not None and user.is_authenticated and post.author_id == user.pk:
        return True
    if moderator is None:
        moderator = can_moderate(user, post.topic.category)
    return moderator


def can_list_post(user, post, *, moderator: bool | None = None) -> bool:
    """Whether the post has a place in the topic for `user` (held posts: author and moderators)."""
    from forums.models import PostStatus

    if post.status != PostStatus.PENDING:
        return True
    return can_see_post_body(user, post, moderator=moderator)


def can_edit_post(user, post) -> bool:
    """Only the author edits, while they may still reply in the topic; never a deleted or
    hidden post."""
    from forums.models import PostStatus

    if not (user is not None and user.is_authenticated and post.author_id == user.pk):
        return False
    if post.deleted_at is not None or post.status == PostStatus.HIDDEN:
        return False
    return can_reply(user, post.topic)


def can_delete_post(user, post) -> bool:
    """Only the author deletes (soft delete); moderators hide instead."""
    if not (user is not None and user.is_authenticated and post.author_id == user.pk):
        return False
    return post.deleted_at is None and may_act(user)


def can_react(user, post) -> bool:
    from forums.models import PostStatus

    if post.deleted_at is not None or post.status != PostStatus.PUBLISHED:
        return False
    return can_post_in(user, post.topic.category)


def can_accept_answer(user, topic) -> bool:
    """Question topics: their author or a moderator marks the accepted answer."""
    from forums.models import TopicKind

    if topic.kind != TopicKind.QUESTION or not may_act(user):
        return False
    return topic.author_id == user.pk or can_moderate(user, topic.category)


def can_follow(user, category) -> bool:
    return is_member(user) and can_read_category(user, category)


def category_by_slug_for(user, slug: str):
    """The category if `user` may read it, else None (the view answers 404)."""
    from forums.models import Category

    category = Category.objects.select_related("network").filter(slug=slug).first()
    if category is None or not can_read_category(user, category):
        return None
    return category


def topic_by_id_for(user, topic_id):
    """The topic if `user` may read it (merged topics included, so the view can redirect)."""
    from forums.models import Topic

    try:
        topic_id = int(topic_id)
    except (TypeError, ValueError):
        return None
    topic = (
        Topic.objects.select_related("category__network", "author", "accepted_post__author", "merged_into")
        .filter(pk=topic_id)
        .first()
    )
    if topic is None or not can_read_topic(user, topic):
        return None
    return topic


def category_index_for(user) -> list[dict]:
    """Readable categories grouped by network: [{"network", "categories"}], each category with
    its latest topic (`latest_topic_id`, `latest_topic_title`, `latest_topic_slug`)."""
    from django.db.models import OuterRef, Subquery

    from forums.models import Topic

    latest = Topic.objects.filter(category=OuterRef("pk"), is_visible=True, merged_into=None).order_by(
        "-last_posted_at"
    )
    categories = readable_categories(user).annotate(
        latest_topic_id=Subquery(latest.values("pk")[:1]),
        latest_topic_title=Subquery(latest.values("title")[:1]),
        latest_topic_slug=Subquery(latest.values("slug")[:1]),
    )
    groups: dict[int, dict] = {}
    for category in categories.order_by("network__name", "position", "name"):
        group = groups.setdefault(category.network_id, {"network": category.network, "categories": []})
        group["categories"].append(category)
    return list(groups.values())


def topic_list_for(*, user, category) -> QuerySet:
    """Topics of the category for `user`: pinned first, then latest activity; with
    `last_read_number` (None: never opened) for members."""
    from django.db.models import OuterRef, Subquery

    from forums.models import Topic, TopicReadState

    topics = (
        Topic.objects.filter(category=category, merged_into=None)
        .select_related("author", "last_poster")
        .order_by("-is_pinned", "-last_posted_at", "-pk")
    )
    if not can_moderate(user, category):
        if is_member(user):
            topics = topics.filter(Q(is_visible=True) | Q(author=user))
        else:
            topics = topics.filter(is_visible=True)
    if is_member(user):
        read = TopicReadState.objects.filter(topic=OuterRef("pk"), user=user).values("last_read_number")[:1]
        topics = topics.annotate(last_read_number=Subquery(read))
    return topics


def topic_posts_for(*, user, topic, moderator: bool) -> QuerySet:
    """The posts of the topic `user` may find in it, in order (held ones: author and
    moderators), with authors and attachments loaded."""
    from forums.models import Post, PostStatus

    posts = (
        Post.objects.filter(topic=topic)
        .select_related("author", "hidden_by", "reply_to")
        .prefetch_related("attachments")
        .order_by("number")
    )
    if not moderator:
        if is_member(user):
            posts = posts.filter(~Q(status=PostStatus.PENDING) | Q(author=user))
        else:
            posts = posts.exclude(status=PostStatus.PENDING)
    return posts


def reactions_for(*, user, post_ids) -> dict[int, list[dict]]:
    """{post id: [{"kind", "emoji", "count", "mine"}]} for every reaction kind, in two queries."""
    from django.db.models import Count

    from forums.models import Reaction

    counts: dict[tuple[int, str], int] = {}
    for row in (
        Reaction.objects.filter(post_id__in=post_ids).values("post_id", "kind").annotate(n=Count("id"))
    ):
        counts[(row["post_id"], row["kind"])] = row["n"]
    mine = set()
    if is_member(user):
        mine = set(Reaction.objects.filter(post_id__in=post_ids, user=user).values_list("post_id", "kind"))
    return {
        post_id: [
            {
                "kind": kind,
                "emoji": emoji,
                "count": counts.get((post_id, kind), 0),
                "mine": (post_id, kind) in mine,
            }
            for kind, emoji in Reaction.KINDS.items()
        ]
        for post_id in post_ids
    }


def reaction_counts(post) -> dict[str, int]:
    from django.db.models import Count

    from forums.models import Reaction

    counts = dict.fromkeys(Reaction.KINDS, 0)
    for row in Reaction.objects.filter(post=post).values("kind").annotate(n=Count("id")):
        counts[row["kind"]] = row["n"]
    return counts


def is_following_topic(user, topic) -> bool:
    from forums.models import Subscription

    return is_member(user) and Subscription.objects.filter(user=user, topic=topic).exists()


def is_following_category(user, category) -> bool:
    from forums.models import Subscription

    return is_member(user) and Subscription.objects.filter(user=user, category=category).exists()


def last_read_number(user, topic) -> int:
    from forums.models import TopicReadState

    if not is_member(user):
        return 0
    state = TopicReadState.objects.filter(topic=topic, user=user).values_list("last_read_number", flat=True)
    return next(iter(state), 0)


def previous_category_visit(user, category):
    from forums.models import CategoryVisit

    if not is_member(user):
        return None
    visit = CategoryVisit.objects.filter(category=category, user=user).values_list("visited_at", flat=True)
    return next(iter(visit), None)


def post_position(*, user, topic, number: int, moderator: bool) -> int:
    """How many posts `user` finds in the topic up to and including post `number`."""
    return topic_posts_for(user=user, topic=topic, moderator=moderator).filter(number__lte=number).count()


def mention_candidates(*, user, topic, prefix: str, limit: int = 8) -> list[dict]:
    """Members who can read the topic whose username or name starts with `prefix`."""
    from django.contrib.auth import get_user_model

    from network.models import Membership

    prefix = (prefix or "").lstrip("@").strip()[:60]
    if not prefix or not can_read_topic(user, topic):
        return []
    members = Membership.objects.active().filter(network_id=topic.category.network_id).values("user_id")
    users = (
        get_user_model()
        .objects.filter(is_active=True, pk__in=members)
        .filter(Q(username__istartswith=prefix) | Q(display_name__istartswith=prefix))
        .order_by("username")[:limit]
    )
    return [{"username": u.username, "name": str(u)} for u in users]


# --- the shapes sent on the WebSocket ------------------------------------------------------


def post_payload(post) -> dict:
    """What every subscriber of forums.topic.<id> receives about a post. The same for every
    reader: hidden and deleted posts carry no body (the page shows its own placeholder)."""
    from forums.models import PostStatus

    visible = post.deleted_at is None and post.status == PostStatus.PUBLISHED
    author = post.author
    return {
        "id": post.pk,
        "number": post.number,
        "client_id": post.client_id,
        "status": "deleted" if post.deleted_at else post.status,
        "author": {"username": author.username, "name": str(author)} if author else None,
        "reply_to": post.reply_to.number if post.reply_to_id and post.reply_to else None,
        "html": post.body_html if visible else "",
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "edit_count": post.edit_count,
    }


REPLAY_LIMIT = 200


def topic_stream_replay(user, key: str, since: int | None) -> list[dict]:
    """Posts published after post `since` (post.created), then changes to earlier posts
    made after `since` was written (post.updated / post.hidden / post.deleted)."""
    from forums.models import Post, PostStatus

    topic = topic_by_id_for(user, key)
    if topic is None or since is None:
        return []
    posts = Post.objects.filter(topic=topic).select_related("author", "reply_to")
    events = [
        {"event": "post.created", "data": post_payload(post)}
        for post in posts.filter(pk__gt=since, status=PostStatus.PUBLISHED, deleted_at=None).order_by("pk")[
            :REPLAY_LIMIT
        ]
    ]
    reference = Post.objects.filter(pk=since).values_list("created_at", flat=True).first()
    if reference is not None:
        changed = posts.filter(pk__lte=since).filter(
            Q(edited_at__gt=reference) | Q(hidden_at__gt=reference) | Q(deleted_at__gt=reference)
        )
        for post in changed.order_by("pk")[:REPLAY_LIMIT]:
            if post.deleted_at is not None:
                event = "post.deleted"
            elif post.status == PostStatus.HIDDEN:
                event = "post.hidden"
            elif post.status == PostStatus.PUBLISHED:
                event = "post.updated"
            else:
                continue
            events.append({"event": event, "data": post_payload(post)})
    return events


def topic_payload(topic) -> dict:
    return {
        "id": topic.pk,
        "title": topic.title,
        "url": topic.get_absolute_url(),
        "language": topic.language,
        "author": str(topic.author) if topic.author else "",
    }


def category_stream_replay(user, key: str, since: int | None) -> list[dict]:
    """Topics that became visible in the category with id > `since`."""
    from forums.models import Topic

    category = category_by_slug_for(user, key)
    if category is None or since is None:
        return []
    topics = (
        Topic.objects.filter(category=category, is_visible=True, merged_into=None, pk__gt=since)
        .select_related("author")
        .order_by("pk")[:REPLAY_LIMIT]
    )
    return [{"event": "topic.created", "data": topic_payload(topic)} for topic in topics]


def recent_topics_for(user, limit: int = 5):
    """The home page's "latest forum discussions": visible topics of categories `user` may
    read, latest activity first (one query)."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from forums.models import Topic
    from network.registry import RecentItem

    topics = (
        Topic.objects.filter(category__in=readable_categories(user), is_visible=True, merged_into=None)
        .select_related("category")
        .order_by("-last_posted_at", "-pk")[:limit]
    )
    return [
        RecentItem(
            title=topic.title,
            url=topic.get_absolute_url(),
            meta=_("%(category)s · last post %(date)s")
            % {
                "category": topic.category.name,
                "date": date_format(topic.last_posted_at, "SHORT_DATE_FORMAT"),
            },
            language=topic.language,
        )
        for topic in topics
    ]
