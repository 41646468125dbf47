"""Shared set-up of the learner-page tests (no tests here): a police network, a published
course with two modules of lessons, a quiz, an exercise and an open run; officers, an
instructor and DPS staff. The modules that use these import them by name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from courses import services
from courses.models import (
    Choice,
    Course,
    CourseFormat,
    CourseRun,
    Exercise,
    Lesson,
    Module,
    Question,
    QuestionKind,
    Quiz,
    RunStatus,
)
from tests.factories import NetworkFactory, UserFactory, member_of

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def with_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def build_course(network, *, slug="community-policing", title="Community policing", lessons=(2, 1), **fields):
    """A course with modules of `lessons[i]` lessons each, and one open run."""
    fields.setdefault("summary", "Working with the community to prevent crime.")
    fields.setdefault("is_published", True)
    fields.setdefault("completion_rule", "lessons")
    course = Course.objects.create(network=network, slug=slug, title=title, **fields)
    for module_position, count in enumerate(lessons, start=1):
        module = Module.objects.create(
            course=course, position=module_position, title=f"Module {module_position}"
        )
        for position in range(1, count + 1):
            Lesson.objects.create(
                module=module,
                position=position,
                title=f"Lesson {module_position}.{position}",
                body=f"<p>Text of lesson {module_position}.{position}.</p>",
            )
    CourseRun.objects.create(course=course, format=course.format, status=RunStatus.OPEN)
    return course


def ordered_lessons(course) -> list[Lesson]:
    return list(Lesson.objects.filter(module__course=course).order_by("module__position", "position", "pk"))


def build_quiz(course, *, time_limit=None, attempts=3) -> Quiz:
    """Two questions: single choice ("Peel" right) and a short answer ("Robert Peel")."""
    quiz = Quiz.objects.create(
        course=course,
        module=course.modules.order_by("-position").first(),
        title="Check your understanding",
        pass_mark=50,
        time_limit_minutes=time_limit,
        attempts_allowed=attempts,
    )
    single = Question.objects.create(
        quiz=quiz,
        kind=QuestionKind.SINGLE,
        text="Who wrote the principles of policing by consent?",
        explanation="Sir Robert Peel's principles, 1829.",
        position=1,
    )
    Choice.objects.create(question=single, text="Peel", is_correct=True, position=1)
    Choice.objects.create(question=single, text="Hobbes", position=2)
    Question.objects.create(
        quiz=quiz,
        kind=QuestionKind.SHORT,
        text="Write his full name.",
        accepted_answers="Robert Peel\nSir Robert Peel",
        position=2,
    )
    return quiz


def right_answers(quiz) -> dict:
    """The form fields answering every question of `quiz` right."""
    single = quiz.questions.get(kind=QuestionKind.SINGLE)
    short = quiz.questions.get(kind=QuestionKind.SHORT)
    return {f"q{single.pk}": str(single.choices.get(is_correct=True).pk), f"q{short.pk}": "robert peel"}


@pytest.fixture
def police(db):
    return NetworkFactory(slug="police", name="Police network")


@pytest.fixture
def course(police):
    return build_course(police)


@pytest.fixture
def run(course):
    return course.runs.get()


@pytest.fixture
def officer(police):
    return member_of(police, username="olga", display_name="Olga Oficial")


@pytest.fixture
def other_officer(police):
    return member_of(police, username="omar", display_name="Omar Otro")


@pytest.fixture
def learner(officer, run):
    """`officer`, enrolled in the course."""
    services.enrol(officer, run)
    return officer


@pytest.fixture
def dps_staff(db):
    return with_totp(UserFactory(username="dps", is_staff=True, display_name="Dana Staff"))


@pytest.fixture
def instructor(police, course):
    user = with_totp(member_of(police, role="instructor", username="ines", display_name="Ines Instructora"))
    course.instructors.add(user)
    course.save()  # a ParentalManyToManyField is stored when its course is saved
    return user


@pytest.fixture
def quiz(course):
    return build_quiz(course)


@pytest.fixture
def exercise(course):
    return Exercise.objects.create(
        course=course,
        title="A night patrol",
        scenario="<p>You meet a group of young people in the park at night.</p>",
        release_week=1,
        due_days=30,
    )


@pytest.fixture
def cohort_run(course):
    """A cohort run that started two days ago (exercises of week 1 are released)."""
    return CourseRun.objects.create(
        course=course,
        format=CourseFormat.COHORT,
        status=RunStatus.OPEN,
        title="Spring cohort",
        starts_on=timezone.localdate() - timedelta(days=2),
    )


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PUENTE_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path
