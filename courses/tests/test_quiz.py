"""The quiz engine: drawing and shuffling, a deadline enforced by the server, answers never
shown before submission, and refusals (late, twice, tampered ids) that change no grade."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from courses import selectors, services
from courses.models import Choice, Question, QuestionKind, QuizAttempt
from courses.services import CourseError
from courses.tests.core_support import make_course, make_quiz, make_run, right_answers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return make_course(lessons=1)


@pytest.fixture
def quiz(course):
    return make_quiz(course, time_limit=10, attempts=2)


@pytest.fixture
def learner(course):
    user = UserFactory(username="officer")
    services.enrol(user, make_run(course))
    return user


def _questions(quiz) -> dict[str, Question]:
    return {question.kind: question for question in quiz.questions.all()}


def test_an_attempt_gets_a_server_deadline_and_the_page_never_sees_the_answers(quiz, learner):
    before = timezone.now()
    attempt = services.start_attempt(learner, quiz)
    assert attempt.number == 1
    assert before + timedelta(minutes=10) <= attempt.deadline <= timezone.now() + timedelta(minutes=10)
    shown = services.attempt_questions(attempt)
    assert [question["text"] for question in shown] == [
        "Capital of France?",
        "Even numbers?",
        "Largest city of Brazil?",
    ]
    text = json.dumps(shown)
    for secret in ("is_correct", "São Paulo", "Sao Paulo", "accepted", "Divisible by 2", "explanation"):
        assert secret not in text
    assert set(shown[0]) == {"id", "kind", "text", "points", "choices"}
    assert set(shown[0]["choices"][0]) == {"id", "text"}
    assert 599 <= selectors.seconds_left(attempt) <= 600


def test_starting_again_resumes_the_open_attempt(quiz, learner):
    first = services.start_attempt(learner, quiz)
    assert services.start_attempt(learner, quiz) == first
    assert QuizAttempt.objects.count() == 1


def test_the_bank_is_drawn_and_shuffled_per_attempt(course, learner):
    quiz = make_quiz(course, shuffle=True, questions_per_attempt=2, attempts=30)
    for position in range(4, 12):
        Question.objects.create(quiz=quiz, kind=QuestionKind.SHORT, text=f"Q{position}", position=position)
    orders = set()
    for _index in range(6):
        attempt = services.start_attempt(learner, quiz)
        assert len(attempt.question_ids) == 2
        assert set(attempt.choice_order) == {str(pk) for pk in attempt.question_ids}
        orders.add(tuple(attempt.question_ids))
        services.submit_attempt(learner, attempt, {})
    assert len(orders) > 1


def test_a_right_submission_scores_100_and_passes(quiz, learner):
    attempt = services.start_attempt(learner, quiz)
    answers = right_answers(quiz)
    answers[str(_questions(quiz)[QuestionKind.SHORT].pk)] = "  sao   PAULO "
    submitted = services.submit_attempt(learner, attempt, answers)
    assert (submitted.score, submitted.passed) == (100, True)
    stored = QuizAttempt.objects.get()
    assert stored.submitted_at is not None and stored.score == 100


def test_multiple_choice_needs_exactly_the_right_set_and_choice_ids_may_be_strings(quiz, learner):
    questions = _questions(quiz)
    two, three, _four = questions[QuestionKind.MULTIPLE].choices.all()
    paris = questions[QuestionKind.SINGLE].choices.get(is_correct=True)
    attempt = services.start_attempt(learner, quiz)
    submitted = services.submit_attempt(
        learner,
        attempt,
        {
            str(questions[QuestionKind.SINGLE].pk): str(paris.pk),
            str(questions[QuestionKind.MULTIPLE].pk): [two.pk, three.pk],
        },
    )
    assert submitted.score == 33 and not submitted.passed  # pass mark 50


def test_a_late_submission_is_refused_and_changes_no_grade(quiz, learner, settings):
    settings.PUENTE_COURSES_QUIZ_GRACE_SECONDS = 30
    attempt = services.start_attempt(learner, quiz)
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=31))
    with pytest.raises(CourseError) as refusal:
        services.submit_attempt(learner, attempt, right_answers(quiz))
    assert refusal.value.code == "late"
    stored = QuizAttempt.objects.get()
    assert (stored.submitted_at, stored.score, stored.passed, stored.answers) == (None, None, False, {})


def test_a_submission_within_the_grace_period_counts(quiz, learner):
    attempt = services.start_attempt(learner, quiz)
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=5))
    assert services.submit_attempt(learner, attempt, right_answers(quiz)).score == 100


def test_submitting_twice_is_refused_and_the_first_grade_stays(quiz, learner):
    attempt = services.start_attempt(learner, quiz)
    services.submit_attempt(learner, attempt, {})
    with pytest.raises(CourseError) as refusal:
        services.submit_attempt(learner, attempt, right_answers(quiz))
    assert refusal.value.code == "done"
    assert QuizAttempt.objects.get().score == 0


def test_question_ids_not_in_the_attempt_are_refused(course, quiz, learner):
    other_quiz = make_quiz(course)
    foreign = other_quiz.questions.first()
    attempt = services.start_attempt(learner, quiz)
    for answers in (
        {str(foreign.pk): [foreign.choices.first().pk]},
        {"999999": "x"},
        {"not-a-number": "x"},
        ["a list, not a dict"],
    ):
        with pytest.raises(CourseError) as refusal:
            services.submit_attempt(learner, attempt, answers)
        assert refusal.value.code == "invalid"
    assert QuizAttempt.objects.get().submitted_at is None


def test_choice_ids_of_another_question_are_refused(quiz, learner):
    questions = _questions(quiz)
    other_choice = questions[QuestionKind.MULTIPLE].choices.first()
    paris, lima = questions[QuestionKind.SINGLE].choices.all()
    attempt = services.start_attempt(learner, quiz)
    single = str(questions[QuestionKind.SINGLE].pk)
    for answer in ([other_choice.pk], [paris.pk, lima.pk], [True], [{"id": paris.pk}]):
        with pytest.raises(CourseError):
            services.submit_attempt(learner, attempt, {single: answer})
    stored = QuizAttempt.objects.get()
    assert stored.submitted_at is None and stored.score is None


def test_someone_else_cannot_submit_my_attempt(course, quiz, learner):
    attempt = services.start_attempt(learner, quiz)
    intruder = UserFactory()
    services.enrol(intruder, course.runs.get())
    with pytest.raises(CourseError) as refusal:
        services.submit_attempt(intruder, attempt, right_answers(quiz))
    assert refusal.value.code == "forbidden"
    assert QuizAttempt.objects.get().submitted_at is None


def test_attempts_are_limited(quiz, learner):
    for _index in range(2):
        services.submit_attempt(learner, services.start_attempt(learner, quiz), {})
    with pytest.raises(CourseError, match="all 2 attempts"):
        services.start_attempt(learner, quiz)
    assert QuizAttempt.objects.count() == 2


def test_an_expired_unsubmitted_attempt_counts_as_used(quiz, learner):
    attempt = services.start_attempt(learner, quiz)
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(hours=1))
    second = services.start_attempt(learner, quiz)
    assert second.number == 2
    assert selectors.open_attempt(selectors.enrolment_of(learner, quiz.course), quiz) == second


def test_learners_not_enrolled_cannot_start(quiz):
    with pytest.raises(CourseError) as refusal:
        services.start_attempt(UserFactory(), quiz)
    assert refusal.value.code == "forbidden"


def test_the_review_after_submission_shows_right_answers_and_explanations(quiz, learner):
    attempt = services.start_attempt(learner, quiz)
    assert services.attempt_review(attempt) == []
    submitted = services.submit_attempt(learner, attempt, {})
    review = services.attempt_review(submitted)
    assert [item["is_right"] for item in review] == [False, False, False]
    assert review[1]["explanation"] == "Divisible by 2."
    assert [choice["is_correct"] for choice in review[1]["choices"]] == [True, False, True]
    assert review[2]["accepted_answers"] == ["São Paulo"]


def test_an_untimed_quiz_has_no_deadline(course, learner):
    quiz = make_quiz(course, time_limit=None)
    attempt = services.start_attempt(learner, quiz)
    assert attempt.deadline is None and selectors.seconds_left(attempt) is None
    QuizAttempt.objects.filter(pk=attempt.pk).update(started_at=timezone.now() - timedelta(days=30))
    assert services.submit_attempt(learner, attempt, {}).submitted_at is not None


def test_a_quiz_without_questions_cannot_start(course, learner):
    empty = make_quiz(course)
    Choice.objects.filter(question__quiz=empty).delete()
    empty.questions.all().delete()
    with pytest.raises(CourseError, match="no questions"):
        services.start_attempt(learner, empty)
