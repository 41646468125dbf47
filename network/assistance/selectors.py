from network import permissions

from .models import AssistanceRequest, RequestStatus


def can_request_assistance(user) -> bool:
    return permissions.is_vetted_member(user)


def can_triage(user) -> bool:
    return permissions.is_dps_staff(user)


def requests_of(*, user):
    return AssistanceRequest.objects.filter(requester=user).select_related("country", "topic")


def request_for(*, user, request_id: int):
    """The request if the user may see it: its requester or DPS staff."""
    requests = AssistanceRequest.objects.select_related("country", "topic", "requester", "assigned_to")
    if not can_triage(user):
        requests = requests.filter(requester=user)
    return requests.filter(pk=request_id).first()


def history_for(*, user, request):
    updates = request.updates.select_related("author")
    if not can_triage(user):
        updates = updates.filter(internal=False)
    return updates


def triage_queue(*, status: str = ""):
    requests = AssistanceRequest.objects.select_related("country", "topic", "requester", "assigned_to")
    if status in RequestStatus.values:
        requests = requests.filter(status=status)
    else:
        requests = requests.filter(status__in=[RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS])
    return requests.order_by("created_at", "id")
