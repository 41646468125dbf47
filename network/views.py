from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from network import selectors, services
from network.forms import AnnouncementForm, NotificationPreferencesForm
from network.health import run_checks
from network.models import Announcement
from network.permissions import can_send_announcements

NOTIFICATIONS_PER_PAGE = 30


@login_required
def notification_list(request):
    page = Paginator(selectors.notification_list_for(user=request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    items = [(n, selectors.notification_text(n)) for n in page.object_list]
    return render(request, "network/notification_list.html", {"page": page, "items": items})


@login_required
@require_POST
def notification_open(request, notification_id: int):
    """Mark a notification read and follow its link."""
    notification = selectors.notification_list_for(user=request.user).filter(id=notification_id).first()
    if notification is None:
        messages.error(request, _("That notification does not exist."))
        return redirect("notification_list")
    services.notification_mark_read(user=request.user, notification_id=notification.id)
    return redirect(notification.url or "notification_list")


@login_required
@require_POST
def notification_mark_all_read(request):
    count = services.notification_mark_all_read(user=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
        % {"count": count},
    )
    return redirect("notification_list")


@login_required
def notification_preferences(request):
    preferences = selectors.preferences_for(user=request.user)
    form = NotificationPreferencesForm(request.POST or None, preferences=preferences)
    if request.method == "POST" and form.is_valid():
        chosen = {verb: delivery for verb, delivery in form.cleaned_data.items() if delivery}
        services.notification_preferences_update(user=request.user, choices=chosen)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification_preferences")
    return render(request, "network/notification_preferences.html", {"form": form})


@login_required
def announcement_create(request):
    if not can_send_announcements(request.user):
        raise PermissionDenied
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.announcement_create(author=request.user, **form.cleaned_data)
        messages.success(request, _("The announcement is on its way to every member."))
        return redirect("announcement_create")
    recent = Announcement.objects.select_related("author")[:10]
    return render(request, "network/announcement_form.html", {"form": form, "recent": recent})


def login_redirect(request):
    """Send the CMS and Django admin logins to the platform's login (with two-factor)."""
    login_url = reverse("account_login")
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        login_url += "?" + urlencode({"next": next_url})
    return redirect(login_url)


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the member's account."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if language in dict(settings.LANGUAGES):
        services.user_set_language(user=request.user, language=language)
    return response


@never_cache
def healthz(request):
    results = run_checks()
    healthy = all(state == "ok" for state in results.values())
    body = {"status": "ok" if healthy else "error", "checks": results}
    if not healthy:
        body["failing"] = sorted(name for name, state in results.items() if state != "ok")
    return JsonResponse(body, status=200 if healthy else 503)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def server_error(request):
    # Rendered without context processors: whatever failed may fail again.
    return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))
