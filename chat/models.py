"""Chat data: rooms, who is in them, their messages and what members do with messages.

Who may read, send or moderate is decided in `chat.selectors` (one function per rule).
Messages of a room are written under a lock on the room's row (`services.post_message`),
so within a room a higher id always commits after a lower one: a client that reconnects
with `since=<last id>` can never miss a message that committed late.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoomKind(models.TextChoices):
    NETWORK = "network", _("Network room")  # every member of the network may join
    TOPIC = "topic", _("Topic room")  # a subject within a network; open to its members
    PRIVATE = "private", _("Private group")  # invited members only
    DIRECT = "direct", _("Direct messages")  # two members


OPEN_KINDS = (RoomKind.NETWORK, RoomKind.TOPIC)

# First path segments of /chat/ URLs that are not rooms (see chat/urls.py).
RESERVED_ROOM_SLUGS = frozenset({"new", "dm", "moderation", "preview", "search", "api", "messages", "unread"})


class Room(models.Model):
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RoomKind.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=1000)
    network = models.ForeignKey(
        "network.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_rooms",
        verbose_name=_("network"),
    )
    topic = models.ForeignKey(
        "network.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chat_rooms",
        verbose_name=_("topic"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Kept by services.post_message under the room's row lock.
    last_message_id = models.BigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["network_id", "kind", "name"]
        verbose_name = _("chat room")
        verbose_name_plural = _("chat rooms")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["network", "topic"]) | Q(network__isnull=False),
                name="chat_open_room_has_network",
            )
        ]

    def __str__(self):
        return self.name or self.slug

    @property
    def stream(self) -> str:
        return f"chat.room.{self.slug}"

    @property
    def is_open(self) -> bool:
        return self.kind in OPEN_KINDS


class RoomRole(models.TextChoices):
    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")
    OWNER = "owner", _("Owner")


class Membership(models.Model):
    """A member in a room: joined (open rooms), invited (private groups) or one of a DM's two."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=RoomRole.choices, default=RoomRole.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    last_read_id = models.BigIntegerField(default=0)
    notifications_muted = models.BooleanField(_("mute notifications"), default=False)
    # Silenced by a room or network moderator: may read, may not send.
    silenced_until = models.DateTimeField(null=True, blank=True)
    silenced_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("room membership")
        verbose_name_plural = _("room memberships")
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="chat_one_membership")]
        indexes = [models.Index(fields=["user", "room"], name="chat_membership_user")]

    def __str__(self):
        return f"{self.user_id} in {self.room_id}"

    def is_silenced(self, now=None) -> bool:
        return bool(self.silenced_until and self.silenced_until > (now or timezone.now()))


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="chat_messages"
    )
    body = models.TextField()
    body_html = models.TextField()
    client_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Any edit, delete or reaction: replays send changed messages' state (see selectors).
    changed_at = models.DateTimeField(null=True, blank=True)
    # The body in lower case without accents (network.search.normalise), kept by the
    # services: search matches "seguridad turistica" to "Seguridad Turística" on any database.
    search_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=Q(client_id__isnull=False),
                name="chat_one_client_id",
            )
        ]
        indexes = [
            models.Index(fields=["room", "id"], name="chat_message_room_id"),
            models.Index(fields=["room", "created_at"], name="chat_message_room_date"),
            models.Index(fields=["room", "changed_at"], name="chat_message_room_changed"),
        ]

    def __str__(self):
        return f"#{self.pk} in {self.room_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


REACTIONS = {
    "like": "👍",
    "heart": "❤️",
    "laugh": "😄",
    "thanks": "🙏",
    "check": "✅",
}


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=[(key, key) for key in REACTIONS])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user", "kind"], name="chat_one_reaction")]

    def __str__(self):
        return f"{self.kind} on {self.message_id}"


class Mention(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_mentions")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="chat_one_mention")]

    def __str__(self):
        return f"@{self.user_id} in {self.message_id}"


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    ABUSE = "abuse", _("Harassment or abuse")
    CONFIDENTIAL = "confidential", _("Confidential or personal information")
    OTHER = "other", _("Something else")


class Report(models.Model):
    """A member's report of a message; it waits in the chat moderation queue until resolved."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=ReportReason.choices)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=16, blank=True)  # "removed" or "dismissed"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reporter"],
                condition=Q(resolved_at__isnull=True),
                name="chat_one_open_report",
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="chat_report_queue")]

    def __str__(self):
        return f"report of {self.message_id}"


def new_client_id() -> uuid.UUID:
    return uuid.uuid4()
