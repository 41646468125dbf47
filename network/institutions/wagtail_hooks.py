"""DPS staff manage institutions and certifications in the Wagtail admin (/cms/)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from network.institutions.forms import StandardInput
from network.institutions.models import Certification, Institution


class InstitutionViewSet(SnippetViewSet):
    model = Institution
    icon = "site"
    menu_label = _("Institutions")
    list_display = ["name", "acronym", "country", "kind"]
    list_filter = ["country", "kind"]
    search_fields = ["name", "acronym"]
    search_backend_name = None  # plain database search: the model is not in the search index
    ordering = ["name"]
    copy_view_enabled = False
    panels = [
        FieldPanel("name"),
        FieldPanel("acronym"),
        FieldRowPanel([FieldPanel("country"), FieldPanel("kind")]),
        FieldPanel("website"),
        FieldPanel("description"),
    ]


class CertificationViewSet(SnippetViewSet):
    model = Certification
    icon = "tick-inverse"
    menu_label = _("Certifications")
    list_display = ["standard", "institution", "certifying_body", "valid_from", "valid_until"]
    list_filter = {
        "institution__country": ["exact"],
        "institution__kind": ["exact"],
        "valid_until": ["gte", "lte"],
    }
    search_fields = ["standard", "scope", "certifying_body", "certificate_number", "institution__name"]
    search_backend_name = None
    ordering = ["-valid_until"]
    panels = [
        FieldPanel("institution"),
        FieldPanel("standard", widget=StandardInput),
        FieldPanel("scope"),
        FieldRowPanel([FieldPanel("certifying_body"), FieldPanel("certificate_number")]),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")])], heading=_("Validity")
        ),
        FieldPanel("evidence_document"),
    ]

    def get_queryset(self, request):
        return Certification.objects.select_related("institution", "institution__country")


class InstitutionsGroup(SnippetViewSetGroup):
    items = (InstitutionViewSet, CertificationViewSet)
    menu_icon = "site"
    menu_label = _("Institutions")
    menu_name = "institutions"


register_snippet(InstitutionsGroup)
