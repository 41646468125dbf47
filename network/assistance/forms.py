from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from network.permissions import DPS_STAFF_GROUP

from .models import AssistanceRequest, RequestStatus


class AssistanceRequestForm(forms.ModelForm):
    class Meta:
        model = AssistanceRequest
        fields = [
            "institution_name",
            "country",
            "topic",
            "title",
            "description",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}


class TriageForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RequestStatus.choices)
    assigned_to = forms.ModelChoiceField(label=_("Assigned to"), required=False, queryset=None)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    internal = forms.BooleanField(label=_("Internal note (DPS staff only)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = (
            get_user_model()
            .objects.filter(Q(is_staff=True) | Q(groups__name=DPS_STAFF_GROUP), is_active=True)
            .distinct()
            .order_by("display_name")
        )
