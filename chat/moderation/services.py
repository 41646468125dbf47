"""What members and moderators do to keep chat rooms healthy: report a message, remove it,
dismiss reports, silence a member in a room and lift the silence.

Each action checks its rule in `chat.selectors` first and raises `ChatError` (nothing
changed) to refuse, writes in one transaction, records moderators' actions in the audit
trail (`network.membership.audit`, `chat.*` actions, with the room's network when it has
one) and notifies the people concerned (`network.services.notify`, sent after commit).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from chat import selectors
from chat.models import Membership, Message, Report, ReportReason, Room, RoomKind, RoomRole
from chat.services import ChatError, delete_message
from chat.tasks import room_url
from network import realtime
from network.membership import audit
from network.services import notify

NOTE_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 300  # Membership.silenced_reason
LONGEST_SILENCE = datetime.timedelta(days=366)


def _queue_url() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("chat:moderation")


def room_label(room: Room) -> str:
    """The room's name as a notification shows it (in the active language)."""
    if room.kind == RoomKind.DIRECT:
        return _("a direct conversation")
    return room.name or room.slug


def room_moderators(room: Room, *, exclude=()):
    """Who hears of a report: the network's moderators for open rooms, the owners and
    moderators of a private group, DPS staff for direct messages (and for a group left
    without anyone in charge)."""
    from network.models import MembershipStatus, Role
    from network.permissions import DPS_STAFF_GROUP

    users = get_user_model().objects.filter(is_active=True)
    if room.is_open:
        users = users.filter(
            memberships__network_id=room.network_id,
            memberships__role__in=(Role.MODERATOR, Role.MANAGER),
            memberships__status=MembershipStatus.ACTIVE,
        )
    elif room.kind == RoomKind.PRIVATE and room.memberships.filter(role__in=_IN_CHARGE).exists():
        users = users.filter(chat_memberships__room=room, chat_memberships__role__in=_IN_CHARGE)
    else:
        users = users.filter(Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name=DPS_STAFF_GROUP))
    return users.exclude(pk__in=[user.pk for user in exclude if user is not None]).distinct()


_IN_CHARGE = (RoomRole.OWNER, RoomRole.MODERATOR)


def _clean_note(note) -> str:
    note = note.strip() if isinstance(note, str) else ""
    if len(note) > NOTE_MAX_LENGTH:
        raise ChatError(
            _("The note is too long (at most %(limit)s characters).") % {"limit": NOTE_MAX_LENGTH}
        )
    return note


def _clean_reason(reason, *, required: bool) -> str:
    reason = reason.strip() if isinstance(reason, str) else ""
    if required and not reason:
        raise ChatError(_("Give a reason: the member will be told."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ChatError(
            _("The reason is too long (at most %(limit)s characters).") % {"limit": REASON_MAX_LENGTH}
        )
    return reason


# --- reports ------------------------------------------------------------------------------


def report_message(user, message: Message, *, reason, note: str = "") -> Report:
    """A member reports a message of someone else that they can read; the room's
    moderators are notified. One open report per member and message."""
    if not selectors.can_report(user, message):
        raise ChatError(_("You cannot report this message."), code="forbidden")
    if reason not in ReportReason.values:
        raise ChatError(_("Choose why you are reporting this message."))
    note = _clean_note(note)
    try:
        with transaction.atomic():
            report = Report.objects.create(message=message, reporter=user, reason=reason, note=note)
            _notify_report(report)
    except IntegrityError:
        raise ChatError(
            _("You have already reported this message; the moderators will look at it.")
        ) from None
    return report


def _notify_report(report: Report) -> None:
    room = report.message.room
    for moderator in room_moderators(room, exclude=(report.reporter,)):
        with translation.override(moderator.language):
            params = {"room": room_label(room), "reason": str(ReportReason(report.reason).label)}
        notify(user=moderator, verb="chat.report", actor=report.reporter, url=_queue_url(), params=params)


def _require_moderator(user, room: Room) -> None:
    if not selectors.can_moderate_room(user, room):
        raise ChatError(_("Only the moderators of this room may do this."), code="forbidden")


def _resolve_open_reports(message: Message, *, moderator, resolution: str) -> int:
    return Report.objects.filter(message=message, resolved_at=None).update(
        resolved_at=timezone.now(), resolved_by=moderator, resolution=resolution
    )


def remove_message(moderator, message: Message, *, reason: str = "") -> int:
    """Delete a reported message (`chat.services.delete_message`: its readers see it go)
    and close its open reports as "removed"; returns how many reports were closed."""
    room = message.room
    _require_moderator(moderator, room)
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        if message.deleted_at is None:
            message = delete_message(moderator, message)
        closed = _resolve_open_reports(message, moderator=moderator, resolution="removed")
        audit(
            actor=moderator,
            action="chat.message_removed",
            network=room.network,
            subject_user=message.author,
            target=message,
            reason=reason,
            room=room.slug,
            reports=closed,
        )
    return closed


def dismiss_reports(moderator, message: Message, *, reason: str = "") -> int:
    """Close the open reports of a message that stays as it is; returns how many."""
    room = message.room
    _require_moderator(moderator, room)
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        closed = _resolve_open_reports(message, moderator=moderator, resolution="dismissed")
        if not closed:
            raise ChatError(_("This message has no open report."))
        audit(
            actor=moderator,
            action="chat.reports_dismissed",
            network=room.network,
            subject_user=message.author,
            target=message,
            reason=reason,
            room=room.slug,
            reports=closed,
        )
    return closed


# --- silences -----------------------------------------------------------------------------


def _until_text(until, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(until), "DATETIME_FORMAT")


def _announce_silence(room: Room, member, until) -> None:
    """Open pages of the room learn it (the silenced member's composer closes)."""
    realtime.broadcast(
        room.stream, "member.silenced", {"user": member.pk, "until": until.isoformat() if until else None}
    )


def silence_member(moderator, room: Room, member, *, until: datetime.datetime, reason: str) -> Membership:
    """The member may read the room but not write in it until `until`; they are told why
    and for how long. A new silence replaces the current one."""
    _require_moderator(moderator, room)
    if not selectors.can_silence(moderator, room, member):
        raise ChatError(_("Moderators and DPS staff cannot be silenced, nor can you silence yourself."))
    if not selectors.can_read_room(member, room):
        raise ChatError(_("This person cannot read this room: there is nothing to silence."))
    reason = _clean_reason(reason, required=True)
    now = timezone.now()
    if until <= now or until > now + LONGEST_SILENCE:
        raise ChatError(_("Choose how long the silence lasts."))
    with transaction.atomic():
        membership, _created = Membership.objects.get_or_create(
            room=room, user=member, defaults={"last_read_id": room.last_message_id}
        )
        membership.silenced_until, membership.silenced_reason = until, reason
        membership.save(update_fields=["silenced_until", "silenced_reason"])
        selectors.forget_membership(room, member.pk)
        audit(
            actor=moderator,
            action="chat.member_silenced",
            network=room.network,
            subject_user=member,
            target=room,
            reason=reason,
            until=until.isoformat(),
        )
        with translation.override(member.language):
            label = room_label(room)
        notify(
            user=member,
            verb="chat.silenced",
            actor=moderator,
            url=room_url(room),
            params={"room": label, "until": _until_text(until, member.language), "reason": reason},
        )
        _announce_silence(room, member, until)
    return membership


def lift_silence(moderator, room: Room, member, *, reason: str = "") -> Membership:
    _require_moderator(moderator, room)
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(room=room, user=member).first()
        if membership is None or not membership.is_silenced():
            raise ChatError(_("This member is not silenced in this room."))
        membership.silenced_until, membership.silenced_reason = None, ""
        membership.save(update_fields=["silenced_until", "silenced_reason"])
        selectors.forget_membership(room, member.pk)
        audit(
            actor=moderator,
            action="chat.silence_lifted",
            network=room.network,
            subject_user=member,
            target=room,
            reason=reason,
        )
        with translation.override(member.language):
            label = room_label(room)
        notify(
            user=member,
            verb="chat.silence_lifted",
            actor=moderator,
            url=room_url(room),
            params={"room": label},
        )
        _announce_silence(room, member, None)
    return membership
