from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class EventsConfig(AppConfig):
    name = "network.events"
    label = "events"
    verbose_name = _("Events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from network.events import metrics
        from network.events.seed import seed_events
        from network.events.selectors import recent_events_for
        from network.registry import (
            DashboardMetric,
            NavItem,
            NotificationType,
            RecentProvider,
            Seeder,
            registry,
        )

        registry.register_dashboard_metric(
            DashboardMetric(key="events", label=_("Events"), counts=metrics.event_counts, order=30)
        )
        registry.register_dashboard_metric(
            DashboardMetric(
                key="event_registrations",
                label=_("Event registrations"),
                counts=metrics.registration_counts,
                order=40,
            )
        )

        registry.register_nav_item(NavItem(key="events", label=_("Events"), url_name="events:list", order=40))
        registry.register_recent_provider(
            RecentProvider(
                key="events",
                label=_("Upcoming events"),
                items=recent_events_for,
                order=30,
                more_url_name="events:list",
            )
        )
        registry.register_notification_type(
            NotificationType(
                verb="events.registered",
                label=_("Your event registrations"),
                # `outcome` is written in the member's language when they register.
                message=gettext_noop("Registration for %(target)s: %(outcome)s."),
                default_delivery="immediate",
            )
        )
        registry.register_notification_type(
            NotificationType(
                verb="events.promoted",
                label=_("A seat freed up for you at an event"),
                message=gettext_noop("A seat freed up: you are now registered for %(target)s."),
                default_delivery="immediate",
            )
        )
        registry.register_notification_type(
            NotificationType(
                verb="events.reminder",
                label=_("Reminders the day before an event"),
                message=gettext_noop("Reminder: %(target)s starts on %(when)s."),
                default_delivery="immediate",
            )
        )
        registry.register_notification_type(
            NotificationType(
                verb="events.cancelled",
                label=_("Cancelled events"),
                message=gettext_noop("%(target)s has been cancelled."),
                default_delivery="immediate",
            )
        )
        registry.register_seeder(Seeder(name="events", run=seed_events, order=30))
