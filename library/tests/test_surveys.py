import csv
import datetime
import io

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.utils import timezone

from library.models import HomePage, LibraryIndexPage, SurveyFormField, SurveyPage, SurveyResponse
from library.services import _publish
from library.surveys import (
    AnswerState,
    SurveyRefused,
    answer_state,
    neutralise,
    survey_answer,
    survey_results,
)
from library.tests import factories
from network.permissions import DPS_STAFF_GROUP
from tests.factories import NetworkFactory, UserFactory, member_of
from tests.hostile_input import hostile_payloads

pytestmark = pytest.mark.django_db

XSS_PAYLOADS = hostile_payloads()

QUESTIONS = [
    ("Your sector", "radio", True, "Public security\nTourism authority\nCivil society"),
    ("Threats", "checkboxes", False, "Crime against tourists\nNatural disasters\nTerrorism"),
    ("Coordination", "dropdown", False, "Not at all\nSomewhat\nWell"),
    ("Staff", "number", False, ""),
    ("Last exercise", "date", False, ""),
    ("Training needs", "multiline", False, ""),
]


def make_survey(*, audience="members", one_answer=True, opens_at=None, closes_at=None, title=None):
    index = factories.library_index()
    number = SurveyPage.objects.count() + 1
    page = SurveyPage(
        title=title or f"Needs assessment {number}",
        slug=f"survey-{number}",
        intro="<p>Tell us what you need.</p>",
        thank_you_text="<p>Thanks a lot.</p>",
        audience=audience,
        one_answer_per_member=one_answer,
        opens_at=opens_at,
        closes_at=closes_at,
        form_fields=[
            SurveyFormField(label=label, field_type=kind, required=required, choices=choices, sort_order=i)
            for i, (label, kind, required, choices) in enumerate(QUESTIONS)
        ],
    )
    index.add_child(instance=page)
    return _publish(page)


def answer(**overrides):
    data = {
        "your_sector": "Civil society",
        "threats": ["Crime against tourists", "Terrorism"],
        "coordination": "Somewhat",
        "staff": "12",
        "last_exercise": "2026-03-01",
        "training_needs": "Crisis communication",
    }
    data.update(overrides)
    return data


def with_two_factor(user):
    # Staff and managers may only act once two-factor authentication is set up.
    TOTP.activate(user, generate_totp_secret())
    return user


def staff_user():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=DPS_STAFF_GROUP)[0])
    return with_two_factor(user)


@pytest.fixture
def member():
    return member_of(NetworkFactory(slug="prevention"))


# --- the page type ---------------------------------------------------------------------------


def test_a_survey_can_be_created_under_a_library_index_only():
    assert SurveyPage.can_create_at(factories.library_index())
    assert not SurveyPage.can_create_at(HomePage.objects.first())
    assert "library.SurveyPage" in LibraryIndexPage.subpage_types


def test_a_survey_that_closes_before_it_opens_is_invalid():
    now = timezone.now()
    page = SurveyPage(title="x", slug="x", opens_at=now, closes_at=now - datetime.timedelta(days=1))
    with pytest.raises(Exception, match="closes before it opens"):
        page.clean()


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "lang"), [("", "en"), ("/es", "es")])
def test_a_member_sees_the_form_in_english_and_spanish(client, member, prefix, lang):
    page = make_survey()
    client.force_login(member)
    response = client.get(prefix + page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{page.title}</h1>" in html
    assert 'id="survey-form-heading"' in html
    assert 'name="your_sector"' in html and 'name="last_exercise"' in html
    assert "<script>" not in html


def test_a_visitor_is_sent_to_the_login_page_of_a_members_only_survey(client):
    page = make_survey()
    response = client.get(page.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    response = client.post(page.url, answer())
    assert response.status_code == 302
    assert SurveyResponse.objects.count() == 0


def test_a_signed_in_non_member_gets_a_clear_403_and_cannot_answer(client):
    page = make_survey()
    client.force_login(UserFactory())
    response = client.get(page.url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "This survey is for network members" in html
    assert 'name="your_sector"' not in html
    assert client.post(page.url, answer()).status_code == 403
    assert SurveyResponse.objects.count() == 0


def test_a_visitor_answers_an_open_survey_without_signing_in(client):
    page = make_survey(audience="everyone", one_answer=False)
    response = client.get(page.url)
    assert response.status_code == 200
    assert 'name="your_sector"' in response.content.decode()
    response = client.post(page.url, answer())
    assert response.status_code == 200
    assert 'id="thanks-heading"' in response.content.decode()
    submission = SurveyResponse.objects.get()
    assert submission.user is None
    assert submission.form_data["threats"] == ["Crime against tourists", "Terrorism"]


def test_an_open_survey_with_one_answer_per_member_asks_visitors_to_log_in(client):
    page = make_survey(audience="everyone", one_answer=True)
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="your_sector"' not in html
    assert "/accounts/login/?next=" in html
    assert client.post(page.url, answer()).status_code == 302
    assert SurveyResponse.objects.count() == 0


# --- one answer per member ---------------------------------------------------------------------


def test_a_member_answers_once_and_a_second_post_is_refused(client, member):
    page = make_survey()
    client.force_login(member)
    response = client.post(page.url, answer())
    assert response.status_code == 200
    assert "Thanks a lot." in response.content.decode()
    assert SurveyResponse.objects.filter(page=page, user=member).count() == 1

    response = client.post(page.url, answer(your_sector="Public security"))
    assert response.status_code == 409
    assert 'name="your_sector"' not in response.content.decode()
    assert SurveyResponse.objects.filter(page=page).count() == 1
    assert SurveyResponse.objects.get().form_data["your_sector"] == "Civil society"

    response = client.get(page.url)
    html = response.content.decode()
    assert "You already answered this survey" in html
    assert 'name="your_sector"' not in html


def test_a_race_past_the_check_is_stopped_by_the_unique_constraint(member, monkeypatch):
    from django.db import IntegrityError, transaction

    from library import surveys

    page = make_survey()
    survey_answer(page=page, user=member, data=answer())
    # A concurrent request already passed the "has answered?" check:
    monkeypatch.setattr(surveys, "has_answered", lambda page, user: False)
    with pytest.raises(SurveyRefused) as refused:
        survey_answer(page=page, user=member, data=answer())
    assert refused.value.state == AnswerState.ANSWERED
    assert SurveyResponse.objects.filter(page=page).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(page=page, user=member, one_per_member=True, form_data={})


def test_surveys_without_the_rule_accept_several_answers_from_a_member(client, member):
    page = make_survey(one_answer=False)
    client.force_login(member)
    assert client.post(page.url, answer()).status_code == 200
    assert client.post(page.url, answer()).status_code == 200
    assert SurveyResponse.objects.filter(page=page, user=member).count() == 2


# --- dates -------------------------------------------------------------------------------------


def test_a_closed_survey_shows_a_message_no_form_and_refuses_answers(client, member):
    page = make_survey(closes_at=timezone.now() - datetime.timedelta(days=1))
    client.force_login(member)
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This survey closed on" in html
    assert 'name="your_sector"' not in html
    assert client.post(page.url, answer()).status_code == 403
    assert SurveyResponse.objects.count() == 0


def test_a_survey_not_open_yet_refuses_answers(client, member):
    page = make_survey(opens_at=timezone.now() + datetime.timedelta(days=2))
    client.force_login(member)
    assert "This survey opens on" in client.get(page.url).content.decode()
    assert client.post(page.url, answer()).status_code == 403
    assert SurveyResponse.objects.count() == 0
    assert answer_state(page=page, user=member, now=page.opens_at) == AnswerState.OPEN


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "lang"), [("", "en"), ("/es", "es")])
def test_bad_input_re_renders_the_form_with_errors_in_the_users_language(client, member, prefix, lang):
    page = make_survey()
    client.force_login(member)
    response = client.post(
        prefix + page.url,
        answer(
            your_sector="Not an option", staff="many", last_exercise="yesterday", training_needs="x" * 6000
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert html.count('class="errorlist"') == 4
    assert 'name="your_sector"' in html
    assert SurveyResponse.objects.count() == 0
    if lang == "es":
        assert "This field is required" not in html and "Enter a number" not in html


def test_a_missing_required_answer_is_an_error_and_nothing_is_stored(client, member):
    page = make_survey()
    client.force_login(member)
    response = client.post(page.url, answer(your_sector=""))
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert SurveyResponse.objects.count() == 0


# --- results -----------------------------------------------------------------------------------


def results_url(page, prefix=""):
    return f"{prefix}{page.url}results/"


def csv_url(page):
    return f"{page.url}results/csv/"


def test_visitors_are_sent_to_log_in_and_members_get_403_for_results_and_csv(client, member):
    page = make_survey()
    for url in (results_url(page), csv_url(page)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(member)
    assert client.get(results_url(page)).status_code == 403
    assert client.get(csv_url(page)).status_code == 403
    assert "See the results" not in client.get(page.url).content.decode()


@pytest.mark.parametrize(("prefix", "lang"), [("", "en"), ("/es", "es")])
def test_staff_see_results_with_a_chart_per_choice_question_in_two_languages(client, member, prefix, lang):
    page = make_survey()
    survey_answer(page=page, user=member, data=answer())
    survey_answer(page=page, user=member_of(NetworkFactory()), data=answer(threats=["Terrorism"], staff="4"))
    client.force_login(staff_user())
    response = client.get(results_url(page, prefix))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert html.count('role="img"') == 3  # sector, threats, coordination
    assert html.count('class="chart-data"') == 3
    assert '<th scope="row">Terrorism</th><td>2</td>' in html
    assert '<th scope="row">Crime against tourists</th><td>1</td>' in html
    assert '<th scope="row">Tourism authority</th><td>0</td>' in html
    assert "Crisis communication" in html
    assert f'href="{prefix}{page.url}results/csv/"' in html
    assert f"<h1>{page.title}</h1>" in html


def test_network_managers_see_results_too(client):
    page = make_survey()
    client.force_login(with_two_factor(member_of(NetworkFactory(), role="manager")))
    assert client.get(results_url(page)).status_code == 200
    assert client.get(csv_url(page)).status_code == 200
    assert "See the results" in client.get(page.url).content.decode()


def test_results_count_options_and_summarise_numbers(member):
    page = make_survey()
    survey_answer(page=page, user=member, data=answer(staff="10"))
    survey_answer(page=page, user=UserFactory(is_staff=True), data=answer(staff="20", threats=[]))
    results = survey_results(page=page)
    assert results.total == 2
    by_name = {question.clean_name: question for question in results.questions}
    assert dict(by_name["threats"].chart.rows)["Crime against tourists"] == 1
    assert by_name["threats"].answered == 1
    assert by_name["your_sector"].chart.rows[2] == ("Civil society", 2)
    assert by_name["staff"].numbers["average"] == "15"
    assert by_name["staff"].chart is None


def test_the_results_page_query_count_does_not_grow_with_answers(client, django_assert_max_num_queries):
    page = make_survey(audience="everyone", one_answer=False)
    client.force_login(staff_user())

    def add(count):
        for _number in range(count):
            survey_answer(page=page, user=None, data=answer())

    add(3)
    client.get(results_url(page))  # warm the caches (site, locale)
    with django_assert_max_num_queries(25) as few:
        assert client.get(results_url(page)).status_code == 200
    add(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(results_url(page))
    assert '<th scope="row">Civil society</th><td>30</td>' in response.content.decode()


def test_the_csv_is_utf8_with_bom_and_neutralises_formulas(client, member):
    page = make_survey()
    survey_answer(
        page=page,
        user=member,
        data=answer(training_needs='=HYPERLINK("http://evil.example","x")', threats=["Terrorism"]),
    )
    survey_answer(
        page=page,
        user=member_of(NetworkFactory()),
        data=answer(training_needs="@SUM(A1)", staff="-3", your_sector="Public security"),
    )
    survey_answer(page=page, user=member_of(NetworkFactory()), data=answer(training_needs="Formación ñandú"))
    client.force_login(staff_user())
    response = client.get(csv_url(page))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "Submitted at",
        "Your sector",
        "Threats",
        "Coordination",
        "Staff",
        "Last exercise",
        "Training needs",
    ]
    assert len(rows) == 4
    assert rows[1][2] == "Terrorism"
    assert rows[1][6] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[2][6] == "'@SUM(A1)"
    assert rows[2][4] == "'-3"
    assert rows[3][6] == "Formación ñandú"
    assert member.email not in body.decode("utf-8-sig")
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\tx", "\r=1"])
def test_neutralise_prefixes_formula_cells(value):
    assert neutralise(value) == "'" + value
    assert neutralise("plain") == "plain"


def test_hostile_answers_are_rendered_escaped_on_the_results_page(client):
    page = make_survey(audience="everyone", one_answer=False)
    for payload in XSS_PAYLOADS:
        survey_answer(page=page, user=None, data=answer(training_needs=payload, coordination="Well"))
    client.force_login(staff_user())
    response = client.get(results_url(page))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hostile_question_labels_and_options_are_escaped_in_charts(client):
    page = make_survey(audience="everyone", one_answer=False)
    SurveyFormField.objects.filter(page=page, clean_name="coordination").update(
        label="<script>alert(1)</script>", choices="<img src=x onerror=alert(1)>\nSomewhat"
    )
    survey_answer(page=page, user=None, data=answer(coordination="<img src=x onerror=alert(1)>"))
    client.force_login(staff_user())
    html = client.get(results_url(page)).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html


# --- the seeder --------------------------------------------------------------------------------


def test_the_demo_survey_is_seeded_once_with_demo_answers():
    from library.seed import SURVEY_ANSWERS, SURVEY_SLUG, seed_survey

    prevention = NetworkFactory(slug="prevention")
    for username in SURVEY_ANSWERS:
        member_of(prevention, username=username)
    index = factories.library_index()
    seed_survey(index)
    seed_survey(index)
    page = SurveyPage.objects.get(slug=SURVEY_SLUG)
    assert page.title == "Needs assessment: tourism security"
    assert page.live and page.audience == "members" and page.one_answer_per_member
    assert 5 <= page.form_fields.count() <= 6
    assert {field.field_type for field in page.form_fields.all()} >= {"radio", "checkboxes", "number", "date"}
    assert SurveyResponse.objects.filter(page=page).count() == len(SURVEY_ANSWERS)


def test_the_cms_page_listing_links_to_the_results_for_staff(client):
    page = make_survey()
    admin = with_two_factor(UserFactory(is_staff=True, is_superuser=True))
    client.force_login(admin)
    response = client.get(f"/cms/pages/{page.get_parent().pk}/")
    assert response.status_code == 200
    assert f'href="{page.url}results/"' in response.content.decode()
