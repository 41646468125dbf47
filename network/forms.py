from django import forms
from django.utils.translation import gettext_lazy as _

from network.models import Announcement, Delivery


class NotificationPreferencesForm(forms.Form):
    """One choice per registered notification type."""

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        for verb, label, delivery in preferences:
            self.fields[verb] = forms.ChoiceField(label=label, choices=Delivery.choices, initial=delivery)


class AnnouncementForm(forms.ModelForm):
    url = forms.URLField(
        label=_("link"),
        required=False,
        assume_scheme="https",
        help_text=_("Optional: a page the members should open."),
    )

    class Meta:
        model = Announcement
        fields = ["title", "body", "url"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}
