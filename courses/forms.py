"""Forms of the learner pages. They only parse input: who may do what, and every limit, is
decided by `courses.selectors` and `courses.services`, whose refusals become messages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.models import CourseFormat, Level

MAX_QUERY_LENGTH = 100
MAX_EXERCISE_TEXT = 20_000


def _language_choices():
    return [("", _("Any language"))] + [
        (code, settings.LANGUAGE_NAMES_TRANSLATED.get(code, name)) for code, name in settings.LANGUAGES
    ]


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters. A value that is not understood is dropped, never an error page."""

    q = forms.CharField(label=_("Search courses"), required=False, max_length=MAX_QUERY_LENGTH)
    network = forms.ChoiceField(label=_("Network"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", pgettext_lazy("level", "Any"))] + Level.choices
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", pgettext_lazy("format", "Any"))] + CourseFormat.choices,
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    accredited = forms.BooleanField(label=_("Accredited by a university"), required=False)

    def __init__(self, data=None, *, networks=(), topics=()):
        super().__init__(data)
        self.fields["network"].choices = [("", _("All networks"))] + [(n.slug, n.name) for n in networks]
        self.fields["language"].choices = _language_choices()
        self.fields["topic"].choices = [("", _("All topics"))] + [(t.slug, t.name) for t in topics]

    def filters(self) -> dict:
        """The valid filters as keyword arguments of `selectors.catalogue` (bad ones left out)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        filters = {}
        query = " ".join(str(self.data.get("q", "")).split())[:MAX_QUERY_LENGTH]
        if query:
            filters["query"] = query
        for key in ("network", "language", "level", "format", "topic"):
            if cleaned.get(key):
                filters[key] = cleaned[key]
        if cleaned.get("accredited"):
            filters["accredited"] = True
        return filters


class ApplicationForm(forms.Form):
    nominated_by = forms.ChoiceField(
        label=_("Nominated by"),
        required=False,
        help_text=_("The institution that nominates you for this course, if any."),
    )
    motivation = forms.CharField(
        label=_("Why do you want to take part?"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, data=None, *, institutions=()):
        super().__init__(data)
        self.fields["nominated_by"].choices = [("", _("No nomination"))] + [
            (str(institution.pk), str(institution)) for institution in institutions
        ]


class ExerciseSubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=MAX_EXERCISE_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word (DOCX), OpenDocument text (ODT) or an image."),
        widget=forms.FileInput(
            attrs={"accept": ".pdf,.docx,.odt,.png,.jpg,.jpeg,.webp,application/pdf,image/*"}
        ),
    )

    def __init__(self, *args, allows_file=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not allows_file:
            del self.fields["upload"]
