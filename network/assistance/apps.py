from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class AssistanceConfig(AppConfig):
    name = "network.assistance"
    label = "assistance"
    verbose_name = _("Technical assistance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from network.permissions import is_vetted_member
        from network.registry import NavItem, NotificationType, Seeder, registry

        from .seed import seed_assistance

        registry.register_notification_type(
            NotificationType(
                verb="assistance.received",
                label=_("New technical-assistance requests (DPS staff)"),
                message=gettext_noop("New request for technical assistance from %(actor)s: %(title)s"),
            )
        )
        registry.register_notification_type(
            NotificationType(
                verb="assistance.updated",
                label=_("Progress on my technical-assistance requests"),
                message=gettext_noop("Your request “%(title)s” is now: %(status)s"),
            )
        )
        registry.register_seeder(Seeder(name="assistance", run=seed_assistance, order=60))
        registry.register_nav_item(
            NavItem(
                key="assistance",
                label=_("Assistance"),
                url_name="assistance:list",
                order=70,
                visible=is_vetted_member,
            )
        )
