"""Moderation actions: who may do them, what changes, who is told, what is audited."""

import datetime

import pytest
from django.utils import timezone

from forums.models import Post, PostStatus, Subscription, Topic
from forums.moderation import services
from forums.moderation.models import Flag, FlagStatus, Silence
from forums.selectors import can_post_in, can_reply
from network.models import AuditEntry, MembershipStatus, Notification
from tests.factories import UserFactory, member_of

from .conftest import add_post, make_topic

pytestmark = pytest.mark.django_db


def audited(action, **filters):
    return AuditEntry.objects.filter(action=action, **filters)


# --- flags --------------------------------------------------------------------------------


def test_a_member_flags_a_post_and_the_moderators_of_its_network_are_told(
    post, reader, moderator, manager, police_moderator
):
    flag = services.flag_post(reporter=reader, post=post, reason="offensive", note="Insults a colleague.")

    assert flag.status == FlagStatus.OPEN
    told = set(
        Notification.objects.filter(verb="forums.post_flagged").values_list("recipient__username", flat=True)
    )
    assert told == {moderator.username, manager.username}
    assert police_moderator.username not in told


def test_flagging_again_while_the_flag_is_open_is_refused(post, reader):
    services.flag_post(reporter=reader, post=post, reason="spam")

    with pytest.raises(services.ModerationError, match="already flagged"):
        services.flag_post(reporter=reader, post=post, reason="offensive")
    assert Flag.objects.count() == 1


def test_a_member_who_cannot_read_the_post_cannot_flag_it(post, police):
    outsider = member_of(police)

    with pytest.raises(services.ModerationError):
        services.flag_post(reporter=outsider, post=post, reason="spam")
    assert not Flag.objects.exists()


def test_bad_flag_input_is_refused_and_stores_nothing(post, reader, author):
    with pytest.raises(services.ModerationError):
        services.flag_post(reporter=reader, post=post, reason="because")
    with pytest.raises(services.ModerationError):
        services.flag_post(reporter=reader, post=post, reason="other", note="x" * 2001)
    with pytest.raises(services.ModerationError):
        services.flag_post(reporter=author, post=post, reason="spam")  # one's own post
    assert not Flag.objects.exists()


# --- hiding and restoring -----------------------------------------------------------------


def test_hiding_a_post_tells_its_author_why_and_closes_the_flags(post, topic, reader, moderator, author):
    services.flag_post(reporter=reader, post=post, reason="offensive")

    services.hide_post(moderator=moderator, post=post, reason="Personal attacks are not allowed.")

    post.refresh_from_db()
    assert post.status == PostStatus.HIDDEN
    assert post.hidden_reason == "Personal attacks are not allowed."
    assert post.hidden_by == moderator and post.hidden_at is not None
    assert Flag.objects.get().status == FlagStatus.ACTED
    notification = Notification.objects.get(recipient=author, verb="forums.post_hidden")
    assert notification.params["reason"] == "Personal attacks are not allowed."
    topic.refresh_from_db()
    assert topic.post_count == 2
    entry = audited("forums.post_hidden").get()
    assert (entry.actor, entry.subject_user, entry.network) == (moderator, author, topic.category.network)
    assert entry.reason == "Personal attacks are not allowed."
    assert entry.target_id == str(post.pk)


def test_a_hidden_post_is_no_longer_readable_but_its_author_and_moderators_see_it(
    post, reader, moderator, author
):
    from forums.selectors import can_see_post_body, post_payload

    services.hide_post(moderator=moderator, post=post, reason="Spam")
    post.refresh_from_db()

    assert not can_see_post_body(reader, post)
    assert can_see_post_body(author, post)
    assert can_see_post_body(moderator, post)
    assert post_payload(post)["html"] == ""  # the live event carries no body


def test_hiding_needs_a_reason_and_changes_nothing_without_one(post, moderator):
    with pytest.raises(services.ModerationError, match="reason"):
        services.hide_post(moderator=moderator, post=post, reason="   ")

    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert not AuditEntry.objects.exists()


def test_only_moderators_of_the_network_with_two_factor_may_hide(
    post, reader, police_moderator, prevention, staff
):
    no_totp = member_of(prevention, role="moderator")
    for user in (reader, police_moderator, no_totp):
        with pytest.raises(services.ModerationError):
            services.hide_post(moderator=user, post=post, reason="No")
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED

    services.hide_post(moderator=staff, post=post, reason="DPS staff moderate every network.")
    post.refresh_from_db()
    assert post.status == PostStatus.HIDDEN


def test_hiding_the_first_post_hides_the_topic_and_restoring_shows_it_again(topic, moderator, category):
    first = topic.posts.get(number=1)

    services.hide_post(moderator=moderator, post=first, reason="Off topic")
    topic.refresh_from_db()
    category.refresh_from_db()
    assert not topic.is_visible
    assert category.topic_count == 0

    services.restore_post(moderator=moderator, post=first)
    topic.refresh_from_db()
    category.refresh_from_db()
    assert topic.is_visible
    assert (category.topic_count, topic.post_count) == (1, 3)


def test_restoring_a_post_publishes_it_again_and_tells_its_author(post, moderator, author):
    services.hide_post(moderator=moderator, post=post, reason="Check the figures")
    services.restore_post(moderator=moderator, post=post, reason="Figures confirmed")

    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.hidden_reason == ""
    assert Notification.objects.filter(recipient=author, verb="forums.post_restored").count() == 1
    assert audited("forums.post_restored", reason="Figures confirmed").count() == 1
    with pytest.raises(services.ModerationError, match="not hidden"):
        services.restore_post(moderator=moderator, post=post)


# --- held posts ---------------------------------------------------------------------------


def test_approving_a_held_post_publishes_it_and_counts_it(topic, moderator, reader, category):
    held = add_post(topic, reader, "My first contribution", status=PostStatus.PENDING)

    services.approve_post(moderator=moderator, post=held)

    held.refresh_from_db()
    topic.refresh_from_db()
    assert held.status == PostStatus.PUBLISHED
    assert topic.post_count == 4
    assert Notification.objects.filter(recipient=reader, verb="forums.post_approved").exists()
    assert audited("forums.post_approved", subject_user=reader).count() == 1
    with pytest.raises(services.ModerationError):
        services.approve_post(moderator=moderator, post=held)


def test_approving_a_held_first_post_makes_its_topic_visible(category, reader, moderator):
    topic = make_topic(category, reader, title="Nuevo tema", status=PostStatus.PENDING)
    Topic.objects.filter(pk=topic.pk).update(is_visible=False)

    services.approve_post(moderator=moderator, post=topic.posts.get())

    topic.refresh_from_db()
    category.refresh_from_db()
    assert topic.is_visible and category.topic_count == 1


def test_rejecting_a_held_post_keeps_it_from_readers_and_tells_the_author_why(topic, reader, moderator):
    held = add_post(topic, reader, "Buy cheap watches", status=PostStatus.PENDING)

    with pytest.raises(services.ModerationError):
        services.reject_post(moderator=moderator, post=held, reason="")
    services.reject_post(moderator=moderator, post=held, reason="Advertising is not allowed.")

    held.refresh_from_db()
    assert held.status == PostStatus.HIDDEN
    notification = Notification.objects.get(recipient=reader, verb="forums.post_rejected")
    assert notification.params["reason"] == "Advertising is not allowed."
    assert audited("forums.post_rejected").count() == 1


# --- topics -------------------------------------------------------------------------------


def test_locking_stops_replies_from_members_until_unlocked(topic, moderator, reader):
    services.lock_topic(moderator=moderator, topic=topic, reason="Heated")
    topic.refresh_from_db()
    assert topic.is_locked and not can_reply(reader, topic)
    assert can_reply(moderator, topic)
    with pytest.raises(services.ModerationError, match="already locked"):
        services.lock_topic(moderator=moderator, topic=topic)

    services.unlock_topic(moderator=moderator, topic=topic)
    topic.refresh_from_db()
    assert not topic.is_locked and can_reply(reader, topic)
    assert audited("forums.topic_locked", reason="Heated").count() == 1
    assert audited("forums.topic_unlocked").count() == 1


def test_pinning_and_unpinning_are_audited(topic, moderator, reader):
    with pytest.raises(services.ModerationError):
        services.pin_topic(moderator=reader, topic=topic)
    services.pin_topic(moderator=moderator, topic=topic)
    topic.refresh_from_db()
    assert topic.is_pinned
    services.unpin_topic(moderator=moderator, topic=topic)
    topic.refresh_from_db()
    assert not topic.is_pinned
    assert audited("forums.topic_pinned").count() == audited("forums.topic_unpinned").count() == 1


def test_moving_a_topic_recounts_both_categories(topic, moderator, category, other_category):
    from forums.services import category_refresh_counters

    category_refresh_counters(category)

    services.move_topic(moderator=moderator, topic=topic, category=other_category, reason="Belongs there")

    topic.refresh_from_db()
    category.refresh_from_db()
    other_category.refresh_from_db()
    assert topic.category == other_category
    assert (category.topic_count, category.post_count) == (0, 0)
    assert (other_category.topic_count, other_category.post_count) == (1, 3)
    entry = audited("forums.topic_moved").get()
    assert entry.data["from_category"] == "experiences" and entry.data["to_category"] == "publications"


def test_a_topic_moves_only_to_a_category_its_moderator_moderates(topic, moderator, police_category, staff):
    with pytest.raises(services.ModerationError):
        services.move_topic(moderator=moderator, topic=topic, category=police_category)
    topic.refresh_from_db()
    assert topic.category.slug == "experiences"

    services.move_topic(moderator=staff, topic=topic, category=police_category)  # staff: every network
    topic.refresh_from_db()
    assert topic.category == police_category


def test_merging_keeps_every_post_and_numbers_them_after_the_target(category, author, reader, moderator):
    target = make_topic(category, author, title="Target", posts=2)
    source = make_topic(category, reader, title="Source", posts=3)
    # The source's posts are numbered in the order they were written, not as numbered.
    now = timezone.now()
    for number, minutes_ago in ((1, 30), (2, 10), (3, 20)):
        Post.objects.filter(topic=source, number=number).update(
            created_at=now - datetime.timedelta(minutes=minutes_ago)
        )
    Subscription.objects.create(user=reader, topic=source)
    before = set(Post.objects.values_list("pk", flat=True))

    services.merge_topics(moderator=moderator, source=source, target=target, reason="Same question")

    assert set(Post.objects.values_list("pk", flat=True)) == before
    assert not Post.objects.filter(topic=source).exists()
    bodies = list(Post.objects.filter(topic=target).order_by("number").values_list("number", "body"))
    assert bodies == [
        (1, "Message 1 of Target"),
        (2, "Message 2 of Target"),
        (3, "Message 1 of Source"),
        (4, "Message 3 of Source"),
        (5, "Message 2 of Source"),
    ]
    source.refresh_from_db()
    target.refresh_from_db()
    category.refresh_from_db()
    assert source.merged_into == target and not source.is_visible
    assert (target.post_count, target.last_post_number) == (5, 5)
    assert category.topic_count == 1 and category.post_count == 5
    assert Subscription.objects.filter(user=reader, topic=target).exists()
    assert audited("forums.topics_merged").get().data["posts"] == 3


def test_merging_refuses_itself_and_merged_topics(category, author, moderator):
    one = make_topic(category, author, title="One")
    two = make_topic(category, author, title="Two")
    with pytest.raises(services.ModerationError):
        services.merge_topics(moderator=moderator, source=one, target=one)
    services.merge_topics(moderator=moderator, source=one, target=two)
    with pytest.raises(services.ModerationError):
        services.merge_topics(moderator=moderator, source=one, target=two)
    with pytest.raises(services.ModerationError):
        services.merge_topics(moderator=moderator, source=two, target=one)


def test_merging_into_another_network_needs_to_moderate_both(
    topic, moderator, police_category, author, staff
):
    elsewhere = make_topic(police_category, author, title="Elsewhere")
    with pytest.raises(services.ModerationError):
        services.merge_topics(moderator=moderator, source=topic, target=elsewhere)
    assert Post.objects.filter(topic=topic).count() == 3

    services.merge_topics(moderator=staff, source=topic, target=elsewhere)
    assert Post.objects.filter(topic=elsewhere).count() == 4
    assert audited("forums.topics_merged").count() == 2  # one in each network's trail


def test_dismissing_the_flags_leaves_the_post_as_it_is(post, reader, moderator, prevention):
    services.flag_post(reporter=reader, post=post, reason="off_topic")
    services.flag_post(reporter=member_of(prevention), post=post, reason="spam")

    assert services.dismiss_flags(moderator=moderator, post=post) == 2

    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert set(Flag.objects.values_list("status", flat=True)) == {FlagStatus.DISMISSED}
    assert audited("forums.flags_dismissed").get().data["flags"] == 2
    with pytest.raises(services.ModerationError):
        services.dismiss_flags(moderator=moderator, post=post)


def test_dismissing_one_flag(post, reader, moderator):
    flag = services.flag_post(reporter=reader, post=post, reason="off_topic")
    with pytest.raises(services.ModerationError):
        services.dismiss_flag(moderator=reader, flag=flag)
    services.dismiss_flag(moderator=moderator, flag=flag)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED and flag.resolved_by == moderator


# --- members ------------------------------------------------------------------------------


def test_a_silenced_member_cannot_post_until_the_silence_is_lifted(
    topic, category, police_category, moderator, reader, prevention, police
):
    from forums.services import ForumError, post_reply

    police.memberships.create(user=reader)  # also a member of the police network
    until = timezone.now() + datetime.timedelta(days=7)

    services.silence_member(moderator=moderator, network=prevention, user=reader, until=until, reason="Spam")

    assert not can_post_in(reader, category)
    assert can_post_in(reader, police_category)  # other networks are not concerned
    with pytest.raises(ForumError):
        post_reply(author=reader, topic=topic, body="Let me speak")
    assert topic.posts.count() == 3
    notification = Notification.objects.get(recipient=reader, verb="forums.member_silenced")
    assert notification.params["reason"] == "Spam"
    assert audited("forums.member_silenced", subject_user=reader).count() == 1

    services.lift_silence(moderator=moderator, network=prevention, user=reader)
    assert can_post_in(reader, category)
    assert audited("forums.silence_lifted").count() == 1
    with pytest.raises(services.ModerationError):
        services.lift_silence(moderator=moderator, network=prevention, user=reader)


def test_a_silence_ends_by_itself_at_its_end(category, moderator, reader, prevention):
    services.silence_member(
        moderator=moderator,
        network=prevention,
        user=reader,
        until=timezone.now() + datetime.timedelta(days=1),
        reason="Cool down",
    )
    Silence.objects.update(until=timezone.now() - datetime.timedelta(seconds=1))
    assert can_post_in(reader, category)


def test_silencing_refuses_moderators_oneself_the_past_and_other_networks(
    moderator, manager, reader, prevention, police, police_moderator
):
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    refused = [
        {"moderator": moderator, "user": manager, "until": tomorrow, "reason": "x"},
        {"moderator": moderator, "user": moderator, "until": tomorrow, "reason": "x"},
        {
            "moderator": moderator,
            "user": reader,
            "until": timezone.now() - datetime.timedelta(hours=1),
            "reason": "x",
        },
        {"moderator": moderator, "user": reader, "until": None, "reason": ""},
        {"moderator": police_moderator, "user": reader, "until": None, "reason": "x"},
        {"moderator": reader, "user": moderator, "until": None, "reason": "x"},
    ]
    for arguments in refused:
        with pytest.raises(services.ModerationError):
            services.silence_member(network=prevention, **arguments)
    assert not Silence.objects.exists()
    assert not AuditEntry.objects.exists()


def test_suspension_is_for_network_managers(moderator, manager, reader, prevention):
    with pytest.raises(services.ModerationError, match="managers"):
        services.suspend_member(moderator=moderator, network=prevention, user=reader, reason="Repeated abuse")
    assert reader.memberships.get().status == MembershipStatus.ACTIVE

    services.suspend_member(moderator=manager, network=prevention, user=reader, reason="Repeated abuse")

    assert reader.memberships.get().status == MembershipStatus.SUSPENDED
    assert audited("membership.suspended", subject_user=reader, reason="Repeated abuse").count() == 1
    with pytest.raises(services.ModerationError):
        services.suspend_member(moderator=manager, network=prevention, user=UserFactory(), reason="x")
