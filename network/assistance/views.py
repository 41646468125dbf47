from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import selectors, services
from .forms import AssistanceRequestForm, TriageForm
from .models import RequestStatus


@login_required
def request_list(request):
    if not selectors.can_request_assistance(request.user):
        raise PermissionDenied
    form = AssistanceRequestForm(
        request.POST or None, initial={"contact_name": request.user.name, "contact_email": request.user.email}
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_create(requester=request.user, **form.cleaned_data)
        except services.AssistanceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your request has reached the DPS team."))
            return redirect(created.get_absolute_url())
    return render(
        request,
        "assistance/request_list.html",
        {
            "form": form,
            "requests": selectors.requests_of(user=request.user),
            "can_triage": selectors.can_triage(request.user),
        },
    )


@login_required
def request_detail(request, request_id: int):
    found = selectors.request_for(user=request.user, request_id=request_id)
    if found is None:
        raise Http404
    can_triage = selectors.can_triage(request.user)
    form = TriageForm(
        request.POST or None, initial={"status": found.status, "assigned_to": found.assigned_to}
    )
    if request.method == "POST":
        if not can_triage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.request_update(request=found, by=request.user, **form.cleaned_data)
            except services.AssistanceError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect(found.get_absolute_url())
    return render(
        request,
        "assistance/request_detail.html",
        {
            "item": found,
            "history": selectors.history_for(user=request.user, request=found),
            "can_triage": can_triage,
            "form": form,
        },
    )


@login_required
def triage_queue(request):
    if not selectors.can_triage(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    page = Paginator(selectors.triage_queue(status=status), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "assistance/triage_queue.html",
        {"page": page, "status": status, "statuses": RequestStatus.choices},
    )
