"""The DPS training dashboard: who may open it, what it shows, the filters and the CSV."""

from datetime import date

import pytest

from courses.models import CourseFormat, CourseStat
from courses.tests.test_teach_support import make_course, with_totp
from tests.factories import NetworkFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def stats():
    police = NetworkFactory(slug="police", name="Police network")
    virtual = make_course(police, slug="cybercrime", title="Investigating cybercrime")
    on_site = make_course(
        police, slug="on-site", title="Police management on site", format=CourseFormat.ON_SITE
    )
    rows = [
        (virtual, CourseFormat.SELF_PACED, "MX", date(2025, 11, 1), 120, 40, 38),
        (virtual, CourseFormat.SELF_PACED, "CL", date(2025, 12, 1), 80, 20, 20),
        (virtual, CourseFormat.SELF_PACED, "MX", date(2026, 1, 1), 30, 5, 5),
        (on_site, CourseFormat.ON_SITE, "PE", date(2026, 1, 1), 34, 0, 0),
    ]
    for course, course_format, country, month, enrolments, completions, certificates in rows:
        CourseStat.objects.create(
            course=course,
            format=course_format,
            country_code=country,
            month=month,
            enrolments=enrolments,
            completions=completions,
            certificates=certificates,
        )
    return {"virtual": virtual, "on_site": on_site}


@pytest.fixture
def staff_client(client):
    client.force_login(with_totp(UserFactory(username="dps", is_staff=True)))
    return client


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/courses/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/courses/dashboard/export.csv")["Location"].startswith("/accounts/login/")


def test_members_and_instructors_may_not_open_it(client):
    police = NetworkFactory(slug="police")
    for user in (member_of(police), member_of(police, role="instructor")):
        client.force_login(user)
        assert client.get("/courses/dashboard/").status_code == 403
        assert client.get("/courses/dashboard/export.csv").status_code == 403


def test_staff_see_totals_targets_and_both_charts(staff_client, stats, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = staff_client.get("/courses/dashboard/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-total="enrolments">264<' in page
    assert 'data-total="completions">65<' in page
    # 230 virtual learners of 200,000; 34 on-site seats of 340 (10%)
    assert 'id="target-virtual" max="200000" value="230"' in page
    assert 'id="target-on-site" max="340" value="34"' in page
    assert 'id="courses-by-country"' in page and 'id="courses-by-month"' in page
    assert "Mexico" in page and "Investigating cybercrime" in page


def test_the_filters_narrow_every_number(staff_client, stats):
    page = staff_client.get(f"/courses/dashboard/?country=MX&course={stats['virtual'].pk}").content.decode()
    assert 'data-total="enrolments">150<' in page
    page = staff_client.get("/courses/dashboard/?format=on_site").content.decode()
    assert 'data-total="enrolments">34<' in page
    page = staff_client.get("/courses/dashboard/?year=2025").content.decode()
    assert 'data-total="enrolments">200<' in page


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_dashboard_renders_in_two_languages_and_survives_bad_filters(staff_client, stats, prefix):
    response = staff_client.get(
        f"{prefix}/courses/dashboard/?year=abc&course=x&country=%3Cscript%3E&network=nope"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{"es" if prefix else "en"}">' in page
    assert "<script>" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_csv_lists_each_breakdown_under_the_same_filters(staff_client, stats):
    response = staff_client.get("/courses/dashboard/export.csv?country=MX")
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "breakdown,key,name,enrolments,completions,certificates"
    assert "country,MX,Mexico,150,45,43" in lines
    assert "month,2025-11,,120,40,38" in lines
    assert f"course,{stats['virtual'].pk},Investigating cybercrime,150,45,43" in lines
    assert not any(line.startswith("country,CL") for line in lines)


def test_a_course_title_that_looks_like_a_formula_is_neutralised_in_the_csv(staff_client, stats):
    stats["virtual"].title = "=HYPERLINK(1)"
    stats["virtual"].save()
    text = b"".join(staff_client.get("/courses/dashboard/export.csv").streaming_content).decode("utf-8-sig")
    assert ",'=HYPERLINK(1)," in text


def test_the_dashboard_answers_in_constant_queries_however_many_rows(staff_client, stats):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    course = stats["virtual"]
    CourseStat.objects.create(course=course, format="self_paced", institution_id=1, month=date(2025, 1, 1))
    with CaptureQueriesContext(connection) as small:
        staff_client.get("/courses/dashboard/")
    CourseStat.objects.bulk_create(
        CourseStat(
            course=course,
            format=CourseFormat.SELF_PACED,
            country_code=code,
            institution_id=institution,
            month=date(2025, month, 1),
            enrolments=3,
        )
        for code in ("AR", "BR", "CO", "EC", "GT")
        for institution in range(1, 6)
        for month in range(1, 13)
    )
    with CaptureQueriesContext(connection) as large:
        staff_client.get("/courses/dashboard/")
    assert len(large.captured_queries) == len(small.captured_queries)
