"""Forms of the chat pages. They parse input and find the members named in it; limits and
permissions are decided by `chat.services` (the same checks the WebSocket uses), whose
refusals become form errors."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from chat import selectors
from chat.models import RoomKind
from network.models import Topic

MAX_GROUP_MEMBERS = 50
USERNAME_SEPARATORS = re.compile(r"[\s,;]+")


class MessageForm(forms.Form):
    # Not required and not stripped: an empty or oversized body gets the service's sentence.
    body = forms.CharField(label=_("Message"), required=False, strip=False, widget=forms.Textarea)
    client_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A fresh id per rendered form: a double submit stores the message once.
        self.fields["client_id"].initial = str(uuid.uuid4())
        self.fields["body"].widget.attrs.update(
            {
                "rows": 2,
                "maxlength": settings.PUENTE_CHAT_MAX_MESSAGE_CHARS,
                "data-chat-composer": "",
                "placeholder": _("Write a message"),
            }
        )


def parse_usernames(text: str) -> list[str]:
    """Usernames typed one after the other ("ana, @luis pedro"), in order, without repeats."""
    names = (name.lstrip("@") for name in USERNAME_SEPARATORS.split(text or ""))
    return list(dict.fromkeys(name for name in names if name))


def reachable_members(user, usernames: list[str]) -> tuple[list, list[str]]:
    """The active members `user` may write to (`can_start_direct`) among `usernames`, and
    the names that are not one of them (unknown and unreachable look the same)."""
    found = {member.username: member for member in get_user_model().objects.filter(username__in=usernames)}
    members, unknown = [], []
    for name in usernames:
        member = found.get(name)
        if member is not None and (member.pk == user.pk or selectors.can_start_direct(user, member)):
            members.append(member)
        else:
            unknown.append(name)
    return members, unknown


class PrivateGroupForm(forms.Form):
    name = forms.CharField(label=_("Name of the group"), max_length=120)
    members = forms.CharField(
        label=_("Members"),
        required=False,
        help_text=_("Their usernames, separated by commas or spaces, e.g. ana.lopez, jmartin"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_members(self):
        usernames = parse_usernames(self.cleaned_data["members"])
        if len(usernames) > MAX_GROUP_MEMBERS:
            raise forms.ValidationError(
                _("A group starts with at most %(limit)s members; invite more later."),
                params={"limit": MAX_GROUP_MEMBERS},
            )
        members, unknown = reachable_members(self.user, usernames)
        if unknown:
            raise forms.ValidationError(
                _("No member of your networks has this username: %(names)s"),
                params={"names": ", ".join(unknown)},
            )
        return members


class RoomForm(forms.Form):
    network = forms.ModelChoiceField(label=_("Network"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(RoomKind.NETWORK, RoomKind.NETWORK.label), (RoomKind.TOPIC, RoomKind.TOPIC.label)],
    )
    name = forms.CharField(label=_("Name of the room"), max_length=120)
    topic = forms.ModelChoiceField(
        label=_("Subject"), queryset=Topic.objects.order_by("order", "slug"), required=False
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=1000, widget=forms.Textarea
    )

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        from network.models import Network

        self.fields["network"].queryset = Network.objects.filter(pk__in=[n.pk for n in networks])
        self.fields["description"].widget.attrs["rows"] = 2


class InviteForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)

    def __init__(self, *args, user, room, **kwargs):
        self.user = user
        self.room = room
        super().__init__(*args, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"].strip().lstrip("@")
        member = get_user_model().objects.filter(username=username).first()
        if not selectors.can_invite(self.user, self.room, member):
            raise forms.ValidationError(
                _("No member of your networks has this username: %(names)s"), params={"names": username}
            )
        return member
