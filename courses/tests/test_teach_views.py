# ruff: noqa: F811 (pytest fixtures imported from test_teach_support and requested by name)
"""The instructors' pages: my runs, the gradebook, applications, bulk enrolment, cohort
messages and the exercise review queue, as an instructor (and the people who may not)."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from courses import services
from courses.models import (
    BulkEnrolment,
    CohortMessage,
    CourseFormat,
    Enrolment,
    EnrolmentStatus,
    Exercise,
    ExerciseSubmission,
)
from courses.tests.test_teach_support import (  # noqa: F401 (fixtures, used by name)
    course,
    dps_staff,
    enrol_directly,
    instructor,
    learner,
    make_course,
    make_run,
    other_instructor,
    police,
    run,
)
from tests.factories import UserFactory, member_of

pytestmark = pytest.mark.django_db

HOSTILE_NAME = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture
def on_site_run(police):
    course = make_course(
        police, slug="management-on-site", title="Police management", format=CourseFormat.ON_SITE
    )
    return make_run(
        course,
        title="Academy, March",
        format=CourseFormat.ON_SITE,
        capacity=1,
        requires_application=True,
        venue="Police academy",
    )


@pytest.fixture
def on_site_instructor(on_site_run, instructor):
    on_site_run.instructors.add(instructor)
    return instructor


# --- who may open the pages ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/courses/teach/", "/courses/teach/reviews/", "/courses/teach/runs/{run}/"])
def test_anonymous_visitors_are_sent_to_log_in(client, run, path):
    response = client.get(path.format(run=run.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_learner_cannot_open_the_teaching_pages(client, run, learner):
    enrol_directly(learner, run)
    client.force_login(learner)
    assert client.get("/courses/teach/").status_code == 403
    assert 'href="/courses/teach/"' not in client.get("/courses/").content.decode()
    for page in ("", "applications/", "message/", "bulk/"):
        assert client.get(f"/courses/teach/runs/{run.pk}/{page}").status_code == 403


def test_an_instructor_sees_only_their_runs(client, run, instructor, other_instructor):
    client.force_login(instructor)
    page = client.get("/courses/teach/").content.decode()
    assert "Community policing" in page and f"/courses/teach/runs/{run.pk}/" in page
    assert 'href="/courses/teach/"' in page  # the "Teaching" link in the site header
    client.force_login(other_instructor)
    assert client.get(f"/courses/teach/runs/{run.pk}/").status_code == 403
    page = client.get("/courses/teach/").content.decode()
    assert "You do not teach any run yet." in page and "Community policing" not in page


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_teaching_pages_render_in_two_languages(client, run, instructor, learner, prefix):
    enrol_directly(learner, run)
    client.force_login(instructor)
    for path in ("/courses/teach/", f"/courses/teach/runs/{run.pk}/", "/courses/teach/reviews/"):
        response = client.get(prefix + path)
        assert response.status_code == 200, path
        assert f'<html lang="{"es" if prefix else "en"}">' in response.content.decode()


# --- the gradebook ---------------------------------------------------------------------------


def test_the_gradebook_shows_each_learners_progress_and_grades(client, run, course, instructor, learner):
    enrolment = enrol_directly(learner, run, completed_lessons=2)
    exercise = course.exercises.get()
    ExerciseSubmission.objects.create(enrolment=enrolment, exercise=exercise, text="My plan", grade=80)
    client.force_login(instructor)
    page = client.get(f"/courses/teach/runs/{run.pk}/").content.decode()
    assert "Olivier Officier" in page
    assert 'value="67"' in page  # 2 of 3 lessons
    assert "80%" in page


def test_the_gradebook_escapes_learner_names(client, run, instructor, police):
    enrol_directly(member_of(police, display_name=HOSTILE_NAME), run)
    client.force_login(instructor)
    page = client.get(f"/courses/teach/runs/{run.pk}/").content.decode()
    assert "<script>alert(2)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(2)" in page


def test_the_gradebook_takes_the_same_queries_for_3_or_30_learners(
    client, run, instructor, police, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _number in range(3):
        enrol_directly(member_of(police), run)
    client.force_login(instructor)
    client.get(f"/courses/teach/runs/{run.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/courses/teach/runs/{run.pk}/")
    for _number in range(27):
        enrol_directly(member_of(police), run)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/courses/teach/runs/{run.pk}/").status_code == 200


# --- applications ----------------------------------------------------------------------------


def test_staff_accept_waitlist_and_reject_applications(client, on_site_run, on_site_instructor, police):
    first, second, third = (member_of(police, display_name=name) for name in ("Ana", "Beto", "Carla"))
    applications = [
        services.apply(user, on_site_run, motivation="I lead a unit") for user in (first, second, third)
    ]
    client.force_login(on_site_instructor)
    url = f"/courses/teach/runs/{on_site_run.pk}/applications/"
    page = client.get(url).content.decode()
    assert "Ana" in page and "I lead a unit" in page

    client.post(url, {"enrolment": applications[0].pk, "decision": "accept"})
    client.post(url, {"enrolment": applications[1].pk, "decision": "accept"})  # one seat: waits
    response = client.post(url, {"enrolment": applications[2].pk, "decision": "reject"}, follow=True)
    statuses = dict(Enrolment.objects.filter(run=on_site_run).values_list("user__display_name", "status"))
    assert statuses == {
        "Ana": EnrolmentStatus.ACTIVE,
        "Beto": EnrolmentStatus.WAITLISTED,
        "Carla": EnrolmentStatus.REJECTED,
    }
    assert "Carla: Not admitted." in response.content.decode()


def test_an_application_can_be_put_on_the_waiting_list_while_seats_are_free(
    client, on_site_run, on_site_instructor, learner
):
    application = services.apply(learner, on_site_run)
    client.force_login(on_site_instructor)
    client.post(
        f"/courses/teach/runs/{on_site_run.pk}/applications/",
        {"enrolment": application.pk, "decision": "waitlist"},
    )
    application.refresh_from_db()
    assert application.status == EnrolmentStatus.WAITLISTED


def test_a_decided_or_foreign_application_is_refused(client, on_site_run, on_site_instructor, run, learner):
    other = enrol_directly(learner, run)  # an active enrolment of another run
    client.force_login(on_site_instructor)
    response = client.post(
        f"/courses/teach/runs/{on_site_run.pk}/applications/",
        {"enrolment": other.pk, "decision": "reject"},
        follow=True,
    )
    assert "no longer waiting for a decision" in response.content.decode()
    other.refresh_from_db()
    assert other.status == EnrolmentStatus.ACTIVE


def test_a_course_instructor_without_the_run_cannot_decide(client, on_site_run, police, learner):
    from courses.tests.test_teach_support import with_totp

    course_only = with_totp(member_of(police, role="instructor"))
    on_site_run.course.instructors.add(course_only)
    application = services.apply(learner, on_site_run)
    client.force_login(course_only)
    url = f"/courses/teach/runs/{on_site_run.pk}/applications/"
    assert client.post(url, {"enrolment": application.pk, "decision": "accept"}).status_code == 403
    application.refresh_from_db()
    assert application.status == EnrolmentStatus.APPLIED


# --- bulk enrolment --------------------------------------------------------------------------


def test_a_bulk_upload_enrols_the_good_rows_and_reports_the_bad_ones(
    client, run, instructor, police, django_capture_on_commit_callbacks
):
    known = member_of(police, email="ana.perez@policia.example")
    csv_text = (
        "email,first_name,last_name,country,institution\n"
        f"{known.email},Ana,Pérez,MX,\n"
        "nobody@example.org,No,Body,CL,\n"
        "not-an-email,Bad,Row,PE,\n"
    )
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):  # the Celery job runs eagerly after commit
        response = client.post(
            f"/courses/teach/runs/{run.pk}/bulk/",
            {"file": SimpleUploadedFile("cohort.csv", csv_text.encode(), content_type="text/csv")},
        )
    job = BulkEnrolment.objects.get(run=run)
    assert response["Location"] == f"/courses/teach/bulk/{job.pk}/"
    assert Enrolment.objects.filter(run=run, user=known, status=EnrolmentStatus.ACTIVE).exists()

    page = client.get(response["Location"]).content.decode()
    assert "1 officer enrolled." in page
    assert "2 rows rejected" in page
    assert '<th scope="row">3</th><td>no account with this e-mail address</td>' in page
    assert '<th scope="row">4</th><td>no valid e-mail address</td>' in page

    progress = json.loads(client.get(f"/courses/teach/bulk/{job.pk}/progress.json").content)
    assert progress["finished"] is True and progress["percent"] == 100
    assert progress["enrolled"] == 1 and progress["rejected"] == 2


def test_the_progress_figure_of_a_running_job_polls_and_offers_a_refresh_link(client, run, instructor):
    job = BulkEnrolment.objects.create(
        run=run,
        uploaded_by=instructor,
        file="courses/bulk/x.csv",
        status="running",
        total_rows=200,
        processed_rows=50,
    )
    client.force_login(instructor)
    page = client.get(f"/courses/teach/bulk/{job.pk}/").content.decode()
    assert 'value="25"' in page and "data-running" in page and "data-refresh" in page
    assert "courses/teach.js" in page
    data = json.loads(client.get(f"/courses/teach/bulk/{job.pk}/progress.json").content)
    assert data == {
        "id": job.pk,
        "status": "running",
        "status_label": "in progress",
        "total": 200,
        "processed": 50,
        "enrolled": 0,
        "rejected": 0,
        "percent": 25,
        "finished": False,
    }


def test_a_binary_upload_is_refused_on_the_form(client, run, instructor):
    client.force_login(instructor)
    response = client.post(
        f"/courses/teach/runs/{run.pk}/bulk/",
        {"file": SimpleUploadedFile("cohort.csv", b"\x00\x01PK\x03\x04", content_type="text/csv")},
    )
    assert response.status_code == 200
    assert not BulkEnrolment.objects.exists()


def test_someone_else_cannot_follow_a_bulk_job(client, run, instructor, other_instructor):
    job = BulkEnrolment.objects.create(run=run, uploaded_by=instructor, file="courses/bulk/x.csv")
    client.force_login(other_instructor)
    assert client.get(f"/courses/teach/bulk/{job.pk}/").status_code == 403
    assert client.get(f"/courses/teach/bulk/{job.pk}/progress.json").status_code == 403


# --- cohort messages -------------------------------------------------------------------------


def test_a_cohort_message_reaches_the_learners_in_the_site_and_by_email(
    client, run, instructor, learner, django_capture_on_commit_callbacks
):
    from network.models import Notification

    enrol_directly(learner, run)
    client.force_login(instructor)
    url = f"/courses/teach/runs/{run.pk}/message/"
    assert "reaches 1 learner" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"subject": "Webinar on Thursday", "body": "Join at 15:00 UTC."}, follow=True
        )
    assert "Your message was sent to the cohort." in response.content.decode()
    assert CohortMessage.objects.filter(run=run, subject="Webinar on Thursday").exists()
    assert Notification.objects.filter(recipient=learner, verb="courses.cohort_message").exists()
    assert any("Webinar on Thursday" in message.subject for message in mail.outbox)


def test_an_empty_cohort_message_is_refused(client, run, instructor):
    client.force_login(instructor)
    response = client.post(f"/courses/teach/runs/{run.pk}/message/", {"subject": "", "body": ""})
    assert response.status_code == 200
    assert not CohortMessage.objects.exists()


# --- exercise reviews ------------------------------------------------------------------------


@pytest.fixture
def submission(run, course, learner):
    enrol_directly(learner, run)
    exercise = Exercise.objects.get(course=course)
    return services.submit_exercise(learner, exercise, text="I would call for back-up.\n<script>x</script>")


def test_an_instructor_reviews_an_exercise_from_the_queue(client, submission, instructor):
    from network.models import Notification

    client.force_login(instructor)
    queue = client.get("/courses/teach/reviews/").content.decode()
    assert "A night patrol" in queue and f"/courses/teach/reviews/{submission.pk}/" in queue
    page = client.get(f"/courses/teach/reviews/{submission.pk}/").content.decode()
    assert "I would call for back-up." in page and "<script>x</script>" not in page
    response = client.post(
        f"/courses/teach/reviews/{submission.pk}/", {"grade": "85", "feedback": "Good judgement."}
    )
    assert response["Location"] == "/courses/teach/reviews/"
    submission.refresh_from_db()
    assert (submission.grade, submission.feedback, submission.reviewed_by) == (
        85,
        "Good judgement.",
        instructor,
    )
    assert Notification.objects.filter(
        recipient=submission.enrolment.user, verb="courses.exercise_reviewed"
    ).exists()
    assert "A night patrol" not in client.get("/courses/teach/reviews/").content.decode()


def test_a_grade_out_of_range_is_refused(client, submission, instructor):
    client.force_login(instructor)
    response = client.post(f"/courses/teach/reviews/{submission.pk}/", {"grade": "150", "feedback": "x"})
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.grade is None


def test_other_instructors_and_learners_cannot_review(client, submission, other_instructor, police):
    for user in (other_instructor, member_of(police), submission.enrolment.user):
        client.force_login(user)
        assert client.get(f"/courses/teach/reviews/{submission.pk}/").status_code == 403
        assert (
            client.post(f"/courses/teach/reviews/{submission.pk}/", {"grade": 1, "feedback": "x"}).status_code
            == 403
        )
        assert (
            f"/courses/teach/reviews/{submission.pk}/"
            not in client.get("/courses/teach/reviews/").content.decode()
        )
    submission.refresh_from_db()
    assert submission.grade is None


def test_a_submitted_file_downloads_for_the_instructor_only(client, run, course, learner, instructor, police):
    enrol_directly(learner, run)
    exercise = Exercise.objects.get(course=course)
    pdf = SimpleUploadedFile(
        "plan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"
    )
    submission = services.submit_exercise(learner, exercise, upload=pdf)
    client.force_login(instructor)
    response = client.get(f"/courses/teach/reviews/{submission.pk}/file")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(member_of(police))
    assert client.get(f"/courses/teach/reviews/{submission.pk}/file").status_code == 403


def test_dps_staff_see_every_run_and_the_dashboard_link(client, run, dps_staff):
    client.force_login(dps_staff)
    page = client.get("/courses/teach/").content.decode()
    assert f"/courses/teach/runs/{run.pk}/" in page and "/courses/dashboard/" in page


def test_a_signed_in_stranger_gets_403_not_the_queue_of_others(client, submission):
    client.force_login(UserFactory())
    assert "A night patrol" not in client.get("/courses/teach/reviews/").content.decode()


def test_hostile_names_motivations_and_messages_never_reach_the_pages_as_markup(
    client, on_site_run, on_site_instructor, police, django_capture_on_commit_callbacks
):
    from courses.tests.test_teach_support import hostile_inputs, raw_markup_of

    payloads = hostile_inputs()[:12]
    for payload in payloads:
        applicant = member_of(police, display_name=payload[:150])
        services.apply(applicant, on_site_run, motivation=payload)
    client.force_login(on_site_instructor)
    run_id = on_site_run.pk
    with django_capture_on_commit_callbacks(execute=True):
        for payload in payloads[:3]:
            client.post(f"/courses/teach/runs/{run_id}/message/", {"subject": payload[:200], "body": payload})
    for number in range(len(payloads)):
        member_of(police, email=f"x{number}@example.org")
    bad_csv = "email,first_name,last_name,country,institution\n" + "".join(
        f'x{number}@example.org,A,B,"{payload.replace(chr(34), "")}","{payload.replace(chr(34), "")}"\n'
        for number, payload in enumerate(payloads)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/courses/teach/runs/{run_id}/bulk/",
            {"file": SimpleUploadedFile("cohort.csv", bad_csv.encode(), content_type="text/csv")},
        )
    pages = [
        client.get(f"/courses/teach/runs/{run_id}/applications/").content.decode(),
        client.get(f"/courses/teach/runs/{run_id}/message/").content.decode(),
        client.get(response["Location"]).content.decode(),
        client.get(f"/courses/teach/runs/{run_id}/").content.decode(),
    ]
    assert "unknown country" in pages[2]  # the reasons quote the hostile values, escaped
    for page in pages:
        assert raw_markup_of(payloads, page) == []
