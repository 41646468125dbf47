from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import AssistanceRequest


class AssistanceRequestViewSet(SnippetViewSet):
    model = AssistanceRequest
    icon = "help"
    menu_label = _("Assistance requests")
    list_display = ["title", "country", "topic", "status", "created_at"]
    list_filter = ["status", "country", "topic"]
    search_fields = ["title", "institution_name", "description"]
    add_to_admin_menu = True


register_snippet(AssistanceRequestViewSet)
