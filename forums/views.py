"""Forum pages: thin views over forums.selectors (who sees what) and forums.services (writes).

A category or topic the reader may not read answers 404, like one that does not exist.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from forums import selectors, services
from forums.forms import EditForm, ReplyForm, TopicForm
from forums.models import Poll, Post, PostRevision, PostStatus, Reaction
from forums.rendering import render_post
from forums.services import ForumError

STATUS_FOR_CODE = {"invalid": 400, "forbidden": 403, "rate_limited": 429}


def _url_or_empty(name: str, *args) -> str:
    """Links to pages another part of the forums provides (moderation, attachments) are
    shown only once those pages exist."""
    # forums/urls.py includes moderation inside the "forums" namespace: try the nested name too.
    candidates = [name] + (["forums:" + name] if name.startswith("forum_moderation:") else [])
    for candidate in candidates:
        try:
            return reverse(candidate, args=args)
        except NoReverseMatch:
            continue
    return ""


@functools.cache
def _has_template(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


@functools.cache
def _has_static(path: str) -> bool:
    return bool(finders.find(path))


def _polls():
    try:
        from forums import polls
    except ImportError:
        return None
    return polls


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- lists ----------------------------------------------------------------------------------


@require_GET
def index(request):
    return render(request, "forums/index.html", {"groups": selectors.category_index_for(request.user)})


@require_GET
def category_detail(request, slug):
    category = selectors.category_by_slug_for(request.user, slug)
    if category is None:
        raise Http404
    user = request.user
    topics = selectors.topic_list_for(user=user, category=category)
    page = Paginator(topics, settings.PUENTE_FORUMS_TOPICS_PER_PAGE).get_page(request.GET.get("page"))
    previous_visit = selectors.previous_category_visit(user, category)
    topic_rows = list(page.object_list)
    for topic in topic_rows:
        last_read = getattr(topic, "last_read_number", None)
        topic.is_new = (
            user.is_authenticated
            and last_read is None
            and (previous_visit is None or topic.created_at > previous_visit)
        )
        topic.unread = (
            max(topic.last_post_number - last_read, 0)
            if user.is_authenticated and last_read is not None
            else 0
        )
    if user.is_authenticated:
        services.category_mark_visited(user=user, category=category)
    newest_id = max((t.pk for t in topic_rows), default=0)
    return render(
        request,
        "forums/category.html",
        {
            "category": category,
            "page": page,
            "topics": topic_rows,
            "newest_topic_id": newest_id,
            "can_post": selectors.can_post_in(user, category),
            "can_follow": selectors.can_follow(user, category),
            "following": selectors.is_following_category(user, category),
            "search_url": _url_or_empty("forums:category_search", category.slug),
        },
    )


# --- a topic ----------------------------------------------------------------------------------


def _readable_topic(request, pk):
    topic = selectors.topic_by_id_for(request.user, pk)
    if topic is None:
        raise Http404
    return topic


def _decorate_posts(posts, *, user, topic, moderator, may_reply, may_react):
    """Per-post display state from flags computed once per page (constant queries)."""
    reactions = selectors.reactions_for(user=user, post_ids=[p.pk for p in posts])
    member = user.is_authenticated
    acting = member and selectors.may_act(user)
    for post in posts:
        post.topic = topic
        own = member and post.author_id == user.pk
        post.show_body = selectors.can_see_post_body(user, post, moderator=moderator)
        post.is_deleted = post.deleted_at is not None
        post.is_hidden = post.status == PostStatus.HIDDEN
        post.is_pending = post.status == PostStatus.PENDING
        post.can_edit = own and not post.is_deleted and not post.is_hidden and may_reply
        post.can_delete = own and not post.is_deleted and acting
        post.can_react = may_react and not post.is_deleted and post.status == PostStatus.PUBLISHED
        post.reaction_list = reactions.get(post.pk, [])
        post.is_accepted = topic.accepted_post_id == post.pk
        post.flag_url = _url_or_empty("forum_moderation:flag", post.pk) if member and not own else ""
        if moderator:
            post.hide_url = _url_or_empty("forum_moderation:post_hide", post.pk)
            post.restore_url = _url_or_empty("forum_moderation:post_restore", post.pk)
    return posts


def _page_for_number(request, topic, number, moderator) -> int:
    position = selectors.post_position(user=request.user, topic=topic, number=number, moderator=moderator)
    return max(1, (position - 1) // settings.PUENTE_FORUMS_POSTS_PER_PAGE + 1)


def topic_detail(request, pk, slug=""):
    topic = _readable_topic(request, pk)
    if topic.merged_into_id:
        target = topic.merged_into
        return HttpResponseRedirect(target.get_absolute_url(), status=301)
    if slug != (topic.slug or "-"):
        query = ("?" + request.GET.urlencode()) if request.GET else ""
        return HttpResponseRedirect(topic.get_absolute_url() + query, status=301)
    user = request.user
    moderator = selectors.can_moderate(user, topic.category)
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        form = ReplyForm(request.POST)
        if form.is_valid():
            reply_to = None
            if form.cleaned_data.get("reply_to"):
                reply_to = Post.objects.filter(topic=topic, number=form.cleaned_data["reply_to"]).first()
            try:
                post = services.post_reply(
                    author=user,
                    topic=topic,
                    body=form.cleaned_data["body"],
                    reply_to=reply_to,
                    attachment_tokens=request.POST.getlist("attachment"),
                    client_id=form.cleaned_data.get("client_id") or "",
                )
            except ForumError as exc:
                form.add_error("body", exc.detail)
                status = STATUS_FOR_CODE.get(exc.code, 400)
            else:
                if post.status == PostStatus.PENDING:
                    messages.info(request, _("Thank you. Your reply is waiting for a moderator's approval."))
                page = _page_for_number(request, topic, post.number, moderator)
                return redirect(f"{topic.get_absolute_url()}?page={page}#post-{post.number}")
        else:
            status = 400
    elif request.method != "GET":
        return JsonResponse({"detail": "method not allowed"}, status=405)

    posts_qs = selectors.topic_posts_for(user=user, topic=topic, moderator=moderator)
    per_page = settings.PUENTE_FORUMS_POSTS_PER_PAGE
    last_read = selectors.last_read_number(user, topic)
    page_param = request.GET.get("page")
    jump_to = 0
    if request.method == "GET" and not page_param:
        wanted = request.GET.get("post")
        if wanted and wanted.isdigit():
            jump_to = int(wanted)
        elif last_read and last_read < topic.last_post_number:
            jump_to = last_read + 1
        if jump_to:
            page_number = _page_for_number(request, topic, jump_to, moderator)
            return redirect(f"{topic.get_absolute_url()}?page={page_number}#post-{jump_to}")
    page = Paginator(posts_qs, per_page).get_page(page_param)
    may_reply = selectors.can_reply(user, topic)
    may_react = selectors.can_post_in(user, topic.category)
    posts = _decorate_posts(
        list(page.object_list),
        user=user,
        topic=topic,
        moderator=moderator,
        may_reply=may_reply,
        may_react=may_react,
    )
    furthest = max((p.number for p in posts), default=0)
    if user.is_authenticated and furthest > last_read:
        services.topic_mark_read(user=user, topic=topic, number=furthest)
    poll_context = None
    polls = _polls()
    if polls is not None and _has_template("forums/_poll.html"):
        poll = Poll.objects.filter(topic=topic).first()
        if poll is not None:
            poll_context = polls.poll_context(poll, user)
    context = {
        "topic": topic,
        "category": topic.category,
        "page": page,
        "posts": posts,
        "form": form,
        "moderator": moderator,
        "can_reply": may_reply,
        "can_react": may_react,
        "can_accept": selectors.can_accept_answer(user, topic) if user.is_authenticated else False,
        "can_follow": selectors.can_follow(user, topic.category),
        "following": selectors.is_following_topic(user, topic),
        "tags": list(topic.tags.all()),
        "last_read": last_read,
        "last_post_id": max((p.pk for p in posts), default=0),
        "reaction_kinds": Reaction.KINDS,
        "poll_context": poll_context,
        "show_attachments": _has_template("forums/_attachments.html"),
        "attachments_js": _has_static("forums/attachments.js"),
        "attachment_upload_url": _url_or_empty("forums:attachment_upload"),
        "topic_action_url": _url_or_empty("forum_moderation:topic_action", topic.pk) if moderator else "",
    }
    return render(request, "forums/topic.html", context, status=status)


@require_GET
def topic_redirect(request, pk):
    topic = _readable_topic(request, pk)
    return HttpResponseRedirect(topic.get_absolute_url(), status=301)


# --- starting a topic ---------------------------------------------------------------------------


@login_required
def topic_create(request, slug):
    category = selectors.category_by_slug_for(request.user, slug)
    if category is None:
        raise Http404
    polls = _polls()
    can_post = selectors.can_post_in(request.user, category)
    form = TopicForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    add_poll = request.method == "POST" and request.POST.get("add_poll") == "on"
    poll_form = (
        polls.PollForm(request.POST or None, prefix="poll", require=add_poll) if polls is not None else None
    )
    status = 200 if can_post else 403
    if request.method == "POST" and can_post:
        status = 400
        poll_ok = poll_form is None or poll_form.is_valid()
        if form.is_valid() and poll_ok:
            data = form.cleaned_data
            try:
                topic = services.topic_create(
                    author=request.user,
                    category=category,
                    title=data["title"],
                    body=data["body"],
                    language=data["language"],
                    kind=data["kind"],
                    tags=list(data["tags"]),
                    attachment_tokens=request.POST.getlist("attachment"),
                    poll=dict(poll_form.cleaned_data)
                    if poll_form is not None and poll_form.cleaned_data
                    else None,
                )
            except ForumError as exc:
                form.add_error("body" if exc.code != "forbidden" else None, exc.detail)
                status = STATUS_FOR_CODE.get(exc.code, 400)
            else:
                if not topic.is_visible:
                    messages.info(request, _("Thank you. Your topic is waiting for a moderator's approval."))
                return redirect(topic.get_absolute_url())
    return render(
        request,
        "forums/topic_form.html",
        {
            "category": category,
            "form": form,
            "poll_form": poll_form,
            "add_poll": add_poll,
            "can_post": can_post,
            "attachments_js": _has_static("forums/attachments.js"),
            "attachment_upload_url": _url_or_empty("forums:attachment_upload"),
        },
        status=status,
    )


# --- a post -------------------------------------------------------------------------------------


def _readable_post(request, pk) -> Post:
    post = Post.objects.select_related("topic__category__network", "author").filter(pk=pk).first()
    if post is None or not selectors.can_read_topic(request.user, post.topic):
        raise Http404
    if not selectors.can_list_post(request.user, post):
        raise Http404
    return post


def _post_url(post) -> str:
    return f"{post.topic.get_absolute_url()}?post={post.number}#post-{post.number}"


@login_required
def post_edit(request, pk):
    post = _readable_post(request, pk)
    if not selectors.can_edit_post(request.user, post):
        messages.error(request, _("You may not edit this message."))
        return (
            redirect(_post_url(post))
            if request.method == "GET"
            else render(
                request, "forums/post_edit.html", {"post": post, "form": None, "refused": True}, status=403
            )
        )
    form = EditForm(request.POST or None, initial={"body": post.body})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(editor=request.user, post=post, body=form.cleaned_data["body"])
        except ForumError as exc:
            form.add_error("body", exc.detail)
            status = STATUS_FOR_CODE.get(exc.code, 400)
        else:
            messages.success(request, _("Your message was updated."))
            return redirect(_post_url(post))
    return render(request, "forums/post_edit.html", {"post": post, "form": form}, status=status)


@require_GET
def post_history(request, pk):
    post = _readable_post(request, pk)
    if not selectors.can_see_post_body(request.user, post):
        raise Http404
    revisions = list(
        PostRevision.objects.filter(post=post).select_related("editor").order_by("-created_at", "-id")
    )
    return render(request, "forums/post_history.html", {"post": post, "revisions": revisions})


@login_required
@require_POST
def post_delete(request, pk):
    post = _readable_post(request, pk)
    try:
        services.post_delete(user=request.user, post=post)
    except ForumError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Your message was deleted."))
    return redirect(_post_url(post))


@login_required
@require_POST
def post_react(request, pk):
    post = _readable_post(request, pk)
    try:
        added = services.reaction_toggle(user=request.user, post=post, kind=request.POST.get("kind", ""))
    except ForumError as exc:
        if _wants_json(request):
            return JsonResponse({"detail": exc.detail}, status=STATUS_FOR_CODE.get(exc.code, 400))
        messages.error(request, exc.detail)
        return redirect(_post_url(post))
    if _wants_json(request):
        return JsonResponse({"id": post.pk, "added": added, "counts": selectors.reaction_counts(post)})
    return redirect(_post_url(post))


@login_required
@require_POST
def post_accept(request, pk):
    post = _readable_post(request, pk)
    try:
        marked = services.topic_accept_answer(user=request.user, topic=post.topic, post=post)
    except ForumError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Marked as the accepted answer.") if marked else _("Answer unmarked."))
    return redirect(_post_url(post))


# --- following ------------------------------------------------------------------------------------


@login_required
@require_POST
def topic_follow(request, pk):
    topic = _readable_topic(request, pk)
    try:
        following = services.subscription_toggle(user=request.user, topic=topic)
    except ForumError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, _("You follow this topic.") if following else _("You no longer follow this topic.")
        )
    return redirect(topic.get_absolute_url())


@login_required
@require_POST
def category_follow(request, slug):
    category = selectors.category_by_slug_for(request.user, slug)
    if category is None:
        raise Http404
    try:
        following = services.subscription_toggle(user=request.user, category=category)
    except ForumError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, _("You follow this category.") if following else _("You no longer follow this category.")
        )
    return redirect("forums:category", slug=category.slug)


# --- composer helpers (JSON) ----------------------------------------------------------------------


@login_required
@require_POST
def preview(request):
    """The composer's preview: the same rendering as a stored post (no mentions sent)."""
    body = request.POST.get("body", "")
    if len(body) > settings.PUENTE_FORUMS_MAX_POST_CHARS:
        return JsonResponse({"detail": _("Your message is too long.")}, status=400)
    topic = None
    topic_id = request.POST.get("topic")
    if topic_id:
        topic = selectors.topic_by_id_for(request.user, topic_id)
    return JsonResponse({"html": render_post(body, topic=topic).html})


@login_required
@require_GET
def mention_autocomplete(request, pk):
    topic = _readable_topic(request, pk)
    return JsonResponse(
        {
            "results": selectors.mention_candidates(
                user=request.user, topic=topic, prefix=request.GET.get("q", "")
            )
        }
    )
