from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

NOTIFICATION_TYPES = [
    (
        "forums.mention",
        _("Someone mentions me in the forums"),
        gettext_noop("%(actor)s mentioned you in “%(topic)s”."),
        "immediate",
    ),
    (
        "forums.quote",
        _("Someone quotes one of my forum messages"),
        gettext_noop("%(actor)s quoted you in “%(topic)s”."),
        "immediate",
    ),
    (
        "forums.reply",
        _("Replies in forum topics and categories I follow"),
        gettext_noop("%(actor)s replied in “%(topic)s”."),
        "daily",
    ),
    (
        "forums.new_topic",
        _("New topics in forum categories I follow"),
        gettext_noop("%(actor)s started “%(topic)s” in %(category)s."),
        "daily",
    ),
    (
        "forums.reaction",
        _("Reactions to my forum messages"),
        gettext_noop("%(actor)s reacted %(reaction)s to your message in “%(topic)s”."),
        "daily",
    ),
]


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Forums")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from forums import realtime, search_provider
        from forums.seed import seed_forums
        from forums.selectors import recent_topics_for
        from network.registry import NavItem, NotificationType, RecentProvider, Seeder, registry

        realtime.register()
        for verb, label, message, delivery in NOTIFICATION_TYPES:
            registry.register_notification_type(
                NotificationType(verb=verb, label=label, message=message, default_delivery=delivery)
            )
        registry.register_recent_provider(
            RecentProvider(
                key="forums",
                label=_("Latest forum discussions"),
                items=recent_topics_for,
                order=20,
                more_url_name="forums:index",
            )
        )
        registry.register_nav_item(
            NavItem(key="forums", label=_("Forums"), url_name="forums:index", order=35)
        )
        registry.register_seeder(Seeder(name="forums", run=seed_forums, order=45))
        search_provider.register()
