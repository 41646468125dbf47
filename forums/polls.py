"""Polls in a topic: created with the topic, voted on by members who may read it.

A poll takes one answer or several (`multiple`), may close at a date, and shows its
results to a member after they voted or to everyone once it is closed. Changing a vote
replaces it. Who may vote is decided by `can_vote` (one rule for the view, the template
and the service); a member who may not read the category never learns the poll exists.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forums.models import Poll, PollOption, PollVote
from forums.selectors import can_moderate, can_read_category
from network.permissions import is_member, may_act

MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_QUESTION_LENGTH = 300
MAX_OPTION_LENGTH = 200


class PollError(ValidationError):
    """A vote or poll refused, with a translated message for the member."""


# --- permissions --------------------------------------------------------------------------


def can_see_poll(user, poll) -> bool:
    """The poll's topic is readable: its category, and a visible topic (or a moderator)."""
    topic = poll.topic
    if not can_read_category(user, topic.category):
        return False
    return topic.is_visible or can_moderate(user, topic.category)


def can_vote(user, poll) -> bool:
    """A signed-in member who may act and may read the topic; the poll is open."""
    return is_member(user) and may_act(user) and not poll.is_closed and can_see_poll(user, poll)


# --- creating -----------------------------------------------------------------------------


def _clean_options(options) -> list[str]:
    labels = []
    seen = set()
    for raw in options or ():
        label = " ".join(str(raw).split())
        if not label:
            continue
        if len(label) > MAX_OPTION_LENGTH:
            raise PollError(
                _("Each option may be at most %(limit)d characters long."),
                code="option_too_long",
                params={"limit": MAX_OPTION_LENGTH},
            )
        if label.casefold() in seen:
            raise PollError(
                _("The option “%(option)s” is listed twice."), code="duplicate", params={"option": label}
            )
        seen.add(label.casefold())
        labels.append(label)
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        raise PollError(
            _("A poll needs between %(min)d and %(max)d options, one per line."),
            code="option_count",
            params={"min": MIN_OPTIONS, "max": MAX_OPTIONS},
        )
    return labels


class PollForm(forms.Form):
    """The optional poll of a new topic.

    Left blank, the form is valid and `cleaned_data` is `{}` (no poll), unless built with
    `require=True` (the member asked for a poll: blank is an error). Filled in, its
    `cleaned_data` holds exactly the keyword arguments of `poll_create` but `topic`.
    Use a prefix (`PollForm(request.POST, prefix="poll")`) beside the topic form.
    """

    question = forms.CharField(label=_("Poll question"), max_length=MAX_QUESTION_LENGTH, required=False)
    options = forms.CharField(
        label=_("Options"),
        help_text=_("One option per line, between 2 and 10."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=(MAX_OPTION_LENGTH + 1) * MAX_OPTIONS * 2,
    )
    multiple = forms.BooleanField(label=_("Allow several answers"), required=False)
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        help_text=_("Optional. Leave empty to keep the poll open."),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, require: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.require = require

    def clean_options(self) -> list[str]:
        text = self.cleaned_data.get("options") or ""
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines:
            return []
        try:
            return _clean_options(lines)
        except PollError as error:
            raise forms.ValidationError(error.messages) from error

    def clean_closes_at(self):
        closes_at = self.cleaned_data.get("closes_at")
        if closes_at is not None and closes_at <= timezone.now():
            raise forms.ValidationError(_("The closing date must be in the future."), code="past")
        return closes_at

    def clean(self):
        data = super().clean()
        question = (data.get("question") or "").strip()
        options = data.get("options") or []
        if self.errors:
            return data
        if not question and not options:
            if self.require:
                raise forms.ValidationError(_("Write the poll’s question and its options, one per line."))
            if data.get("multiple") or data.get("closes_at"):
                raise forms.ValidationError(
                    _("Write the poll’s question and options, or leave them all empty.")
                )
            return {}  # no poll
        if not question:
            self.add_error("question", _("Write the poll’s question."))
        if not options:
            self.add_error(
                "options",
                _("A poll needs between %(min)d and %(max)d options, one per line.")
                % {"min": MIN_OPTIONS, "max": MAX_OPTIONS},
            )
        return {
            "question": question,
            "options": options,
            "multiple": bool(data.get("multiple")),
            "closes_at": data.get("closes_at"),
        }


def poll_create(*, topic, question, options, multiple=False, closes_at=None) -> Poll:
    """Create the poll of `topic` with its options (in order). Raises PollError on bad input.

    Runs in the caller's transaction (topic_create's), so a refused poll stores nothing.
    """
    question = " ".join(str(question or "").split())
    if not question:
        raise PollError(_("Write the poll’s question."), code="question")
    if len(question) > MAX_QUESTION_LENGTH:
        raise PollError(
            _("The question may be at most %(limit)d characters long."),
            code="question_too_long",
            params={"limit": MAX_QUESTION_LENGTH},
        )
    labels = _clean_options(options)
    if Poll.objects.filter(topic=topic).exists():
        raise PollError(_("This topic already has a poll."), code="exists")
    with transaction.atomic():
        poll = Poll.objects.create(
            topic=topic, question=question, multiple=bool(multiple), closes_at=closes_at
        )
        PollOption.objects.bulk_create(
            [PollOption(poll=poll, label=label, position=index) for index, label in enumerate(labels)]
        )
    return poll


# --- voting -------------------------------------------------------------------------------


def _option_ids(raw) -> list[int]:
    ids = []
    for value in raw or ():
        try:
            number = int(str(value)[:20])
        except (TypeError, ValueError):
            raise PollError(_("Choose among the poll’s options."), code="invalid_option") from None
        if number not in ids:
            ids.append(number)
    return ids


def poll_vote(*, user, poll, option_ids) -> list[PollVote]:
    """Record `user`'s answer to `poll`, replacing any earlier one; return the new votes.

    Refused with PollError (nothing changed) when the poll is closed, the member may not
    vote, no option or an unknown option is chosen, or several for a single-choice poll.
    Atomic; the poll row is locked so two tabs of the same member can't mix their answers.
    """
    chosen = _option_ids(option_ids)
    if not can_see_poll(user, poll) or not is_member(user) or not may_act(user):
        raise PollError(_("You can’t vote in this poll."), code="forbidden")
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.is_closed:
            raise PollError(_("This poll is closed: votes are no longer accepted."), code="closed")
        if not chosen:
            raise PollError(_("Choose an option before voting."), code="empty")
        if len(chosen) > 1 and not poll.multiple:
            raise PollError(_("This poll takes only one answer."), code="single")
        options = set(PollOption.objects.filter(poll=poll, pk__in=chosen).values_list("pk", flat=True))
        if len(options) != len(chosen):
            raise PollError(_("Choose among the poll’s options."), code="invalid_option")
        PollVote.objects.filter(poll=poll, user=user).delete()
        now = timezone.now()
        return PollVote.objects.bulk_create(
            [PollVote(poll=poll, option_id=option_id, user=user, created_at=now) for option_id in chosen]
        )


# --- reading ------------------------------------------------------------------------------


def _vote_url(poll) -> str:
    try:
        return reverse("forums:poll_vote", args=[poll.pk])
    except NoReverseMatch:  # pragma: no cover - only while the forums' URLs are being assembled
        return ""


def poll_context(poll, user) -> dict:
    """Everything `forums/_poll.html` shows, in three queries whatever the number of votes.

    Keys: id, question, multiple, input_type ("radio"/"checkbox"), is_closed, closes_at,
    options (list of {id, label, votes, percent, chosen}), voters, has_voted, can_vote,
    show_results, signed_in, vote_url.
    """
    options = list(poll.options.annotate(vote_count=Count("votes")).order_by("position", "pk"))
    mine: set[int] = set()
    if is_member(user):
        mine = set(PollVote.objects.filter(poll=poll, user=user).values_list("option_id", flat=True))
    voters = PollVote.objects.filter(poll=poll).values("user_id").distinct().count()
    has_voted = bool(mine)
    is_closed = poll.is_closed
    return {
        "id": poll.pk,
        "question": poll.question,
        "multiple": poll.multiple,
        "input_type": "checkbox" if poll.multiple else "radio",
        "is_closed": is_closed,
        "closes_at": poll.closes_at,
        "options": [
            {
                "id": option.pk,
                "label": option.label,
                "votes": option.vote_count,
                "percent": round(100 * option.vote_count / voters) if voters else 0,
                "chosen": option.pk in mine,
            }
            for option in options
        ],
        "voters": voters,
        "has_voted": has_voted,
        "can_vote": can_vote(user, poll),
        "show_results": has_voted or is_closed,
        "signed_in": is_member(user),
        "vote_url": _vote_url(poll),
    }
