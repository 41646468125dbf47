"""Learner pages: the catalogue, a course, its lessons, quizzes and exercises, "my learning"
and the public certificate verification.

Views are thin: `courses.selectors` decides who sees what, `courses.services` changes
state and refuses with `CourseError`, whose sentence is shown to the learner. A course the
visitor may not see answers 404 like one that does not exist; members-only content of a
visible course (lessons, quizzes, exercises) sends a visitor who is not enrolled back to the
course page with a message. Another officer's attempt, submission or certificate PDF is a
404: nothing tells it exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses import learner_selectors, selectors, services
from courses.forms import ApplicationForm, CatalogueFilterForm, ExerciseSubmissionForm
from courses.models import (
    SEAT_STATUSES,
    Course,
    CourseRun,
    EnrolmentStatus,
    Exercise,
    Lesson,
    QuestionKind,
    Quiz,
)
from courses.rendering import (
    content_language,
    content_security_policy,
    language_labels,
    safe_richtext,
    video_for,
)
from courses.services import CourseError
from network.middleware import ContentSecurityPolicyMiddleware

CATALOGUE_PAGE_SIZE = 12
ANSWER_PREFIX = "q"


# --- helpers ---------------------------------------------------------------------------------


def _visible_course(request, slug: str) -> Course:
    course = Course.objects.filter(slug=slug).select_related("network").first()
    if course is None or not selectors.can_view_course(request.user, course):
        raise Http404
    return course


def _login_url(next_url: str) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': next_url})}"


def _course_url(course: Course) -> str:
    return reverse("courses:course", args=[course.slug])


def _refuse_content(request, course: Course):
    """Members-only content of a visible course: log in first, or enrol first."""
    if not request.user.is_authenticated:
        return redirect(_login_url(request.get_full_path()))
    messages.info(request, _("Enrol in this course to open its lessons, quizzes and exercises."))
    return redirect(_course_url(course))


def _learning_enrolment(user, course: Course):
    """The learner's active or completed enrolment in `course` (None for anybody else)."""
    return selectors.enrolment_of(user, course)


def _refusal(request, exc: CourseError) -> None:
    messages.error(request, exc.detail)


def _lessons(outline) -> list[Lesson]:
    return [lesson for module in outline for lesson in module.lessons.all()]


def _progress(lessons: list[Lesson], done: set[int]) -> int:
    if not lessons:
        return 0
    return round(100 * len(done.intersection(lesson.pk for lesson in lessons)) / len(lessons))


# --- catalogue ---------------------------------------------------------------------------------


@require_GET
def catalogue(request):
    options = learner_selectors.catalogue_filter_options()
    form = CatalogueFilterForm(request.GET, **options)
    filters = form.filters()
    courses = selectors.catalogue(request.user, **filters).select_related("network")
    page = Paginator(courses, CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    for course in shown:
        course.language_labels = language_labels(course.language_codes)
        course.content_language = content_language(course)
    return render(
        request,
        "courses/catalogue.html",
        {
            "form": form,
            "page": page,
            "courses": shown,
            "filtered": bool(filters),
            "open_filters": bool(set(filters) - {"query"}),
        },
    )


# --- a course ----------------------------------------------------------------------------------


def _run_action(user, run: CourseRun) -> dict:
    """What the course page offers for `run`: enrol or apply, allowed or why not."""
    if selectors.takes_applications(run):
        allowed, reason = selectors.can_apply(user, run)
        return {"kind": "apply", "allowed": allowed, "reason": reason}
    allowed, reason = selectors.can_enrol(user, run)
    return {"kind": "enrol", "allowed": allowed, "reason": reason}


@require_GET
def course_detail(request, slug):
    course = _visible_course(request, slug)
    user = request.user
    outline = selectors.course_outline(course)
    lessons = _lessons(outline)
    enrolment = _learning_enrolment(user, course)
    done = learner_selectors.completed_lesson_ids(enrolment)
    runs = learner_selectors.listed_runs(course)
    for run in runs:
        run.action = _run_action(user, run) if enrolment is None else None
    context = {
        "course": course,
        "description": safe_richtext(course.description),
        "outline": outline,
        "enrolment": enrolment,
        "pending": learner_selectors.pending_enrolment(user, course) if enrolment is None else None,
        "done": done,
        "progress": _progress(lessons, done),
        "continue_lesson": learner_selectors.continue_lesson(lessons, enrolment, done) if enrolment else None,
        "runs": runs,
        "accreditations": selectors.valid_accreditations(course),
        "languages": language_labels(course.language_codes),
        "content_language": content_language(course),
        "topics": list(course.topics.all()),
        "certificate": learner_selectors.certificate_of(enrolment),
        "loose_quizzes": list(course.quizzes.filter(module__isnull=True)),
        "instructors": list(course.instructors.all()),
        "prerequisites": list(course.prerequisites.filter(is_published=True)),
        "programmes": list(learner_selectors.course_programmes(course)),
        "exercises": list(course.exercises.all()),
        "can_open_content": selectors.can_access_course_content(user, course),
    }
    return render(request, "courses/course_detail.html", context)


def _run_of(course: Course, run_id: int) -> CourseRun:
    return get_object_or_404(CourseRun, pk=run_id, course=course)


@require_POST
def enrol(request, slug, run_id):
    course = _visible_course(request, slug)
    if not request.user.is_authenticated:
        return redirect(_login_url(_course_url(course)))
    try:
        services.enrol(request.user, _run_of(course, run_id))
    except CourseError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("You are enrolled. Welcome to the course!"))
    return redirect(_course_url(course))


@require_http_methods(["GET", "POST"])
def apply(request, slug, run_id):
    course = _visible_course(request, slug)
    if not request.user.is_authenticated:
        return redirect(_login_url(request.get_full_path()))
    run = _run_of(course, run_id)
    institutions = learner_selectors.nominating_institutions(request.user)
    form = ApplicationForm(request.POST or None, institutions=institutions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            nominated = form.cleaned_data["nominated_by"]
            nominated_by = next((i for i in institutions if str(i.pk) == nominated), None)
            try:
                services.apply(
                    request.user, run, nominated_by=nominated_by, motivation=form.cleaned_data["motivation"]
                )
            except CourseError as exc:
                _refusal(request, exc)
                status = 400
            else:
                messages.success(
                    request, _("Your application has been sent. You will be told when it has been decided.")
                )
                return redirect(_course_url(course))
        else:
            status = 400
    allowed, reason = selectors.can_apply(request.user, run)
    return render(
        request,
        "courses/apply.html",
        {"course": course, "run": run, "form": form, "allowed": allowed, "reason": reason},
        status=status,
    )


@require_POST
def unenrol(request, slug):
    course = _visible_course(request, slug)
    user = request.user
    if not user.is_authenticated:
        return redirect(_login_url(_course_url(course)))
    enrolment = selectors.enrolment_of(user, course) or learner_selectors.pending_enrolment(user, course)
    if enrolment is None:
        messages.info(request, _("You are not enrolled in this course."))
        return redirect(_course_url(course))
    was_waiting = enrolment.status not in SEAT_STATUSES
    try:
        services.unenrol(user, enrolment)
    except CourseError as exc:
        _refusal(request, exc)
    else:
        if was_waiting:
            messages.success(request, _("Your application has been withdrawn."))
        else:
            messages.success(request, _("You have left the course."))
    return redirect(_course_url(course))


# --- lessons ---------------------------------------------------------------------------------


def _lesson_of(course: Course, lesson_id: int) -> Lesson:
    lesson = (
        Lesson.objects.filter(pk=lesson_id, module__course=course)
        .select_related("module", "document", "library_page")
        .first()
    )
    if lesson is None:
        raise Http404
    lesson.module.course = course
    return lesson


@require_GET
def learn(request, slug):
    """ "Continue where I left off": the learner's next lesson."""
    course = _visible_course(request, slug)
    enrolment = _learning_enrolment(request.user, course)
    lessons = _lessons(selectors.course_outline(course))
    if not lessons:
        return redirect(_course_url(course))
    if not selectors.can_access_course_content(request.user, course):
        return _refuse_content(request, course)
    done = learner_selectors.completed_lesson_ids(enrolment)
    target = learner_selectors.continue_lesson(lessons, enrolment, done)
    return redirect("courses:lesson", slug=course.slug, lesson_id=target.pk)


@require_GET
def lesson_detail(request, slug, lesson_id):
    course = _visible_course(request, slug)
    lesson = _lesson_of(course, lesson_id)
    user = request.user
    if not selectors.can_access_lesson(user, lesson):
        return _refuse_content(request, course)
    enrolment = _learning_enrolment(user, course)
    if enrolment is not None and enrolment.status == EnrolmentStatus.ACTIVE:
        services.record_visit(user, lesson)
    previous_lesson, next_lesson = selectors.lesson_nav(lesson)
    video = video_for(lesson.video_url)
    context = {
        "course": course,
        "lesson": lesson,
        "body": safe_richtext(lesson.body),
        "content_language": content_language(course),
        "video": video,
        "previous_lesson": previous_lesson,
        "next_lesson": next_lesson,
        "enrolment": enrolment,
        "is_done": lesson.pk in learner_selectors.completed_lesson_ids(enrolment),
        # A module's quizzes are offered at its last lesson.
        "quizzes": _module_quizzes(lesson, next_lesson),
    }
    response = render(request, "courses/lesson.html", context)
    response.headers["Content-Security-Policy"] = content_security_policy(
        ContentSecurityPolicyMiddleware.POLICY, video
    )
    return response


def _module_quizzes(lesson: Lesson, next_lesson: Lesson | None) -> list[Quiz]:
    if next_lesson is not None and next_lesson.module_id == lesson.module_id:
        return []
    return list(lesson.module.quizzes.order_by("pk"))


@require_POST
def lesson_complete(request, slug, lesson_id):
    course = _visible_course(request, slug)
    lesson = _lesson_of(course, lesson_id)
    if not request.user.is_authenticated:
        return redirect(_login_url(_course_url(course)))
    try:
        enrolment = services.complete_lesson(request.user, lesson)
    except CourseError as exc:
        _refusal(request, exc)
        return redirect("courses:lesson", slug=course.slug, lesson_id=lesson.pk)
    if enrolment.status == EnrolmentStatus.COMPLETED:
        messages.success(request, _("Congratulations: you have completed the course!"))
        return redirect(_course_url(course))
    _previous, next_lesson = selectors.lesson_nav(lesson)
    if next_lesson is not None:
        return redirect("courses:lesson", slug=course.slug, lesson_id=next_lesson.pk)
    messages.success(request, _("Lesson completed."))
    return redirect(_course_url(course))


# --- quizzes ---------------------------------------------------------------------------------


def _quiz_of(course: Course, quiz_id: int) -> Quiz:
    return get_object_or_404(Quiz, pk=quiz_id, course=course)


def _attempt_url(course: Course, quiz: Quiz, attempt) -> str:
    return reverse("courses:attempt", args=[course.slug, quiz.pk, attempt.pk])


@require_http_methods(["GET", "POST"])
def quiz_detail(request, slug, quiz_id):
    """The quiz's rules and the learner's own attempts; POST starts a new attempt."""
    course = _visible_course(request, slug)
    quiz = _quiz_of(course, quiz_id)
    user = request.user
    enrolment = _learning_enrolment(user, course)
    if not selectors.can_access_course_content(user, course):
        return _refuse_content(request, course)
    attempts = selectors.quiz_attempts(enrolment, quiz)
    if request.method == "POST":
        try:
            attempt = services.start_attempt(user, quiz)
        except CourseError as exc:
            _refusal(request, exc)
            return redirect("courses:quiz", slug=course.slug, quiz_id=quiz.pk)
        return redirect(_attempt_url(course, quiz, attempt))
    context = {
        "course": course,
        "quiz": quiz,
        "attempts": attempts,
        "open_attempt": selectors.open_attempt(enrolment, quiz),
        "attempts_left": max(quiz.attempts_allowed - len(attempts), 0),
        "best": max((a.score for a in attempts if a.score is not None), default=None),
        "passed": any(attempt.passed for attempt in attempts),
        "enrolment": enrolment,
        "question_count": quiz.questions_per_attempt or quiz.questions.count(),
    }
    return render(request, "courses/quiz.html", context)


def _answers_from(post) -> dict:
    """Every `q<question id>` field of the form, as the service takes them: {question id:
    [choice ids] or [typed text]}. Ids not in the attempt are passed on for the service to
    refuse (a tampered form changes nothing)."""
    return {
        key[len(ANSWER_PREFIX) :]: post.getlist(key)
        for key in post
        if key.startswith(ANSWER_PREFIX) and key[len(ANSWER_PREFIX) :].isdigit()
    }


@require_http_methods(["GET", "POST"])
def attempt_detail(request, slug, quiz_id, attempt_id):
    """An attempt in progress (the questions, no answers in the page) or its result."""
    course = _visible_course(request, slug)
    quiz = _quiz_of(course, quiz_id)
    attempt = learner_selectors.own_attempt(request.user, quiz, attempt_id)
    if attempt is None:
        raise Http404
    status = 200
    if request.method == "POST" and attempt.submitted_at is None:
        try:
            attempt = services.submit_attempt(request.user, attempt, _answers_from(request.POST))
        except CourseError as exc:
            _refusal(request, exc)
            status = 400
        else:
            return redirect(_attempt_url(course, quiz, attempt))
    if attempt.submitted_at is not None:
        return _attempt_result(request, course, quiz, attempt)
    context = {
        "course": course,
        "quiz": quiz,
        "attempt": attempt,
        "questions": services.attempt_questions(attempt),
        "is_late": selectors.attempt_is_late(attempt),
        "seconds_left": selectors.seconds_left(attempt),
        "now": timezone.now(),
        "kinds": QuestionKind,
        "prefix": ANSWER_PREFIX,
    }
    return render(request, "courses/attempt.html", context, status=status)


def _attempt_result(request, course, quiz, attempt):
    context = {
        "course": course,
        "quiz": quiz,
        "attempt": attempt,
        "review": services.attempt_review(attempt),
        "kinds": QuestionKind,
        "attempts_left": max(quiz.attempts_allowed - attempt.number, 0),
    }
    return render(request, "courses/attempt_result.html", context)


# --- exercises ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def exercise_detail(request, slug, exercise_id):
    course = _visible_course(request, slug)
    exercise = get_object_or_404(Exercise, pk=exercise_id, course=course)
    user = request.user
    enrolment = _learning_enrolment(user, course)
    if not selectors.can_access_course_content(user, course):
        return _refuse_content(request, course)
    submission = learner_selectors.own_submission(enrolment, exercise)
    released_at, due_at = services.exercise_window(exercise, enrolment.run) if enrolment else (None, None)
    now = timezone.now()
    initial = {"text": submission.text} if submission else None
    form = ExerciseSubmissionForm(initial=initial, allows_file=exercise.allows_file)
    status = 200
    if request.method == "POST":
        form = ExerciseSubmissionForm(request.POST, request.FILES, allows_file=exercise.allows_file)
        if form.is_valid():
            try:
                services.submit_exercise(
                    user,
                    exercise,
                    text=form.cleaned_data["text"],
                    upload=form.cleaned_data.get("upload"),
                )
            except CourseError as exc:
                form.add_error(None, exc.detail)
                status = 400
            else:
                messages.success(request, _("Your work has been submitted. Your instructor will review it."))
                return redirect("courses:exercise", slug=course.slug, exercise_id=exercise.pk)
        else:
            status = 400
    context = {
        "course": course,
        "exercise": exercise,
        "scenario": safe_richtext(exercise.scenario),
        "submission": submission,
        "released_at": released_at,
        "due_at": due_at,
        "is_released": released_at is None or released_at <= now,
        "form": form,
        "enrolment": enrolment,
        "can_submit": enrolment is not None
        and enrolment.status == EnrolmentStatus.ACTIVE
        and (released_at is None or released_at <= now)
        and (due_at is None or now <= due_at)
        and not (submission and submission.grade is not None),
    }
    return render(request, "courses/exercise.html", context, status=status)


# --- my learning -------------------------------------------------------------------------------


@login_required
@require_GET
def my_learning(request):
    context = {
        "overview": selectors.learner_overview(request.user),
        "programme_certificates": selectors.programme_certificates(request.user),
    }
    return render(request, "courses/mine.html", context)


# --- certificates ----------------------------------------------------------------------------


def _certificate(code: str):
    certificate = selectors.visible_certificate(code)
    if certificate is None:
        raise Http404
    return certificate


@require_GET
def verify_certificate(request, code):
    """Public: anyone holding the code (the QR code's URL) sees whether it is valid."""
    from courses.certificates import accreditation_lines, verify_url

    certificate = _certificate(code)
    context = {
        "certificate": certificate,
        "accreditations": accreditation_lines(certificate),
        "can_download": selectors.can_download_certificate(request.user, certificate),
        "verify_url": verify_url(certificate.code),
    }
    response = render(request, "courses/certificate_verify.html", context)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def certificate_pdf(request, code):
    """The PDF is the holder's (and DPS staff's); anybody else gets 404."""
    certificate = _certificate(code)
    user = request.user
    if not user.is_authenticated:
        return redirect(_login_url(request.get_full_path()))
    if not selectors.can_download_certificate(user, certificate):
        raise Http404
    filename = f"certificate-{certificate.code}.pdf"
    if certificate.pdf:
        return FileResponse(certificate.pdf.open("rb"), content_type="application/pdf", filename=filename)
    from courses.certificates import render_pdf

    response = HttpResponse(render_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def certificate_credential(request, code):
    """Public, like the verification page: the same facts as an Open Badges 3.0 credential."""
    from courses.certificates import credential_json

    certificate = _certificate(code)
    document = credential_json(certificate)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"
    return response
