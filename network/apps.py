from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

MEMBERSHIP_NOTIFICATIONS = [
    (
        "network.application_received",
        _("New membership applications (managers)"),
        gettext_noop("%(actor)s applied to join the %(network)s."),
        "immediate",
    ),
    (
        "network.application_approved",
        _("My application was approved"),
        gettext_noop("Welcome! Your application to the %(network)s was approved."),
        "immediate",
    ),
    (
        "network.application_rejected",
        _("My application was not accepted"),
        gettext_noop("Your application to the %(network)s was not accepted: %(reason)s"),
        "immediate",
    ),
    (
        "network.application_info_requested",
        _("Questions about my application"),
        gettext_noop("The managers of the %(network)s need more information about your application."),
        "immediate",
    ),
    (
        "network.membership_suspended",
        _("My membership was suspended"),
        gettext_noop("Your membership of the %(network)s is suspended: %(reason)s"),
        "immediate",
    ),
    (
        "network.membership_reinstated",
        _("My membership was reinstated"),
        gettext_noop("Your membership of the %(network)s is active again."),
        "immediate",
    ),
]


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Network")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from allauth.account.signals import user_logged_out

        from network import dashboard, permissions, selectors
        from network.realtime import close_session_sockets, user_group
        from network.registry import DashboardMetric, NavItem, NotificationType, Seeder, Stream, registry
        from network.seed import seed_accounts, seed_applications, seed_networks

        registry.register_stream(
            Stream(
                prefix="user",
                exact=True,
                can_subscribe=permissions.can_subscribe_user_stream,
                replay=selectors.user_stream_replay,
                group=lambda user, key: user_group(user.id),
            )
        )
        registry.register_notification_type(
            NotificationType(
                verb="network.welcome",
                label=_("Welcome messages"),
                message=gettext_noop(
                    "Welcome to Puente, %(name)s! Complete your profile and apply to a network."
                ),
                default_delivery="off",
            )
        )
        registry.register_notification_type(
            NotificationType(
                verb="network.announcement",
                label=_("Announcements from the DPS team"),
                message=gettext_noop("Announcement from %(actor)s: %(title)s"),
                default_delivery="immediate",
            )
        )
        for verb, label, message, delivery in MEMBERSHIP_NOTIFICATIONS:
            registry.register_notification_type(
                NotificationType(verb=verb, label=label, message=message, default_delivery=delivery)
            )
        registry.register_nav_item(
            NavItem(key="home", label=_("Home"), url_name="wagtail_serve", url_args=("",), order=0)
        )
        registry.register_nav_item(
            NavItem(key="networks", label=_("Networks"), url_name="network:list", order=10)
        )
        registry.register_dashboard_metric(
            DashboardMetric(key="members", label=_("New members"), counts=dashboard.member_counts, order=0)
        )
        registry.register_dashboard_metric(
            DashboardMetric(
                key="applications", label=_("Applications"), counts=dashboard.application_counts, order=10
            )
        )
        registry.register_seeder(Seeder(name="accounts", run=seed_accounts, order=0))
        registry.register_seeder(Seeder(name="networks", run=seed_networks, order=1))
        registry.register_seeder(Seeder(name="applications", run=seed_applications, order=2))

        def close_sockets_on_logout(sender, request, user, **kwargs):
            if user is not None:
                session = getattr(request, "session", None)
                close_session_sockets(user.id, session.session_key if session is not None else None)

        # weak=False: the receiver is a local function, a weak reference would let it be collected.
        user_logged_out.connect(
            close_sockets_on_logout, weak=False, dispatch_uid="network-close-sockets-on-logout"
        )
