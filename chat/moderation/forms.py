import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import ReportReason
from chat.moderation.services import NOTE_MAX_LENGTH, REASON_MAX_LENGTH

SILENCE_DURATIONS = {
    "1h": (datetime.timedelta(hours=1), _("One hour")),
    "1d": (datetime.timedelta(days=1), _("One day")),
    "7d": (datetime.timedelta(days=7), _("One week")),
    "30d": (datetime.timedelta(days=30), _("30 days")),
}


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should a moderator look at this message?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose why you are reporting this message."),
            "invalid_choice": _("Choose why you are reporting this message."),
        },
    )
    note = forms.CharField(
        label=_("Details for the moderators (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    """A decision on a reported message: a note for the audit trail only."""

    reason = forms.CharField(
        label=_("Note for the audit log (optional)"), required=False, max_length=REASON_MAX_LENGTH
    )


class SilenceForm(forms.Form):
    duration = forms.ChoiceField(
        label=_("For how long?"),
        choices=[(key, label) for key, (_length, label) in SILENCE_DURATIONS.items()],
        initial="1d",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how long the silence lasts."),
            "invalid_choice": _("Choose how long the silence lasts."),
        },
    )
    reason = forms.CharField(
        label=_("Reason (the member is told)"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason: the member will be told.")},
    )

    def until(self) -> datetime.datetime:
        return timezone.now() + SILENCE_DURATIONS[self.cleaned_data["duration"]][0]
