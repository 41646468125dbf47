from django import forms
from django.utils.translation import gettext_lazy as _

from network.institutions.models import STANDARD_SUGGESTIONS, InstitutionKind
from network.institutions.selectors import SORTS, STATUS_FILTERS, InstitutionFilters
from network.models import Country


class InstitutionFilterForm(forms.Form):
    """The list's filters (GET). A value that does not validate is reported and ignored."""

    q = forms.CharField(label=_("Search by name or acronym"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *InstitutionKind.choices]
    )
    status = forms.ChoiceField(label=_("Certification"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("name", _("Name")), ("country", _("Country"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries"))] + [
            (code, code) for code in Country.objects.values_list("code", flat=True)
        ]
        self.fields["status"].choices = [("", _("Any"))] + [(value, value) for value in STATUS_FILTERS]

    def filters(self) -> InstitutionFilters:
        """The valid filters; with no data at all, none."""
        if not self.is_bound:
            return InstitutionFilters()
        self.is_valid()
        data = {
            name: self.cleaned_data.get(name) or "" for name in ("q", "country", "kind", "status", "sort")
        }
        data["q"] = data["q"].strip()
        if data["sort"] not in SORTS:
            data["sort"] = "name"
        return InstitutionFilters(**data)


class StandardInput(forms.TextInput):
    """A text box that suggests the usual standards (an HTML datalist) but accepts any."""

    template_name = "institutions/widgets/standard_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id') or name}-suggestions"
        context["widget"]["attrs"]["list"] = list_id
        context["widget"]["list_id"] = list_id
        context["widget"]["suggestions"] = STANDARD_SUGGESTIONS
        return context
