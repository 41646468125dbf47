from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from network.models import Announcement, Notification, NotificationPreference, User


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
