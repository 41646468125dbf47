"""Chat pages: thin views over chat.selectors (who may see and do what) and chat.services
(every write). A room the member may not read answers 404, its page and every URL below
it alike, as a room that does not exist.

Every page works without JavaScript (forms and links); chat/static/chat/chat.js makes the
room live over the tab's WebSocket.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chat import selectors, services
from chat.forms import InviteForm, MessageForm, PrivateGroupForm, RoomForm
from chat.models import REACTIONS, RoomKind, RoomRole
from chat.services import ChatError

STATUS_FOR_CODE = {"invalid": 400, "forbidden": 403, "rate_limited": 429}
PAGE = selectors.HISTORY_PAGE
MEMBERS_SHOWN = 50
SEARCH_QUERY_CHARS = 200
REPORT_ID_PLACEHOLDER = 2147483647  # chat.js puts a message's id in its place
REACTION_LABELS = {
    "like": gettext_lazy("Like"),
    "heart": gettext_lazy("Love"),
    "laugh": gettext_lazy("Funny"),
    "thanks": gettext_lazy("Thanks"),
    "check": gettext_lazy("Done"),
}


def _readable_room(request, slug):
    room = selectors.room_by_slug(slug)
    if not selectors.can_read_room(request.user, room):
        raise Http404
    return room


def _room_url(room) -> str:
    return reverse("chat:room", args=[room.slug])


def _room_title(room, partner) -> str:
    if room.kind == RoomKind.DIRECT:
        return str(partner) if partner is not None else _("Direct messages")
    return room.name or room.slug


# --- the list of rooms ------------------------------------------------------------------------


def _index_context(user, *, group_form=None, room_form=None) -> dict:
    memberships = list(selectors.memberships_with_unread(user))
    direct_ids = [m.room_id for m in memberships if m.room.kind == RoomKind.DIRECT]
    partners = selectors.direct_partners(user, direct_ids)
    for membership in memberships:
        membership.title = _room_title(membership.room, partners.get(membership.room_id))
    networks = selectors.networks_for_new_room(user)
    if group_form is None and selectors.can_create_private_group(user):
        group_form = PrivateGroupForm(user=user)
    if room_form is None and networks:
        room_form = RoomForm(networks=networks)
    return {
        "rooms": [m for m in memberships if m.room.kind != RoomKind.DIRECT],
        "directs": [m for m in memberships if m.room.kind == RoomKind.DIRECT],
        "unread_total": sum(m.unread for m in memberships if not m.notifications_muted),
        "joinable": list(selectors.joinable_rooms(user)),
        "group_form": group_form,
        "room_form": room_form,
    }


@login_required
@require_GET
def index(request):
    return render(request, "chat/index.html", _index_context(request.user))


@login_required
@require_POST
def group_create(request):
    form = PrivateGroupForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            room = services.create_private_group(
                request.user, name=form.cleaned_data["name"], members=form.cleaned_data["members"]
            )
        except ChatError as error:
            form.add_error(None, error.message)
        else:
            return redirect(_room_url(room))
    context = _index_context(request.user, group_form=form)
    return render(request, "chat/index.html", context, status=400)


@login_required
@require_POST
def room_create(request):
    networks = selectors.networks_for_new_room(request.user)
    if not networks:
        raise Http404
    form = RoomForm(request.POST, networks=networks)
    if form.is_valid():
        data = form.cleaned_data
        try:
            room = services.create_room(
                request.user,
                network=data["network"],
                name=data["name"],
                kind=data["kind"],
                topic=data["topic"],
                description=data["description"],
            )
        except ChatError as error:
            form.add_error(None, error.message)
        else:
            return redirect(_room_url(room))
    return render(request, "chat/index.html", _index_context(request.user, room_form=form), status=400)


@login_required
@require_http_methods(["GET", "POST"])
def direct(request, username):
    """GET: the conversation if it exists, otherwise a page to start it (a link on a profile
    can't carry a CSRF token); POST: start it."""
    other = get_user_model().objects.filter(username=username).first()
    if not selectors.can_start_direct(request.user, other):
        raise Http404
    existing = selectors.room_by_slug(services.direct_room_slug(request.user, other))
    if request.method == "GET":
        if existing is not None and selectors.can_read_room(request.user, existing):
            return redirect(_room_url(existing))
        return render(request, "chat/direct_start.html", {"other": other})
    try:
        room = services.start_direct(request.user, other)
    except ChatError:
        raise Http404 from None
    return redirect(_room_url(room))


def direct_message_action(viewer, member, profile) -> str | None:
    """The "Send a message" button of a member's profile (a contact action of
    network.profiles.registry), for members who accept direct messages."""
    if getattr(profile, "contact_preference", "") != "message" or not selectors.can_start_direct(
        viewer, member
    ):
        return None
    return render_to_string("chat/_direct_button.html", {"member": member})


# --- a room -------------------------------------------------------------------------------


@dataclass
class MessagePage:
    messages: list
    has_older: bool = False
    has_newer: bool = False
    highlight: int | None = None
    notices: list = field(default_factory=list)
    latest: bool = True  # no position asked for: the page follows the room live


def _id_param(params, name: str) -> int | None:
    value = params.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _date_param(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _page_with_limit(room, *, before=None) -> tuple[list, bool]:
    messages = selectors.history(room, before=before, limit=PAGE + 1)
    return messages[-PAGE:], len(messages) > PAGE


def _message_page(room, params) -> MessagePage:
    """The messages asked for by ?before=, ?after=, ?around= or ?date= (else the latest)."""
    before, after, around = (_id_param(params, name) for name in ("before", "after", "around"))
    notices, highlight = [], None
    if params.get("date"):
        day = _date_param(params["date"])
        first = selectors.first_message_on_or_after(room, day) if day else None
        if day is None:
            notices.append(_("This is not a date: choose one in the calendar or write it as 2026-03-31."))
        elif first is None:
            notices.append(_("No messages on or after %(date)s.") % {"date": date_format(day)})
        else:
            after, highlight = first - 1, first
    if around is not None:
        messages, has_older = selectors.history_around(room, around, limit=PAGE)
        highlight = around
    elif after is not None:
        messages = selectors.history(room, after=after, limit=PAGE)
        has_older = bool(messages) and selectors.has_messages_before(room, messages[0].id)
    else:
        messages, has_older = _page_with_limit(room, before=before)
    latest = before is None and after is None and around is None
    has_newer = not latest and bool(messages) and messages[-1].id < room.last_message_id
    if not latest and not messages:
        notices.append(_("No messages here."))
        has_newer = True
    return MessagePage(messages, has_older, has_newer, highlight, notices, latest or not has_newer)


def _decorate(messages) -> list:
    """Reaction counts per message from the prefetched reactions (no query per message)."""
    for message in messages:
        counts: dict[str, int] = {}
        for reaction in message.reactions.all():
            counts[reaction.kind] = counts.get(reaction.kind, 0) + 1
        message.reaction_list = [
            (kind, REACTIONS[kind], counts[kind]) for kind in REACTIONS if kind in counts
        ]
    return messages


def _room_context(request, room, *, form=None, error="", invite_form=None) -> dict:
    user = request.user
    page = _message_page(room, request.GET)
    membership = selectors.membership_of(user, room)
    partner = (
        selectors.direct_partners(user, [room.pk]).get(room.pk) if room.kind == RoomKind.DIRECT else None
    )
    members, member_total = selectors.room_members(room, limit=MEMBERS_SHOWN)
    online = selectors.presence_payload(room)
    online_ids = {person["id"] for person in online["members"]}
    for member in members:
        member.online = member.user_id in online_ids
    query = request.GET.get("q", "").strip()[:SEARCH_QUERY_CHARS]
    can_manage = selectors.can_manage_members(user, room)
    first_id = page.messages[0].id if page.messages else None
    last_id = page.messages[-1].id if page.messages else None
    return {
        "room": room,
        "title": _room_title(room, partner),
        "partner": partner,
        "page": page,
        "chat_messages": _decorate(page.messages),
        "older_url": f"?before={first_id}" if page.has_older and first_id else "",
        "newer_url": f"?after={last_id}" if page.has_newer and last_id else "",
        # The live page replays from its last message (0 for an empty room: nothing missed
        # between the render and the subscribe); other pages only count what arrives.
        "since": (last_id or 0) if page.latest else "",
        "form": form or MessageForm(),
        "error": error,
        "query": query,
        "results": selectors.search_room(room, query) if query else None,
        "membership": membership,
        "silenced": membership is not None and membership.is_silenced(),
        "can_send": selectors.can_send(user, room),
        "can_moderate": selectors.can_moderate_room(user, room),
        "can_join": room.is_open and membership is None and not room.is_archived,
        "can_leave": membership is not None and room.kind != RoomKind.DIRECT,
        "can_manage": can_manage,
        "invite_form": invite_form
        or (InviteForm(user=user, room=room) if can_manage and not room.is_open else None),
        "members": members,
        "member_total": member_total,
        "online": online,
        "reactions": [(kind, emoji, REACTION_LABELS[kind]) for kind, emoji in REACTIONS.items()],
        "owner_role": RoomRole.OWNER,
        "report_url": _report_url_pattern(),
    }


def _report_url_pattern() -> str:
    """The report page of a message (chat moderation), with a placeholder for its id."""
    try:
        return reverse("chat:moderation_report", args=[REPORT_ID_PLACEHOLDER])
    except NoReverseMatch:
        return ""


def _mark_read(request, room, context) -> None:
    membership = context["membership"]
    shown = context["chat_messages"]
    if membership is not None and shown and shown[-1].id > membership.last_read_id:
        services.mark_read(request.user, room, shown[-1].id)


@login_required
@require_GET
def room(request, slug):
    room = _readable_room(request, slug)
    context = _room_context(request, room)
    _mark_read(request, room, context)
    return render(request, "chat/room.html", context)


@login_required
@require_POST
def send(request, slug):
    """The composer without JavaScript. A refusal shows the room again with the error and
    the text kept; nothing is stored."""
    room = _readable_room(request, slug)
    form = MessageForm(request.POST)
    form.is_valid()  # both fields are optional: the service judges the body and the client id
    data = form.cleaned_data
    try:
        message, _created = services.post_message(
            request.user, room, data.get("body", ""), client_id=data.get("client_id") or None
        )
    except ChatError as error:
        context = _room_context(request, room, form=form, error=error.message)
        return render(request, "chat/room.html", context, status=STATUS_FOR_CODE.get(error.code, 400))
    return redirect(f"{_room_url(room)}#message-{message.pk}")


@login_required
@require_GET
def message_list(request, slug):
    """Older (?before=) or newer (?after=) messages as JSON, for "Show older messages"."""
    room = _readable_room(request, slug)
    after = _id_param(request.GET, "after")
    if after is not None:
        shown = selectors.history(room, after=after, limit=PAGE + 1)
        has_newer, shown = len(shown) > PAGE, shown[:PAGE]
        has_older = True
    else:
        shown, has_older = _page_with_limit(room, before=_id_param(request.GET, "before"))
        has_newer = bool(shown) and shown[-1].id < room.last_message_id
    return JsonResponse(
        {
            "messages": [selectors.message_payload(message) for message in shown],
            "has_older": has_older,
            "has_newer": has_newer,
        }
    )


# --- joining, leaving, members ---------------------------------------------------------------


@login_required
@require_POST
def join(request, slug):
    room = _readable_room(request, slug)
    try:
        services.join_room(request.user, room)
    except ChatError as error:
        flash.error(request, error.message)
    return redirect(_room_url(room))


@login_required
@require_POST
def leave(request, slug):
    room = _readable_room(request, slug)
    services.leave_room(request.user, room)
    flash.success(request, _("You left %(room)s.") % {"room": room.name or room.slug})
    return redirect("chat:index")


@login_required
@require_POST
def mute(request, slug):
    room = _readable_room(request, slug)
    muted = request.POST.get("muted") == "1"
    try:
        services.set_notifications_muted(request.user, room, muted)
    except ChatError as error:
        flash.error(request, error.message)
    else:
        flash.success(
            request,
            _("Notifications of this room are off.") if muted else _("Notifications of this room are on."),
        )
    return redirect(_room_url(room))


@login_required
@require_POST
def invite(request, slug):
    room = _readable_room(request, slug)
    if not selectors.can_manage_members(request.user, room):
        raise PermissionDenied
    form = InviteForm(request.POST, user=request.user, room=room)
    if form.is_valid():
        member = form.cleaned_data["username"]
        try:
            services.invite(request.user, room, member)
        except ChatError as error:
            form.add_error("username", error.message)
        else:
            flash.success(request, _("%(name)s is now in the group.") % {"name": member})
            return redirect(_room_url(room))
    context = _room_context(request, room, invite_form=form)
    return render(request, "chat/room.html", context, status=400)


@login_required
@require_POST
def remove(request, slug):
    room = _readable_room(request, slug)
    member = get_user_model().objects.filter(username=request.POST.get("username", "")).first()
    if member is None:
        flash.error(request, _("This member is not in the room (or owns it)."))
        return redirect(_room_url(room))
    try:
        services.remove_member(request.user, room, member)
    except ChatError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, _("%(name)s was removed from the group.") % {"name": member})
    return redirect(_room_url(room))
