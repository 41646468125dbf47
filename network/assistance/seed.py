from django.contrib.auth import get_user_model
from django.db import transaction

from network.models import Country, Topic

from .models import AssistanceRequest, RequestStatus, RequestUpdate

DEMO_REQUESTS = [
    (
        "member",
        "JM",
        "tourism-security",
        "Tourism security plan for Montego Bay",
        "Montego Bay Tourism Police Unit",
        "We would like support to draft an integrated tourism security plan with the hotel association "
        "before the winter season, following the model used in Costa Rica.",
        RequestStatus.IN_PROGRESS,
    ),
    (
        "officer",
        "TT",
        "maritime-security",
        "Port facility security assessment",
        "Trinidad and Tobago Police Service",
        "Assessment of the security of the Port of Spain container terminal against the ISPS Code.",
        RequestStatus.RECEIVED,
    ),
]


@transaction.atomic
def seed_assistance(progress=None, **options) -> None:
    User = get_user_model()
    admin = User.objects.filter(username="admin").first()
    for username, country, topic, title, institution, description, status in DEMO_REQUESTS:
        requester = User.objects.filter(username=username).first()
        if requester is None or AssistanceRequest.objects.filter(title=title).exists():
            continue
        request = AssistanceRequest.objects.create(
            requester=requester,
            institution_name=institution,
            country=Country.objects.get(code=country),
            topic=Topic.objects.get(slug=topic),
            title=title,
            description=description,
            contact_name=str(requester),
            contact_email=requester.email,
            status=status,
            assigned_to=admin if status != RequestStatus.RECEIVED else None,
        )
        RequestUpdate.objects.create(request=request, author=requester, status=RequestStatus.RECEIVED)
        if status == RequestStatus.IN_PROGRESS:
            RequestUpdate.objects.create(
                request=request,
                author=admin,
                status=status,
                note="A needs-assessment questionnaire is on its way; "
                "we propose a preparatory meeting in January.",
            )
        if progress:
            progress(1)
