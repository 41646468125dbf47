"""Forms of the forums. They only parse input; limits and permissions are checked by the
services (the same checks the WebSocket uses), whose refusals become form errors."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from forums.models import TopicKind
from network.models import Topic as Tag


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Message"))
        kwargs.setdefault(
            "help_text",
            _(
                "Markdown: **bold**, _italic_, > quote, - list, [link](https://…). "
                "Mention someone with @username."
            ),
        )
        kwargs.setdefault("required", False)  # an empty message gets the service's own sentence
        kwargs.setdefault("strip", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 8, "data-composer": ""}))
        super().__init__(**kwargs)


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = BodyField()
    kind = forms.ChoiceField(label=_("Kind"), choices=TopicKind.choices, initial=TopicKind.DISCUSSION)
    language = forms.ChoiceField(label=_("Language of the topic"), choices=settings.LANGUAGES)
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ReplyForm(forms.Form):
    body = BodyField(label=_("Your reply"))
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    client_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class EditForm(forms.Form):
    body = BodyField()
