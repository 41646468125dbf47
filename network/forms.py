from django import forms
from django.utils.translation import gettext_lazy as _

from network.models import Announcement, Delivery


class NotificationPreferencesForm(forms.Form):
    """One choice per registered notification type."""

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        for verb, label, delivery in preferences:
            # Not required: a type left out of the form keeps its current choice.
            self.fields[verb] = forms.ChoiceField(
                label=label, choices=Delivery.choices, initial=delivery, required=False
            )


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


class ApplicationForm(forms.ModelForm):
    class Meta:
        from network.models import MembershipApplication

        model = MembershipApplication
        fields = ["network", "institution_name", "position", "country", "reason", "reference"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks
        self.fields["network"].label = _("Network")
        self.fields["network"].empty_label = None
        self.fields["country"].empty_label = _("Choose your country")


class ApplicationAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000
    )


class ApplicationDecisionForm(forms.Form):
    DECISIONS = [
        ("approve", _("Approve")),
        ("request_info", _("Ask for more information")),
        ("reject", _("Reject")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you reject or ask for more information."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in ("reject", "request_info") and not cleaned.get("message", "").strip():
            self.add_error("message", _("Write a message for the applicant."))
        return cleaned


class MembershipActionForm(forms.Form):
    ACTIONS = [
        ("suspend", _("Suspend")),
        ("reinstate", _("Reinstate")),
        ("set_role", _("Change role")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)

    def __init__(self, *args, **kwargs):
        from network.models import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices
