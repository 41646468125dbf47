from django.contrib import admin

from network.events.models import Event, EventLink, Registration


class EventLinkInline(admin.TabularInline):
    model = EventLink
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "network", "kind", "starts_at", "time_zone", "status", "is_public")
    list_filter = ("network", "status", "kind", "is_public")
    search_fields = ("title", "slug")
    raw_id_fields = ("created_by",)
    inlines = [EventLinkInline]
    date_hierarchy = "starts_at"


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Read-only: seats and the waiting list change only through the services."""

    list_display = ("user", "event", "status", "created_at", "promoted_at", "attended", "reminder_sent_at")
    list_filter = ("status", "attended")
    search_fields = ("user__email", "user__username", "event__title")
    list_select_related = ("user", "event")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
