"""Chat in the Django admin, for DPS staff: rooms with their members, messages (their text
is read-only: it is changed through the chat, where it is rendered and broadcast), reports."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chat.models import Membership, Message, Report, Room


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    fields = (
        "user",
        "role",
        "joined_at",
        "last_read_id",
        "notifications_muted",
        "silenced_until",
        "silenced_reason",
    )
    readonly_fields = ("joined_at", "last_read_id")


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "kind", "network", "message_count", "last_message_at", "is_archived")
    list_filter = ("kind", "network", "is_archived")
    search_fields = ("slug", "name", "description")
    raw_id_fields = ("created_by",)
    readonly_fields = ("created_at", "last_message_id", "last_message_at", "message_count")
    inlines = [MembershipInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "room", "author", "excerpt", "created_at", "edited_at", "deleted_at")
    list_filter = ("room__kind", "room__network")
    list_select_related = ("room", "author")
    search_fields = ("body", "author__username", "author__email", "room__slug")
    date_hierarchy = "created_at"
    raw_id_fields = ("room", "author", "deleted_by")
    readonly_fields = (
        "room",
        "author",
        "body",
        "body_html",
        "client_id",
        "created_at",
        "edited_at",
        "deleted_at",
        "deleted_by",
        "changed_at",
    )
    exclude = ("search_text",)

    @admin.display(description=_("message"))
    def excerpt(self, message):
        return message.body[:80]

    def has_add_permission(self, request):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "message", "reporter", "reason", "created_at", "resolved_at", "resolution")
    list_filter = ("reason", "resolution")
    list_select_related = ("message", "reporter")
    search_fields = ("note", "reporter__username", "message__body")
    raw_id_fields = ("message", "reporter", "resolved_by")
    readonly_fields = ("created_at",)
