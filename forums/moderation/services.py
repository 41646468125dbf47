"""What members and moderators do to keep the forums healthy: flags, hiding and restoring
posts, approving held posts, locking, pinning, moving and merging topics, silencing and
suspending members.

Every action checks its permission rule first (forums.selectors.can_moderate for forum
moderation, the network managers' rule for suspension), writes inside one transaction,
records an AuditEntry (network.membership.audit) and notifies the people concerned after
commit (network.services.notify). Live events go through forums.services.broadcast_post,
which sends them after commit too. A refusal raises ModerationError with a translated
message and changes nothing.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from forums.moderation import selectors
from forums.moderation.models import Flag, FlagReason, FlagStatus, Silence
from network.membership import MembershipError, audit, membership_suspend
from network.models import Membership, MembershipStatus, Role
from network.realtime import broadcast
from network.services import notify

REASON_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000


class ModerationError(Exception):
    """A refused moderation action; the message is shown to the user (already translated)."""


# --- helpers ------------------------------------------------------------------------------


def _require_moderator(user, category) -> None:
    from forums.selectors import can_moderate

    if not can_moderate(user, category):
        raise ModerationError(_("Only the moderators of this forum may do this."))


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ModerationError(_("Give a reason: the member will be told."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ModerationError(
            _("The reason is too long (at most %(limit)s characters).") % {"limit": REASON_MAX_LENGTH}
        )
    return reason


def _locked_post(post):
    from forums.models import Post

    return (
        Post.objects.select_for_update(of=("self",))
        .select_related("author", "topic", "topic__category", "topic__category__network")
        .get(pk=post.pk)
    )


def _locked_topic(topic):
    from forums.models import Topic

    return (
        Topic.objects.select_for_update(of=("self",))
        .select_related("category", "category__network")
        .get(pk=topic.pk)
    )


def _refresh(topic, *categories) -> None:
    from forums.services import category_refresh_counters, topic_refresh_counters

    topic_refresh_counters(topic)
    for category in dict.fromkeys(categories or (topic.category,)):
        category_refresh_counters(category)


def _topic_event(topic, event: str, **data) -> None:
    """A topic-wide change for open topic pages (no replay: the page shows it on reload)."""
    broadcast(
        f"forums.topic.{topic.pk}",
        event,
        {"id": topic.pk, "is_locked": topic.is_locked, "is_pinned": topic.is_pinned, **data},
    )


def _moderators_of(network, *, exclude=()):
    return (
        get_user_model()
        .objects.filter(
            memberships__network=network,
            memberships__role__in=(Role.MODERATOR, Role.MANAGER),
            memberships__status=MembershipStatus.ACTIVE,
            is_active=True,
        )
        .exclude(pk__in=[user.pk for user in exclude if user is not None])
        .distinct()
    )


# --- flags --------------------------------------------------------------------------------


@transaction.atomic
def flag_post(*, reporter, post, reason: str, note: str = "") -> Flag:
    """A member reports a post they can read; the network's moderators are notified.

    One open flag per reporter and post: flagging again while it is open is refused."""
    if not selectors.can_flag(reporter, post):
        raise ModerationError(_("You cannot flag this post."))
    if reason not in FlagReason.values:
        raise ModerationError(_("Choose why you are flagging this post."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ModerationError(
            _("The details are too long (at most %(limit)s characters).") % {"limit": NOTE_MAX_LENGTH}
        )
    try:
        with transaction.atomic():
            flag = Flag.objects.create(post=post, reporter=reporter, reason=reason, note=note)
    except IntegrityError:
        raise ModerationError(
            _("You have already flagged this post; the moderators will look at it.")
        ) from None
    topic = post.topic
    network = topic.category.network
    for moderator in _moderators_of(network, exclude=(reporter,)):
        with translation.override(moderator.language):
            label = str(FlagReason(reason).label)  # params are stored as text: in their language
        notify(
            user=moderator,
            verb="forums.post_flagged",
            actor=reporter,
            url=_queue_url(),
            params={"topic": topic.title, "reason": label},
        )
    return flag


def _queue_url() -> str:
    return selectors.moderation_url("queue")


def _resolve_open_flags(post, *, moderator, status: str) -> int:
    return Flag.objects.filter(post=post, status=FlagStatus.OPEN).update(
        status=status, resolved_by=moderator, resolved_at=timezone.now()
    )


@transaction.atomic
def dismiss_flag(*, moderator, flag, reason: str = "") -> Flag:
    """Close one open flag without acting on the post."""
    flag = Flag.objects.select_for_update().select_related("post__topic__category__network").get(pk=flag.pk)
    category = flag.post.topic.category
    _require_moderator(moderator, category)
    reason = _clean_reason(reason, required=False)
    if flag.status != FlagStatus.OPEN:
        raise ModerationError(_("This flag has already been handled."))
    flag.status = FlagStatus.DISMISSED
    flag.resolved_by = moderator
    flag.resolved_at = timezone.now()
    flag.save(update_fields=["status", "resolved_by", "resolved_at"])
    audit(
        actor=moderator,
        action="forums.flags_dismissed",
        network=category.network,
        subject_user=flag.post.author,
        target=flag.post,
        reason=reason,
        flags=1,
    )
    return flag


@transaction.atomic
def dismiss_flags(*, moderator, post, reason: str = "") -> int:
    """Close every open flag on `post` (the post stays as it is); returns how many."""
    post = _locked_post(post)
    category = post.topic.category
    _require_moderator(moderator, category)
    reason = _clean_reason(reason, required=False)
    count = _resolve_open_flags(post, moderator=moderator, status=FlagStatus.DISMISSED)
    if not count:
        raise ModerationError(_("This post has no open flag."))
    audit(
        actor=moderator,
        action="forums.flags_dismissed",
        network=category.network,
        subject_user=post.author,
        target=post,
        reason=reason,
        flags=count,
    )
    return count


# --- posts --------------------------------------------------------------------------------


@transaction.atomic
def hide_post(*, moderator, post, reason: str):
    """Hide a published post: readers see a placeholder, its author sees it with the reason
    (and is notified of it). Open flags on it are marked acted on."""
    from forums.models import PostStatus
    from forums.services import broadcast_post

    post = _locked_post(post)
    topic, category = post.topic, post.topic.category
    _require_moderator(moderator, category)
    reason = _clean_reason(reason, required=True)
    if post.deleted_at is not None:
        raise ModerationError(_("This post was deleted by its author."))
    if post.status == PostStatus.HIDDEN:
        raise ModerationError(_("This post is already hidden."))
    if post.status != PostStatus.PUBLISHED:
        raise ModerationError(_("This post is waiting for approval: approve or reject it instead."))
    post.status = PostStatus.HIDDEN
    post.hidden_reason = reason
    post.hidden_by = moderator
    post.hidden_at = timezone.now()
    post.save(update_fields=["status", "hidden_reason", "hidden_by", "hidden_at"])
    flags = _resolve_open_flags(post, moderator=moderator, status=FlagStatus.ACTED)
    _refresh(topic)
    audit(
        actor=moderator,
        action="forums.post_hidden",
        network=category.network,
        subject_user=post.author,
        target=post,
        reason=reason,
        topic=topic.pk,
        flags=flags,
    )
    if post.author is not None and post.author.is_active and post.author_id != moderator.pk:
        notify(
            user=post.author,
            verb="forums.post_hidden",
            actor=moderator,
            url=selectors.url_of(topic, post),
            params={"topic": topic.title, "reason": reason},
        )
    broadcast_post(post, "post.hidden")
    return post


@transaction.atomic
def restore_post(*, moderator, post, reason: str = ""):
    """Show a hidden post again; its author is told."""
    from forums.models import PostStatus
    from forums.services import broadcast_post

    post = _locked_post(post)
    topic, category = post.topic, post.topic.category
    _require_moderator(moderator, category)
    reason = _clean_reason(reason, required=False)
    if post.status != PostStatus.HIDDEN:
        raise ModerationError(_("This post is not hidden."))
    if post.deleted_at is not None:
        raise ModerationError(_("This post was deleted by its author."))
    post.status = PostStatus.PUBLISHED
    post.hidden_reason = ""
    post.hidden_by = None
    # Now the time of the last change of visibility: a reconnecting tab's replay
    # (forums.selectors.topic_stream_replay) looks at it to send the post again.
    post.hidden_at = timezone.now()
    post.save(update_fields=["status", "hidden_reason", "hidden_by", "hidden_at"])
    _refresh(topic)
    audit(
        actor=moderator,
        action="forums.post_restored",
        network=category.network,
        subject_user=post.author,
        target=post,
        reason=reason,
        topic=topic.pk,
    )
    if post.author is not None and post.author.is_active and post.author_id != moderator.pk:
        notify(
            user=post.author,
            verb="forums.post_restored",
            actor=moderator,
            url=selectors.url_of(topic, post),
            params={"topic": topic.title},
        )
    broadcast_post(post, "post.restored")
    return post


@transaction.atomic
def approve_post(*, moderator, post):
    """Publish a held post: forums.services.post_published sends the live event and the
    notifications (mentions, followers) that were held back with it."""
    from forums.models import PostStatus
    from forums.services import post_published

    post = _locked_post(post)
    topic, category = post.topic, post.topic.category
    _require_moderator(moderator, category)
    if post.deleted_at is not None:
        raise ModerationError(_("This post was deleted by its author."))
    if post.status != PostStatus.PENDING:
        raise ModerationError(_("This post is not waiting for approval."))
    post.status = PostStatus.PUBLISHED
    post.save(update_fields=["status"])
    audit(
        actor=moderator,
        action="forums.post_approved",
        network=category.network,
        subject_user=post.author,
        target=post,
        topic=topic.pk,
    )
    if post.author is not None and post.author.is_active and post.author_id != moderator.pk:
        notify(
            user=post.author,
            verb="forums.post_approved",
            actor=moderator,
            url=selectors.url_of(topic, post),
            params={"topic": topic.title},
        )
    post_published(post)
    return post


@transaction.atomic
def reject_post(*, moderator, post, reason: str):
    """Refuse a held post: it stays out of sight of readers (hidden, with the reason, which
    its author sees on the topic page and in a notification)."""
    from forums.models import PostStatus

    post = _locked_post(post)
    topic, category = post.topic, post.topic.category
    _require_moderator(moderator, category)
    reason = _clean_reason(reason, required=True)
    if post.deleted_at is not None:
        raise ModerationError(_("This post was deleted by its author."))
    if post.status != PostStatus.PENDING:
        raise ModerationError(_("This post is not waiting for approval."))
    post.status = PostStatus.HIDDEN
    post.hidden_reason = reason
    post.hidden_by = moderator
    post.hidden_at = timezone.now()
    post.save(update_fields=["status", "hidden_reason", "hidden_by", "hidden_at"])
    _refresh(topic)
    audit(
        actor=moderator,
        action="forums.post_rejected",
        network=category.network,
        subject_user=post.author,
        target=post,
        reason=reason,
        topic=topic.pk,
    )
    if post.author is not None and post.author.is_active and post.author_id != moderator.pk:
        notify(
            user=post.author,
            verb="forums.post_rejected",
            actor=moderator,
            url=selectors.url_of(topic, post),
            params={"topic": topic.title, "reason": reason},
        )
    return post


# --- topics -------------------------------------------------------------------------------


def _set_topic_flag(*, moderator, topic, field: str, value: bool, action: str, reason: str, already: str):
    topic = _locked_topic(topic)
    _require_moderator(moderator, topic.category)
    reason = _clean_reason(reason, required=False)
    if getattr(topic, field) == value:
        raise ModerationError(already)
    setattr(topic, field, value)
    topic.save(update_fields=[field])
    audit(
        actor=moderator,
        action=action,
        network=topic.category.network,
        subject_user=topic.author,
        target=topic,
        reason=reason,
    )
    _topic_event(topic, "topic.updated")
    return topic


@transaction.atomic
def lock_topic(*, moderator, topic, reason: str = ""):
    """No more replies (moderators still may): HTML and WebSocket alike ask can_reply."""
    return _set_topic_flag(
        moderator=moderator,
        topic=topic,
        field="is_locked",
        value=True,
        action="forums.topic_locked",
        reason=reason,
        already=_("This topic is already locked."),
    )


@transaction.atomic
def unlock_topic(*, moderator, topic, reason: str = ""):
    return _set_topic_flag(
        moderator=moderator,
        topic=topic,
        field="is_locked",
        value=False,
        action="forums.topic_unlocked",
        reason=reason,
        already=_("This topic is not locked."),
    )


@transaction.atomic
def pin_topic(*, moderator, topic, reason: str = ""):
    return _set_topic_flag(
        moderator=moderator,
        topic=topic,
        field="is_pinned",
        value=True,
        action="forums.topic_pinned",
        reason=reason,
        already=_("This topic is already pinned."),
    )


@transaction.atomic
def unpin_topic(*, moderator, topic, reason: str = ""):
    return _set_topic_flag(
        moderator=moderator,
        topic=topic,
        field="is_pinned",
        value=False,
        action="forums.topic_unpinned",
        reason=reason,
        already=_("This topic is not pinned."),
    )


@transaction.atomic
def move_topic(*, moderator, topic, category, reason: str = ""):
    """Move a topic to another category the moderator moderates; both categories' counters
    are recomputed."""
    topic = _locked_topic(topic)
    source = topic.category
    _require_moderator(moderator, source)
    if category is None:
        raise ModerationError(_("Choose the category to move the topic to."))
    if not selectors.can_moderate_network(moderator, category.network_id):
        raise ModerationError(_("You can only move topics to categories you moderate."))
    if category.pk == source.pk:
        raise ModerationError(_("The topic is already in this category."))
    if topic.merged_into_id is not None:
        raise ModerationError(_("This topic was merged into another one."))
    reason = _clean_reason(reason, required=False)
    topic.category = category
    topic.save(update_fields=["category"])
    _refresh(topic, source, category)
    audit(
        actor=moderator,
        action="forums.topic_moved",
        network=source.network,
        subject_user=topic.author,
        target=topic,
        reason=reason,
        from_category=source.slug,
        to_category=category.slug,
        to_network=category.network_id,
    )
    if category.network_id != source.network_id:
        audit(
            actor=moderator,
            action="forums.topic_moved",
            network=category.network,
            subject_user=topic.author,
            target=topic,
            reason=reason,
            from_category=source.slug,
            to_category=category.slug,
        )
    _topic_event(topic, "topic.moved", url=selectors.url_of(topic))
    return topic


@transaction.atomic
def merge_topics(*, moderator, source, target, reason: str = ""):
    """Move every post of `source` to the end of `target`, numbered after
    target.last_post_number in the order they were written. `source` then redirects to
    `target` (merged_into) and leaves the lists; followers of `source` follow `target`."""
    from forums.models import Post, Subscription, TopicReadState

    if source.pk == target.pk:
        raise ModerationError(_("A topic cannot be merged into itself."))
    # Lock in id order so two merges of the same pair cannot deadlock.
    first, second = sorted([source, target], key=lambda topic: topic.pk)
    locked = {topic.pk: _locked_topic(topic) for topic in (first, second)}
    source, target = locked[source.pk], locked[target.pk]
    _require_moderator(moderator, source.category)
    _require_moderator(moderator, target.category)
    if source.merged_into_id is not None:
        raise ModerationError(_("This topic was already merged into another one."))
    if target.merged_into_id is not None:
        raise ModerationError(_("The target topic was merged into another one; choose that one."))
    reason = _clean_reason(reason, required=False)

    moved = list(Post.objects.filter(topic=source).order_by("created_at", "number", "pk"))
    next_number = target.last_post_number
    for post in moved:
        next_number += 1
        post.topic = target
        post.number = next_number
    # The new numbers are above anything handed out in `target`: no clash with its posts.
    Post.objects.bulk_update(moved, ["topic", "number"], batch_size=500)
    target.last_post_number = next_number
    target.save(update_fields=["last_post_number"])

    followers = Subscription.objects.filter(topic=target).values("user_id")
    Subscription.objects.filter(topic=source).exclude(user_id__in=followers).update(topic=target)
    Subscription.objects.filter(topic=source).delete()
    TopicReadState.objects.filter(topic=source).delete()

    # Not topic_refresh_counters: with no post left it would count the source visible.
    source.merged_into = target
    source.is_visible = False
    source.is_locked = True
    source.is_pinned = False
    source.accepted_post = None
    source.post_count = 0
    source.save(
        update_fields=["merged_into", "is_visible", "is_locked", "is_pinned", "accepted_post", "post_count"]
    )
    _refresh(target, target.category, source.category)
    for network in dict.fromkeys([source.category.network, target.category.network]):
        audit(
            actor=moderator,
            action="forums.topics_merged",
            network=network,
            subject_user=source.author,
            target=target,
            reason=reason,
            source=source.pk,
            source_title=source.title,
            posts=len(moved),
        )
    _topic_event(source, "topic.merged", into=target.pk, url=selectors.url_of(target))
    _topic_event(target, "topic.updated", merged=source.pk)
    return target


# --- members ------------------------------------------------------------------------------


def _silence_until_text(until, language: str) -> str:
    with translation.override(language):
        if until is None:
            return _("a moderator lifts it")
        return formats.date_format(timezone.localtime(until), "DATETIME_FORMAT")


@transaction.atomic
def silence_member(*, moderator, network, user, until: datetime.datetime | None, reason: str) -> Silence:
    """The member may read but not post in the network's forums until `until` (None: until
    lifted). A new silence replaces the current one; the member is told why and how long."""
    if not selectors.can_moderate_network(moderator, network):
        raise ModerationError(_("Only the moderators of this forum may do this."))
    if not selectors.can_silence(moderator, network, user):
        raise ModerationError(_("Moderators and DPS staff cannot be silenced, nor can you silence yourself."))
    if not Membership.objects.filter(user=user, network=network).exists():
        raise ModerationError(_("This person is not a member of this network."))
    reason = _clean_reason(reason, required=True)
    now = timezone.now()
    if until is not None and until <= now:
        raise ModerationError(_("The end of the silence must be in the future."))
    selectors.active_silences(user=user, network=network).update(lifted_at=now)
    silence = Silence.objects.create(
        user=user, network=network, until=until, reason=reason, created_by=moderator
    )
    audit(
        actor=moderator,
        action="forums.member_silenced",
        network=network,
        subject_user=user,
        target=silence,
        reason=reason,
        until=until.isoformat() if until else None,
    )
    if user.is_active:
        notify(
            user=user,
            verb="forums.member_silenced",
            actor=moderator,
            params={
                "network": network.name,
                "until": _silence_until_text(until, user.language),
                "reason": reason,
            },
        )
    return silence


@transaction.atomic
def lift_silence(*, moderator, network, user, reason: str = "") -> int:
    """End the member's current silence in the network; returns how many were lifted."""
    if not selectors.can_moderate_network(moderator, network):
        raise ModerationError(_("Only the moderators of this forum may do this."))
    reason = _clean_reason(reason, required=False)
    lifted = selectors.active_silences(user=user, network=network).update(lifted_at=timezone.now())
    if not lifted:
        raise ModerationError(_("This member is not silenced."))
    audit(
        actor=moderator,
        action="forums.silence_lifted",
        network=network,
        subject_user=user,
        reason=reason,
    )
    if user.is_active:
        notify(user=user, verb="forums.silence_lifted", actor=moderator, params={"network": network.name})
    return lifted


def suspend_member(*, moderator, network, user, reason: str):
    """Suspend the membership (network.membership.membership_suspend: managers only,
    audited as membership.suspended, the member told why)."""
    membership = Membership.objects.filter(user=user, network=network).first()
    if membership is None:
        raise ModerationError(_("This person is not a member of this network."))
    if not selectors.can_suspend_in(moderator, network):
        raise ModerationError(_("Only the managers of this network may suspend a member."))
    try:
        return membership_suspend(membership=membership, by=moderator, reason=reason)
    except MembershipError as error:
        raise ModerationError(str(error)) from None
