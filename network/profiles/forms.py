from django import forms
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from network.institutions.models import Institution
from network.models import Country, Network, Topic

from .models import BIO_MAX_LENGTH, VISIBILITY_FIELDS, Language, Profile
from .photos import ACCEPTED_CONTENT_TYPES, process_photo

QUERY_MAX_LENGTH = 200


class DirectoryFilterForm(forms.Form):
    """The directory's search and filters (GET). A value that is not valid is reported and
    ignored; the others still apply."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": QUERY_MAX_LENGTH}),
        help_text=_("A name, institution, position, area of expertise or country."),
    )
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.all(), required=False, empty_label=_("Any country")
    )
    network = forms.ModelChoiceField(
        label=_("Network"),
        queryset=Network.objects.none(),
        required=False,
        empty_label=_("Any of my networks"),
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.order_by("name"),
        required=False,
        empty_label=_("Any institution"),
    )
    topic = forms.ModelChoiceField(
        label=_("Area of expertise"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("Any area"),
    )
    language = forms.ModelChoiceField(
        label=_("Language spoken"),
        queryset=Language.objects.all(),
        required=False,
        empty_label=_("Any language"),
    )

    def __init__(self, *args, network_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        networks = Network.objects.order_by("name")
        self.fields["network"].queryset = (
            networks if network_ids is None else networks.filter(pk__in=network_ids)
        )

    def clean_q(self):
        # A very long query is cut, not refused: the page stays usable.
        return " ".join(self.cleaned_data.get("q", "").split())[:QUERY_MAX_LENGTH]

    def filters(self) -> dict:
        """The valid filters only (call after is_valid())."""
        data = getattr(self, "cleaned_data", {})
        picked = {
            "q": data.get("q") or "",
            "country": data["country"].pk if data.get("country") else None,
            "network": data["network"].pk if data.get("network") else None,
            "institution": data["institution"].pk if data.get("institution") else None,
            "topic": data["topic"].pk if data.get("topic") else None,
            "language": data["language"].pk if data.get("language") else None,
        }
        return picked

    FILTER_FIELDS = ("country", "network", "institution", "topic", "language")

    def filter_fields(self) -> list[dict]:
        """What the template needs to draw each filter's <select>. The options are joined here:
        Django's widget templates cost a template include per option (~130 on this page)."""
        fields = []
        for name in self.FILTER_FIELDS:
            field = self.fields[name]
            key = field.to_field_name or "pk"
            selected = str(self.data.get(name, "")) if self.is_bound else ""
            options = (
                (value, mark_safe(" selected") if value == selected else "", field.label_from_instance(obj))  # noqa: S308
                for obj in field.queryset
                for value in (str(getattr(obj, key)),)
            )
            fields.append(
                {
                    "name": name,
                    "label": field.label,
                    "empty_label": field.empty_label,
                    "options": format_html_join("", '<option value="{}"{}>{}</option>', options),
                    "errors": self.errors.get(name, []) if self.is_bound else [],
                }
            )
        return fields

    @property
    def is_filtered(self) -> bool:
        return any(self.filters().values())


class ProfileForm(forms.ModelForm):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=150,
        help_text=_("Always shown to the members who can see your profile."),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_CONTENT_TYPES}),
        help_text=_("JPEG, PNG or WebP, at most 5 MB. We crop it to a square and remove its metadata."),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)

    class Meta:
        model = Profile
        fields = [
            "country",
            "institution",
            "institution_name_other",
            "position",
            "expertise",
            "languages_spoken",
            "languages_other",
            "bio",
            "contact_preference",
            *(f"{name}_visibility" for name in VISIBILITY_FIELDS),
        ]
        widgets = {
            "expertise": forms.CheckboxSelectMultiple,
            "languages_spoken": forms.CheckboxSelectMultiple,
            "contact_preference": forms.RadioSelect,
            "bio": forms.Textarea(attrs={"rows": 6, "maxlength": BIO_MAX_LENGTH}),
        }
        help_texts = {
            "bio": _("Plain text, at most 1,000 characters."),
            "languages_other": _("Separate them with commas."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["display_name"].initial = user.display_name or user.name
        self.fields["institution"].queryset = Institution.objects.order_by("name")
        self.fields["country"].empty_label = _("Not given")
        self.fields["institution"].empty_label = _("Not in the list")
        self.fields["photo"].widget = forms.FileInput(attrs={"accept": ACCEPTED_CONTENT_TYPES})
        if not self.instance.photo:
            del self.fields["remove_photo"]

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        return process_photo(upload) if upload else None

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in self._meta.fields
            if name not in ("expertise", "languages_spoken") and name in data
        }
        return {
            "display_name": data["display_name"],
            "values": values,
            "expertise": data.get("expertise", []),
            "languages": data.get("languages_spoken", []),
            "photo": data.get("photo"),
            "remove_photo": data.get("remove_photo", False),
        }
