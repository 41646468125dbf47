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
