"""Chat pages (placeholder: the pages helper replaces this)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from chat import selectors


@login_required
def index(request):
    return HttpResponse("chat")


@login_required
def room(request, slug):
    room = selectors.room_by_slug(slug)
    if not selectors.can_read_room(request.user, room):
        raise Http404
    return HttpResponse(room.name)
