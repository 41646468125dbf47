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
    (
        "chat.silenced",
        _("I was silenced in a chat room"),
        gettext_noop("You may read but not write in %(room)s until %(until)s: %(reason)s"),
        "immediate",
    ),
    (
        "chat.silence_lifted",
        _("A silence in a chat room was lifted"),
        gettext_noop("You may write in %(room)s again."),
        "immediate",
    ),
]


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Chat")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from chat import realtime, search_provider
        from chat.moderation.selectors import shows_moderation_link
        from chat.seed import seed_chat
        from chat.views import direct_message_action
        from network.profiles.registry import register_contact_action
        from network.registry import NavItem, NotificationType, Seeder, registry

        realtime.register()
        search_provider.register()
        register_contact_action("chat", direct_message_action, order=10)
        registry.register_seeder(Seeder(name="chat", run=seed_chat, order=50))
        registry.register_user_stream_state("chat", realtime.unread_state)
        for verb, label, message, delivery in NOTIFICATION_TYPES:
            registry.register_notification_type(
                NotificationType(verb=verb, label=label, message=message, default_delivery=delivery)
            )
        registry.register_nav_item(
            NavItem(key="chat", label=_("Chat"), url_name="chat:index", order=40, members_only=True)
        )
        registry.register_nav_item(
            NavItem(
                key="chat_moderation",
                label=_("Chat moderation"),
                url_name="chat:moderation",
                order=91,
                members_only=True,
                visible=shows_moderation_link,
            )
        )
