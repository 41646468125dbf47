"""The forums' data: categories per network, topics, posts and what members do with them.

Visibility and permissions are decided in `forums.selectors` (one function per rule);
these models only hold data and invariants. Moderation records (flags, silences) live in
the `forums.moderation` sub-app; the moderation *state* of a topic or post (hidden, held,
locked, pinned) is here because every reader needs it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReadAccess(models.TextChoices):
    MEMBERS = "members", _("Members of the network")
    PUBLIC = "public", _("Everyone (public)")


class PostAccess(models.TextChoices):
    MEMBERS = "members", _("Members of the network")
    MODERATORS = "moderators", _("Moderators only")


# First path segments of /forums/ URLs that are not categories (see forums/urls.py and
# forums/extra_urls.py): a category may not take them as its slug.
RESERVED_CATEGORY_SLUGS = frozenset({"moderation", "preview", "t", "topic", "post", "polls", "attachments"})


class Category(models.Model):
    network = models.ForeignKey(
        "network.Network",
        on_delete=models.CASCADE,
        related_name="forum_categories",
        verbose_name=_("network"),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    read_access = models.CharField(
        _("who may read"), max_length=16, choices=ReadAccess.choices, default=ReadAccess.MEMBERS
    )
    post_access = models.CharField(
        _("who may post"), max_length=16, choices=PostAccess.choices, default=PostAccess.MEMBERS
    )
    hold_first_posts = models.PositiveSmallIntegerField(
        _("hold first posts for approval"),
        default=0,
        help_text=_("A member's first N posts in this category wait for a moderator (0: never)."),
    )
    topic_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)
    last_posted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["network_id", "position", "name"]
        verbose_name = _("forum category")
        verbose_name_plural = _("forum categories")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.slug in RESERVED_CATEGORY_SLUGS:
            raise ValidationError(
                {"slug": _("This address is used by the forums themselves: choose another.")}
            )


class TopicKind(models.TextChoices):
    DISCUSSION = "discussion", _("Discussion")
    QUESTION = "question", _("Question")


class Topic(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="topics")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="forum_topics"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=False)
    kind = models.CharField(_("kind"), max_length=16, choices=TopicKind.choices, default=TopicKind.DISCUSSION)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    tags = models.ManyToManyField(
        "network.Topic", blank=True, related_name="forum_topics", verbose_name=_("tags")
    )
    is_locked = models.BooleanField(_("locked"), default=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    # A topic is visible once its first post is published; held or hidden first posts hide it.
    is_visible = models.BooleanField(default=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_topics"
    )
    accepted_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post_count = models.PositiveIntegerField(default=0)  # published, not deleted
    last_post_number = models.PositiveIntegerField(default=0)  # highest Post.number handed out
    created_at = models.DateTimeField(default=timezone.now)
    last_posted_at = models.DateTimeField(default=timezone.now)
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = pgettext_lazy("forum discussion", "topic")
        verbose_name_plural = pgettext_lazy("forum discussions", "topics")
        indexes = [
            models.Index(fields=["category", "-is_pinned", "-last_posted_at"], name="topic_list_idx"),
            models.Index(fields=["-last_posted_at"], name="topic_latest_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("forums:topic", args=[self.pk, self.slug or "-"])


class PostStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    PENDING = "pending", _("Waiting for approval")
    HIDDEN = "hidden", _("Hidden by a moderator")


class Post(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="forum_posts"
    )
    number = models.PositiveIntegerField()  # 1 = the topic's first post; stable within the topic
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    body = models.TextField(_("message"))  # Markdown as written
    body_html = models.TextField(blank=True)  # sanitised rendering, refreshed on every edit
    status = models.CharField(max_length=16, choices=PostStatus.choices, default=PostStatus.PUBLISHED)
    hidden_reason = models.TextField(blank=True, max_length=2000)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)  # soft delete by the author
    client_id = models.CharField(max_length=64, blank=True)  # idempotent resend from a tab
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    edit_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["topic_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "number"], name="post_number_unique"),
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=~models.Q(client_id=""),
                name="post_client_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["topic", "id"], name="post_topic_id_idx"),
            models.Index(fields=["status", "created_at"], name="post_status_idx"),
        ]

    def __str__(self):
        return f"#{self.number} in {self.topic_id}"


class PostRevision(models.Model):
    """The text a post had before an edit: the visible edit history."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)  # when this text was replaced

    class Meta:
        ordering = ["post_id", "created_at", "id"]

    def __str__(self):
        return f"revision of post {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    KINDS = {
        "like": "👍",
        "thanks": "🙏",
        "insightful": "💡",
        "agree": "✅",
        "question": "❓",
    }
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=[(k, k) for k in KINDS])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user", "kind"], name="reaction_unique")]

    def __str__(self):
        return f"{self.kind} on post {self.post_id}"


class Mention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="mention_unique")]

    def __str__(self):
        return f"mention of {self.user_id} in post {self.post_id}"


class TopicReadState(models.Model):
    """How far a member has read a topic (unread markers, "continue where you stopped")."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="read_states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="topic_read_unique")]

    def __str__(self):
        return f"{self.user_id} read topic {self.topic_id} to #{self.last_read_number}"


class CategoryVisit(models.Model):
    """When a member last looked at a category: topics created later are "new"."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    visited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "user"], name="category_visit_unique")]

    def __str__(self):
        return f"{self.user_id} visited category {self.category_id}"


class Subscription(models.Model):
    """A member following a topic or a whole category (exactly one of the two)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_subscriptions"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(topic__isnull=False, category__isnull=True)
                | models.Q(topic__isnull=True, category__isnull=False),
                name="subscription_one_target",
            ),
            models.UniqueConstraint(fields=["user", "topic"], name="subscription_topic_unique"),
            models.UniqueConstraint(fields=["user", "category"], name="subscription_category_unique"),
        ]

    def __str__(self):
        return f"{self.user_id} follows topic {self.topic_id or '-'} / category {self.category_id or '-'}"


class Poll(models.Model):
    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="poll")
    question = models.CharField(_("question"), max_length=300)
    multiple = models.BooleanField(_("several answers allowed"), default=False)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.question

    @property
    def is_closed(self) -> bool:
        return self.closes_at is not None and self.closes_at <= timezone.now()


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["poll_id", "position", "id"]

    def __str__(self):
        return self.label


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["option", "user"], name="poll_vote_unique")]

    def __str__(self):
        return f"{self.user_id} voted {self.option_id}"


def attachment_storage():
    # The private storage (no public URL): downloads go through forums.extra_views.
    from network.institutions.files import private_storage

    return private_storage()


def attachment_path(instance, filename: str) -> str:
    # Never served from /media/ directly: views check the reader's permission first.
    return f"forum-attachments/{timezone.now():%Y/%m}/{instance.token}/{filename}"


class Attachment(models.Model):
    """A PDF or image attached to a post (uploaded first, linked to the post on submit)."""

    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.CharField(max_length=32, unique=True)  # random; in the upload path and URL
    file = models.FileField(upload_to=attachment_path, max_length=300, storage=attachment_storage)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.filename
