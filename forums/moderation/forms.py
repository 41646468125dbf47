import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forums.moderation.models import FlagReason
from forums.moderation.services import NOTE_MAX_LENGTH, REASON_MAX_LENGTH


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should a moderator look at this post?"),
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why you are flagging this post.")},
    )
    note = forms.CharField(
        label=_("Details for the moderators (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    """A moderation decision the member is told about: the reason is required."""

    reason = forms.CharField(
        label=_("Reason (the author is told)"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason: the member will be told.")},
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Note for the audit log (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


TOPIC_URL = re.compile(r"/t/(\d+)(?:/|$)")


class TopicActionForm(forms.Form):
    ACTIONS = [
        ("lock", _("Lock (no more replies)")),
        ("unlock", _("Unlock")),
        ("pin", _("Pin to the top of the category")),
        ("unpin", _("Unpin")),
        ("move", _("Move to another category")),
        ("merge", _("Merge into another topic")),
    ]

    action = forms.ChoiceField(
        label=_("Action"),
        choices=ACTIONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an action."), "invalid_choice": _("Choose an action.")},
    )
    category = forms.ModelChoiceField(
        label=_("Category (to move to)"),
        queryset=None,
        required=False,
        empty_label=_("Choose a category"),
        error_messages={"invalid_choice": _("Choose one of the categories you moderate.")},
    )
    target = forms.CharField(
        label=_("Topic to merge into (its number or address)"),
        required=False,
        max_length=500,
    )
    reason = forms.CharField(
        label=_("Note for the audit log (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, topic, categories, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what applies to this topic now: "unlock" for a locked one, "lock" otherwise.
        hidden = {"lock" if topic.is_locked else "unlock", "pin" if topic.is_pinned else "unpin"}
        self.fields["action"].choices = [choice for choice in self.ACTIONS if choice[0] not in hidden]
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda category: (
            f"{category.network.short_name} › {category.name}"
        )

    def clean_target(self) -> int | None:
        value = self.cleaned_data["target"].strip()
        if not value:
            return None
        if value.isdigit():
            return int(value)
        found = TOPIC_URL.search(value)
        if found:
            return int(found.group(1))
        raise forms.ValidationError(_("Give the number of the topic or paste its address."))

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "move" and not cleaned.get("category") and "category" not in self.errors:
            self.add_error("category", _("Choose the category to move the topic to."))
        if action == "merge" and not cleaned.get("target") and "target" not in self.errors:
            self.add_error("target", _("Give the number of the topic or paste its address."))
        return cleaned


class MemberActionForm(forms.Form):
    DURATIONS = [
        ("1", _("1 day")),
        ("3", _("3 days")),
        ("7", _("1 week")),
        ("30", _("30 days")),
        ("90", _("90 days")),
        ("", _("Until a moderator lifts it")),
    ]
    ACTIONS = [
        ("silence", _("Silence: may read but not post in this network's forums")),
        ("lift", _("Lift the silence")),
        ("suspend", _("Suspend the membership of the network (managers)")),
    ]

    action = forms.ChoiceField(
        label=_("Action"),
        choices=ACTIONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an action."), "invalid_choice": _("Choose an action.")},
    )
    duration = forms.ChoiceField(label=_("For how long"), choices=DURATIONS, required=False, initial="7")
    reason = forms.CharField(
        label=_("Reason (the member is told)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, may_suspend: bool, silenced: bool, **kwargs):
        super().__init__(*args, **kwargs)
        hidden = set() if silenced else {"lift"}
        if not may_suspend:
            hidden.add("suspend")
        self.fields["action"].choices = [choice for choice in self.ACTIONS if choice[0] not in hidden]

    def until(self) -> datetime.datetime | None:
        days = self.cleaned_data.get("duration")
        return timezone.now() + datetime.timedelta(days=int(days)) if days else None
