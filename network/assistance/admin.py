from django.contrib import admin

from .models import AssistanceRequest, RequestUpdate


class RequestUpdateInline(admin.TabularInline):
    model = RequestUpdate
    extra = 0
    raw_id_fields = ("author",)


@admin.register(AssistanceRequest)
class AssistanceRequestAdmin(admin.ModelAdmin):
    list_display = ("title", "country", "topic", "status", "created_at")
    list_filter = ("status", "country", "topic")
    search_fields = ("title", "institution_name", "description")
    raw_id_fields = ("requester", "assigned_to")
    inlines = [RequestUpdateInline]
