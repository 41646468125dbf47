"""Reads of the courses app: who may see and do what (one function per rule), and the lists
the pages show, each in a fixed number of queries whatever the number of rows.

Views, templates and the services all ask the permission functions here; a refusal's reason
is a sentence for the member in the active language.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncYear
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from courses.models import (
    SEAT_STATUSES,
    Accreditation,
    Certificate,
    Course,
    CourseFormat,
    CourseRun,
    CourseStat,
    Enrolment,
    EnrolmentStatus,
    ExerciseSubmission,
    Lesson,
    LessonProgress,
    Module,
    Quiz,
    QuizAttempt,
    RunStatus,
)
from network.permissions import is_dps_staff, is_member, may_act
from network.profiles.text import query_words

# Enrolments that hold (or wait for) a place in a course: a second one is refused.
LIVE_STATUSES = (
    EnrolmentStatus.APPLIED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.ACTIVE,
    EnrolmentStatus.COMPLETED,
)
# Enrolments a learner's page lists.
LISTED_STATUSES = LIVE_STATUSES


# --- who may see and do what ----------------------------------------------------------------


def _is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def is_course_instructor(user, course) -> bool:
    """An instructor of the course or of one of its runs, who may act (two-factor if required)."""
    if not (_is_signed_in(user) and may_act(user)):
        return False
    course_id = getattr(course, "pk", course)
    taught = Course.instructors.through.objects.filter(course_id=course_id, user_id=user.pk)
    run_taught = CourseRun.instructors.through.objects.filter(courserun__course_id=course_id, user_id=user.pk)
    return Course.objects.filter(pk=course_id).filter(Exists(taught) | Exists(run_taught)).exists()


def can_teach_run(user, run) -> bool:
    """The run's instructors, the course's instructors and DPS staff (all able to act)."""
    if not (_is_signed_in(user) and may_act(user)):
        return False
    if is_dps_staff(user):
        return True
    if run.instructors.filter(pk=user.pk).exists():
        return True
    return Course.instructors.through.objects.filter(course_id=run.course_id, user_id=user.pk).exists()


def can_manage_enrolments(user, run) -> bool:
    """Accept, wait-list or reject applications, enrol in bulk: DPS staff and the run's instructors."""
    if not (_is_signed_in(user) and may_act(user)):
        return False
    return is_dps_staff(user) or run.instructors.filter(pk=user.pk).exists()


def can_view_dashboard(user) -> bool:
    return is_dps_staff(user)


def can_view_course(user, course) -> bool:
    """Published courses: everyone (the catalogue is public, content needs enrolment);
    unpublished ones: their instructors and DPS staff."""
    if course.is_published:
        return True
    return is_dps_staff(user) or is_course_instructor(user, course)


def can_access_lesson(user, lesson) -> bool:
    """Learners with an active or completed enrolment in the course, its instructors, DPS staff."""
    if not _is_signed_in(user):
        return False
    course = lesson.module.course
    if is_dps_staff(user) or is_course_instructor(user, course):
        return True
    if not course.is_published:
        return False
    return Enrolment.objects.filter(user=user, run__course_id=course.pk, status__in=SEAT_STATUSES).exists()


def can_access_course_content(user, course) -> bool:
    """As `can_access_lesson`, for the course's quizzes and exercises."""
    if not _is_signed_in(user):
        return False
    if is_dps_staff(user) or is_course_instructor(user, course):
        return True
    return course.is_published and (
        Enrolment.objects.filter(user=user, run__course_id=course.pk, status__in=SEAT_STATUSES).exists()
    )


def visible_certificate(code) -> Certificate | None:
    """Anyone may verify a certificate by its code (valid or revoked)."""
    code = str(code or "").strip().upper()[:40]
    if not code:
        return None
    return Certificate.objects.select_related("enrolment__run__course", "programme").filter(code=code).first()


def can_download_certificate(user, certificate) -> bool:
    """The PDF is the holder's: the holder and DPS staff only (the verify page is public)."""
    return _is_signed_in(user) and (certificate.user_id == user.pk or is_dps_staff(user))


def missing_prerequisites(user, course) -> list[Course]:
    """The prerequisite courses `user` has not completed yet."""
    completed = Enrolment.objects.filter(
        user_id=user.pk, run__course_id=OuterRef("pk"), status=EnrolmentStatus.COMPLETED
    )
    return list(course.prerequisites.filter(~Exists(completed)).order_by("title"))


def _enrolment_window_refusal(run) -> str:
    now = timezone.now()
    if run.status != RunStatus.OPEN or not run.course.is_published:
        return _("Enrolment in this course run is closed.")
    if run.enrolment_opens and now < run.enrolment_opens:
        return _("Enrolment opens on %(date)s.") % {
            "date": formats.date_format(timezone.localtime(run.enrolment_opens), "DATE_FORMAT")
        }
    if run.enrolment_closes and now > run.enrolment_closes:
        return _("Enrolment closed on %(date)s.") % {
            "date": formats.date_format(timezone.localtime(run.enrolment_closes), "DATE_FORMAT")
        }
    return ""


def takes_applications(run) -> bool:
    """Runs by application, and every run of a course closed to self-enrolment."""
    return run.requires_application or not run.course.is_open


def run_is_full(run) -> bool:
    return run.capacity is not None and run.active_count >= run.capacity


def _common_refusal(user, run) -> str:
    if not _is_signed_in(user) or not is_member(user):
        return _("Sign in to enrol in a course.")
    if not may_act(user):
        return _("Set up two-factor authentication before you enrol.")
    refusal = _enrolment_window_refusal(run)
    if refusal:
        return refusal
    if Enrolment.objects.filter(user=user, run__course_id=run.course_id, status__in=LIVE_STATUSES).exists():
        return _("You are already enrolled in this course (or have applied).")
    missing = missing_prerequisites(user, run.course)
    if missing:
        return _("Complete these courses first: %(courses)s.") % {
            "courses": ", ".join(course.title for course in missing)
        }
    return ""


def can_enrol(user, run) -> tuple[bool, str]:
    """(allowed, reason when not) for self-enrolment in `run`."""
    refusal = _common_refusal(user, run)
    if not refusal and takes_applications(run):
        refusal = _("This course takes applications: apply for a place.")
    if not refusal and run_is_full(run):
        refusal = _("This course run is full.")
    return (not refusal, refusal)


def can_apply(user, run) -> tuple[bool, str]:
    """(allowed, reason when not) for an application to `run` (a full run still takes them:
    accepted applicants then wait for a seat)."""
    refusal = _common_refusal(user, run)
    if not refusal and not takes_applications(run):
        refusal = _("This course is open: enrol directly.")
    return (not refusal, refusal)


def enrolment_of(user, course) -> Enrolment | None:
    """The learner's active or completed enrolment in `course` (the latest run's)."""
    if not _is_signed_in(user):
        return None
    return (
        Enrolment.objects.filter(
            user=user, run__course_id=getattr(course, "pk", course), status__in=SEAT_STATUSES
        )
        .select_related("run")
        .order_by("-enrolled_at", "-pk")
        .first()
    )


def enrolment_in_run(user, run) -> Enrolment | None:
    """The learner's enrolment row in `run` whatever its status (applied, rejected...)."""
    if not _is_signed_in(user):
        return None
    return Enrolment.objects.filter(user=user, run=run).first()


# --- the catalogue and a course's content ---------------------------------------------------


def _valid_accreditations(today: date):
    return Accreditation.objects.filter(valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def _language_filter(code: str) -> Q:
    code = code.strip().lower()
    return (
        Q(languages=code)
        | Q(languages__startswith=f"{code},")
        | Q(languages__endswith=f",{code}")
        | Q(languages__contains=f",{code},")
    )


def catalogue(
    user,
    *,
    query: str = "",
    network: str = "",
    language: str = "",
    level: str = "",
    format: str = "",  # noqa: A002 - the contract's name
    topic: str = "",
    accredited: bool = False,
) -> QuerySet[Course]:
    """Published courses matching the filters, annotated with `next_run_start` (the next
    open run's start, or None) and `is_accredited`; one query however many courses."""
    today = timezone.localdate()
    next_run = (
        CourseRun.objects.filter(course=OuterRef("pk"), status=RunStatus.OPEN)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__gte=today))
        .order_by(Coalesce("starts_on", date.max))
        .values("starts_on")[:1]
    )
    courses = (
        Course.objects.filter(is_published=True)
        .select_related("network")
        .annotate(
            next_run_start=Subquery(next_run),
            is_accredited=Exists(_valid_accreditations(today).filter(course=OuterRef("pk"))),
        )
    )
    for word in query_words(query):
        courses = courses.filter(search_text__contains=word)
    if network:
        courses = courses.filter(network__slug=network)
    if language:
        courses = courses.filter(_language_filter(language))
    if level:
        courses = courses.filter(level=level)
    if format:
        courses = courses.filter(
            Q(format=format) | Exists(CourseRun.objects.filter(course=OuterRef("pk"), format=format))
        )
    if topic:
        courses = courses.filter(
            Exists(Course.topics.through.objects.filter(course_id=OuterRef("pk"), topic__slug=topic))
        )
    if accredited:
        courses = courses.filter(is_accredited=True)
    return courses.order_by("title", "pk")


def course_outline(course) -> list[Module]:
    """The course's modules in order, each with `lessons` and `quizzes` prefetched (3 queries)."""
    return list(
        Module.objects.filter(course=course)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch(
                "lessons", queryset=Lesson.objects.order_by("position", "pk").defer("body", "transcript")
            ),
            Prefetch("quizzes", queryset=Quiz.objects.order_by("pk")),
        )
    )


def valid_accreditations(course) -> list[Accreditation]:
    """The accreditations in force today, with their university and its country."""
    return list(
        _valid_accreditations(timezone.localdate())
        .filter(course=course)
        .select_related("university__country")
        .order_by("university__name")
    )


def ordered_lesson_ids(course_ids) -> dict[int, list[int]]:
    """{course id: [lesson ids in reading order]} of the given courses, in one query."""
    rows = (
        Lesson.objects.filter(module__course_id__in=list(course_ids))
        .order_by("module__course_id", "module__position", "module_id", "position", "pk")
        .values_list("module__course_id", "pk")
    )
    result: dict[int, list[int]] = {}
    for course_id, lesson_id in rows:
        result.setdefault(course_id, []).append(lesson_id)
    return result


def lesson_nav(lesson) -> tuple[Lesson | None, Lesson | None]:
    """The previous and next lessons of the course, across modules (one query)."""
    lessons = list(
        Lesson.objects.filter(module__course_id=lesson.module.course_id)
        .order_by("module__position", "module_id", "position", "pk")
        .only("pk", "title", "module_id", "position")
    )
    index = next((i for i, item in enumerate(lessons) if item.pk == lesson.pk), None)
    if index is None:
        return None, None
    previous = lessons[index - 1] if index > 0 else None
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    return previous, following


def lesson_url(course_slug: str, lesson_id: int) -> str:
    try:
        return reverse("courses:lesson", args=[course_slug, lesson_id])
    except NoReverseMatch:
        return f"/courses/{course_slug}/learn/{lesson_id}/"


def course_url(course_slug: str) -> str:
    try:
        return reverse("courses:course", args=[course_slug])
    except NoReverseMatch:
        return f"/courses/{course_slug}/"


def certificate_url(code: str) -> str:
    try:
        return reverse("certificates:verify", args=[code])
    except NoReverseMatch:
        return f"/certificates/{code}/"


def _continue_lesson_id(enrolment, lesson_ids: list[int], completed_last: bool) -> int | None:
    """Where the learner goes on: the lesson last visited if unfinished, else the one after it,
    else the first lesson (nothing visited yet); None when the course has no lessons left."""
    if not lesson_ids:
        return None
    last = enrolment.last_lesson_id
    if last not in lesson_ids:
        return lesson_ids[0]
    if not completed_last:
        return last
    index = lesson_ids.index(last)
    return lesson_ids[index + 1] if index + 1 < len(lesson_ids) else None


def progress_percent(completed: int, total: int) -> int:
    if total <= 0:
        return 0
    return min(100, round(100 * completed / total))


def learner_overview(user) -> list[dict]:
    """One dict per enrolment of the learner (latest first): course, run, status, progress
    (0-100), continue_url, certificate (or None). Three queries however many enrolments."""
    if not _is_signed_in(user):
        return []
    enrolments = list(
        Enrolment.objects.filter(user=user, status__in=LISTED_STATUSES)
        .select_related("run__course", "certificate")
        .order_by("-enrolled_at", "-pk")
    )
    if not enrolments:
        return []
    lessons_by_course = ordered_lesson_ids({enrolment.run.course_id for enrolment in enrolments})
    last_done = set(
        LessonProgress.objects.filter(
            enrolment_id__in=[enrolment.pk for enrolment in enrolments if enrolment.last_lesson_id],
            lesson_id__in={enrolment.last_lesson_id for enrolment in enrolments if enrolment.last_lesson_id},
        ).values_list("enrolment_id", "lesson_id")
    )
    overview = []
    for enrolment in enrolments:
        course = enrolment.run.course
        lesson_ids = lessons_by_course.get(course.pk, [])
        next_id = None
        if enrolment.status in SEAT_STATUSES:
            next_id = _continue_lesson_id(
                enrolment, lesson_ids, (enrolment.pk, enrolment.last_lesson_id) in last_done
            )
        certificate = getattr(enrolment, "certificate", None)
        overview.append(
            {
                "enrolment": enrolment,
                "course": course,
                "run": enrolment.run,
                "status": enrolment.status,
                "status_label": enrolment.get_status_display(),
                "progress": progress_percent(enrolment.completed_lessons, len(lesson_ids)),
                "continue_url": lesson_url(course.slug, next_id) if next_id else course_url(course.slug),
                "certificate": certificate,
            }
        )
    return overview


def programme_certificates(user) -> list[Certificate]:
    """The learner's programme certificates (the course ones are in `learner_overview`)."""
    if not _is_signed_in(user):
        return []
    return list(
        Certificate.objects.filter(user=user, programme__isnull=False)
        .select_related("programme")
        .order_by("-issued_at")
    )


# --- quizzes --------------------------------------------------------------------------------


def quiz_attempts(enrolment, quiz) -> list[QuizAttempt]:
    """The learner's attempts at `quiz` in this enrolment, first first."""
    if enrolment is None:
        return []
    return list(QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).order_by("number"))


def open_attempt(enrolment, quiz) -> QuizAttempt | None:
    """An attempt started and not submitted whose deadline (with the grace) has not passed."""
    if enrolment is None:
        return None
    attempt = (
        QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz, submitted_at__isnull=True)
        .order_by("-number")
        .first()
    )
    if attempt is None or attempt_is_late(attempt):
        return None
    return attempt


def attempt_is_late(attempt, now=None) -> bool:
    if attempt.deadline is None:
        return False
    grace = timezone.timedelta(seconds=settings.PUENTE_COURSES_QUIZ_GRACE_SECONDS)
    return (now or timezone.now()) > attempt.deadline + grace


def seconds_left(attempt) -> int | None:
    """Seconds until the attempt's deadline (0 when past), None for an untimed quiz."""
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - timezone.now()).total_seconds()))


# --- the instructor's side ------------------------------------------------------------------


def gradebook(run, enrolments=None) -> list[dict]:
    """One dict per learner of the run (or of `enrolments`, a page of them): learner,
    enrolment, progress, quiz best scores {quiz id: score or None}, exercise grades
    {exercise id: grade or None}, completed. Five queries however many learners."""
    if enrolments is None:
        enrolments = Enrolment.objects.filter(run=run, status__in=SEAT_STATUSES).order_by(
            "user__last_name", "user__first_name", "user__username"
        )
    enrolments = list(enrolments.select_related("user"))
    lesson_count = Lesson.objects.filter(module__course_id=run.course_id).count()
    quiz_ids = list(Quiz.objects.filter(course_id=run.course_id).order_by("pk").values_list("pk", flat=True))
    enrolment_ids = [enrolment.pk for enrolment in enrolments]
    best_scores: dict[tuple[int, int], int] = {
        (row["enrolment_id"], row["quiz_id"]): row["best"]
        for row in QuizAttempt.objects.filter(enrolment_id__in=enrolment_ids, submitted_at__isnull=False)
        .values("enrolment_id", "quiz_id")
        .annotate(best=Max("score"))
    }
    grades: dict[tuple[int, int], int | None] = {
        (enrolment_id, exercise_id): grade
        for enrolment_id, exercise_id, grade in ExerciseSubmission.objects.filter(
            enrolment_id__in=enrolment_ids
        ).values_list("enrolment_id", "exercise_id", "grade")
    }
    exercise_ids = list(run.course.exercises.order_by("release_week", "pk").values_list("pk", flat=True))
    return [
        {
            "learner": enrolment.user,
            "enrolment": enrolment,
            "progress": progress_percent(enrolment.completed_lessons, lesson_count),
            "quiz_scores": {quiz_id: best_scores.get((enrolment.pk, quiz_id)) for quiz_id in quiz_ids},
            "exercise_grades": {
                exercise_id: grades.get((enrolment.pk, exercise_id)) for exercise_id in exercise_ids
            },
            "submitted_exercises": {
                exercise_id for exercise_id in exercise_ids if (enrolment.pk, exercise_id) in grades
            },
            "completed": enrolment.status == EnrolmentStatus.COMPLETED,
        }
        for enrolment in enrolments
    ]


def review_queue(user) -> QuerySet[ExerciseSubmission]:
    """Submissions not graded yet in the runs `user` teaches (every run for DPS staff),
    oldest first."""
    submissions = ExerciseSubmission.objects.filter(reviewed_at__isnull=True).select_related(
        "exercise", "enrolment__user", "enrolment__run__course"
    )
    if not (_is_signed_in(user) and may_act(user)):
        return submissions.none()
    if not is_dps_staff(user):
        course_taught = Course.instructors.through.objects.filter(
            course_id=OuterRef("enrolment__run__course_id"), user_id=user.pk
        )
        run_taught = CourseRun.instructors.through.objects.filter(
            courserun_id=OuterRef("enrolment__run_id"), user_id=user.pk
        )
        submissions = submissions.filter(Exists(course_taught) | Exists(run_taught))
    return submissions.order_by("submitted_at", "pk")


def cohort_recipients(run) -> QuerySet:
    """The learners a cohort message reaches: active and completed enrolments of the run."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True, enrolments__run=run, enrolments__status__in=SEAT_STATUSES
    )


# --- the DPS dashboard (sums over CourseStat) -----------------------------------------------

STAT_SUMS = {
    "enrolments": Coalesce(Sum("enrolments"), 0),
    "completions": Coalesce(Sum("completions"), 0),
    "certificates": Coalesce(Sum("certificates"), 0),
}


def _stats(filters: dict | None) -> QuerySet[CourseStat]:
    """CourseStat rows matching the filters: network (slug or id), course (id), format,
    country (code), year; unknown values match nothing, empty ones are ignored."""
    filters = filters or {}
    stats = CourseStat.objects.all()
    network = filters.get("network")
    if network:
        key = "course__network_id" if str(network).isdigit() else "course__network__slug"
        stats = stats.filter(**{key: network})
    course = filters.get("course")
    if course:
        stats = stats.filter(course_id=course if str(course).isdigit() else 0)
    if filters.get("format"):
        stats = stats.filter(format=filters["format"])
    if filters.get("country"):
        stats = stats.filter(country_code=str(filters["country"]).upper()[:2])
    year = filters.get("year")
    if year:
        stats = stats.filter(month__year=int(year) if str(year).isdigit() else 0)
    return stats


def dashboard_totals(filters: dict | None = None) -> dict:
    """{"enrolments", "completions", "certificates"} summed (one query)."""
    return _stats(filters).aggregate(**STAT_SUMS)


def dashboard_by_country(filters: dict | None = None) -> list[dict]:
    """Per country code (most enrolments first): code, name, and the three sums."""
    from network.models import Country

    rows = list(
        _stats(filters).values("country_code").annotate(**STAT_SUMS).order_by("-enrolments", "country_code")
    )
    names = {
        country.code: country.name
        for country in Country.objects.filter(code__in=[r["country_code"] for r in rows])
    }
    for row in rows:
        row["name"] = names.get(row["country_code"]) or row["country_code"] or _("Unknown")
    return rows


def dashboard_by_month(filters: dict | None = None) -> list[dict]:
    """Per month (oldest first): month (a date, the 1st), and the three sums."""
    return list(_stats(filters).values("month").annotate(**STAT_SUMS).order_by("month"))


def dashboard_by_course(filters: dict | None = None) -> list[dict]:
    """Per course (most enrolments first): course_id, title, and the three sums."""
    return list(
        _stats(filters)
        .values("course_id", title=F("course__title"))
        .annotate(**STAT_SUMS)
        .order_by("-enrolments", "title")
    )


def dashboard_by_institution(filters: dict | None = None) -> list[dict]:
    """Per institution (most enrolments first; id 0: none given): institution_id, name, sums."""
    from network.institutions.models import Institution

    rows = list(
        _stats(filters)
        .values("institution_id")
        .annotate(**STAT_SUMS)
        .order_by("-enrolments", "institution_id")
    )
    ids = [row["institution_id"] for row in rows if row["institution_id"]]
    names = {institution.pk: str(institution) for institution in Institution.objects.filter(pk__in=ids)}
    for row in rows:
        row["name"] = names.get(row["institution_id"]) or _("No institution")
    return rows


def dashboard_years() -> list[int]:
    """The years that have counts, newest first (for the year filter)."""
    return [
        moment.year
        for moment in CourseStat.objects.annotate(year=TruncYear("month"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    ]


def _target(value: int, target: int) -> dict:
    return {
        "value": value,
        "target": target,
        "percent": min(100, round(100 * value / target)) if target else 0,
    }


def targets(filters: dict | None = None) -> dict:
    """Progress toward the programme's targets: virtual learners (self-paced and cohort
    enrolments) vs PUENTE_COURSES_VIRTUAL_TARGET, on-site seats vs PUENTE_COURSES_ON_SITE_TARGET.
    Each: {"value", "target", "percent"}. One query."""
    filters = {key: value for key, value in (filters or {}).items() if key != "format"}
    sums = _stats(filters).aggregate(
        virtual=Coalesce(Sum("enrolments", filter=~Q(format=CourseFormat.ON_SITE)), 0),
        on_site=Coalesce(Sum("enrolments", filter=Q(format=CourseFormat.ON_SITE)), 0),
    )
    return {
        "virtual": _target(sums["virtual"], settings.PUENTE_COURSES_VIRTUAL_TARGET),
        "on_site": _target(sums["on_site"], settings.PUENTE_COURSES_ON_SITE_TARGET),
    }
