from django.contrib import admin

from .models import Language, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "country", "institution", "position", "updated_at"]
    list_filter = ["country", "contact_preference"]
    search_fields = [
        "user__display_name",
        "user__username",
        "user__email",
        "position",
        "institution_name_other",
    ]
    list_select_related = ["user", "country", "institution"]
    raw_id_fields = ["user", "institution"]
    filter_horizontal = ["expertise", "languages_spoken"]
    readonly_fields = ["sort_name", "search_document", "created_at", "updated_at"]
    exclude = ["search_vector"]
    show_full_result_count = False  # no COUNT(*) over every profile on each page

    def has_add_permission(self, request):
        return False  # a profile is created with its member

    def save_related(self, request, form, formsets, change):
        from .services import profile_refresh_search

        super().save_related(request, form, formsets, change)
        # Expertise is saved by now: what can be searched follows what is shown.
        profile_refresh_search(profile=form.instance)


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_es", "name_pt", "name_fr", "order"]
    list_editable = ["order"]
