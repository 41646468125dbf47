"""Builders for the tests of the courses core (selectors, services, quizzes, certificates,
bulk enrolment): a published course with lessons, a quiz and an exercise, its runs, and the
people whose rights differ."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from courses.models import (
    Choice,
    CompletionRule,
    Course,
    CourseRun,
    Exercise,
    Lesson,
    Module,
    Question,
    QuestionKind,
    Quiz,
)
from tests.factories import NetworkFactory, UserFactory


def with_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


def staff_user(**fields):
    return with_totp(UserFactory(is_staff=True, **fields))


def make_course(
    *,
    slug="community-policing",
    title="Community policing",
    lessons=3,
    rule=CompletionRule.LESSONS,
    published=True,
    network=None,
    **fields,
) -> Course:
    """A course with one module of `lessons` lessons."""
    course = Course.objects.create(
        network=network or NetworkFactory(slug="police", name="Police network"),
        slug=slug,
        title=title,
        summary=f"About {title.lower()}",
        completion_rule=rule,
        is_published=published,
        **fields,
    )
    module = Module.objects.create(course=course, position=1, title="Basics")
    for position in range(1, lessons + 1):
        Lesson.objects.create(module=module, position=position, title=f"Lesson {position}")
    return course


def lessons_of(course) -> list[Lesson]:
    return list(Lesson.objects.filter(module__course=course).order_by("module__position", "position"))


def make_run(course, *, capacity=None, requires_application=False, **fields) -> CourseRun:
    return CourseRun.objects.create(
        course=course,
        format=fields.pop("format", course.format),
        capacity=capacity,
        requires_application=requires_application,
        **fields,
    )


def make_quiz(course, *, pass_mark=50, time_limit=None, attempts=3, shuffle=False, **fields) -> Quiz:
    """A quiz of three one-point questions: single choice (right: "Paris"), multiple choice
    (right: "2" and "4") and short answer (accepted: "São Paulo")."""
    quiz = Quiz.objects.create(
        course=course,
        title="Check your knowledge",
        pass_mark=pass_mark,
        time_limit_minutes=time_limit,
        attempts_allowed=attempts,
        shuffle=shuffle,
        **fields,
    )
    single = Question.objects.create(
        quiz=quiz, kind=QuestionKind.SINGLE, text="Capital of France?", position=1
    )
    for position, (text, correct) in enumerate([("Paris", True), ("Lima", False)], start=1):
        Choice.objects.create(question=single, text=text, is_correct=correct, position=position)
    multiple = Question.objects.create(
        quiz=quiz, kind=QuestionKind.MULTIPLE, text="Even numbers?", position=2, explanation="Divisible by 2."
    )
    for position, (text, correct) in enumerate([("2", True), ("3", False), ("4", True)], start=1):
        Choice.objects.create(question=multiple, text=text, is_correct=correct, position=position)
    Question.objects.create(
        quiz=quiz,
        kind=QuestionKind.SHORT,
        text="Largest city of Brazil?",
        accepted_answers="São Paulo",
        position=3,
    )
    return quiz


def right_answers(quiz) -> dict:
    """{question id: answer} answering every question of `quiz` right."""
    answers = {}
    for question in quiz.questions.all():
        if question.kind == QuestionKind.SHORT:
            answers[str(question.pk)] = question.accepted_answers.splitlines()[0]
        else:
            answers[str(question.pk)] = [choice.pk for choice in question.choices.all() if choice.is_correct]
    return answers


def make_exercise(course, *, release_week=1, due_days=7, **fields) -> Exercise:
    return Exercise.objects.create(
        course=course,
        title="Plan a patrol",
        scenario="<p>A festival comes to town.</p>",
        release_week=release_week,
        due_days=due_days,
        **fields,
    )


def started_run(course, *, weeks_ago=0, **fields) -> CourseRun:
    """A run that started `weeks_ago` weeks ago (today when 0)."""
    return make_run(course, starts_on=timezone.localdate() - timedelta(weeks=weeks_ago), **fields)
