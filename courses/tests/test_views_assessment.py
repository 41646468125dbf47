# ruff: noqa: F811 - the fixtures imported from test_views_support are redefined as arguments
"""Quizzes and exercises through the pages: answers never reach the browser before the
submission, the server's deadline and refusals, and an officer never sees another one's
attempts or work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from courses import services
from courses.models import Enrolment, ExerciseSubmission, QuestionKind, QuizAttempt
from courses.tests.test_views_support import (  # noqa: F401 - fixtures
    cohort_run,
    course,
    exercise,
    in_language,
    instructor,
    learner,
    officer,
    ordered_lessons,
    other_officer,
    police,
    private_media,
    quiz,
    right_answers,
    run,
)

pytestmark = pytest.mark.django_db


def quiz_url(quiz) -> str:
    return f"/courses/community-policing/quiz/{quiz.pk}/"


def start(client, quiz) -> QuizAttempt:
    response = client.post(quiz_url(quiz))
    attempt = QuizAttempt.objects.filter(quiz=quiz).order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == f"{quiz_url(quiz)}attempts/{attempt.pk}/"
    return attempt


# --- quizzes --------------------------------------------------------------------------------


def test_quizzes_are_refused_to_visitors_and_officers_not_enrolled(client, officer, quiz):
    response = client.get(quiz_url(quiz))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(officer)
    response = client.post(quiz_url(quiz), follow=True)
    assert response.redirect_chain[-1][0] == "/courses/community-policing/"
    assert not QuizAttempt.objects.exists()


@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_the_quiz_page_renders_in_two_languages(client, learner, quiz, language):
    client.force_login(learner)
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(prefix + quiz_url(quiz))
    page = response.content.decode()
    assert response.status_code == 200 and f'lang="{language}"' in page
    assert in_language(language, "Start the quiz") in page
    assert in_language(language, "Skip to content") in page


def test_the_attempt_page_shows_questions_but_never_the_answers(client, learner, quiz):
    client.force_login(learner)
    attempt = start(client, quiz)
    page = client.get(f"{quiz_url(quiz)}attempts/{attempt.pk}/").content.decode()
    assert "Who wrote the principles of policing by consent?" in page
    assert "Peel" in page and "Hobbes" in page  # the choices, shuffled
    assert "Robert Peel" not in page  # the accepted short answer
    assert "1829" not in page  # the explanation
    assert "correct" not in page.lower()


def test_right_answers_pass_and_the_result_explains(client, learner, quiz):
    client.force_login(learner)
    attempt = start(client, quiz)
    url = f"{quiz_url(quiz)}attempts/{attempt.pk}/"
    response = client.post(url, right_answers(quiz))
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert "100%" in page and "Passed" in page and "1829" in page
    attempt.refresh_from_db()
    assert attempt.score == 100 and attempt.passed


def test_a_second_submission_changes_nothing(client, learner, quiz):
    client.force_login(learner)
    attempt = start(client, quiz)
    url = f"{quiz_url(quiz)}attempts/{attempt.pk}/"
    client.post(url, right_answers(quiz))
    single = quiz.questions.get(kind=QuestionKind.SINGLE)
    wrong = single.choices.get(is_correct=False)
    response = client.post(url, {f"q{single.pk}": str(wrong.pk)})
    attempt.refresh_from_db()
    assert attempt.score == 100 and response.status_code == 200  # the result, unchanged


def test_tampered_question_ids_are_refused_and_change_nothing(client, learner, quiz, police):
    from courses.tests.test_views_support import build_course, build_quiz

    other_quiz = build_quiz(build_course(police, slug="other", title="Other"))
    foreign = other_quiz.questions.get(kind=QuestionKind.SINGLE)
    client.force_login(learner)
    attempt = start(client, quiz)
    url = f"{quiz_url(quiz)}attempts/{attempt.pk}/"
    answers = right_answers(quiz) | {f"q{foreign.pk}": str(foreign.choices.first().pk)}
    response = client.post(url, answers)
    assert response.status_code == 400
    assert "These answers do not match the questions of your attempt." in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.score is None


def test_a_choice_of_another_question_is_refused(client, learner, quiz):
    single = quiz.questions.get(kind=QuestionKind.SINGLE)
    short = quiz.questions.get(kind=QuestionKind.SHORT)
    client.force_login(learner)
    attempt = start(client, quiz)
    response = client.post(
        f"{quiz_url(quiz)}attempts/{attempt.pk}/", {f"q{short.pk}": "x", f"q{single.pk}": "999999"}
    )
    assert response.status_code == 400
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_the_server_refuses_answers_after_the_deadline(client, learner, course, settings):
    from courses.tests.test_views_support import build_quiz

    settings.PUENTE_COURSES_QUIZ_GRACE_SECONDS = 30
    timed = build_quiz(course, time_limit=5)
    client.force_login(learner)
    attempt = start(client, timed)
    url = f"{quiz_url(timed)}attempts/{attempt.pk}/"
    page = client.get(url).content.decode()
    assert 'data-seconds-left="' in page and "courses/quiz.js" in page
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=31))
    response = client.post(url, right_answers(timed))
    assert response.status_code == 400
    assert "The time for this attempt is over" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.score is None


def test_an_answer_within_the_grace_after_the_deadline_counts(client, learner, course, settings):
    from courses.tests.test_views_support import build_quiz

    settings.PUENTE_COURSES_QUIZ_GRACE_SECONDS = 30
    timed = build_quiz(course, time_limit=5)
    client.force_login(learner)
    attempt = start(client, timed)
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=5))
    client.post(f"{quiz_url(timed)}attempts/{attempt.pk}/", right_answers(timed))
    attempt.refresh_from_db()
    assert attempt.passed


def test_an_officer_never_sees_another_officers_attempt(client, learner, other_officer, run, quiz):
    client.force_login(learner)
    attempt = start(client, quiz)
    client.post(f"{quiz_url(quiz)}attempts/{attempt.pk}/", right_answers(quiz))
    services.enrol(other_officer, run)
    client.force_login(other_officer)
    assert client.get(f"{quiz_url(quiz)}attempts/{attempt.pk}/").status_code == 404
    assert client.post(f"{quiz_url(quiz)}attempts/{attempt.pk}/", right_answers(quiz)).status_code == 404
    page = client.get(quiz_url(quiz)).content.decode()
    assert "100%" not in page and f"attempts/{attempt.pk}/" not in page


def test_used_up_attempts_are_refused_with_a_message(client, learner, course):
    from courses.tests.test_views_support import build_quiz

    once = build_quiz(course, attempts=1)
    client.force_login(learner)
    attempt = start(client, once)
    client.post(f"{quiz_url(once)}attempts/{attempt.pk}/", {})
    page = client.get(quiz_url(once)).content.decode()
    assert "You have used all your attempts at this quiz." in page
    response = client.post(quiz_url(once), follow=True)
    assert "You have used all 1 attempts at this quiz." in response.content.decode()
    assert QuizAttempt.objects.filter(quiz=once).count() == 1


def test_passing_the_quiz_completes_a_course_that_requires_it(client, learner, course, quiz):
    course.completion_rule = "lessons_quizzes"
    course.save()
    client.force_login(learner)
    for lesson in ordered_lessons(course):
        client.post(f"/courses/community-policing/learn/{lesson.pk}/complete/")
    assert Enrolment.objects.get(user=learner).status == "active"
    attempt = start(client, quiz)
    client.post(f"{quiz_url(quiz)}attempts/{attempt.pk}/", right_answers(quiz))
    assert Enrolment.objects.get(user=learner).status == "completed"


# --- exercises ------------------------------------------------------------------------------


def exercise_url(exercise) -> str:
    return f"/courses/community-policing/exercises/{exercise.pk}/"


def test_exercises_are_refused_to_officers_not_enrolled(client, officer, exercise):
    client.force_login(officer)
    response = client.get(exercise_url(exercise), follow=True)
    assert response.redirect_chain[-1][0] == "/courses/community-policing/"
    assert "You meet a group of young people" not in response.content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_officer_submits_a_text_answer_and_sees_it_waiting_for_review(
    client, officer, cohort_run, exercise, language
):
    services.enrol(officer, cohort_run)
    client.force_login(officer)
    prefix = "" if language == "en" else f"/{language}"
    page = client.get(prefix + exercise_url(exercise)).content.decode()
    assert "You meet a group of young people" in page and in_language(language, "Submit your work") in page
    response = client.post(prefix + exercise_url(exercise), {"text": "I talk to them calmly."}, follow=True)
    page = response.content.decode()
    assert "I talk to them calmly." in page
    assert in_language(language, "Waiting for your instructor's review.") in page
    assert ExerciseSubmission.objects.get().text == "I talk to them calmly."


def test_an_empty_submission_gets_a_clear_message(client, officer, cohort_run, exercise):
    services.enrol(officer, cohort_run)
    client.force_login(officer)
    response = client.post(exercise_url(exercise), {"text": "  "})
    assert response.status_code == 400
    assert "Write your answer or attach a file." in response.content.decode()
    assert not ExerciseSubmission.objects.exists()


def test_a_file_that_is_not_a_document_is_refused(client, officer, cohort_run, exercise, private_media):
    services.enrol(officer, cohort_run)
    client.force_login(officer)
    upload = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(exercise_url(exercise), {"text": "", "upload": upload})
    assert response.status_code == 400
    assert not ExerciseSubmission.objects.exists()


def test_a_pdf_is_accepted(client, officer, cohort_run, exercise, private_media):
    services.enrol(officer, cohort_run)
    client.force_login(officer)
    upload = SimpleUploadedFile(
        "report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    )
    response = client.post(exercise_url(exercise), {"text": "", "upload": upload}, follow=True)
    assert response.status_code == 200
    assert ExerciseSubmission.objects.get().file_name.endswith(".pdf")


def test_an_exercise_not_yet_released_says_when_it_opens(client, officer, cohort_run, exercise):
    exercise.release_week = 3
    exercise.save()
    services.enrol(officer, cohort_run)
    client.force_login(officer)
    page = client.get(exercise_url(exercise)).content.decode()
    assert "This exercise opens on" in page and "You meet a group of young people" not in page
    assert "Submit your work" not in page
    response = client.post(exercise_url(exercise), {"text": "Early"})
    assert response.status_code == 400 and not ExerciseSubmission.objects.exists()


def test_the_review_is_shown_to_its_author_only(
    client, officer, other_officer, cohort_run, exercise, instructor
):
    services.enrol(officer, cohort_run)
    services.enrol(other_officer, cohort_run)
    submission = services.submit_exercise(officer, exercise, text="My careful plan")
    services.review_submission(instructor, submission, grade=85, feedback="Well argued.")
    client.force_login(officer)
    page = client.get(exercise_url(exercise)).content.decode()
    assert "Grade: 85%" in page and "Well argued." in page and "Submit your work" not in page
    client.force_login(other_officer)
    page = client.get(exercise_url(exercise)).content.decode()
    assert "My careful plan" not in page and "Well argued." not in page and "85%" not in page
