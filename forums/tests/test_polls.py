"""Polls: creating, who may vote and see results, changing a vote, closed polls, the vote
view (HTML and fetch), the partial in two languages and its query count."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from forums import polls
from forums.models import Category, Poll, PollOption, PollVote, Post, ReadAccess, Topic
from tests.factories import NetworkFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def with_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


def make_topic(category, author, title="Which training helps most?"):
    topic = Topic.objects.create(
        category=category, author=author, title=title, slug=slugify(title), last_post_number=1
    )
    Post.objects.create(topic=topic, author=author, number=1, body="Tell us.", body_html="<p>Tell us.</p>")
    return topic


def make_poll(topic, *, multiple=False, closes_at=None, options=("Courses", "Workshops", "Exchanges")):
    return polls.poll_create(
        topic=topic,
        question="What helps most?",
        options=list(options),
        multiple=multiple,
        closes_at=closes_at,
    )


@pytest.fixture
def network():
    return NetworkFactory(slug="prevention")


@pytest.fixture
def other_network():
    return NetworkFactory(slug="police")


@pytest.fixture
def category(network):
    return Category.objects.create(network=network, slug="practices", name="Practices")


@pytest.fixture
def author(network):
    return member_of(network)


@pytest.fixture
def voter(network):
    return member_of(network)


@pytest.fixture
def poll(category, author):
    return make_poll(make_topic(category, author))


def vote_url(poll):
    return reverse("forums:poll_vote", args=[poll.pk])


def option_ids(poll):
    return list(poll.options.order_by("position").values_list("pk", flat=True))


# --- the form and creating ------------------------------------------------------------------


def test_a_blank_poll_form_is_valid_and_means_no_poll():
    form = polls.PollForm({"question": "", "options": ""}, prefix=None)
    assert form.is_valid()
    assert form.cleaned_data == {}


def test_a_blank_poll_form_is_refused_when_the_member_asked_for_a_poll():
    form = polls.PollForm({"poll-question": "", "poll-options": ""}, prefix="poll", require=True)
    assert not form.is_valid()
    assert form.non_field_errors()


def test_a_filled_poll_form_gives_the_arguments_of_poll_create():
    closes = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    form = polls.PollForm(
        {
            "question": " Best format? ",
            "options": "Courses\n\n  Workshops \nExchanges\n",
            "multiple": "on",
            "closes_at": closes,
        }
    )
    assert form.is_valid(), form.errors
    assert set(form.cleaned_data) == {"question", "options", "multiple", "closes_at"}
    assert form.cleaned_data["options"] == ["Courses", "Workshops", "Exchanges"]
    assert form.cleaned_data["question"] == "Best format?"
    assert form.cleaned_data["multiple"] is True


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"question": "Q?", "options": "Only one"}, "options"),
        ({"question": "Q?", "options": "\n".join(f"option {n}" for n in range(11))}, "options"),
        ({"question": "Q?", "options": "Same\nsame"}, "options"),
        ({"question": "Q?", "options": "A\n" + "B" * 201}, "options"),
        ({"question": "", "options": "A\nB"}, "question"),
        ({"question": "Q?", "options": ""}, "options"),
        ({"question": "Q?", "options": "A\nB", "closes_at": "2001-01-01T10:00"}, "closes_at"),
    ],
)
def test_the_poll_form_explains_what_is_wrong(data, field):
    form = polls.PollForm(data)
    assert not form.is_valid()
    assert form.errors[field]


def test_poll_create_keeps_the_options_in_order(category, author):
    topic = make_topic(category, author)
    poll = polls.poll_create(
        topic=topic, question="Q?", options=["B", "A", "C"], multiple=False, closes_at=None
    )
    assert list(poll.options.values_list("label", flat=True)) == ["B", "A", "C"]


def test_poll_create_refuses_a_single_option_and_stores_nothing(category, author):
    topic = make_topic(category, author)
    with pytest.raises(polls.PollError):
        polls.poll_create(topic=topic, question="Q?", options=["Alone"], multiple=False, closes_at=None)
    assert not Poll.objects.exists() and not PollOption.objects.exists()


# --- voting -----------------------------------------------------------------------------------


def test_a_member_votes_and_changing_the_vote_replaces_it(poll, voter):
    first, second, _third = option_ids(poll)
    polls.poll_vote(user=voter, poll=poll, option_ids=[first])
    polls.poll_vote(user=voter, poll=poll, option_ids=[str(second)])
    assert list(PollVote.objects.filter(user=voter).values_list("option_id", flat=True)) == [second]


def test_a_multiple_choice_poll_takes_several_answers(category, author, voter):
    poll = make_poll(make_topic(category, author), multiple=True)
    first, _second, third = option_ids(poll)
    polls.poll_vote(user=voter, poll=poll, option_ids=[first, third, first])
    assert set(PollVote.objects.filter(user=voter).values_list("option_id", flat=True)) == {first, third}


@pytest.mark.parametrize(
    ("choice", "code"),
    [("two", "single"), ("none", "empty"), ("foreign", "invalid_option"), ("garbage", "invalid_option")],
)
def test_bad_answers_are_refused_and_change_nothing(poll, voter, category, author, choice, code):
    first, second, _third = option_ids(poll)
    polls.poll_vote(user=voter, poll=poll, option_ids=[first])
    foreign = make_poll(make_topic(category, author, title="Another")).options.first().pk
    chosen = {"two": [first, second], "none": [], "foreign": [foreign], "garbage": ["1; DROP TABLE"]}[choice]
    with pytest.raises(polls.PollError) as refused:
        polls.poll_vote(user=voter, poll=poll, option_ids=chosen)
    assert refused.value.code == code
    assert list(PollVote.objects.filter(user=voter).values_list("option_id", flat=True)) == [first]


def test_a_closed_poll_refuses_votes_with_a_clear_message(category, author, voter):
    poll = make_poll(make_topic(category, author), closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(polls.PollError) as refused:
        polls.poll_vote(user=voter, poll=poll, option_ids=option_ids(poll)[:1])
    assert "closed" in refused.value.messages[0]
    assert not PollVote.objects.exists()


def test_members_of_another_network_and_visitors_cannot_vote(poll, other_network):
    from django.contrib.auth.models import AnonymousUser

    for user in (member_of(other_network), AnonymousUser(), UserFactory()):
        with pytest.raises(polls.PollError):
            polls.poll_vote(user=user, poll=poll, option_ids=option_ids(poll)[:1])
        assert not polls.can_vote(user, poll)
    assert not PollVote.objects.exists()


def test_a_member_of_another_network_may_vote_in_a_public_category(network, other_network, author):
    public = Category.objects.create(network=network, slug="open", name="Open", read_access=ReadAccess.PUBLIC)
    poll = make_poll(make_topic(public, author))
    outsider = member_of(other_network)
    polls.poll_vote(user=outsider, poll=poll, option_ids=option_ids(poll)[:1])
    assert PollVote.objects.filter(user=outsider).count() == 1


# --- what a member sees -----------------------------------------------------------------------


def test_results_are_shown_after_voting_with_counts_and_percentages(poll, voter, network):
    first, second, third = option_ids(poll)
    for choice in (first, first, second):
        polls.poll_vote(user=member_of(network), poll=poll, option_ids=[choice])
    before = polls.poll_context(poll, voter)
    assert before["can_vote"] and not before["has_voted"] and not before["show_results"]

    polls.poll_vote(user=voter, poll=poll, option_ids=[third])
    after = polls.poll_context(poll, voter)
    assert after["show_results"] and after["has_voted"] and after["voters"] == 4
    assert [(o["votes"], o["percent"], o["chosen"]) for o in after["options"]] == [
        (2, 50, False),
        (1, 25, False),
        (1, 25, True),
    ]


def test_a_closed_poll_shows_its_results_to_everyone(category, author, voter):
    from django.contrib.auth.models import AnonymousUser

    poll = make_poll(make_topic(category, author), closes_at=timezone.now() + timedelta(hours=1))
    polls.poll_vote(user=voter, poll=poll, option_ids=option_ids(poll)[:1])
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    poll.refresh_from_db()
    context = polls.poll_context(poll, AnonymousUser())
    assert context["is_closed"] and context["show_results"] and not context["can_vote"]
    assert context["options"][0]["percent"] == 100


def test_poll_context_runs_the_same_queries_for_few_and_many_voters(
    poll, voter, network, django_assert_num_queries
):
    first = option_ids(poll)[0]
    polls.poll_vote(user=voter, poll=poll, option_ids=[first])

    def count_queries():
        fresh = Poll.objects.select_related("topic__category").get(pk=poll.pk)
        user = type(voter).objects.get(pk=voter.pk)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            polls.poll_context(fresh, user)
        return len(captured)

    few = count_queries()
    PollVote.objects.bulk_create(
        [PollVote(poll=poll, option_id=first, user=UserFactory()) for _ in range(40)]
    )
    assert count_queries() == few
    assert few <= 6


def _render(poll, user, language):
    request = RequestFactory().get("/forums/t/1/x/")
    request.user = user
    with translation.override(language):
        return render_to_string(
            "forums/_poll.html", {"poll": polls.poll_context(poll, user)}, request=request
        )


def test_the_poll_partial_is_an_accessible_form_in_two_languages(poll, voter, network):
    for html in (_render(poll, voter, "en"), _render(poll, voter, "es")):
        assert "<fieldset>" in html and "<legend>" in html
        assert 'type="radio" name="option"' in html
        assert "style=" not in html and "<script" not in html
    polls.poll_vote(user=voter, poll=poll, option_ids=option_ids(poll)[:1])
    assert 'aria-label="Results"' in _render(poll, voter, "en")
    assert 'aria-label="Resultados"' in _render(poll, voter, "es")


def test_after_voting_the_partial_draws_results_with_meters(poll, voter):
    polls.poll_vote(user=voter, poll=poll, option_ids=option_ids(poll)[:1])
    html = _render(poll, voter, "en")
    assert '<meter id="poll-' in html and 'value="100"' in html
    assert "Change your vote" in html
    assert "style=" not in html


def test_a_visitor_is_invited_to_sign_in_in_a_public_category(network, author):
    from django.contrib.auth.models import AnonymousUser

    public = Category.objects.create(network=network, slug="open", name="Open", read_access=ReadAccess.PUBLIC)
    poll = make_poll(make_topic(public, author))
    html = _render(poll, AnonymousUser(), "en")
    assert "Sign in to vote" in html and "<form" not in html


# --- the vote view ----------------------------------------------------------------------------


def test_voting_through_the_page_returns_to_the_topic_with_a_message(client, poll, voter):
    client.force_login(voter)
    response = client.post(vote_url(poll), {"option": option_ids(poll)[1]})
    assert response.status_code == 302
    assert f"/t/{poll.topic_id}/" in response.url and response.url.endswith(f"#poll-{poll.pk}")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Thank you: your vote was recorded."]
    assert PollVote.objects.get(user=voter).option_id == option_ids(poll)[1]


def test_voting_from_a_spanish_page_answers_in_spanish(client, poll, voter):
    client.force_login(voter)
    url = "/es" + vote_url(poll) if not vote_url(poll).startswith("/es/") else vote_url(poll)
    response = client.post(url, {"option": option_ids(poll)[0]})
    assert response.status_code == 302 and "/es/" in response.url
    with translation.override("es"):
        expected = translation.gettext("Thank you: your vote was recorded.")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [expected]


def test_voting_with_fetch_answers_json_with_the_new_results(client, poll, voter):
    client.force_login(voter)
    response = client.post(
        vote_url(poll), {"option": option_ids(poll)[0]}, headers={"accept": "application/json"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True and "<meter" in data["html"] and data["message"]


def test_a_closed_poll_refuses_a_vote_through_the_page(client, category, author, voter):
    poll = make_poll(make_topic(category, author), closes_at=timezone.now() - timedelta(days=1))
    client.force_login(voter)
    response = client.post(vote_url(poll), {"option": option_ids(poll)[0]})
    assert response.status_code == 302
    assert "closed" in [str(m) for m in get_messages(response.wsgi_request)][0]
    response = client.post(
        vote_url(poll), {"option": option_ids(poll)[0]}, headers={"accept": "application/json"}
    )
    assert response.status_code == 400 and "closed" in response.json()["error"]
    assert not PollVote.objects.exists()


def test_the_vote_view_hides_members_only_polls_from_outsiders(client, poll, other_network):
    assert client.post(vote_url(poll), {"option": option_ids(poll)[0]}).status_code == 404
    client.force_login(member_of(other_network))
    assert client.post(vote_url(poll), {"option": option_ids(poll)[0]}).status_code == 404
    assert client.post(reverse("forums:poll_vote", args=[987654]), {"option": 1}).status_code == 404
    assert not PollVote.objects.exists()


def test_a_visitor_voting_in_a_public_category_is_sent_to_sign_in(client, network, author):
    public = Category.objects.create(network=network, slug="open", name="Open", read_access=ReadAccess.PUBLIC)
    poll = make_poll(make_topic(public, author))
    response = client.post(vote_url(poll), {"option": option_ids(poll)[0]})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not PollVote.objects.exists()


def test_a_moderator_may_vote(client, poll, network):
    moderator = with_totp(member_of(network, "moderator"))
    client.force_login(moderator)
    response = client.post(vote_url(poll), {"option": option_ids(poll)[2]})
    assert response.status_code == 302
    assert PollVote.objects.filter(user=moderator).count() == 1


def test_the_vote_view_only_takes_posts(client, poll, voter):
    client.force_login(voter)
    assert client.get(vote_url(poll)).status_code == 405
