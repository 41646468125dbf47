"""Views for polls, attachments and the search within a category (thin: the rules are in
forums.polls, forums.attachments, forums.search_provider and forums.selectors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from forums import attachments, polls
from forums.models import Category, Poll
from forums.search_provider import clean_forum_filters, count_forums, forum_facets, search_forums
from forums.selectors import can_read_category
from network.search import MAX_PAGE, PAGE_SIZE, clean_query, query_terms


def _reverse_or(name: str, args: list, fallback: str) -> str:
    """A URL of another part of the forums, or the documented path while it is not there yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def _topic_url(topic) -> str:
    try:
        return topic.get_absolute_url()
    except NoReverseMatch:
        return f"/forums/t/{topic.pk}/{topic.slug or '-'}/"


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- polls --------------------------------------------------------------------------------


@require_POST
def poll_vote(request, poll_id: int):
    """Vote (or change a vote); back to the topic with a message, or JSON for fetch()."""
    poll = Poll.objects.select_related("topic__category").filter(pk=poll_id).first()
    if poll is None or not polls.can_see_poll(request.user, poll):
        raise Http404
    back = f"{_topic_url(poll.topic)}#poll-{poll.pk}"
    if not request.user.is_authenticated:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": _("Sign in to vote.")}, status=403)
        return redirect_to_login(back)
    had_voted = polls.PollVote.objects.filter(poll=poll, user=request.user).exists()
    try:
        polls.poll_vote(user=request.user, poll=poll, option_ids=request.POST.getlist("option"))
    except polls.PollError as error:
        message, status = error.messages[0], 403 if error.code == "forbidden" else 400
        ok = False
    else:
        message = _("Your vote was changed.") if had_voted else _("Thank you: your vote was recorded.")
        status, ok = 200, True
    if _wants_json(request):
        context = {"poll": polls.poll_context(poll, request.user)}
        html = render_to_string("forums/_poll.html", context, request=request)
        key = "message" if ok else "error"
        return JsonResponse({"ok": ok, key: message, "html": html}, status=status)
    (messages.success if ok else messages.error)(request, message)
    return HttpResponseRedirect(back)


# --- attachments --------------------------------------------------------------------------


@require_POST
def attachment_upload(request):
    """Multipart POST with `file`; JSON {token, filename, url, markdown, size, content_type,
    is_image} (201) or {error} with 400, 403 or 413."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in to attach files.")}, status=403)
    limit = attachments.max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + 64 * 1024:  # refused before the body is read
        message = _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)}
        return JsonResponse({"error": message}, status=413)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return JsonResponse({"error": _("Choose a file to attach.")}, status=400)
    try:
        attachment = attachments.attachment_upload(user=request.user, uploaded_file=uploaded)
    except attachments.AttachmentError as error:
        status = {"forbidden": 403, "too_large": 413}.get(error.code, 400)
        return JsonResponse({"error": error.messages[0]}, status=status)
    return JsonResponse(
        {
            "token": attachment.token,
            "filename": attachment.filename,
            "url": attachments.attachment_url(attachment),
            "markdown": attachments.attachment_markdown(attachment),
            "size": attachment.size,
            "content_type": attachment.content_type,
            "is_image": attachments.is_image(attachment),
        },
        status=201,
    )


@require_safe
def attachment_download(request, token: str, filename: str):
    """The file, to those `attachments.can_download` lets see it; 404 for everyone else."""
    attachment = attachments.attachment_for_download(user=request.user, token=token, filename=filename)
    if attachment is None:
        raise Http404
    try:
        handle = attachments.attachment_storage().open(attachment.file.name, "rb")
    except (FileNotFoundError, OSError, ValueError) as error:
        raise Http404 from error
    kind = attachments.KINDS[attachment.content_type]
    response = FileResponse(
        handle, as_attachment=not kind.inline, filename=attachment.filename, content_type=kind.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    response["Vary"] = "Cookie"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Should a browser open it as a page anyway: no scripts, no plugins, a unique origin.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# --- search within a category -------------------------------------------------------------


def _page_number(raw) -> int:
    try:
        number = int(str(raw)[:4])
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


@require_safe
def category_search(request, category_slug: str):
    category = Category.objects.select_related("network").filter(slug=category_slug).first()
    if category is None or not can_read_category(request.user, category):
        raise Http404
    query = clean_query(request.GET.get("q", ""))
    filters = clean_forum_filters({"category": category.slug, "language": request.GET.get("language", "")})
    hits, total, facets = [], 0, []
    number, num_pages = 1, 1
    if query_terms(query):
        total = count_forums(request.user, query, filters)
        num_pages = max(1, -(-total // PAGE_SIZE))
        number = min(_page_number(request.GET.get("page")), num_pages)
        if total:
            offset = (number - 1) * PAGE_SIZE
            hits = search_forums(request.user, query, filters, limit=PAGE_SIZE, offset=offset)
            facets = [
                facet for facet in forum_facets(request.user, query, filters) if facet.key == "language"
            ]

    def url(**params) -> str:
        merged = {"q": query, "language": filters.get("language", ""), **params}
        return "?" + urlencode({key: value for key, value in merged.items() if value})

    for facet in facets:
        for value in facet.values:
            value.url = url(language="" if value.selected else value.value, page="")
    context = {
        "category": category,
        "category_url": _reverse_or("forums:category", [category.slug], f"/forums/{category.slug}/"),
        "forums_url": _reverse_or("forums:index", [], "/forums/"),
        "query": query,
        "hits": hits,
        "total": total,
        "facets": facets,
        "language": filters.get("language", ""),
        "clear_url": url(language=""),
        "page_number": number,
        "num_pages": num_pages,
        "start_index": (number - 1) * PAGE_SIZE + 1,
        "previous_url": url(page=number - 1) if number > 1 else "",
        "next_url": url(page=number + 1) if number < num_pages else "",
    }
    return render(request, "forums/search.html", context)
