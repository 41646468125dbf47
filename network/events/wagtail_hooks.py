"""Events in the Wagtail admin (/cms/): DPS staff manage every network's events, network
managers those of their networks; registrations are shown read-only."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    DeleteView,
    EditView,
    HistoryView,
    InspectView,
    SnippetViewSet,
    SnippetViewSetGroup,
    UsageView,
)

from network import permissions
from network.events import services
from network.events.forms import EventAdminForm
from network.events.models import Event, Registration
from network.models import MembershipStatus, Role

EVENT_ACTIONS = {"add", "change", "delete", "view"}


def _managers_and_staff():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_staff=True)
            | Q(is_superuser=True)
            | Q(groups__name=permissions.DPS_STAFF_GROUP)
            | Q(memberships__role=Role.MANAGER, memberships__status=MembershipStatus.ACTIVE)
        )
        .distinct()
    )


class NetworkScopedPolicy(BasePermissionPolicy):
    """DPS staff everywhere; a network manager for the rows of the networks they manage."""

    actions = EVENT_ACTIONS

    def network_id_of(self, instance):
        return instance.network_id

    def network_filter(self, network_ids):
        return Q(network_id__in=network_ids)

    def user_has_permission(self, user, action):
        return action in self.actions and permissions.can_manage_any_network(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and permissions.is_network_manager(
            user, self.network_id_of(instance)
        )

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        if not any(self.user_has_permission(user, action) for action in actions):
            return queryset.none()
        managed = permissions.managed_network_ids(user)
        return queryset if managed is None else queryset.filter(self.network_filter(managed))

    def users_with_any_permission(self, actions):
        if not set(actions) & self.actions:
            return get_user_model().objects.none()
        return _managers_and_staff()


class RegistrationPolicy(NetworkScopedPolicy):
    actions = {"view"}  # read-only: registrations change through the site's services

    def network_id_of(self, instance):
        return instance.event.network_id

    def network_filter(self, network_ids):
        return Q(event__network_id__in=network_ids)


register_permission_policy(Event, NetworkScopedPolicy(Event))
register_permission_policy(Registration, RegistrationPolicy(Registration))


class InstanceCheckMixin:
    """Wagtail checks model-wide permissions on these views; add the per-network check."""

    instance_action = "change"

    def get_object(self, *args, **kwargs):
        instance = super().get_object(*args, **kwargs)
        if not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.instance_action, instance
        ):
            raise PermissionDenied
        return instance


class EventEditView(InstanceCheckMixin, EditView):
    pass


class EventDeleteView(InstanceCheckMixin, DeleteView):
    instance_action = "delete"


class ScopedInspectView(InstanceCheckMixin, InspectView):
    instance_action = "view"


class ScopedHistoryView(InstanceCheckMixin, HistoryView):
    instance_action = "view"


class ScopedUsageView(InstanceCheckMixin, UsageView):
    instance_action = "view"


class EventViewSet(SnippetViewSet):
    model = Event
    icon = "date"
    menu_label = _("Events")
    list_display = ["title", "network", "kind", "starts_at", "status", "is_public"]
    list_filter = ["network", "status", "kind"]
    search_fields = ["title"]
    search_backend_name = None  # plain database search, no index to maintain
    ordering = ["-starts_at"]
    copy_view_enabled = False
    edit_view_class = EventEditView
    delete_view_class = EventDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("title"),
                    FieldPanel("slug"),
                    FieldRowPanel([FieldPanel("network"), FieldPanel("kind"), FieldPanel("language")]),
                    FieldRowPanel([FieldPanel("status"), FieldPanel("is_public")]),
                    FieldPanel("description"),
                ],
                heading=_("Event"),
            ),
            MultiFieldPanel(
                [FieldPanel("time_zone"), FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")])],
                heading=_("When"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("is_online"),
                    FieldPanel("online_url"),
                    FieldPanel("venue_name"),
                    FieldPanel("venue_address"),
                    FieldRowPanel([FieldPanel("venue_city"), FieldPanel("country")]),
                ],
                heading=_("Where"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("capacity"),
                    FieldRowPanel(
                        [FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]
                    ),
                ],
                heading=_("Registration"),
            ),
            InlinePanel(
                "links",
                heading=_("Materials and recordings"),
                label=_("Link"),
                panels=[
                    FieldPanel("label"),
                    FieldPanel("url"),
                    FieldPanel("kind"),
                    FieldPanel("members_only"),
                ],
            ),
        ],
        base_form_class=EventAdminForm,
    )

    def get_queryset(self, request):
        return self.permission_policy.instances_user_has_any_permission_for(
            request.user, ["change"]
        ).select_related("network")


class RegistrationViewSet(SnippetViewSet):
    model = Registration
    icon = "user"
    menu_label = _("Registrations")
    list_display = ["user", "event", "status", "created_at", "promoted_at", "attended"]
    list_filter = ["status", "attended", "event__network"]
    search_fields = ["user__username", "user__email", "user__display_name", "event__title"]
    search_backend_name = None
    ordering = ["-created_at"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    inspect_view_fields = [
        "event",
        "user",
        "status",
        "created_at",
        "promoted_at",
        "cancelled_at",
        "attended",
        "reminder_sent_at",
    ]

    def get_queryset(self, request):
        return self.permission_policy.instances_user_has_any_permission_for(
            request.user, ["view"]
        ).select_related("user", "event")


class EventsViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Events")
    menu_icon = "date"
    menu_order = 250
    items = (EventViewSet, RegistrationViewSet)


register_snippet(EventsViewSetGroup)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def _after_event_saved(request, instance):
    """A cancellation made in the CMS is announced; seats added go to the waiting list."""
    if isinstance(instance, Event):
        services.event_after_admin_save(event=instance, by=request.user)
