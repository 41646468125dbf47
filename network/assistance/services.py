"""Technical-assistance requests: filing them and DPS staff's triage."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from network import permissions
from network.services import notify

from .models import AssistanceRequest, RequestStatus, RequestUpdate


class AssistanceError(Exception):
    pass


def _dps_staff():
    from network.permissions import DPS_STAFF_GROUP

    return (
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(groups__name=DPS_STAFF_GROUP), is_active=True)
        .distinct()
    )


@transaction.atomic
def request_create(*, requester, **fields) -> AssistanceRequest:
    """File a request; DPS staff are notified."""
    if not permissions.is_vetted_member(requester):
        raise AssistanceError(_("Only members of a network can ask for technical assistance."))
    request = AssistanceRequest.objects.create(requester=requester, **fields)
    RequestUpdate.objects.create(request=request, author=requester, status=RequestStatus.RECEIVED)
    for staff in _dps_staff():
        notify(
            user=staff,
            verb="assistance.received",
            actor=requester,
            target=request,
            params={"title": request.title},
        )
    return request


@transaction.atomic
def request_update(
    *, request, by, status: str, note: str = "", internal: bool = False, assigned_to=None
) -> RequestUpdate:
    """DPS staff move a request along; the requester sees every non-internal step."""
    if not permissions.is_dps_staff(by) or not permissions.may_act(by):
        raise AssistanceError(_("Only DPS staff can triage requests."))
    if status not in RequestStatus.values:
        raise AssistanceError(_("Unknown status."))
    request = AssistanceRequest.objects.select_for_update().get(pk=request.pk)
    if status == request.status and not note.strip() and assigned_to == request.assigned_to:
        raise AssistanceError(_("Nothing changed: choose another status or write a note."))
    request.status = status
    request.assigned_to = assigned_to if assigned_to is not None else request.assigned_to
    request.updated_at = timezone.now()
    request.save(update_fields=["status", "assigned_to", "updated_at"])
    update = RequestUpdate.objects.create(
        request=request, author=by, status=status, note=note, internal=internal
    )
    if not internal:
        notify(
            user=request.requester,
            verb="assistance.updated",
            actor=by,
            target=request,
            params={"title": request.title, "status": request.get_status_display()},
        )
    return update
