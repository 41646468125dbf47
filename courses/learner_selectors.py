"""Reads of the learner pages that `courses.selectors` does not give: what one page shows
of the current learner's own records. Every function here filters by the learner (or by an
enrolment the caller got for that learner), so no page can list another officer's attempts,
submissions or certificates. Who may see what is still decided in `courses.selectors`.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from courses.models import (
    Certificate,
    Course,
    CourseRun,
    Enrolment,
    EnrolmentStatus,
    Exercise,
    ExerciseSubmission,
    Lesson,
    LessonProgress,
    Quiz,
    QuizAttempt,
    RunStatus,
)

ENROLMENT_WAITING = (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITLISTED)


def listed_runs(course: Course) -> list[CourseRun]:
    """The runs a course page lists: open or closed ones not yet over, soonest first."""
    today = timezone.localdate()
    runs = (
        course.runs.filter(status__in=(RunStatus.OPEN, RunStatus.CLOSED))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("venue_country")
        .order_by("starts_on", "pk")
    )
    return list(runs)


def pending_enrolment(user, course: Course) -> Enrolment | None:
    """The learner's application or waiting-list place in a run of `course`, if any."""
    if not user.is_authenticated:
        return None
    return (
        Enrolment.objects.filter(user=user, run__course=course, status__in=ENROLMENT_WAITING)
        .select_related("run")
        .order_by("-enrolled_at")
        .first()
    )


def completed_lesson_ids(enrolment: Enrolment | None) -> set[int]:
    if enrolment is None:
        return set()
    return set(LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True))


def continue_lesson(lessons: list[Lesson], enrolment: Enrolment | None, done: set[int]) -> Lesson | None:
    """Where "continue" leads: the lesson after the last one visited once that one is done,
    else the last one visited, else the first lesson not yet completed."""
    if not lessons:
        return None
    ids = [lesson.pk for lesson in lessons]
    last = enrolment.last_lesson_id if enrolment else None
    if last in ids:
        index = ids.index(last)
        if last not in done:
            return lessons[index]
        for lesson in lessons[index + 1 :]:
            if lesson.pk not in done:
                return lesson
    return next((lesson for lesson in lessons if lesson.pk not in done), lessons[0])


def own_attempt(user, quiz: Quiz, attempt_id: int) -> QuizAttempt | None:
    """One of `user`'s own attempts at `quiz` (None for anybody else's)."""
    if not user.is_authenticated:
        return None
    return (
        QuizAttempt.objects.filter(pk=attempt_id, quiz=quiz, enrolment__user=user)
        .select_related("enrolment__run")
        .first()
    )


def own_submission(enrolment: Enrolment | None, exercise: Exercise) -> ExerciseSubmission | None:
    if enrolment is None:
        return None
    return ExerciseSubmission.objects.filter(enrolment=enrolment, exercise=exercise).first()


def own_certificate(user, code: str) -> Certificate | None:
    """The certificate with `code` when it is `user`'s own."""
    if not user.is_authenticated:
        return None
    return Certificate.objects.filter(code=code, user=user).first()


def catalogue_filter_options() -> dict:
    """Networks and topics that have published courses (for the catalogue's filters)."""
    from network.models import Network, Topic

    published = Q(courses__is_published=True)
    return {
        "networks": list(Network.objects.annotate(n=Count("courses", filter=published)).filter(n__gt=0)),
        "topics": list(Topic.objects.annotate(n=Count("courses", filter=published)).filter(n__gt=0)),
    }


def course_programmes(course: Course) -> QuerySet:
    return course.programmes.order_by("title")


def recent_courses(limit: int) -> QuerySet:
    """Published courses, newest first, with their network (one query)."""
    return (
        Course.objects.filter(is_published=True)
        .select_related("network")
        .order_by("-created_at", "-pk")[:limit]
    )


def nominating_institutions(user) -> list:
    """Institutions that may nominate `user` for an on-site run: the one on their profile and
    the non-university institutions of their profile's country."""
    from network.institutions.models import Institution, InstitutionKind
    from network.profiles.models import Profile

    profile = Profile.objects.filter(user=user).only("country_id", "institution_id").first()
    if profile is None:
        return []
    chosen = Q(pk=profile.institution_id) if profile.institution_id else Q(pk__in=[])
    if profile.country_id:
        chosen |= Q(country_id=profile.country_id) & ~Q(kind=InstitutionKind.UNIVERSITY)
    return list(Institution.objects.filter(chosen).order_by("name")[:300])


def certificate_of(enrolment: Enrolment | None) -> Certificate | None:
    if enrolment is None or enrolment.status != EnrolmentStatus.COMPLETED:
        return None
    return Certificate.objects.filter(enrolment=enrolment).first()
