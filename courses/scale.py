"""`seed_demo --scale N`: the N scale members (`profiles-scale`) become learners, in bulk.

Every scale member takes one or two of a few "scale" courses (eight lessons each) and has
completed exactly PROGRESS_PER_LEARNER lessons between them, so 200,000 learners make
2,000,000 progress rows; the ones who finished a course hold its certificate (without a
PDF: it is drawn when first asked for). One member in ON_SITE_EVERY also sits in the
on-site run, up to its 340 seats. Enrolments are spread over the last twelve months.

Rows are written in batches of SCALE_BATCH learners: enrolments with `bulk_create`, the
progress rows with COPY on PostgreSQL (multi-row INSERTs elsewhere). The dashboard
counters (CourseStat) and the runs' seat counts are added from the same rows, so the
dashboard agrees with the tables. A second run skips the learners already enrolled.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from courses.models import (
    Certificate,
    Course,
    CourseFormat,
    CourseRun,
    CourseStat,
    Enrolment,
    EnrolmentStatus,
    Lesson,
    LessonProgress,
    Module,
    RunStatus,
)

SCALE_PREFIX = "scale-"  # the usernames `profiles-scale` gives its members
SCALE_COURSE_PREFIX = "scale-course-"
SCALE_BATCH = 2000
LESSONS_PER_COURSE = 8
PROGRESS_PER_LEARNER = 10
ON_SITE_EVERY = 500
ON_SITE_SEATS = 340

# slug suffix, language, title, format
SCALE_COURSES = [
    ("01", "es", "Policía comunitaria: fundamentos", CourseFormat.SELF_PACED),
    ("02", "es", "Derechos humanos y uso de la fuerza", CourseFormat.SELF_PACED),
    ("03", "en", "Investigating cybercrime", CourseFormat.SELF_PACED),
    ("04", "en", "Police leadership and management", CourseFormat.COHORT),
    ("05", "pt-br", "Gestão de crises e negociação", CourseFormat.SELF_PACED),
    ("06", "pt-br", "Atendimento a vítimas de violência doméstica", CourseFormat.COHORT),
    ("07", "fr", "Police de proximité et prévention", CourseFormat.SELF_PACED),
    ("08", "fr", "Éthique et intégrité policières", CourseFormat.SELF_PACED),
]
ON_SITE_COURSE = ("on-site", "es", "Curso presencial de gestión policial (un mes)", CourseFormat.ON_SITE)


def _ensure_course(network, suffix, language, title, course_format):
    course, created = Course.objects.get_or_create(
        slug=f"{SCALE_COURSE_PREFIX}{suffix}",
        defaults={
            "network": network,
            "title": title,
            "summary": f"{title}: a course of the police network (benchmark data).",
            "languages": language,
            "format": course_format,
            "duration_hours": 12,
            "is_published": True,
        },
    )
    if created:
        module = Module.objects.create(course=course, position=1, title=title)
        Lesson.objects.bulk_create(
            [
                Lesson(module=module, position=number, title=f"{title} · {number}", body="<p>…</p>")
                for number in range(1, LESSONS_PER_COURSE + 1)
            ]
        )
    run = course.runs.order_by("pk").first()
    if run is None:
        today = timezone.localdate()
        run = CourseRun.objects.create(
            course=course,
            format=course_format,
            status=RunStatus.OPEN,
            starts_on=today - timedelta(days=400),
            capacity=ON_SITE_SEATS if course_format == CourseFormat.ON_SITE else None,
            requires_application=course_format == CourseFormat.ON_SITE,
            venue="Academia Nacional de Policía" if course_format == CourseFormat.ON_SITE else "",
        )
    lessons = list(
        Lesson.objects.filter(module__course=course).order_by("module__position", "position", "pk")
    )
    return course, run, lessons


def _learners_to_enrol(runs):
    User = get_user_model()
    enrolled = set(Enrolment.objects.filter(run__in=runs).values_list("user_id", flat=True).distinct())
    learners = (
        User.objects.filter(username__startswith=SCALE_PREFIX)
        .order_by("pk")
        .values_list(
            "pk", "username", "display_name", "language", "profile__country_id", "profile__institution_id"
        )
    )
    return [row for row in learners.iterator(chunk_size=5000) if row[0] not in enrolled]


def seed_courses_scale(progress=None, scale: int = 0, **options) -> None:
    """Enrol the scale members (see the module docstring); nothing without `--scale`."""
    if not scale or scale <= 0:
        return
    from network.models import Network

    network = Network.objects.filter(slug="police").first() or Network.objects.order_by("pk").first()
    if network is None:
        raise RuntimeError("seed the networks first (seed_demo runs them before this step)")
    catalogue = [_ensure_course(network, *spec) for spec in SCALE_COURSES]
    on_site = _ensure_course(network, *ON_SITE_COURSE)
    todo = _learners_to_enrol([run for _course, run, _lessons in [*catalogue, on_site]])
    if progress:
        progress(0, total=len(todo))
    stats: Counter = Counter()
    seats = Counter()
    on_site_taken = on_site[1].active_count
    now = timezone.now()
    for start in range(0, len(todo), SCALE_BATCH):
        batch = todo[start : start + SCALE_BATCH]
        with transaction.atomic():
            on_site_taken = _seed_batch(batch, catalogue, on_site, on_site_taken, now, stats, seats)
        if progress:
            progress(len(batch))
    with transaction.atomic():
        _add_stats(stats)
        for run_id, count in seats.items():
            CourseRun.objects.filter(pk=run_id).update(active_count=F("active_count") + count)
    if todo and connection.vendor == "postgresql":
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (Enrolment, LessonProgress, Certificate, CourseStat):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


def _plan(rng, catalogue):
    """(course index, lessons done) pairs adding up to PROGRESS_PER_LEARNER lessons."""
    first, second = rng.sample(range(len(catalogue)), 2)
    roll = rng.random()
    if roll < 0.4:  # finished one course, started another
        return [(first, LESSONS_PER_COURSE), (second, PROGRESS_PER_LEARNER - LESSONS_PER_COURSE)]
    if roll < 0.75:  # half-way through two
        half = PROGRESS_PER_LEARNER // 2
        return [(first, half), (second, PROGRESS_PER_LEARNER - half)]
    # nearly through one course, started another
    return [(first, LESSONS_PER_COURSE - 1), (second, PROGRESS_PER_LEARNER - LESSONS_PER_COURSE + 1)]


def _month(moment):
    return timezone.localtime(moment).date().replace(day=1)


def _seed_batch(batch, catalogue, on_site, on_site_taken, now, stats, seats) -> int:
    enrolments, lesson_plans, certificates = [], [], []
    for user_id, username, display_name, language, country, institution in batch:
        rng = random.Random(username)  # noqa: S311 (demo data: the same learner on every run)
        country = country or ""
        for course_index, done in _plan(rng, catalogue):
            course, run, lessons = catalogue[course_index]
            enrolled_at = now - timedelta(days=rng.randint(0, 364), minutes=rng.randint(0, 1440))
            finished = done >= len(lessons)
            completed_at = min(now, enrolled_at + timedelta(days=rng.randint(3, 40))) if finished else None
            last_lesson = lessons[done - 1]
            enrolments.append(
                Enrolment(
                    run=run,
                    user_id=user_id,
                    status=EnrolmentStatus.COMPLETED if finished else EnrolmentStatus.ACTIVE,
                    country_code=country,
                    institution_id=institution,
                    enrolled_at=enrolled_at,
                    completed_at=completed_at,
                    completed_lessons=done,
                    last_lesson=last_lesson,
                    last_activity_at=completed_at or enrolled_at + timedelta(days=done),
                )
            )
            lesson_plans.append((lessons[:done], enrolled_at))
            key = (course.pk, run.format, country, institution or 0)
            stats[(*key, _month(enrolled_at), "enrolments")] += 1
            seats[run.pk] += 1
            if finished:
                stats[(*key, _month(completed_at), "completions")] += 1
                stats[(*key, _month(completed_at), "certificates")] += 1
                certificates.append(
                    (len(enrolments) - 1, user_id, display_name, language, course, completed_at)
                )
        number = username.rsplit("-", 1)[-1]
        if number.isdigit() and int(number) % ON_SITE_EVERY == 0 and on_site_taken < ON_SITE_SEATS:
            course, run, _lessons = on_site
            enrolled_at = now - timedelta(days=rng.randint(0, 60))
            enrolments.append(
                Enrolment(
                    run=run,
                    user_id=user_id,
                    status=EnrolmentStatus.ACTIVE,
                    country_code=country,
                    institution_id=institution,
                    enrolled_at=enrolled_at,
                    decided_at=enrolled_at + timedelta(days=2),
                )
            )
            lesson_plans.append(([], enrolled_at))
            stats[(course.pk, run.format, country, institution or 0, _month(enrolled_at), "enrolments")] += 1
            seats[run.pk] += 1
            on_site_taken += 1
    Enrolment.objects.bulk_create(enrolments, batch_size=1000)
    _write_progress(enrolments, lesson_plans)
    Certificate.objects.bulk_create(
        [
            Certificate(
                user_id=user_id,
                enrolment_id=enrolments[index].pk,
                holder_name=display_name,
                title=course.title,
                hours=course.duration_hours,
                language=language or "en",
                issued_at=completed_at,
            )
            for index, user_id, display_name, language, course, completed_at in certificates
        ],
        batch_size=1000,
    )
    return on_site_taken


def _write_progress(enrolments, lesson_plans) -> None:
    table = LessonProgress._meta.db_table
    rows = [
        (enrolment.pk, lesson.pk, enrolled_at + timedelta(hours=position + 1))
        for enrolment, (lessons, enrolled_at) in zip(enrolments, lesson_plans, strict=True)
        for position, lesson in enumerate(lessons)
    ]
    if not rows:
        return
    if connection.vendor == "postgresql":
        copy_sql = f"COPY {table} (enrolment_id, lesson_id, completed_at) FROM STDIN"
        # psycopg 3: COPY is the fastest way in; the values go as typed rows, not text.
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    LessonProgress.objects.bulk_create(
        [LessonProgress(enrolment_id=e, lesson_id=lesson, completed_at=at) for e, lesson, at in rows],
        batch_size=2000,
    )


def _add_stats(stats: Counter) -> None:
    """Add the counted enrolments, completions and certificates to CourseStat rows."""
    grouped: dict[tuple, Counter] = {}
    for (*key, field), count in stats.items():
        grouped.setdefault(tuple(key), Counter())[field] += count
    existing = {
        (row.course_id, row.format, row.country_code, row.institution_id, row.month): row
        for row in CourseStat.objects.filter(course_id__in={key[0] for key in grouped})
    }
    new, changed = [], []
    for key, counts in grouped.items():
        row = existing.get(key)
        if row is None:
            course_id, course_format, country, institution, month = key
            new.append(
                CourseStat(
                    course_id=course_id,
                    format=course_format,
                    country_code=country,
                    institution_id=institution,
                    month=month,
                    **counts,
                )
            )
            continue
        for field, count in counts.items():
            setattr(row, field, getattr(row, field) + count)
        changed.append(row)
    CourseStat.objects.bulk_create(new, batch_size=1000)
    CourseStat.objects.bulk_update(changed, ["enrolments", "completions", "certificates"], batch_size=1000)
