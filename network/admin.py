from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from network.models import (
    Announcement,
    AuditEntry,
    Country,
    Membership,
    MembershipApplication,
    Network,
    Notification,
    NotificationPreference,
    Topic,
    User,
)


@admin.register(User)
class PuenteUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + ((_("Puente"), {"fields": ("display_name", "language")}),)
    list_display = ("username", "email", "display_name", "language", "is_staff", "is_active")
    search_fields = ("username", "email", "display_name", "first_name", "last_name")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "recipient", "verb", "created_at", "read_at", "emailed_at")
    list_filter = ("verb",)
    raw_id_fields = ("recipient", "actor")
    search_fields = ("recipient__email",)


admin.site.register(NotificationPreference)


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "created_at", "recipients_done", "recipients_total")
    raw_id_fields = ("author",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log is read-only, here as everywhere."""

    list_display = ("created_at", "action", "actor", "subject_user", "network", "reason")
    list_filter = ("action", "network")
    search_fields = ("reason", "actor__email", "subject_user__email")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Network)
admin.site.register(
    Membership,
    list_display=("user", "network", "role", "status"),
    list_filter=("network", "role", "status"),
    raw_id_fields=("user",),
)
admin.site.register(
    MembershipApplication,
    list_display=("applicant", "network", "status", "created_at"),
    list_filter=("network", "status"),
    raw_id_fields=("applicant", "reviewed_by"),
)
admin.site.register(Country)
admin.site.register(Topic)
