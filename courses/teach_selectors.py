"""Reads of the staff side: the runs an instructor teaches, the applications of a run, a
bulk enrolment's progress, and which courses a person may edit in the Wagtail admin.

The rules themselves (who teaches a run, who manages enrolments) are in
`courses.selectors`; this module only adds the lists the instructor pages show.
"""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from courses.models import (
    BulkEnrolment,
    Course,
    CourseRun,
    Enrolment,
    EnrolmentStatus,
    ExerciseSubmission,
)
from network import permissions

PENDING_APPLICATION = (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITLISTED)
BULK_STATUS_LABELS = {
    "queued": _("waiting to start"),
    "running": _("in progress"),
    "done": _("finished"),
    "failed": _("failed"),
}


# --- who edits which course (the Wagtail admin) -------------------------------------------------


def may_edit_courses(user) -> bool:
    """DPS staff and instructors may open the course snippets (instructors see only theirs)."""
    return permissions.may_act(user) and (permissions.is_dps_staff(user) or permissions.is_instructor(user))


def courses_editable_by(user) -> QuerySet[Course]:
    """Every course for DPS staff; for an instructor the courses they teach (the course's
    instructors or one of its runs'); none for anyone else."""
    if not may_edit_courses(user):
        return Course.objects.none()
    if permissions.is_dps_staff(user):
        return Course.objects.all()
    taught_run = CourseRun.objects.filter(course=OuterRef("pk"), instructors=user)
    return Course.objects.filter(Q(instructors=user) | Exists(taught_run)).distinct()


def may_edit_course(user, course: Course | None) -> bool:
    if course is None or not may_edit_courses(user):
        return False
    if permissions.is_dps_staff(user):
        return True
    return courses_editable_by(user).filter(pk=course.pk).exists()


# --- the instructor's runs -------------------------------------------------------------------


def may_open_teaching(user) -> bool:
    """The teaching pages are for instructors (platform group or network role) and DPS staff."""
    return permissions.may_act(user) and (permissions.is_dps_staff(user) or permissions.is_instructor(user))


def runs_taught_by(user) -> QuerySet[CourseRun]:
    """The runs the user teaches (every run for DPS staff), newest first, each annotated
    with `pending_applications` and `ungraded` counts (one query)."""
    if not permissions.may_act(user):
        return CourseRun.objects.none()
    runs = CourseRun.objects.select_related("course")
    if not permissions.is_dps_staff(user):
        runs = runs.filter(Q(instructors=user) | Q(course__instructors=user)).distinct()
    pending = (
        Enrolment.objects.filter(run=OuterRef("pk"), status__in=PENDING_APPLICATION)
        .order_by()
        .values("run")
        .annotate(count=Count("pk"))
        .values("count")
    )
    ungraded = (
        ExerciseSubmission.objects.filter(enrolment__run=OuterRef("pk"), reviewed_at__isnull=True)
        .order_by()
        .values("enrolment__run")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return runs.annotate(
        pending_applications=Coalesce(Subquery(pending, output_field=IntegerField()), 0),
        ungraded=Coalesce(Subquery(ungraded, output_field=IntegerField()), 0),
    ).order_by("-starts_on", "-pk")


def applications_of(run: CourseRun) -> QuerySet[Enrolment]:
    """Applications still to decide and the waiting list, in order of application."""
    return (
        Enrolment.objects.filter(run=run, status__in=PENDING_APPLICATION)
        .select_related("user", "institution", "nominated_by")
        .order_by("enrolled_at", "pk")
    )


def decided_applications_of(run: CourseRun, *, limit: int = 50) -> QuerySet[Enrolment]:
    """The latest decisions (admitted or not), for the record below the queue."""
    return (
        Enrolment.objects.filter(run=run, decided_at__isnull=False)
        .exclude(status__in=PENDING_APPLICATION)
        .select_related("user", "institution")
        .order_by("-decided_at", "-pk")[:limit]
    )


def bulk_jobs_of(run: CourseRun, *, limit: int = 10) -> list[BulkEnrolment]:
    jobs = list(
        BulkEnrolment.objects.filter(run=run).select_related("uploaded_by").order_by("-created_at")[:limit]
    )
    for job in jobs:
        job.status_label = BULK_STATUS_LABELS.get(job.status, job.status)
    return jobs


def bulk_progress(job: BulkEnrolment) -> dict:
    """What the progress figure shows (and the JSON the page polls)."""
    total = job.total_rows
    percent = 100 if job.status == "done" else int(100 * job.processed_rows / total) if total else 0
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(BULK_STATUS_LABELS.get(job.status, job.status)),
        "total": total,
        "processed": job.processed_rows,
        "enrolled": job.enrolled,
        "rejected": len(job.rejected or []),
        "percent": min(100, percent),
        "finished": job.status in ("done", "failed"),
    }
