"""Pages of membership and vetting: the networks, applying, the managers' queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from network import membership, permissions, selectors
from network.forms import (
    ApplicationAnswerForm,
    ApplicationDecisionForm,
    ApplicationForm,
    MembershipActionForm,
)
from network.models import Membership, MembershipApplication, Network

APPLICATIONS_PER_PAGE = 25
MEMBERS_PER_PAGE = 50


def network_list(request):
    networks = selectors.network_overview_for(user=request.user)
    return render(request, "network/network_list.html", {"networks": networks})


@login_required
def apply(request):
    open_networks = selectors.networks_open_to(user=request.user)
    form = ApplicationForm(
        request.POST or None, networks=open_networks, initial={"network": request.GET.get("network")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership.application_submit(applicant=request.user, **form.cleaned_data)
        except membership.MembershipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your application is sent. The network's managers will review it."))
            return redirect("network:apply")
    return render(
        request,
        "network/apply.html",
        {
            "form": form,
            "has_open_networks": open_networks.exists(),
            "verified": membership.has_verified_email(request.user),
            "applications": selectors.applications_of(user=request.user),
            "answer_form": ApplicationAnswerForm(),
        },
    )


@login_required
@require_POST
def application_answer(request, application_id: int):
    application = get_object_or_404(MembershipApplication, pk=application_id, applicant=request.user)
    form = ApplicationAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your answer first."))
        return redirect("network:apply")
    try:
        membership.application_answer(
            application=application, by=request.user, answer=form.cleaned_data["answer"]
        )
    except membership.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you. Your application is back with the managers."))
    return redirect("network:apply")


@login_required
@require_POST
def application_withdraw(request, application_id: int):
    application = get_object_or_404(MembershipApplication, pk=application_id, applicant=request.user)
    try:
        membership.application_withdraw(application=application, by=request.user)
    except membership.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect("network:apply")


def _require_queue_access(user):
    if not permissions.can_manage_any_network(user):
        raise PermissionDenied


@login_required
def application_queue(request):
    _require_queue_access(request.user)
    status = request.GET.get("status") or "open"
    network_slug = request.GET.get("network") or ""
    queue = selectors.application_queue_for(user=request.user, status=status, network_slug=network_slug)
    page = Paginator(queue, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "network/application_queue.html",
        {
            "page": page,
            "status": status,
            "network_slug": network_slug,
            "networks": selectors.networks_managed_by(user=request.user),
            "statuses": selectors.QUEUE_STATUSES,
        },
    )


@login_required
def application_review(request, application_id: int):
    _require_queue_access(request.user)
    application = selectors.application_for_manager(user=request.user, application_id=application_id)
    if application is None:
        raise Http404
    form = ApplicationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision, message = form.cleaned_data["decision"], form.cleaned_data["message"]
        try:
            if decision == "approve":
                membership.application_approve(application=application, by=request.user, reason=message)
                messages.success(request, _("Approved: the applicant is now a member."))
            elif decision == "reject":
                membership.application_reject(application=application, by=request.user, reason=message)
                messages.success(request, _("Rejected: the applicant has been told why."))
            else:
                membership.application_request_info(application=application, by=request.user, message=message)
                messages.success(request, _("Your question has been sent to the applicant."))
        except membership.MembershipError as error:
            form.add_error(None, str(error))
        else:
            return redirect("network:application_queue")
    return render(
        request,
        "network/application_review.html",
        {
            "application": application,
            "form": form,
            "history": selectors.audit_trail_for(target=application),
            "other_applications": selectors.other_applications_of(application=application),
        },
    )


@login_required
@require_POST
def membership_leave(request, slug: str):
    network = get_object_or_404(Network, slug=slug)
    own = Membership.objects.filter(user=request.user, network=network).first()
    if own is None:
        raise Http404
    try:
        membership.membership_leave(
            membership=own, by=request.user, reason=request.POST.get("reason", "")[:1000]
        )
    except membership.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You have left %(network)s.") % {"network": network.name})
    return redirect("network:list")


@login_required
def network_members_manage(request, slug: str):
    network = get_object_or_404(Network, slug=slug)
    if not permissions.is_network_manager(request.user, network):
        raise PermissionDenied
    query = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "")
    members = selectors.memberships_for_manager(network=network, query=query, status=status)
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    form = MembershipActionForm(request.POST or None)
    if request.method == "POST":
        target = get_object_or_404(Membership, pk=request.POST.get("membership"), network=network)
        if form.is_valid():
            action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
            try:
                if action == "suspend":
                    membership.membership_suspend(membership=target, by=request.user, reason=reason)
                elif action == "reinstate":
                    membership.membership_reinstate(membership=target, by=request.user, reason=reason)
                else:
                    membership.membership_set_role(
                        membership=target, by=request.user, role=form.cleaned_data["role"], reason=reason
                    )
            except membership.MembershipError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect(request.get_full_path())
        else:
            messages.error(request, _("Choose an action."))
    return render(
        request,
        "network/members_manage.html",
        {
            "network": network,
            "page": page,
            "query": query,
            "status": status,
            "form": form,
            "history": selectors.audit_trail_for_network(network=network)[:20],
        },
    )
