"""Pages of forum moderation: flagging a post, the moderators' queue, their actions on
posts, topics and members, and the audit list. Permissions: forums.moderation.selectors."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from forums.moderation import selectors, services
from forums.moderation.forms import (
    FlagForm,
    MemberActionForm,
    OptionalReasonForm,
    ReasonForm,
    TopicActionForm,
)
from network.models import Membership, Network

QUEUE_PER_PAGE = 20
AUDIT_PER_PAGE = 50


def _data(request):
    """Bind forms on every POST, even an empty one (a bare "Approve" button)."""
    return request.POST if request.method == "POST" else None


def _readable_post(request, post_id: int):
    """The post, or 404 for those who may not know it exists."""
    post = selectors.post_with_context(post_id)
    if post is None or not selectors.post_readable_by(request.user, post):
        raise Http404
    post.url = selectors.url_of(post.topic, post)
    return post


def _moderated_post(request, post_id: int):
    from forums.selectors import can_moderate

    post = _readable_post(request, post_id)
    if not can_moderate(request.user, post.topic.category):
        raise PermissionDenied
    return post


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=False
    ):
        return target
    return fallback or selectors.moderation_url("queue")


@login_required
def flag(request, post_id: int):
    post = _readable_post(request, post_id)
    back = _next_url(request, selectors.url_of(post.topic, post))
    already = selectors.open_flag_of(reporter=request.user, post=post)
    form = FlagForm(_data(request))
    if request.method == "POST" and not selectors.can_flag(request.user, post):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_post(reporter=request.user, post=post, **form.cleaned_data)
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you. The moderators will look at this post."))
            return redirect(back)
    return render(
        request,
        "forum_moderation/flag.html",
        {
            "post": post,
            "form": form,
            "already": already,
            "can_flag": selectors.can_flag(request.user, post),
            "back": back,
        },
    )


def _require_moderation_access(user) -> None:
    if not selectors.can_use_moderation(user):
        raise PermissionDenied


@login_required
def queue(request):
    _require_moderation_access(request.user)
    tab = "held" if request.GET.get("tab") == "held" else "flags"
    posts = (
        selectors.held_posts_for(request.user) if tab == "held" else selectors.flagged_posts_for(request.user)
    )
    page = Paginator(posts, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    for post in page.object_list:
        post.url = selectors.url_of(post.topic, post)
    counts = selectors.queue_counts_for(request.user)
    return render(
        request,
        "forum_moderation/queue.html",
        {"tab": tab, "page": page, "counts": counts, "here": request.get_full_path()},
    )


def _post_action(request, post_id: int, *, act, form_class, title, button, done):
    """GET: a confirmation page with the form; POST: `act(post, reason)`, then go back."""
    post = _moderated_post(request, post_id)
    back = _next_url(request, selectors.url_of(post.topic, post))
    form = form_class(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            act(post, form.cleaned_data.get("reason", ""))
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        "forum_moderation/post_action.html",
        {"post": post, "form": form, "title": title, "button": button, "back": back},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def post_hide(request, post_id: int):
    return _post_action(
        request,
        post_id,
        act=lambda post, reason: services.hide_post(moderator=request.user, post=post, reason=reason),
        form_class=ReasonForm,
        title=_("Hide this post"),
        button=_("Hide the post"),
        done=_("The post is hidden; its author has been told why."),
    )


@login_required
def post_restore(request, post_id: int):
    return _post_action(
        request,
        post_id,
        act=lambda post, reason: services.restore_post(moderator=request.user, post=post, reason=reason),
        form_class=OptionalReasonForm,
        title=_("Restore this post"),
        button=_("Show the post again"),
        done=_("The post is visible again."),
    )


@login_required
def post_approve(request, post_id: int):
    return _post_action(
        request,
        post_id,
        act=lambda post, reason: services.approve_post(moderator=request.user, post=post),
        form_class=OptionalReasonForm,
        title=_("Approve this post"),
        button=_("Approve and publish"),
        done=_("The post is published."),
    )


@login_required
def post_reject(request, post_id: int):
    return _post_action(
        request,
        post_id,
        act=lambda post, reason: services.reject_post(moderator=request.user, post=post, reason=reason),
        form_class=ReasonForm,
        title=_("Reject this post"),
        button=_("Reject the post"),
        done=_("The post was rejected; its author has been told why."),
    )


@login_required
def flags_dismiss(request, post_id: int):
    return _post_action(
        request,
        post_id,
        act=lambda post, reason: services.dismiss_flags(moderator=request.user, post=post, reason=reason),
        form_class=OptionalReasonForm,
        title=_("Dismiss the flags on this post"),
        button=_("Dismiss the flags"),
        done=_("The flags are dismissed; the post stays as it is."),
    )


@login_required
def topic_action(request, topic_id: int):
    from forums.selectors import can_moderate, can_read_category

    topic = selectors.topic_with_context(topic_id)
    if topic is None or not can_read_category(request.user, topic.category):
        raise Http404
    if not can_moderate(request.user, topic.category):
        raise PermissionDenied
    back = _next_url(request, selectors.url_of(topic))
    categories = selectors.moderated_categories_for(request.user).exclude(pk=topic.category_id)
    form = TopicActionForm(
        _data(request), topic=topic, categories=categories, initial={"action": request.GET.get("action")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            done = _do_topic_action(request.user, topic, form.cleaned_data)
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            if form.cleaned_data["action"] == "merge":
                back = _next_url(request, selectors.url_of(topic.merged_into or topic))
            return redirect(back)
    return render(
        request,
        "forum_moderation/topic_action.html",
        {"topic": topic, "form": form, "back": back},
        status=400 if request.method == "POST" else 200,
    )


def _do_topic_action(moderator, topic, data) -> str:
    action, reason = data["action"], data["reason"]
    simple = {
        "lock": (services.lock_topic, _("The topic is locked.")),
        "unlock": (services.unlock_topic, _("The topic is open for replies again.")),
        "pin": (services.pin_topic, _("The topic is pinned.")),
        "unpin": (services.unpin_topic, _("The topic is no longer pinned.")),
    }
    if action in simple:
        service, done = simple[action]
        service(moderator=moderator, topic=topic, reason=reason)
        return done
    if action == "move":
        services.move_topic(moderator=moderator, topic=topic, category=data["category"], reason=reason)
        return _("The topic was moved to %(category)s.") % {"category": data["category"].name}
    target = selectors.topic_with_context(data["target"])
    from forums.selectors import can_read_category

    if target is None or not can_read_category(moderator, target.category):
        raise services.ModerationError(_("There is no topic with this number."))
    services.merge_topics(moderator=moderator, source=topic, target=target, reason=reason)
    topic.merged_into = target
    return _("The topic was merged into “%(title)s”.") % {"title": target.title}


@login_required
def silence(request, network_slug: str, username: str):
    network = get_object_or_404(Network, slug=network_slug)
    if not selectors.can_moderate_network(request.user, network):
        raise PermissionDenied
    member = get_object_or_404(get_user_model(), username=username)
    if not Membership.objects.filter(user=member, network=network).exists():
        raise Http404
    may_suspend = selectors.can_suspend_in(request.user, network)
    silenced = selectors.is_silenced(member, network)
    form = MemberActionForm(_data(request), may_suspend=may_suspend, silenced=silenced)
    if request.method == "POST" and form.is_valid():
        action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
        try:
            if action == "silence":
                services.silence_member(
                    moderator=request.user, network=network, user=member, until=form.until(), reason=reason
                )
                done = _("%(name)s is silenced in this network's forums.") % {"name": member.name}
            elif action == "lift":
                services.lift_silence(moderator=request.user, network=network, user=member, reason=reason)
                done = _("%(name)s may post again.") % {"name": member.name}
            else:
                services.suspend_member(moderator=request.user, network=network, user=member, reason=reason)
                done = _("The membership of %(name)s is suspended.") % {"name": member.name}
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect(request.get_full_path())
    return render(
        request,
        "forum_moderation/silence.html",
        {
            "network": network,
            "member": member,
            "form": form,
            "silenced": silenced,
            "silences": selectors.silences_of(user=member, network=network)[:20],
            "may_silence": selectors.can_silence(request.user, network, member),
            "may_suspend": may_suspend,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def audit(request):
    _require_moderation_access(request.user)
    network_slug = request.GET.get("network", "")[:60]
    entries = selectors.audit_entries_for(request.user, network_slug=network_slug)
    page = Paginator(entries, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.label = selectors.audit_label(entry.action)
    return render(
        request,
        "forum_moderation/audit.html",
        {
            "page": page,
            "network_slug": network_slug,
            "networks": selectors.moderated_networks_for(request.user),
        },
    )
