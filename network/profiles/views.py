from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from . import selectors, services
from .forms import DirectoryFilterForm, ProfileForm

PHOTO_MAX_AGE = 60 * 60 * 24  # the URL carries the photo's version: a new photo, a new URL


def _page_link(request, **cursor) -> str:
    query = request.GET.copy()
    for key in ("after", "before", "page"):
        query.pop(key, None)
    query.update(cursor)
    return "?" + query.urlencode()


@login_required
def directory(request):
    viewer = request.user
    if not selectors.can_view_directory(viewer):
        return render(request, "profiles/not_vetted.html", status=403)
    services.profile_for(viewer)  # the viewer is listed too, from their first visit
    form = DirectoryFilterForm(request.GET or None, network_ids=selectors.directory_network_ids(viewer))
    if form.is_bound:
        form.is_valid()  # invalid filters are shown with their error and left out
    page = selectors.directory_page(
        viewer, after=request.GET.get("after"), before=request.GET.get("before"), **form.filters()
    )
    return render(
        request,
        "profiles/directory.html",
        {
            "form": form,
            "page": page,
            "next_url": _page_link(request, after=page.next_cursor) if page.next_cursor else "",
            "previous_url": _page_link(request, before=page.previous_cursor) if page.previous_cursor else "",
        },
    )


@login_required
def my_profile(request):
    return redirect("profiles:profile", username=request.user.username)


@login_required
def profile_detail(request, username: str):
    viewer = request.user
    member = viewer if username == viewer.username else selectors.member_by_username(username)
    # Not allowed and not existing look the same: a profile's existence is members-only too.
    if member is None or not selectors.can_view_profile(viewer, member):
        raise Http404
    profile = services.profile_for(member)
    return render(
        request,
        "profiles/profile_detail.html",
        {
            "view": selectors.view_of(viewer, profile),
            "memberships": selectors.networks_shown(viewer, member),
            "contact_actions": selectors.contact_actions_for(viewer, member, profile),
            "sections": selectors.sections_for(viewer, member),
        },
    )


@login_required
def profile_edit(request):
    profile = services.profile_for(request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(profile=profile, by=request.user, **form.service_arguments())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("profiles:profile", username=request.user.username)
    return render(request, "profiles/profile_form.html", {"form": form, "profile": profile})


@login_required
def profile_photo(request, username: str, size: str):
    """A member's photo, for the viewers allowed to see it; never a public /media/ URL."""
    member = selectors.member_by_username(username)
    image = selectors.photo_file_for(request.user, member, size) if member is not None else None
    if image is None:
        raise Http404
    try:
        handle = image.storage.open(image.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    patch_cache_control(response, private=True, max_age=PHOTO_MAX_AGE)
    return response
