"""The instructors' pages, `/courses/teach/…`: my runs, a run's gradebook, applications
to on-site runs, bulk enrolment from a CSV, messages to the cohort and the exercise review
queue.

Thin views: who may do what is asked of `courses.selectors` (`can_teach_run`,
`can_manage_enrolments`), every write goes through `courses.services` (or the Celery task
for a bulk enrolment), and a refusal (`CourseError`) comes back as a message on the page.
A run or submission the user may not teach answers 403.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from courses import selectors, teach_selectors
from courses.models import (
    BulkEnrolment,
    CohortMessage,
    CourseRun,
    Enrolment,
    ExerciseSubmission,
    Quiz,
)

GRADEBOOK_PAGE_SIZE = 100


def _services():
    from courses import services

    return services


def _run_for(request, run_id: int, *, manage: bool = False) -> CourseRun:
    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=run_id)
    allowed = selectors.can_manage_enrolments if manage else selectors.can_teach_run
    if not allowed(request.user, run):
        raise PermissionDenied
    return run


def _run_context(request, run: CourseRun, section: str) -> dict:
    return {
        "run": run,
        "course": run.course,
        "section": section,
        "can_manage": selectors.can_manage_enrolments(request.user, run),
    }


# --- my runs and a run's gradebook ---------------------------------------------------------------


@login_required
@require_GET
def teach_home(request):
    runs = list(teach_selectors.runs_taught_by(request.user))
    if not runs and not teach_selectors.may_open_teaching(request.user):
        raise PermissionDenied
    return render(
        request,
        "courses/teach/home.html",
        {
            "runs": runs,
            "to_review": selectors.review_queue(request.user).count(),
            "can_view_dashboard": selectors.can_view_dashboard(request.user),
        },
    )


def gradebook_rows(run: CourseRun, page_of_enrolments, quizzes, exercises) -> list[dict]:
    """The gradebook's rows with the quiz and exercise cells in column order."""
    rows = selectors.gradebook(run, enrolments=page_of_enrolments)
    for row in rows:
        row["quiz_cells"] = [row["quiz_scores"].get(quiz.pk) for quiz in quizzes]
        row["exercise_cells"] = [
            {
                "grade": row["exercise_grades"].get(exercise.pk),
                "submitted": exercise.pk in row["submitted_exercises"],
            }
            for exercise in exercises
        ]
    return rows


@login_required
@require_GET
def run_detail(request, run_id: int):
    run = _run_for(request, run_id)
    enrolments = Enrolment.objects.filter(run=run, status__in=selectors.SEAT_STATUSES).order_by(
        "user__last_name", "user__first_name", "user__username", "pk"
    )
    page = Paginator(enrolments, GRADEBOOK_PAGE_SIZE).get_page(request.GET.get("page"))
    quizzes = list(Quiz.objects.filter(course_id=run.course_id).order_by("pk"))
    exercises = list(run.course.exercises.order_by("release_week", "pk"))
    rows = gradebook_rows(run, page.object_list, quizzes, exercises)
    return render(
        request,
        "courses/teach/run.html",
        {
            **_run_context(request, run, "gradebook"),
            "page": page,
            "rows": rows,
            "quizzes": quizzes,
            "exercises": exercises,
        },
    )


# --- applications to a run -----------------------------------------------------------------------

DECISIONS = {"accept", "waitlist", "reject"}


@login_required
@require_http_methods(["GET", "POST"])
def applications(request, run_id: int):
    run = _run_for(request, run_id, manage=True)
    if request.method == "POST":
        _decide(request, run)
        return redirect("courses:teach_applications", run_id=run.pk)
    return render(
        request,
        "courses/teach/applications.html",
        {
            **_run_context(request, run, "applications"),
            "pending": teach_selectors.applications_of(run),
            "decided": teach_selectors.decided_applications_of(run),
        },
    )


def _decide(request, run: CourseRun) -> None:
    decision = request.POST.get("decision", "")
    enrolment = Enrolment.objects.filter(
        run=run, pk=_int(request.POST.get("enrolment")), status__in=teach_selectors.PENDING_APPLICATION
    ).first()
    if enrolment is None or decision not in DECISIONS:
        messages.error(request, _("This application is no longer waiting for a decision."))
        return
    services = _services()
    try:
        if decision == "waitlist":
            enrolment = services.waitlist_application(request.user, enrolment)
        else:
            enrolment = services.decide_application(request.user, enrolment, accept=decision == "accept")
    except services.CourseError as error:
        messages.error(request, str(error))
        return
    name = enrolment.user.display_name or enrolment.user.username
    messages.success(
        request,
        _("%(name)s: %(status)s.") % {"name": name, "status": enrolment.get_status_display()},
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --- bulk enrolment ------------------------------------------------------------------------------


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: email, first_name, last_name, country, institution (a header line first). "
            "Officers are found by e-mail; rows that cannot be enrolled are listed with the reason."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def bulk_upload(request, run_id: int):
    run = _run_for(request, run_id, manage=True)
    form = BulkUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services = _services()
        try:
            job = services.bulk_enrolment_create(request.user, run, form.cleaned_data["file"])
        except services.CourseError as error:
            form.add_error("file", str(error))
        else:
            return redirect("courses:teach_bulk_job", job_id=job.pk)
    return render(
        request,
        "courses/teach/bulk.html",
        {**_run_context(request, run, "bulk"), "form": form, "jobs": teach_selectors.bulk_jobs_of(run)},
    )


def _job_for(request, job_id: int) -> BulkEnrolment:
    job = get_object_or_404(BulkEnrolment.objects.select_related("run__course"), pk=job_id)
    if not selectors.can_manage_enrolments(request.user, job.run):
        raise PermissionDenied
    return job


@login_required
@require_GET
def bulk_job(request, job_id: int):
    job = _job_for(request, job_id)
    return render(
        request,
        "courses/teach/bulk_job.html",
        {
            **_run_context(request, job.run, "bulk"),
            "job": job,
            "progress": teach_selectors.bulk_progress(job),
            "rejected": sorted(job.rejected or [], key=lambda row: row.get("line", 0)),
        },
    )


@login_required
@require_GET
def bulk_job_progress(request, job_id: int):
    job = _job_for(request, job_id)
    response = JsonResponse(teach_selectors.bulk_progress(job))
    response["Cache-Control"] = "no-store"
    return response


# --- messages to the cohort ----------------------------------------------------------------------


class CohortMessageForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Message"), max_length=10_000, widget=forms.Textarea)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_message(request, run_id: int):
    run = _run_for(request, run_id)
    form = CohortMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services = _services()
        try:
            services.send_cohort_message(
                request.user, run, form.cleaned_data["subject"], form.cleaned_data["body"]
            )
        except services.CourseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your message was sent to the cohort."))
            return redirect("courses:teach_message", run_id=run.pk)
    return render(
        request,
        "courses/teach/message.html",
        {
            **_run_context(request, run, "message"),
            "form": form,
            "recipients": selectors.cohort_recipients(run).count(),
            "sent": CohortMessage.objects.filter(run=run).select_related("sender").order_by("-sent_at")[:20],
        },
    )


# --- exercise reviews ----------------------------------------------------------------------------

REVIEW_PAGE_SIZE = 50


@login_required
@require_GET
def review_queue(request):
    queue = selectors.review_queue(request.user)
    page = Paginator(queue, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "courses/teach/reviews.html", {"page": page, "submissions": page.object_list})


class ReviewForm(forms.Form):
    grade = forms.IntegerField(label=gettext_lazy("Grade (%)"), min_value=0, max_value=100)
    feedback = forms.CharField(
        label=gettext_lazy("Feedback to the officer"), max_length=10_000, widget=forms.Textarea
    )


def _submission_for(request, submission_id: int) -> ExerciseSubmission:
    submission = get_object_or_404(
        ExerciseSubmission.objects.select_related("exercise", "enrolment__user", "enrolment__run__course"),
        pk=submission_id,
    )
    if not selectors.can_teach_run(request.user, submission.enrolment.run):
        raise PermissionDenied
    return submission


@login_required
@require_http_methods(["GET", "POST"])
def review(request, submission_id: int):
    submission = _submission_for(request, submission_id)
    initial = {"grade": submission.grade, "feedback": submission.feedback} if submission.reviewed_at else None
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services = _services()
        try:
            services.review_submission(
                request.user,
                submission,
                grade=form.cleaned_data["grade"],
                feedback=form.cleaned_data["feedback"],
            )
        except services.CourseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The review was saved and the officer notified."))
            return redirect("courses:teach_reviews")
    return render(
        request,
        "courses/teach/review.html",
        {
            "submission": submission,
            "form": form,
            "run": submission.enrolment.run,
            "file_url": reverse("courses:teach_submission_file", args=[submission.pk])
            if submission.file
            else "",
        },
    )


@login_required
@require_GET
def submission_file(request, submission_id: int):
    """The officer's file, for the run's instructors only; always a download, never shown
    inline (it may be anything a browser would run)."""
    submission = _submission_for(request, submission_id)
    if not submission.file:
        raise Http404
    response = FileResponse(
        submission.file.open("rb"),
        as_attachment=True,
        filename=submission.file_name or "submission",
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
