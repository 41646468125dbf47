from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from network.events import calendars, selectors, services
from network.events.forms import AttendanceForm, EventFilterForm
from network.events.models import EventStatus
from network.models import Network
from network.permissions import can_manage_any_network, is_member

EVENTS_PER_PAGE = 20
FEED_MAX_AGE = 15 * 60


class _LoginFirst(Exception):
    pass


def _visible_event(request, slug):
    """The event at `slug` if the user may see it; 404 otherwise (visitors are asked to log in
    for members-only events instead, so links in e-mails work once they sign in)."""
    event = selectors.event_by_slug(slug)
    if event is None:
        raise Http404
    if not selectors.can_view_event(request.user, event):
        if not request.user.is_authenticated and event.status != EventStatus.DRAFT:
            raise _LoginFirst
        raise Http404
    return event


def _login_first(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _LoginFirst:
            return redirect_to_login(request.get_full_path())

    return wrapped


def _cms_url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _subscriptions(request) -> dict:
    """Calendar feeds to subscribe to: personal ones for members, public ones for visitors."""

    def entry(network, path):
        url = request.build_absolute_uri(path)
        return {"network": network, "url": url, "webcal": "webcal://" + url.split("://", 1)[-1]}

    user = request.user
    if is_member(user):
        networks = list(selectors.feed_networks_for(user))
        if networks:
            token = selectors.feed_token_for(user)
            return {
                "personal_feeds": [
                    entry(n, reverse("events:feed_personal", args=[n.slug, token])) for n in networks
                ]
            }
    networks = Network.objects.order_by("name")
    return {"public_feeds": [entry(n, reverse("events:feed", args=[n.slug])) for n in networks]}


def event_list(request):
    form = EventFilterForm(request.GET or None)
    events = selectors.upcoming_events_for(request.user, **form.filters())
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.seats_left = selectors.seats_left(event)
    context = {
        "form": form,
        "page": page,
        "events": page.object_list,
        "my_registrations": list(selectors.my_registrations(request.user)),
        "can_manage": can_manage_any_network(request.user),
        "cms_events_url": _cms_url("wagtailsnippets_events_event:list"),
        **_subscriptions(request),
    }
    return render(request, "events/event_list.html", context)


def event_past(request):
    form = EventFilterForm(request.GET or None)
    events = selectors.past_events_for(request.user, **form.filters())
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    items = [(event, selectors.links_visible_to(request.user, event, event.links.all())) for event in page]
    return render(request, "events/event_past.html", {"form": form, "page": page, "items": items})


@_login_first
def event_detail(request, slug):
    event = _visible_event(request, slug)
    user = request.user
    registration = selectors.registration_of(user, event)
    active = registration is not None and registration.is_active
    refusal = None if active else selectors.registration_refusal(user, event)
    can_manage = selectors.can_manage_event(user, event)
    seats_left = selectors.seats_left(event)
    context = {
        "event": event,
        "registration": registration if active else None,
        "seats_left": seats_left,
        "is_full": seats_left == 0,
        "show_online_link": selectors.can_see_online_link(user, event, registration=registration),
        "can_register": is_member(user) and not active and refusal is None,
        "refusal": refusal,
        "can_cancel": active and selectors.cancellation_refusal(user, registration) is None,
        "can_manage": can_manage,
        "can_record_attendance": selectors.can_record_attendance(user, event),
        "links": selectors.links_visible_to(user, event),
        "language_name": settings.LANGUAGE_NAMES_TRANSLATED.get(event.language, event.language),
    }
    if can_manage:
        context.update(
            registration_counts=selectors.registration_counts(event),
            cms_edit_url=_cms_url("wagtailsnippets_events_event:edit", event.pk),
        )
    return render(request, "events/event_detail.html", context)


@require_POST
@_login_first
def event_register(request, slug):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("events:detail", args=[slug]))
    event = _visible_event(request, slug)
    try:
        registration = services.registration_create(event=event, user=request.user)
    except services.EventActionRefused as refused:
        messages.error(request, refused.message)
    else:
        if registration.is_registered:
            messages.success(request, _("You are registered. See you there!"))
        else:
            position = (
                getattr(registration, "waitlist_position", None)
                or selectors.registration_of(request.user, event).waitlist_position
            )
            messages.info(
                request,
                _(
                    "The event is full: you are number %(position)d on the waiting list. "
                    "We will tell you when a seat frees up."
                )
                % {"position": position},
            )
    return redirect(event.get_absolute_url())


@require_POST
@_login_first
def event_cancel_registration(request, slug):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("events:detail", args=[slug]))
    event = _visible_event(request, slug)
    registration = selectors.registration_of(request.user, event)
    if registration is None or not registration.is_active:
        messages.error(request, _("You are not registered for this event."))
        return redirect(event.get_absolute_url())
    try:
        services.registration_cancel(registration=registration, by=request.user)
    except services.EventActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(event.get_absolute_url())


@_login_first
def event_attendance(request, slug):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    event = _visible_event(request, slug)
    if not selectors.can_manage_event(request.user, event):
        raise PermissionDenied
    registrations = list(selectors.attendance_registrations(event))
    form = AttendanceForm(request.POST or None, registrations=registrations)
    can_record = selectors.can_record_attendance(request.user, event)
    if request.method == "POST":
        if not can_record:
            messages.error(request, _("Attendance is recorded for in-person events once they have started."))
        elif form.is_valid():
            try:
                changed = services.attendance_record(
                    event=event, by=request.user, attended_user_ids=form.cleaned_data["attended"]
                )
            except services.EventActionRefused as refused:
                messages.error(request, refused.message)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Attendance saved: %(count)d change.", "Attendance saved: %(count)d changes.", changed
                    )
                    % {"count": changed},
                )
                return redirect("events:attendance", slug=event.slug)
    checked = {str(value) for value in (form["attended"].value() or [])}
    rows = [(registration, str(registration.user_id) in checked) for registration in registrations]
    context = {"event": event, "form": form, "rows": rows, "can_record": can_record}
    return render(request, "events/event_attendance.html", context)


def _calendar_response(text: str, filename: str, *, private: bool) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    return response


@_login_first
def event_ics(request, slug):
    event = _visible_event(request, slug)
    show_link = selectors.can_see_online_link(request.user, event)
    response = _calendar_response(
        calendars.event_calendar(event, show_online_link=show_link),
        f"{event.slug}.ics",
        private=request.user.is_authenticated or not event.is_public,
    )
    patch_vary_headers(response, ["Cookie"])
    return response


def network_feed(request, network_slug):
    """A network's events as a calendar: public events, plus members-only ones for members
    signed in to the site."""
    network = get_object_or_404(Network, slug=network_slug)
    user = request.user
    events = selectors.feed_events_for(user, network)
    text = calendars.network_calendar(
        network, events, link_event_ids=selectors.online_link_event_ids(user, events)
    )
    response = _calendar_response(text, f"{network.slug}.ics", private=user.is_authenticated)
    patch_vary_headers(response, ["Cookie"])
    return response


def network_feed_personal(request, network_slug, token):
    """A member's own calendar of a network, for calendar apps (which cannot log in)."""
    network = get_object_or_404(Network, slug=network_slug)
    user = selectors.user_for_feed_token(token)
    if user is None:
        raise Http404
    with translation.override(user.language):
        events = selectors.feed_events_for(user, network)
        text = calendars.network_calendar(
            network, events, link_event_ids=selectors.online_link_event_ids(user, events)
        )
    return _calendar_response(text, f"{network.slug}.ics", private=True)
