from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import VISIBILITY_FIELDS, Profile


class ProfilePermissionPolicy(ModelPermissionPolicy):
    """A profile belongs to its member and is created with them: never added from the admin."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


register_permission_policy(Profile, ProfilePermissionPolicy(Profile), exact_class=True)


class ProfileViewSet(SnippetViewSet):
    """DPS staff look members up from /cms/."""

    model = Profile
    icon = "user"
    menu_label = _("Member profiles")
    add_to_admin_menu = True
    list_display = ["user", "country", "institution", "position", "updated_at"]
    list_filter = ["country", "institution"]
    search_fields = [
        "user__display_name",
        "user__username",
        "user__email",
        "position",
        "institution_name_other",
    ]
    search_backend_name = None  # plain database lookups: profiles are not in the Wagtail index
    list_per_page = 50
    ordering = ["sort_name", "id"]
    panels = [
        FieldPanel("user", read_only=True),
        FieldPanel("country"),
        FieldPanel("institution"),
        FieldPanel("institution_name_other"),
        FieldPanel("position"),
        FieldPanel("expertise", widget=forms.CheckboxSelectMultiple),
        FieldPanel("languages_spoken", widget=forms.CheckboxSelectMultiple),
        FieldPanel("languages_other"),
        FieldPanel("bio"),
        FieldPanel("contact_preference"),
        *(FieldPanel(f"{name}_visibility") for name in VISIBILITY_FIELDS),
    ]

    def get_queryset(self, request):
        return Profile.objects.select_related("user", "country", "institution")


register_snippet(ProfileViewSet)


@hooks.register("after_edit_snippet")
def refresh_profile_search(request, instance):
    """Staff changed a profile: what can be searched follows what is now shown."""
    if isinstance(instance, Profile):
        from .services import profile_refresh_search

        profile_refresh_search(profile=instance)
