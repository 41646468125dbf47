"""Enrolment, applications and the waiting list, progress and completion rules, exercises,
cohort messages: what the learner and the staff notice, and refusals that change nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from courses import selectors, services
from courses.models import (
    CompletionRule,
    CourseRun,
    CourseStat,
    Enrolment,
    EnrolmentStatus,
    ExerciseSubmission,
    LessonProgress,
)
from courses.services import CourseError
from courses.tests.core_support import (
    lessons_of,
    make_course,
    make_exercise,
    make_quiz,
    make_run,
    right_answers,
    staff_user,
    started_run,
)
from network.institutions.models import Institution
from network.models import Country, Notification
from network.profiles.models import Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return make_course()


@pytest.fixture
def learner():
    return UserFactory(username="officer", display_name="Olga Officer")


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PUENTE_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _stat_total(field="enrolments") -> int:
    return sum(CourseStat.objects.values_list(field, flat=True))


# --- self-enrolment -------------------------------------------------------------------------


def test_enrol_takes_a_seat_and_snapshots_country_and_institution(course, learner):
    peru = Country.objects.get(code="PE")
    academy = Institution.objects.create(name="Escuela de Policía", country=peru, kind="police_academy")
    Profile.objects.create(user=learner, country=peru, institution=academy)
    run = make_run(course, capacity=10)
    enrolment = services.enrol(learner, run)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert (enrolment.country_code, enrolment.institution_id) == ("PE", academy.pk)
    run.refresh_from_db()
    assert run.active_count == 1
    stat = CourseStat.objects.get()
    assert (stat.country_code, stat.institution_id, stat.enrolments) == ("PE", academy.pk, 1)
    assert stat.month == timezone.localdate().replace(day=1)
    # A later profile change does not move history.
    Profile.objects.filter(user=learner).update(country=None)
    enrolment.refresh_from_db()
    assert enrolment.country_code == "PE"


def test_a_full_run_refuses_and_nothing_changes(course, learner):
    run = make_run(course, capacity=1)
    services.enrol(UserFactory(), run)
    with pytest.raises(CourseError) as refusal:
        services.enrol(learner, run)
    assert refusal.value.code == "full"
    assert str(refusal.value) == "This course run is full."
    run.refresh_from_db()
    assert run.active_count == 1
    assert not Enrolment.objects.filter(user=learner).exists()
    assert _stat_total() == 1


def test_the_last_seat_goes_to_one_learner_only_even_with_a_stale_run(course, learner):
    run = make_run(course, capacity=1)
    stale = CourseRun.objects.get(pk=run.pk)  # read before the seat was taken
    services.enrol(UserFactory(), run)
    with pytest.raises(CourseError):
        services.enrol(learner, stale)
    assert CourseRun.objects.get(pk=run.pk).active_count == 1


def test_enrolling_twice_is_refused(course, learner):
    run = make_run(course)
    services.enrol(learner, run)
    with pytest.raises(CourseError) as refusal:
        services.enrol(learner, run)
    assert refusal.value.code == "forbidden"
    assert Enrolment.objects.count() == 1 and CourseRun.objects.get().active_count == 1


def test_anonymous_visitors_cannot_enrol(course):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(CourseError, match="Sign in"):
        services.enrol(AnonymousUser(), make_run(course))


def test_a_withdrawn_learner_may_enrol_again_and_keeps_their_progress(course, learner):
    run = make_run(course)
    enrolment = services.enrol(learner, run)
    services.complete_lesson(learner, lessons_of(course)[0])
    services.unenrol(learner, enrolment)
    again = services.enrol(learner, run)
    assert again.pk == enrolment.pk and again.status == EnrolmentStatus.ACTIVE
    assert Enrolment.objects.get(pk=again.pk).completed_lessons == 1
    assert CourseRun.objects.get().active_count == 1
    assert _stat_total() == 1


# --- applications and the waiting list ------------------------------------------------------


@pytest.fixture
def on_site_run(course):
    return make_run(course, capacity=1, requires_application=True)


@pytest.fixture
def manager(on_site_run):
    staff = staff_user(username="dps")
    return staff


def test_an_application_takes_no_seat_until_accepted(on_site_run, learner, manager):
    police = Institution.objects.create(
        name="Policía Nacional",
        country=Country.objects.get(code="CO"),
        kind="police_force",
    )
    enrolment = services.apply(learner, on_site_run, nominated_by=police, motivation="  I train recruits. ")
    assert (enrolment.status, enrolment.nominated_by, enrolment.motivation) == (
        EnrolmentStatus.APPLIED,
        police,
        "I train recruits.",
    )
    assert CourseRun.objects.get().active_count == 0 and _stat_total() == 0
    decided = services.decide_application(manager, enrolment, accept=True)
    assert decided.status == EnrolmentStatus.ACTIVE and decided.decided_at is not None
    assert CourseRun.objects.get().active_count == 1 and _stat_total() == 1
    notification = Notification.objects.get(recipient=learner)
    assert notification.verb == "courses.application_accepted"
    assert "Community policing" in notification.params["course"]


def test_self_enrolment_is_refused_for_runs_by_application(on_site_run, learner):
    with pytest.raises(CourseError, match="apply for a place"):
        services.enrol(learner, on_site_run)


def test_only_managers_decide_applications(on_site_run, learner):
    enrolment = services.apply(learner, on_site_run)
    for outsider in (learner, UserFactory(), UserFactory(is_staff=True)):  # the last lacks two-factor
        with pytest.raises(CourseError) as refusal:
            services.decide_application(outsider, enrolment, accept=True)
        assert refusal.value.code == "forbidden"
    assert Enrolment.objects.get().status == EnrolmentStatus.APPLIED


def test_accepted_applicants_beyond_capacity_wait_and_the_first_is_promoted_when_a_seat_frees(
    on_site_run, manager
):
    first, second, third = (UserFactory(username=name) for name in ("first", "second", "third"))
    applications = [services.apply(user, on_site_run) for user in (first, second, third)]
    seated = services.decide_application(manager, applications[0], accept=True)
    assert seated.status == EnrolmentStatus.ACTIVE
    assert (
        services.decide_application(manager, applications[1], accept=True).status
        == EnrolmentStatus.WAITLISTED
    )
    assert (
        services.decide_application(manager, applications[2], accept=True).status
        == EnrolmentStatus.WAITLISTED
    )
    assert Notification.objects.get(recipient=second).verb == "courses.application_waitlisted"

    services.unenrol(first, seated)
    statuses = dict(Enrolment.objects.values_list("user__username", "status"))
    assert statuses == {"first": "withdrawn", "second": "active", "third": "waitlisted"}
    assert CourseRun.objects.get().active_count == 1
    assert Notification.objects.filter(recipient=second, verb="courses.promoted").exists()
    assert _stat_total() == 1  # the withdrawal took its count back, the promotion added one


def test_staff_may_wait_list_an_applicant_although_seats_are_free(on_site_run, learner, manager):
    enrolment = services.apply(learner, on_site_run)
    assert services.waitlist_application(manager, enrolment).status == EnrolmentStatus.WAITLISTED
    with pytest.raises(CourseError):
        services.waitlist_application(manager, enrolment)
    assert services.decide_application(manager, enrolment, accept=True).status == EnrolmentStatus.ACTIVE


def test_a_rejection_is_final_and_notified(on_site_run, learner, manager):
    enrolment = services.apply(learner, on_site_run)
    assert services.decide_application(manager, enrolment, accept=False).status == EnrolmentStatus.REJECTED
    with pytest.raises(CourseError) as refusal:
        services.decide_application(manager, enrolment, accept=True)
    assert refusal.value.code == "done"
    assert Enrolment.objects.get().status == EnrolmentStatus.REJECTED
    assert Notification.objects.get(recipient=learner).verb == "courses.application_rejected"


def test_a_very_long_motivation_is_refused(on_site_run, learner):
    with pytest.raises(CourseError, match="too long"):
        services.apply(learner, on_site_run, motivation="x" * 3001)
    assert not Enrolment.objects.exists()


def test_nobody_withdraws_someone_else(course, learner):
    enrolment = services.enrol(learner, make_run(course))
    with pytest.raises(CourseError) as refusal:
        services.unenrol(UserFactory(), enrolment)
    assert refusal.value.code == "forbidden"
    assert Enrolment.objects.get().status == EnrolmentStatus.ACTIVE


# --- progress and completion ----------------------------------------------------------------


def test_complete_lesson_is_idempotent_and_moves_the_bookmark(course, learner):
    first = lessons_of(course)[0]
    services.enrol(learner, make_run(course))
    services.complete_lesson(learner, first)
    enrolment = services.complete_lesson(learner, first)
    stored = Enrolment.objects.get(pk=enrolment.pk)
    assert stored.completed_lessons == 1 and stored.last_lesson == first
    assert LessonProgress.objects.count() == 1


def test_complete_lesson_takes_a_few_queries_whatever_the_progress(
    course, learner, django_assert_max_num_queries
):
    lessons = lessons_of(course)
    services.enrol(learner, make_run(course))
    services.complete_lesson(learner, lessons[0])
    for user in (UserFactory() for _index in range(5)):
        services.enrol(user, course.runs.get())
        services.complete_lesson(user, lessons[0])
    with django_assert_max_num_queries(6):
        services.complete_lesson(learner, lessons[1])
    with django_assert_max_num_queries(5):
        services.complete_lesson(learner, lessons[1])  # already done: no completion check


def test_lessons_of_a_course_one_is_not_enrolled_in_are_refused(course, learner):
    with pytest.raises(CourseError) as refusal:
        services.complete_lesson(learner, lessons_of(course)[0])
    assert refusal.value.code == "forbidden"
    assert not LessonProgress.objects.exists()


def test_record_visit_sets_continue_where_i_left_off(course, learner):
    services.enrol(learner, make_run(course))
    third = lessons_of(course)[2]
    services.record_visit(learner, third)
    assert Enrolment.objects.get().last_lesson == third
    services.record_visit(UserFactory(), third)  # not enrolled: nothing happens


def test_lessons_rule_completes_with_the_last_lesson_and_queues_the_certificate(
    course, learner, django_capture_on_commit_callbacks, private_media
):
    services.enrol(learner, make_run(course))
    lessons = lessons_of(course)
    for lesson in lessons[:-1]:
        assert services.complete_lesson(learner, lesson).status == EnrolmentStatus.ACTIVE
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.complete_lesson(learner, lessons[-1])
    assert enrolment.status == EnrolmentStatus.COMPLETED
    stored = Enrolment.objects.get()
    assert stored.status == EnrolmentStatus.COMPLETED and stored.completed_at is not None
    assert stored.certificate.title == "Community policing"
    assert _stat_total("completions") == 1 and _stat_total("certificates") == 1


def test_lessons_and_quizzes_rule_waits_for_a_passed_quiz(learner):
    course = make_course(rule=CompletionRule.LESSONS_AND_QUIZZES, lessons=1)
    quiz = make_quiz(course)
    services.enrol(learner, make_run(course))
    assert services.complete_lesson(learner, lessons_of(course)[0]).status == EnrolmentStatus.ACTIVE
    failed = services.start_attempt(learner, quiz)
    services.submit_attempt(learner, failed, {})
    assert Enrolment.objects.get().status == EnrolmentStatus.ACTIVE
    passed = services.start_attempt(learner, quiz)
    services.submit_attempt(learner, passed, right_answers(quiz))
    assert Enrolment.objects.get().status == EnrolmentStatus.COMPLETED


def test_all_rule_also_waits_for_exercises_graded_as_passed(learner):
    course = make_course(rule=CompletionRule.ALL, lessons=1)
    exercise = make_exercise(course, pass_grade=60)
    teacher = UserFactory()
    services.enrol(learner, started_run(course))
    CourseRun.objects.get().instructors.add(teacher)
    services.complete_lesson(learner, lessons_of(course)[0])
    submission = services.submit_exercise(learner, exercise, text="My plan")
    services.review_submission(teacher, submission, grade=59, feedback="Almost")
    assert Enrolment.objects.get().status == EnrolmentStatus.ACTIVE
    services.review_submission(teacher, submission, grade=60, feedback="Pass")
    assert Enrolment.objects.get().status == EnrolmentStatus.COMPLETED


def test_a_completed_course_cannot_be_withdrawn(course, learner):
    enrolment = services.enrol(learner, make_run(course))
    for lesson in lessons_of(course):
        services.complete_lesson(learner, lesson)
    with pytest.raises(CourseError, match="stays on your record"):
        services.unenrol(learner, Enrolment.objects.get(pk=enrolment.pk))


# --- exercises ------------------------------------------------------------------------------


def _pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n% a plan\n%%EOF\n", content_type="application/pdf")


def _png(name="map.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _zip(entries: dict, name: str):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry, content in entries.items():
            archive.writestr(entry, content)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def exercise(course):
    return make_exercise(course, release_week=2, due_days=7)


def test_exercises_open_in_their_week_and_close_when_due(course, exercise, learner, private_media):
    services.enrol(learner, started_run(course, weeks_ago=0))
    with pytest.raises(CourseError, match="not released yet"):
        services.submit_exercise(learner, exercise, text="Too early")
    CourseRun.objects.update(starts_on=timezone.localdate() - timedelta(weeks=1))
    submission = services.submit_exercise(learner, exercise, text="On time", upload=_pdf("Mi plan é.pdf"))
    assert submission.file_name == "mi-plan-e.pdf"
    assert submission.file.storage.exists(submission.file.name)
    CourseRun.objects.update(starts_on=timezone.localdate() - timedelta(weeks=3))
    with pytest.raises(CourseError) as refusal:
        services.submit_exercise(learner, exercise, text="Too late")
    assert refusal.value.code == "late"
    assert ExerciseSubmission.objects.get().text == "On time"


@pytest.mark.parametrize(
    "upload",
    [
        lambda: _pdf(),
        lambda: _png(),
        lambda: _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}, "plan.docx"),
        lambda: _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}, "p.odt"),
    ],
    ids=["pdf", "png", "docx", "odt"],
)
def test_accepted_files_are_recognised_by_their_content(course, learner, private_media, upload):
    exercise = make_exercise(course)
    services.enrol(learner, started_run(course))
    submission = services.submit_exercise(learner, exercise, upload=upload())
    assert submission.file_name.rsplit(".", 1)[1] in {"pdf", "png", "docx", "odt"}


@pytest.mark.parametrize(
    "upload",
    [
        lambda: SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf"),
        lambda: SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n not really", content_type="image/png"),
        lambda: _zip({"payload.sh": "rm -rf /"}, "plan.docx"),
        lambda: SimpleUploadedFile("empty.pdf", b""),
        lambda: SimpleUploadedFile("notes.html", b"<script>alert(1)</script>", content_type="text/html"),
    ],
    ids=["exe", "broken-png", "zip", "empty", "html"],
)
def test_other_files_are_refused_and_nothing_is_stored(course, learner, private_media, upload):
    exercise = make_exercise(course)
    services.enrol(learner, started_run(course))
    with pytest.raises(CourseError):
        services.submit_exercise(learner, exercise, upload=upload())
    assert not ExerciseSubmission.objects.exists()


def test_files_over_the_size_cap_are_refused(course, learner, private_media, settings):
    settings.PUENTE_COURSES_SUBMISSION_MAX_BYTES = 10
    exercise = make_exercise(course)
    services.enrol(learner, started_run(course))
    with pytest.raises(CourseError, match="too large"):
        services.submit_exercise(learner, exercise, upload=_pdf())


def test_a_submission_is_replaced_until_graded_then_frozen(course, learner, private_media):
    exercise = make_exercise(course)
    run = started_run(course)
    services.enrol(learner, run)
    first = services.submit_exercise(learner, exercise, upload=_pdf())
    old_file = first.file.name
    services.submit_exercise(learner, exercise, text="Better", upload=_png())
    stored = ExerciseSubmission.objects.get()
    assert stored.text == "Better" and stored.file_name == "map.png"
    teacher = UserFactory()
    run.instructors.add(teacher)
    services.review_submission(teacher, stored, grade="80", feedback="Clear plan")
    with pytest.raises(CourseError, match="graded"):
        services.submit_exercise(learner, exercise, text="Change after grading")
    assert ExerciseSubmission.objects.get().text == "Better"
    assert old_file != stored.file.name


def test_empty_or_text_only_exercises_refuse_what_they_do_not_take(course, learner, private_media):
    text_only = make_exercise(course, allows_file=False)
    services.enrol(learner, started_run(course))
    with pytest.raises(CourseError, match="Write your answer"):
        services.submit_exercise(learner, text_only, text="   ")
    with pytest.raises(CourseError, match="text answer only"):
        services.submit_exercise(learner, text_only, upload=_pdf())
    assert not ExerciseSubmission.objects.exists()


def test_only_enrolled_learners_submit(course, learner):
    exercise = make_exercise(course)
    started_run(course)
    with pytest.raises(CourseError) as refusal:
        services.submit_exercise(learner, exercise, text="Hello")
    assert refusal.value.code == "forbidden"


def test_reviews_are_for_the_courses_instructors_with_a_valid_grade(course, learner):
    exercise = make_exercise(course)
    run = started_run(course)
    services.enrol(learner, run)
    submission = services.submit_exercise(learner, exercise, text="Plan")
    for outsider in (learner, UserFactory()):
        with pytest.raises(CourseError) as refusal:
            services.review_submission(outsider, submission, grade=100, feedback="")
        assert refusal.value.code == "forbidden"
    teacher = UserFactory(display_name="Tina Teacher")
    run.instructors.add(teacher)
    for bad in (-1, 101, "A+", None, 7.5):
        with pytest.raises(CourseError, match="0 to 100"):
            services.review_submission(teacher, submission, grade=bad, feedback="")
    assert ExerciseSubmission.objects.get().grade is None
    services.review_submission(teacher, submission, grade=88, feedback="Well argued")
    stored = ExerciseSubmission.objects.get()
    assert (stored.grade, stored.feedback, stored.reviewed_by) == (88, "Well argued", teacher)
    notification = Notification.objects.get(recipient=learner)
    assert notification.verb == "courses.exercise_reviewed" and notification.params["grade"] == 88


# --- cohort messages ------------------------------------------------------------------------


def test_a_cohort_message_reaches_each_learner_in_app_and_by_email(
    course, django_capture_on_commit_callbacks
):
    run = make_run(course)
    teacher = UserFactory(display_name="Tina Teacher")
    run.instructors.add(teacher)
    learners = [UserFactory(username=f"learner{index}") for index in range(3)]
    for user in learners:
        services.enrol(user, run)
    services.unenrol(learners[2], Enrolment.objects.get(user=learners[2]))
    outsider = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = services.send_cohort_message(teacher, run, "Webinar on Friday", "Join at 15:00 UTC.")
    while callbacks:  # the task's own notifications queue their e-mails after commit
        pending = list(callbacks)
        callbacks.clear()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            for callback in pending:
                callback()
    assert message.pk
    recipients = set(
        Notification.objects.filter(verb="courses.cohort_message").values_list("recipient", flat=True)
    )
    assert recipients == {learners[0].pk, learners[1].pk}
    assert outsider.pk not in recipients
    assert sorted(email.to[0] for email in mail.outbox) == [learners[0].email, learners[1].email]
    assert "Webinar on Friday" in mail.outbox[0].body and "Join at 15:00 UTC." in mail.outbox[0].body
    # Delivering again notifies nobody twice.
    assert services.deliver_cohort_message(message) == 0


def test_only_instructors_write_to_the_cohort_and_empty_messages_are_refused(course, learner):
    run = make_run(course)
    with pytest.raises(CourseError) as refusal:
        services.send_cohort_message(learner, run, "Hi", "Hello")
    assert refusal.value.code == "forbidden"
    teacher = UserFactory()
    run.instructors.add(teacher)
    with pytest.raises(CourseError, match="subject and a message"):
        services.send_cohort_message(teacher, run, "  ", "Hello")
    with pytest.raises(CourseError, match="Too long"):
        services.send_cohort_message(teacher, run, "Hi", "x" * 5001)
    assert not selectors.cohort_recipients(run).exists()
