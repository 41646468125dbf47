from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

NOTIFICATION_TYPES = [
    (
        "forums.post_flagged",
        _("Flagged forum posts (moderators)"),
        gettext_noop("%(actor)s flagged a post in “%(topic)s”: %(reason)s"),
        "immediate",
    ),
    (
        "forums.post_hidden",
        _("A moderator hid my forum post"),
        gettext_noop("A moderator hid your post in “%(topic)s”: %(reason)s"),
        "immediate",
    ),
    (
        "forums.post_restored",
        _("A moderator restored my forum post"),
        gettext_noop("A moderator restored your post in “%(topic)s”."),
        "off",
    ),
    (
        "forums.post_approved",
        _("My forum post was approved"),
        gettext_noop("Your post in “%(topic)s” was approved and is now visible."),
        "off",
    ),
    (
        "forums.post_rejected",
        _("My forum post was not approved"),
        gettext_noop("Your post in “%(topic)s” was not approved: %(reason)s"),
        "immediate",
    ),
    (
        "forums.member_silenced",
        _("I was silenced in a forum"),
        gettext_noop(
            "You may read but not post in the forums of the %(network)s until %(until)s: %(reason)s"
        ),
        "immediate",
    ),
    (
        "forums.silence_lifted",
        _("I may post in a forum again"),
        gettext_noop("You may post again in the forums of the %(network)s."),
        "immediate",
    ),
]


class ForumModerationConfig(AppConfig):
    name = "forums.moderation"
    label = "forum_moderation"
    verbose_name = _("Forum moderation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from forums.moderation.selectors import can_use_moderation
        from network.registry import NavItem, NotificationType, registry

        for verb, label, message, delivery in NOTIFICATION_TYPES:
            registry.register_notification_type(
                NotificationType(verb=verb, label=label, message=message, default_delivery=delivery)
            )
        registry.register_nav_item(
            NavItem(
                key="forum_moderation",
                label=_("Moderation"),
                # Inside the "forums" namespace: see selectors.NAMESPACES.
                url_name="forums:forum_moderation:queue",
                order=90,
                members_only=True,
                visible=can_use_moderation,
            )
        )
