from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

NOTIFICATION_TYPES = [
    (
        "chat.mention",
        _("Someone mentions me in chat"),
        gettext_noop("%(actor)s mentioned you in %(room)s."),
        "immediate",
    ),
    (
        "chat.direct",
        _("Direct messages"),
        gettext_noop("%(actor)s sent you a message: “%(excerpt)s”"),
        "daily",
    ),
    (
        "chat.invited",
        _("Invitations to private chat groups"),
        gettext_noop("%(actor)s added you to %(room)s."),
        "immediate",
    ),
    (
        "chat.report",
        _("Reported chat messages (moderators)"),
        gettext_noop("%(actor)s reported a message in %(room)s."),
        "immediate",
    ),
]


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Chat")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from chat import realtime
        from network.registry import NavItem, NotificationType, registry

        realtime.register()
        registry.register_user_stream_state("chat", realtime.unread_state)
        for verb, label, message, delivery in NOTIFICATION_TYPES:
            registry.register_notification_type(
                NotificationType(verb=verb, label=label, message=message, default_delivery=delivery)
            )
        registry.register_nav_item(
            NavItem(key="chat", label=_("Chat"), url_name="chat:index", order=40, members_only=True)
        )
