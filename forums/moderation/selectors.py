"""Reads of forum moderation: who may moderate where, what a moderator's queue and audit
list hold, and whether a member is silenced (asked by `forums.selectors.can_post_in`)."""

from __future__ import annotations

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.permissions import (
    is_dps_staff,
    is_member,
    is_moderator,
    is_network_moderator,
    may_act,
    network_ids_of,
    role_in,
)

# The audit actions shown in the moderators' audit list, with their labels.
AUDIT_ACTIONS = {
    "forums.post_hidden": _("Post hidden"),
    "forums.post_restored": _("Post restored"),
    "forums.post_approved": _("Post approved"),
    "forums.post_rejected": _("Post rejected"),
    "forums.flags_dismissed": _("Flags dismissed"),
    "forums.topic_locked": _("Topic locked"),
    "forums.topic_unlocked": _("Topic unlocked"),
    "forums.topic_pinned": _("Topic pinned"),
    "forums.topic_unpinned": _("Topic unpinned"),
    "forums.topic_moved": _("Topic moved"),
    "forums.topics_merged": _("Topics merged"),
    "forums.member_silenced": _("Member silenced"),
    "forums.silence_lifted": _("Silence lifted"),
    # Suspension is a membership decision (network.membership) that moderators see too.
    "membership.suspended": _("Membership suspended"),
    "membership.reinstated": _("Membership reinstated"),
}


def is_silenced(user, network) -> bool:
    """True while `user` is silenced in `network`'s forums (they may read, not post).

    `network`: a Network or its id."""
    if user is None or not user.is_authenticated:
        return False
    return active_silences(user=user, network=network).exists()


def active_silences(*, user, network) -> QuerySet:
    from forums.moderation.models import Silence

    return Silence.objects.filter(
        user=user, network_id=getattr(network, "pk", network), lifted_at=None
    ).filter(Q(until=None) | Q(until__gt=timezone.now()))


def can_moderate_network(user, network) -> bool:
    """The rule of `forums.selectors.can_moderate`, which decides per category from the
    category's network alone: asked here for a network without a category at hand."""
    from forums.models import Category
    from forums.selectors import can_moderate

    return can_moderate(user, Category(network_id=getattr(network, "pk", network)))


def moderated_network_ids(user) -> set[int] | None:
    """Networks whose forums `user` moderates; None means every network (DPS staff)."""
    if not is_member(user) or not may_act(user):
        return set()
    if is_dps_staff(user):
        return None
    # can_moderate's rule with may_act (a query) asked once rather than once per network.
    return {network_id for network_id in network_ids_of(user) if is_network_moderator(user, network_id)}


def can_use_moderation(user) -> bool:
    """May open the moderation queue and audit list (the "Moderation" link)."""
    # is_moderator first (cached roles, no query): this runs for every page's navigation.
    return is_moderator(user) and moderated_network_ids(user) != set()


def can_suspend_in(user, network) -> bool:
    """Suspending a membership is a network manager's decision (network.membership)."""
    from network.permissions import is_network_manager

    return may_act(user) and is_network_manager(user, network)


def can_silence(moderator, network, member) -> bool:
    """Moderators silence members of their network, never themselves nor another moderator."""
    from network.models import Role

    if not can_moderate_network(moderator, network):
        return False
    if member.pk == moderator.pk or is_dps_staff(member):
        return False
    return role_in(member, network) not in (Role.MODERATOR, Role.MANAGER)


# forums/urls.py includes ours inside the "forums" namespace; a top-level include in
# config/urls.py would make it plain "forum_moderation". Links work either way.
NAMESPACES = ("forum_moderation", "forums:forum_moderation")


def moderation_url(name: str, *args) -> str:
    for namespace in NAMESPACES:
        try:
            return reverse(f"{namespace}:{name}", args=args)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(f"no moderation URL named {name!r}")


def url_of(topic, post=None) -> str:
    """The topic's page (the page holding the post, at its anchor), or "" while the forum
    pages are not there."""
    try:
        url = topic.get_absolute_url()
    except NoReverseMatch:
        return ""
    return f"{url}?post={post.number}#post-{post.number}" if post is not None else url


def _within(queryset: QuerySet, user, network_field: str) -> QuerySet:
    network_ids = moderated_network_ids(user)
    if network_ids is None:
        return queryset
    return queryset.filter(**{f"{network_field}__in": network_ids})


def _post_context(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("author", "topic", "topic__category", "topic__category__network")


def post_readable_by(user, post) -> bool:
    """Does `user` find this post in its topic (forums.selectors' rules)? Those who do not
    get 404 rather than 403: they may not know it exists."""
    from forums.selectors import can_list_post, can_read_topic

    return can_read_topic(user, post.topic) and can_list_post(user, post)


def can_flag(user, post) -> bool:
    """Members flag the published posts of others that they can read."""
    from forums.models import PostStatus

    if not may_act(user) or post.author_id == user.pk:
        return False
    if post.status != PostStatus.PUBLISHED or post.deleted_at is not None:
        return False
    return post_readable_by(user, post)


def post_with_context(post_id) -> object | None:
    from forums.models import Post

    return _post_context(Post.objects.filter(pk=post_id)).first()


def topic_with_context(topic_id) -> object | None:
    from forums.models import Topic

    return Topic.objects.filter(pk=topic_id).select_related("category", "category__network").first()


def open_flag_of(*, reporter, post):
    from forums.moderation.models import Flag, FlagStatus

    return Flag.objects.filter(reporter=reporter, post=post, status=FlagStatus.OPEN).first()


def flagged_posts_for(user) -> QuerySet:
    """Posts with open flags in the networks `user` moderates, most flagged first, each with
    `open_flag_count`, `first_flagged_at` and its open flags (`open_flags`) prefetched."""
    from forums.models import Post
    from forums.moderation.models import Flag, FlagStatus

    open_flags = Q(flags__status=FlagStatus.OPEN)
    posts = (
        Post.objects.filter(Exists(Flag.objects.filter(post=OuterRef("pk"), status=FlagStatus.OPEN)))
        .annotate(
            open_flag_count=Count("flags", filter=open_flags),
            first_flagged_at=Min("flags__created_at", filter=open_flags),
        )
        .prefetch_related(
            Prefetch(
                "flags",
                queryset=Flag.objects.filter(status=FlagStatus.OPEN)
                .select_related("reporter")
                .order_by("created_at"),
                to_attr="open_flags",
            )
        )
        .order_by("-open_flag_count", "first_flagged_at", "pk")
    )
    return _post_context(_within(posts, user, "topic__category__network_id"))


def held_posts_for(user) -> QuerySet:
    """Posts waiting for approval in the networks `user` moderates, oldest first."""
    from forums.models import Post, PostStatus

    posts = Post.objects.filter(status=PostStatus.PENDING, deleted_at=None).order_by("created_at", "pk")
    return _post_context(_within(posts, user, "topic__category__network_id"))


def queue_counts_for(user) -> dict[str, int]:
    return {"flags": flagged_posts_for(user).count(), "held": held_posts_for(user).count()}


def moderated_categories_for(user) -> QuerySet:
    """Categories a moderator may move topics into."""
    from forums.models import Category

    return _within(Category.objects.select_related("network"), user, "network_id").order_by(
        "network__name", "position", "name"
    )


def audit_entries_for(user, *, network_slug: str = "") -> QuerySet:
    """The forum moderation audit trail of the networks `user` moderates, newest first."""
    from network.models import AuditEntry

    entries = AuditEntry.objects.filter(action__in=list(AUDIT_ACTIONS)).select_related(
        "actor", "subject_user", "network"
    )
    if network_slug:
        entries = entries.filter(network__slug=network_slug)
    return _within(entries, user, "network_id").order_by("-created_at", "-pk")


def audit_label(action: str) -> str:
    return AUDIT_ACTIONS.get(action, action)


def moderated_networks_for(user) -> QuerySet:
    from network.models import Network

    return _within(Network.objects.all(), user, "pk").order_by("name")


def silences_of(*, user, network) -> QuerySet:
    """Every silence of the member in the network, the current one first."""
    from forums.moderation.models import Silence

    return (
        Silence.objects.filter(user=user, network=network)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )
