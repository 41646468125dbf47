"""Pages of chat moderation: reporting a message, the moderators' queue, and their actions
(remove, dismiss, silence, lift). Rules: chat.selectors; those who may not know that a room
or message exists get 404, those who know it but may not moderate it 403."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat import selectors
from chat.moderation import selectors as moderation
from chat.moderation import services
from chat.moderation.forms import NoteForm, ReportForm, SilenceForm
from chat.services import ChatError

QUEUE_PER_PAGE = 20


def _data(request):
    return request.POST if request.method == "POST" else None


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _queue_url() -> str:
    return reverse("chat:moderation")


def _message_in_sight(request, message_id: int):
    """The message, or 404 for someone who neither reads nor moderates its room."""
    message = moderation.message_for_moderation(message_id)
    if message is None:
        raise Http404
    if not selectors.can_read_room(request.user, message.room) and not selectors.can_moderate_room(
        request.user, message.room
    ):
        raise Http404
    return message


def _moderated_message(request, message_id: int):
    message = _message_in_sight(request, message_id)
    if not selectors.can_moderate_room(request.user, message.room):
        raise PermissionDenied
    return message


def _moderated_room(request, slug: str):
    room = selectors.room_by_slug(slug)
    if room is None or not (
        selectors.can_read_room(request.user, room) or selectors.can_moderate_room(request.user, room)
    ):
        raise Http404
    if not selectors.can_moderate_room(request.user, room):
        raise PermissionDenied
    return room


def message_url(message) -> str:
    return f"{reverse('chat:room', args=[message.room.slug])}?around={message.pk}"


@login_required
def queue(request):
    if not moderation.can_use_moderation(request.user):
        raise PermissionDenied
    page = Paginator(moderation.reported_messages_for(request.user), QUEUE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "chat/moderation/queue.html",
        {
            "page": page,
            "silenced": list(moderation.silenced_members_for(request.user)[:100]),
            "here": request.get_full_path(),
        },
    )


@login_required
def report(request, message_id: int):
    message = _message_in_sight(request, message_id)
    if not selectors.can_read_room(request.user, message.room):
        raise Http404
    back = _back(request, message_url(message))
    form = ReportForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.report_message(request.user, message, **form.cleaned_data)
        except ChatError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you. The moderators will look at this message."))
            return redirect(back)
    return render(
        request,
        "chat/moderation/report.html",
        {
            "message": message,
            "form": form,
            "back": back,
            "can_report": selectors.can_report(request.user, message),
        },
        status=400 if request.method == "POST" else 200,
    )


def _act_on_message(request, message_id: int, act, done: str):
    message = _moderated_message(request, message_id)
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise ChatError(_("The note is too long."))
        act(message, form.cleaned_data["reason"])
    except ChatError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(_back(request, _queue_url()))


@login_required
@require_POST
def remove(request, message_id: int):
    return _act_on_message(
        request,
        message_id,
        lambda message, reason: services.remove_message(request.user, message, reason=reason),
        _("The message was removed."),
    )


@login_required
@require_POST
def dismiss(request, message_id: int):
    return _act_on_message(
        request,
        message_id,
        lambda message, reason: services.dismiss_reports(request.user, message, reason=reason),
        _("The reports are dismissed; the message stays."),
    )


@login_required
def silence(request, slug: str, username: str):
    room = _moderated_room(request, slug)
    member = get_object_or_404(get_user_model(), username=username)
    membership = selectors.membership_of(member, room)
    form = SilenceForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.silence_member(
                request.user, room, member, until=form.until(), reason=form.cleaned_data["reason"]
            )
        except ChatError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s may read but not write in this room.") % {"name": member})
            return redirect(_back(request, _queue_url()))
    return render(
        request,
        "chat/moderation/silence.html",
        {
            "room": room,
            "member": member,
            "membership": membership,
            "silenced": membership is not None and membership.is_silenced(),
            "may_silence": selectors.can_silence(request.user, room, member),
            "form": form,
            "back": _back(request, _queue_url()),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def lift(request, slug: str, username: str):
    room = _moderated_room(request, slug)
    member = get_object_or_404(get_user_model(), username=username)
    form = NoteForm(request.POST)
    try:
        services.lift_silence(request.user, room, member, reason=form.data.get("reason", "")[:300])
    except ChatError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s may write in this room again.") % {"name": member})
    return redirect(_back(request, _queue_url()))
