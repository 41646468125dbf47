"""Every write of the courses app. Each action checks permission and input first (raising
`CourseError` with a message for the member; nothing is stored), writes in a transaction,
and queues notifications' e-mail and Celery work only after commit.

Counters are kept here, never recounted per request: `CourseRun.active_count` (seats
taken), `Enrolment.completed_lessons`, and the dashboard's `CourseStat` rows (one upsert
per change: `INSERT … ON CONFLICT DO UPDATE`, the same statement on PostgreSQL and SQLite).
A stat row is keyed by the month the seat was taken (`decided_at` for a decision or a
promotion, else `enrolled_at`), of the completion, or of the certificate.
"""

from __future__ import annotations

import csv
import io
import logging
import random
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses import selectors
from courses.models import (
    SEAT_STATUSES,
    BulkEnrolment,
    Certificate,
    Choice,
    CohortMessage,
    CompletionRule,
    Course,
    CourseRun,
    CourseStat,
    Enrolment,
    EnrolmentStatus,
    Exercise,
    ExerciseSubmission,
    Lesson,
    LessonProgress,
    Programme,
    Question,
    QuestionKind,
    Quiz,
    QuizAttempt,
)
from network.permissions import is_dps_staff, may_act
from network.profiles.text import normalize
from network.services import enqueue, notify

logger = logging.getLogger(__name__)

MAX_MOTIVATION_CHARS = 3000
MAX_SUBMISSION_TEXT_CHARS = 20_000
MAX_FEEDBACK_CHARS = 5000
MAX_SHORT_ANSWER_CHARS = 500
MAX_COHORT_SUBJECT_CHARS = 200
MAX_COHORT_BODY_CHARS = 5000
MAX_REVOCATION_REASON_CHARS = 300
DEFAULT_SUBMISSION_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_BULK_CSV_MAX_BYTES = 5 * 1024 * 1024
BULK_PROGRESS_EVERY = 50


class CourseError(ValidationError):
    """A refusal with a message for the member (already in their language).

    `code`: "invalid" (bad input), "forbidden" (no permission), "full" (no seat), "late"
    (a quiz past its deadline), "done" (already submitted or decided), "not_found"."""

    def __init__(self, message, code: str = "invalid"):
        super().__init__(message, code=code)
        self.detail = str(message)

    def __str__(self):
        return self.detail


def course_search_text(course: Course) -> str:
    """What the catalogue's search looks in: title and summary, folded (no case, no accents)."""
    return normalize(f"{course.title} {course.summary}")


# --- counters -------------------------------------------------------------------------------


def _month_of(moment: datetime | None) -> date:
    local = timezone.localtime(moment or timezone.now())
    return date(local.year, local.month, 1)


def _adjust_stat(enrolment: Enrolment, moment, *, enrolments=0, completions=0, certificates=0) -> None:
    """Add (or subtract, never below 0) to the CourseStat row of the enrolment's course,
    format, country, institution and the month of `moment`, creating the row if needed."""
    run = enrolment.run
    columns = ("enrolments", "completions", "certificates")
    deltas = (enrolments, completions, certificates)
    updates = ", ".join(
        f"{column} = CASE WHEN {CourseStat._meta.db_table}.{column} + %s < 0 THEN 0 "
        f"ELSE {CourseStat._meta.db_table}.{column} + %s END"
        for column in columns
    )
    sql = (
        f"INSERT INTO {CourseStat._meta.db_table} "  # noqa: S608 - names are ours, values are parameters
        "(course_id, format, country_code, institution_id, month, enrolments, completions, certificates) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (course_id, format, country_code, institution_id, month) DO UPDATE SET " + updates
    )
    params = [
        run.course_id,
        run.format,
        enrolment.country_code or "",
        enrolment.institution_id or 0,
        connection.ops.adapt_datefield_value(_month_of(moment)),
        *(max(delta, 0) for delta in deltas),
    ]
    for delta in deltas:
        params += [delta, delta]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _seat_moment(enrolment: Enrolment):
    return enrolment.decided_at or enrolment.enrolled_at


def _take_seat(run: CourseRun) -> bool:
    """Count one more seat taken unless the run is full (one conditional UPDATE: two
    learners racing for the last seat cannot both get it)."""
    taken = (
        CourseRun.objects.filter(pk=run.pk)
        .filter(Q(capacity__isnull=True) | Q(active_count__lt=F("capacity")))
        .update(active_count=F("active_count") + 1)
    )
    if taken:
        run.active_count += 1
    return bool(taken)


def _free_seat(run: CourseRun) -> None:
    CourseRun.objects.filter(pk=run.pk, active_count__gt=0).update(active_count=F("active_count") - 1)
    run.active_count = max(0, run.active_count - 1)


def _profile_snapshot(user) -> tuple[str, int | None]:
    """(country code, institution id) from the member's profile, as it is today."""
    from network.profiles.models import Profile

    row = Profile.objects.filter(user_id=user.pk).values_list("country_id", "institution_id").first()
    return (row[0] or "", row[1]) if row else ("", None)


def _course_params(run: CourseRun) -> dict:
    return {"course": run.course.title}


# --- enrolment ------------------------------------------------------------------------------


def _enrolment_row(user, run, *, status, country_code, institution_id, **fields) -> Enrolment:
    """Create the member's enrolment in `run`, or reuse their withdrawn/rejected row."""
    now = timezone.now()
    values = {
        "status": status,
        "country_code": country_code,
        "institution_id": institution_id,
        "enrolled_at": now,
        "decided_at": None,
        "completed_at": None,
        **fields,
    }
    enrolment = Enrolment.objects.filter(run=run, user=user).first()
    if enrolment is None:
        return Enrolment.objects.create(run=run, user=user, **values)
    if enrolment.status in selectors.LIVE_STATUSES:
        raise CourseError(_("You are already enrolled in this course (or have applied)."), "done")
    for name, value in values.items():
        setattr(enrolment, name, value)
    enrolment.save()
    return enrolment


def _already_enrolled_error() -> CourseError:
    return CourseError(_("You are already enrolled in this course (or have applied)."), "done")


def enrol(user, run: CourseRun) -> Enrolment:
    """Self-enrolment in an open run: a seat is taken (CourseError "full" when none is
    left), the country and institution are copied from the profile, the dashboard counts it."""
    allowed, reason = selectors.can_enrol(user, run)
    if not allowed:
        raise CourseError(reason, "full" if selectors.run_is_full(run) else "forbidden")
    country_code, institution_id = _profile_snapshot(user)
    try:
        with transaction.atomic():
            if not _take_seat(run):
                raise CourseError(_("This course run is full."), "full")
            enrolment = _enrolment_row(
                user,
                run,
                status=EnrolmentStatus.ACTIVE,
                country_code=country_code,
                institution_id=institution_id,
            )
            _adjust_stat(enrolment, _seat_moment(enrolment), enrolments=1)
    except IntegrityError as error:  # the same member twice at once: one row wins
        raise _already_enrolled_error() from error
    return enrolment


def apply(user, run: CourseRun, *, nominated_by=None, motivation: str = "") -> Enrolment:
    """An application for a run by application (status APPLIED, no seat taken yet)."""
    allowed, reason = selectors.can_apply(user, run)
    if not allowed:
        raise CourseError(reason, "forbidden")
    motivation = str(motivation or "").strip()
    if len(motivation) > MAX_MOTIVATION_CHARS:
        raise CourseError(
            _("Your motivation is too long: at most %(limit)s characters.") % {"limit": MAX_MOTIVATION_CHARS}
        )
    country_code, institution_id = _profile_snapshot(user)
    try:
        with transaction.atomic():
            return _enrolment_row(
                user,
                run,
                status=EnrolmentStatus.APPLIED,
                country_code=country_code,
                institution_id=institution_id,
                nominated_by_id=getattr(nominated_by, "pk", nominated_by),
                motivation=motivation,
            )
    except IntegrityError as error:
        raise _already_enrolled_error() from error


def _activate(enrolment: Enrolment, verb: str) -> None:
    """Give a waiting enrolment its seat (already taken by `_take_seat`)."""
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.decided_at = timezone.now()
    enrolment.save(update_fields=["status", "decided_at"])
    _adjust_stat(enrolment, enrolment.decided_at, enrolments=1)
    notify(
        user=enrolment.user,
        verb=verb,
        url=selectors.course_url(enrolment.run.course.slug),
        params=_course_params(enrolment.run),
    )


def _decidable(staff, enrolment: Enrolment) -> Enrolment:
    """The application locked for a decision; CourseError when `staff` may not decide or it
    is no longer waiting."""
    if not selectors.can_manage_enrolments(staff, enrolment.run):
        raise CourseError(_("Only the run's instructors and DPS staff decide applications."), "forbidden")
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("run__course", "user")
        .get(pk=enrolment.pk)
    )
    if enrolment.status not in (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITLISTED):
        raise CourseError(_("This application has already been decided."), "done")
    return enrolment


def _set_decision(enrolment: Enrolment, status: str, verb: str) -> None:
    enrolment.status = status
    enrolment.decided_at = timezone.now()
    enrolment.save(update_fields=["status", "decided_at"])
    notify(
        user=enrolment.user,
        verb=verb,
        url=selectors.course_url(enrolment.run.course.slug),
        params=_course_params(enrolment.run),
    )


def decide_application(staff, enrolment: Enrolment, *, accept: bool) -> Enrolment:
    """Accept (ACTIVE if a seat is free, else WAITLISTED) or reject an application; a
    wait-listed learner may also be accepted (when a seat is free) or rejected. The learner
    is notified."""
    with transaction.atomic():
        enrolment = _decidable(staff, enrolment)
        waiting = enrolment.status == EnrolmentStatus.WAITLISTED
        if not accept:
            _set_decision(enrolment, EnrolmentStatus.REJECTED, "courses.application_rejected")
        elif _take_seat(enrolment.run):
            _activate(enrolment, "courses.application_accepted")
        elif waiting:
            raise CourseError(_("The run is full: the learner stays on the waiting list."), "full")
        else:
            _set_decision(enrolment, EnrolmentStatus.WAITLISTED, "courses.application_waitlisted")
    return enrolment


def waitlist_application(staff, enrolment: Enrolment) -> Enrolment:
    """Put an application on the waiting list even if seats are free (staff keep them for
    others); the first wait-listed learner gets the next seat freed."""
    with transaction.atomic():
        enrolment = _decidable(staff, enrolment)
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            raise CourseError(_("This learner is already on the waiting list."), "done")
        _set_decision(enrolment, EnrolmentStatus.WAITLISTED, "courses.application_waitlisted")
    return enrolment


def promote_waitlisted(run: CourseRun) -> list[Enrolment]:
    """Fill free seats with wait-listed learners in the order they applied."""
    promoted = []
    with transaction.atomic():
        while True:
            waiting = (
                Enrolment.objects.select_for_update(of=("self",))
                .select_related("run__course", "user")
                .filter(run=run, status=EnrolmentStatus.WAITLISTED)
                .order_by("enrolled_at", "pk")
                .first()
            )
            if waiting is None or not _take_seat(run):
                break
            _activate(waiting, "courses.promoted")
            promoted.append(waiting)
    return promoted


def unenrol(user, enrolment: Enrolment) -> Enrolment:
    """Withdraw (the learner themself, or a manager of the run). A seat freed goes to the
    first wait-listed learner. A completed course stays on the record."""
    run = enrolment.run
    own = user is not None and user.is_authenticated and enrolment.user_id == user.pk
    if not ((own and may_act(user)) or selectors.can_manage_enrolments(user, run)):
        raise CourseError(_("You cannot withdraw this enrolment."), "forbidden")
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("run__course")
            .get(pk=enrolment.pk)
        )
        if enrolment.status == EnrolmentStatus.COMPLETED:
            raise CourseError(_("A completed course stays on your record."), "done")
        if enrolment.status not in (
            EnrolmentStatus.ACTIVE,
            EnrolmentStatus.APPLIED,
            EnrolmentStatus.WAITLISTED,
        ):
            raise CourseError(_("This enrolment is no longer active."), "done")
        had_seat = enrolment.status == EnrolmentStatus.ACTIVE
        enrolment.status = EnrolmentStatus.WITHDRAWN
        enrolment.save(update_fields=["status"])
        if had_seat:
            _free_seat(enrolment.run)
            _adjust_stat(enrolment, _seat_moment(enrolment), enrolments=-1)
            promote_waitlisted(enrolment.run)
    return enrolment


# --- progress and completion ----------------------------------------------------------------


def _learning_enrolment(user, lesson: Lesson) -> Enrolment:
    enrolment = (
        Enrolment.objects.filter(
            user_id=user.pk, status__in=SEAT_STATUSES, run__course__modules=lesson.module_id
        )
        .select_related("run__course")
        .order_by("-enrolled_at", "-pk")
        .first()
        if user is not None and user.is_authenticated
        else None
    )
    if enrolment is None:
        raise CourseError(_("Enrol in the course to record your progress."), "forbidden")
    return enrolment


def _insert_progress(enrolment_id: int, lesson_id: int, now) -> bool:
    """Record the lesson as completed; False when it already was (one statement)."""
    table = LessonProgress._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (enrolment_id, lesson_id, completed_at) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT (enrolment_id, lesson_id) DO NOTHING",
            [enrolment_id, lesson_id, connection.ops.adapt_datetimefield_value(now)],
        )
        return cursor.rowcount == 1


def complete_lesson(user, lesson: Lesson) -> Enrolment:
    """Mark `lesson` completed for the learner (idempotent) and move "continue where I left
    off" to it, then check the course's completion. A handful of queries whatever the
    number of progress rows."""
    enrolment = _learning_enrolment(user, lesson)
    now = timezone.now()
    with transaction.atomic():
        inserted = _insert_progress(enrolment.pk, lesson.pk, now)
        changes = {"last_lesson_id": lesson.pk, "last_activity_at": now}
        if inserted:
            changes["completed_lessons"] = F("completed_lessons") + 1
        Enrolment.objects.filter(pk=enrolment.pk).update(**changes)
    enrolment.last_lesson_id = lesson.pk
    enrolment.last_activity_at = now
    if inserted:
        enrolment.completed_lessons += 1
        check_completion(enrolment)
    return enrolment


def record_visit(user, lesson: Lesson) -> None:
    """Remember the lesson the learner opened last ("continue where I left off"): one UPDATE."""
    if user is None or not user.is_authenticated:
        return
    Enrolment.objects.filter(
        user_id=user.pk, status__in=SEAT_STATUSES, run__course__modules=lesson.module_id
    ).update(last_lesson_id=lesson.pk, last_activity_at=timezone.now())


def _requirements_met(enrolment: Enrolment, course: Course) -> bool:
    lesson_total = Lesson.objects.filter(module__course_id=course.pk).count()
    if enrolment.completed_lessons < lesson_total:  # the kept counter: most calls stop here
        return False
    done = LessonProgress.objects.filter(
        enrolment_id=enrolment.pk, lesson__module__course_id=course.pk
    ).count()
    if done < lesson_total:
        return False
    if course.completion_rule in (CompletionRule.LESSONS_AND_QUIZZES, CompletionRule.ALL):
        passed = QuizAttempt.objects.filter(enrolment_id=enrolment.pk, quiz_id=OuterRef("pk"), passed=True)
        if Quiz.objects.filter(course_id=course.pk).filter(~Exists(passed)).exists():
            return False
    if course.completion_rule == CompletionRule.ALL:
        graded = ExerciseSubmission.objects.filter(
            enrolment_id=enrolment.pk, exercise_id=OuterRef("pk"), grade__gte=OuterRef("pass_grade")
        )
        if Exercise.objects.filter(course_id=course.pk).filter(~Exists(graded)).exists():
            return False
    return True


def check_completion(enrolment: Enrolment) -> bool:
    """Apply the course's completion rule; on completion: status COMPLETED, the dashboard's
    completions, and (after commit) the certificate task and the programme check."""
    if enrolment.status == EnrolmentStatus.COMPLETED:
        return True
    if enrolment.status != EnrolmentStatus.ACTIVE:
        return False
    course = enrolment.run.course
    if not _requirements_met(enrolment, course):
        return False
    now = timezone.now()
    with transaction.atomic():
        changed = Enrolment.objects.filter(pk=enrolment.pk, status=EnrolmentStatus.ACTIVE).update(
            status=EnrolmentStatus.COMPLETED, completed_at=now
        )
        if not changed:  # completed meanwhile by another request
            return True
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.completed_at = now
        _adjust_stat(enrolment, now, completions=1)
        from courses import tasks

        enqueue(tasks.issue_certificate, enrolment.pk)
        enqueue(tasks.check_programmes, enrolment.user_id)
    return True


# --- quizzes --------------------------------------------------------------------------------

_random = random.SystemRandom()


def _quiz_enrolment(user, quiz: Quiz) -> Enrolment:
    enrolment = selectors.enrolment_of(user, quiz.course_id)
    if enrolment is None:
        raise CourseError(_("Enrol in the course to take its quizzes."), "forbidden")
    return enrolment


def start_attempt(user, quiz: Quiz) -> QuizAttempt:
    """Start an attempt: questions drawn from the bank and shuffled (if the quiz says so),
    the deadline fixed now by the server. An attempt still open is returned instead of a
    new one; refused once the attempts allowed are used."""
    enrolment = _quiz_enrolment(user, quiz)
    current = selectors.open_attempt(enrolment, quiz)
    if current is not None:
        return current
    used = QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).count()
    if quiz.attempts_allowed and used >= quiz.attempts_allowed:
        raise CourseError(
            _("You have used all %(count)s attempts at this quiz.") % {"count": quiz.attempts_allowed}, "done"
        )
    question_ids = list(quiz.questions.order_by("position", "pk").values_list("pk", flat=True))
    if not question_ids:
        raise CourseError(_("This quiz has no questions yet."), "invalid")
    if quiz.questions_per_attempt and quiz.questions_per_attempt < len(question_ids):
        drawn = set(_random.sample(question_ids, quiz.questions_per_attempt))
        question_ids = [pk for pk in question_ids if pk in drawn]
    if quiz.shuffle:
        _random.shuffle(question_ids)
    choice_order: dict[str, list[int]] = {str(pk): [] for pk in question_ids}
    for question_id, choice_id in (
        Choice.objects.filter(question_id__in=question_ids)
        .order_by("position", "pk")
        .values_list("question_id", "pk")
    ):
        choice_order[str(question_id)].append(choice_id)
    if quiz.shuffle:
        for choices in choice_order.values():
            _random.shuffle(choices)
    now = timezone.now()
    deadline = now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                enrolment=enrolment,
                quiz=quiz,
                number=used + 1,
                started_at=now,
                deadline=deadline,
                question_ids=question_ids,
                choice_order=choice_order,
            )
    except IntegrityError as error:  # a double click started the same attempt number
        current = selectors.open_attempt(enrolment, quiz)
        if current is None:
            raise CourseError(_("This attempt was started already."), "done") from error
        return current


def _questions_of(attempt: QuizAttempt) -> dict[int, Question]:
    return {
        question.pk: question
        for question in Question.objects.filter(pk__in=attempt.question_ids).prefetch_related("choices")
    }


def attempt_questions(attempt: QuizAttempt) -> list[dict]:
    """The attempt's questions in the drawn order, with their choices in the shown order:
    id, kind, text, points, choices [{id, text}]. Never which choice is correct, the
    accepted answers or the explanation (2 queries)."""
    questions = _questions_of(attempt)
    shown = []
    for question_id in attempt.question_ids:
        question = questions.get(question_id)
        if question is None:
            continue
        choices = {choice.pk: choice for choice in question.choices.all()}
        order = attempt.choice_order.get(str(question_id), [])
        shown.append(
            {
                "id": question.pk,
                "kind": question.kind,
                "text": question.text,
                "points": question.points,
                "choices": [{"id": pk, "text": choices[pk].text} for pk in order if pk in choices],
            }
        )
    return shown


def _as_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _tampered() -> CourseError:
    return CourseError(_("These answers do not match the questions of your attempt."), "invalid")


def _clean_answer(question: Question, value, allowed_choices: set[int]):
    """The answer in its stored form (a list of choice ids or a text), or None if empty."""
    if question.kind == QuestionKind.SHORT:
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else ""
        if not isinstance(value, str | int):
            raise _tampered()
        text = str(value).strip()
        if len(text) > MAX_SHORT_ANSWER_CHARS:
            raise CourseError(
                _("An answer is too long: at most %(limit)s characters.") % {"limit": MAX_SHORT_ANSWER_CHARS}
            )
        return text or None
    values = value if isinstance(value, list | tuple) else [value]
    values = [item for item in values if item not in ("", None)]
    if not values:
        return None
    ids = []
    for item in values:
        choice_id = _as_id(item)
        if choice_id is None or choice_id not in allowed_choices:
            raise _tampered()
        if choice_id not in ids:
            ids.append(choice_id)
    if question.kind != QuestionKind.MULTIPLE and len(ids) > 1:
        raise _tampered()
    return ids


def _clean_answers(attempt: QuizAttempt, answers, questions: dict[int, Question]) -> dict[str, object]:
    if not isinstance(answers, dict):
        raise _tampered()
    cleaned: dict[str, object] = {}
    for key, value in answers.items():
        question_id = _as_id(key)
        if question_id is None or question_id not in attempt.question_ids or question_id not in questions:
            raise _tampered()
        question = questions[question_id]
        allowed = {choice.pk for choice in question.choices.all()}
        answer = _clean_answer(question, value, allowed)
        if answer is not None:
            cleaned[str(question_id)] = answer
    return cleaned


def _fold_answer(text: str) -> str:
    return normalize(text).replace(" ", "")


def _is_right(question: Question, answer) -> bool:
    if answer is None:
        return False
    if question.kind == QuestionKind.SHORT:
        accepted = {_fold_answer(line) for line in question.accepted_answers.splitlines() if line.strip()}
        return _fold_answer(answer) in accepted
    correct = {choice.pk for choice in question.choices.all() if choice.is_correct}
    return bool(correct) and set(answer) == correct


def _score(attempt: QuizAttempt, answers: dict, questions: dict[int, Question]) -> int:
    total = earned = 0
    for question_id in attempt.question_ids:
        question = questions.get(question_id)
        if question is None:
            continue
        total += question.points
        if _is_right(question, answers.get(str(question_id))):
            earned += question.points
    return round(100 * earned / total) if total else 0


def submit_attempt(user, attempt: QuizAttempt, answers: dict) -> QuizAttempt:
    """Grade and close the attempt. Refused, with nothing changed: another learner's attempt,
    already submitted, later than the deadline plus PUENTE_COURSES_QUIZ_GRACE_SECONDS,
    question ids not drawn in this attempt, choice ids not of their question."""
    attempt = QuizAttempt.objects.select_related("enrolment__run__course", "quiz").get(pk=attempt.pk)
    if user is None or not user.is_authenticated or attempt.enrolment.user_id != user.pk:
        raise CourseError(_("This is not your attempt."), "forbidden")
    if attempt.submitted_at is not None:
        raise CourseError(_("This attempt has already been submitted."), "done")
    now = timezone.now()
    if selectors.attempt_is_late(attempt, now):
        raise CourseError(_("The time for this attempt is over: it was not accepted."), "late")
    questions = _questions_of(attempt)
    cleaned = _clean_answers(attempt, answers, questions)
    score = _score(attempt, cleaned, questions)
    passed = score >= attempt.quiz.pass_mark
    with transaction.atomic():
        closed = QuizAttempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
            answers=cleaned, submitted_at=now, score=score, passed=passed
        )
        if not closed:  # submitted twice at once: the first one counts
            raise CourseError(_("This attempt has already been submitted."), "done")
        Enrolment.objects.filter(pk=attempt.enrolment_id).update(last_activity_at=now)
    attempt.answers, attempt.submitted_at, attempt.score, attempt.passed = cleaned, now, score, passed
    if passed:
        check_completion(attempt.enrolment)
    return attempt


def attempt_review(attempt: QuizAttempt) -> list[dict]:
    """After submission only: per question the text, the learner's answer, whether it was
    right, the correct choices and the explanation. Empty before submission."""
    if attempt.submitted_at is None:
        return []
    questions = _questions_of(attempt)
    review = []
    for question_id in attempt.question_ids:
        question = questions.get(question_id)
        if question is None:
            continue
        answer = attempt.answers.get(str(question_id))
        choices = {choice.pk: choice for choice in question.choices.all()}
        order = attempt.choice_order.get(str(question_id), [])
        review.append(
            {
                "id": question.pk,
                "kind": question.kind,
                "text": question.text,
                "points": question.points,
                "choices": [
                    {
                        "id": pk,
                        "text": choices[pk].text,
                        "is_correct": choices[pk].is_correct,
                        "chosen": isinstance(answer, list) and pk in answer,
                    }
                    for pk in order
                    if pk in choices
                ],
                "answer_text": answer if isinstance(answer, str) else "",
                "accepted_answers": [
                    line.strip() for line in question.accepted_answers.splitlines() if line.strip()
                ],
                "is_right": _is_right(question, answer),
                "explanation": question.explanation,
            }
        )
    return review


# --- exercises ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionKind:
    extension: str
    content_type: str


SUBMISSION_PDF = SubmissionKind("pdf", "application/pdf")
SUBMISSION_DOCX = SubmissionKind(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
SUBMISSION_ODT = SubmissionKind("odt", "application/vnd.oasis.opendocument.text")
SUBMISSION_PNG = SubmissionKind("png", "image/png")
SUBMISSION_JPEG = SubmissionKind("jpg", "image/jpeg")
SUBMISSION_KINDS = (SUBMISSION_PDF, SUBMISSION_DOCX, SUBMISSION_ODT, SUBMISSION_PNG, SUBMISSION_JPEG)
SUBMISSION_ACCEPT = ",".join(f".{kind.extension}" for kind in SUBMISSION_KINDS) + ",.jpeg"


def submission_max_bytes() -> int:
    return int(getattr(settings, "PUENTE_COURSES_SUBMISSION_MAX_BYTES", DEFAULT_SUBMISSION_MAX_BYTES))


def _zip_kind(data: bytes) -> SubmissionKind | None:
    """DOCX and ODT are ZIP files: told apart by what they hold (nothing is extracted
    except ODT's tiny `mimetype` entry)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if (
                "mimetype" in names
                and archive.getinfo("mimetype").file_size < 100
                and archive.read("mimetype").strip() == SUBMISSION_ODT.content_type.encode()
            ):
                return SUBMISSION_ODT
            if "[Content_Types].xml" in names and any(name.startswith("word/") for name in names):
                return SUBMISSION_DOCX
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
        return None
    return None


def _image_is_sound(data: bytes, pillow_format: str) -> bool:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many types for broken or hostile files
        return False
    return True


def sniff_submission(data: bytes) -> SubmissionKind | None:
    """What the bytes are (never the name or the declared type): PDF, DOCX, ODT, PNG or JPEG."""
    if data.startswith(b"%PDF-"):
        return SUBMISSION_PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return SUBMISSION_PNG if _image_is_sound(data, "PNG") else None
    if data.startswith(b"\xff\xd8\xff"):
        return SUBMISSION_JPEG if _image_is_sound(data, "JPEG") else None
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def _clean_file_name(name: str, kind: SubmissionKind) -> str:
    stem = PurePath(str(name or "").replace("\\", "/")).stem
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return f"{slugify(ascii_stem)[:80].strip('-_') or 'submission'}.{kind.extension}"


def check_submission_file(upload) -> tuple[bytes, SubmissionKind, str]:
    """(content, kind, clean name) of an acceptable file; CourseError otherwise."""
    limit = submission_max_bytes()
    too_large = CourseError(
        _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)}, "invalid"
    )
    if getattr(upload, "size", None) is not None and upload.size > limit:
        raise too_large
    try:
        upload.seek(0)
        data = upload.read(limit + 1) or b""
    except (OSError, ValueError) as error:
        raise CourseError(_("The file could not be read."), "invalid") from error
    if len(data) > limit:
        raise too_large
    if not data:
        raise CourseError(_("The file is empty."), "invalid")
    kind = sniff_submission(data)
    if kind is None:
        raise CourseError(_("Send a PDF, Word (DOCX) or OpenDocument (ODT) file, or a PNG or JPEG image."))
    return data, kind, _clean_file_name(getattr(upload, "name", ""), kind)


def exercise_window(exercise: Exercise, run: CourseRun) -> tuple[datetime | None, datetime | None]:
    """(released at, due at) in the run: start + (release_week - 1) weeks, then due_days
    more. A run without a start date (self-paced) has neither."""
    if run.starts_on is None:
        return None, None
    start = datetime.combine(run.starts_on, time.min, tzinfo=timezone.get_current_timezone())
    released = start + timedelta(weeks=exercise.release_week - 1)
    return released, released + timedelta(days=exercise.due_days)


def submit_exercise(user, exercise: Exercise, *, text: str = "", upload=None) -> ExerciseSubmission:
    """Hand in (or replace, before it is graded and before it is due) the learner's work:
    a text, a file (PDF, DOCX, ODT, PNG or JPEG by content, size capped), or both."""
    enrolment = selectors.enrolment_of(user, exercise.course_id)
    if enrolment is None or enrolment.status != EnrolmentStatus.ACTIVE:
        raise CourseError(_("Only learners enrolled in the course can submit this exercise."), "forbidden")
    released, due = exercise_window(exercise, enrolment.run)
    now = timezone.now()
    if released and now < released:
        raise CourseError(_("This exercise is not released yet."), "forbidden")
    if due and now > due:
        raise CourseError(_("The time to submit this exercise is over."), "late")
    text = str(text or "").strip()
    if len(text) > MAX_SUBMISSION_TEXT_CHARS:
        raise CourseError(
            _("Your text is too long: at most %(limit)s characters.") % {"limit": MAX_SUBMISSION_TEXT_CHARS}
        )
    if upload is not None and not exercise.allows_file:
        raise CourseError(_("This exercise takes a text answer only."))
    if not text and upload is None:
        raise CourseError(_("Write your answer or attach a file."))
    checked = check_submission_file(upload) if upload is not None else None
    existing = ExerciseSubmission.objects.filter(enrolment=enrolment, exercise=exercise).first()
    if existing is not None and existing.grade is not None:
        raise CourseError(_("This exercise has been graded: it cannot be changed any more."), "done")
    return _store_submission(enrolment, exercise, existing, text, checked, now)


def _store_submission(enrolment, exercise, submission, text, checked, now) -> ExerciseSubmission:
    submission = submission or ExerciseSubmission(enrolment=enrolment, exercise=exercise)
    old_file = submission.file.name if checked and submission.file else ""
    submission.text = text
    submission.submitted_at = now
    if checked:
        data, _kind, name = checked
        submission.file.save(name, ContentFile(data), save=False)
        submission.file_name = name
    try:
        with transaction.atomic():
            submission.save()
            Enrolment.objects.filter(pk=enrolment.pk).update(last_activity_at=now)
    except IntegrityError as error:
        if checked:
            submission.file.storage.delete(submission.file.name)
        raise CourseError(_("This exercise was just submitted: reload the page."), "done") from error
    if old_file:
        transaction.on_commit(lambda: submission.file.storage.delete(old_file))
    return submission


def _grade(value) -> int:
    grade = _as_id(value)
    if grade is None or not 0 <= grade <= 100:
        raise CourseError(_("The grade is a whole number from 0 to 100."))
    return grade


def review_submission(
    instructor, submission: ExerciseSubmission, *, grade, feedback: str = ""
) -> ExerciseSubmission:
    """Grade a submission with feedback (a later review replaces the grade); the learner is
    notified and the course's completion checked."""
    submission = ExerciseSubmission.objects.select_related(
        "enrolment__run__course", "enrolment__user", "exercise"
    ).get(pk=submission.pk)
    enrolment = submission.enrolment
    if not selectors.can_teach_run(instructor, enrolment.run):
        raise CourseError(_("Only the course's instructors review its exercises."), "forbidden")
    grade = _grade(grade)
    feedback = str(feedback or "").strip()
    if len(feedback) > MAX_FEEDBACK_CHARS:
        raise CourseError(
            _("The feedback is too long: at most %(limit)s characters.") % {"limit": MAX_FEEDBACK_CHARS}
        )
    with transaction.atomic():
        submission.grade = grade
        submission.feedback = feedback
        submission.reviewed_by = instructor
        submission.reviewed_at = timezone.now()
        submission.save(update_fields=["grade", "feedback", "reviewed_by", "reviewed_at"])
        notify(
            user=enrolment.user,
            verb="courses.exercise_reviewed",
            actor=instructor,
            url=selectors.course_url(enrolment.run.course.slug),
            params={
                "exercise": submission.exercise.title,
                "course": enrolment.run.course.title,
                "grade": grade,
            },
        )
    check_completion(enrolment)
    return submission


# --- certificates ---------------------------------------------------------------------------


def _accreditation_snapshot(course: Course) -> list[dict]:
    return [
        {
            "university": accreditation.university.name,
            "country": accreditation.university.country_id,
            "country_name": accreditation.university.country.name_en,
            "credit_hours": accreditation.credit_hours,
            "ects": float(accreditation.ects) if accreditation.ects is not None else None,
        }
        for accreditation in selectors.valid_accreditations(course)
    ]


def _store_pdf(certificate: Certificate) -> Certificate:
    """Render the certificate's PDF and keep it (replacing the previous one)."""
    from courses.certificates import render_pdf

    old_name = certificate.pdf.name
    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(render_pdf(certificate)), save=False)
    Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name)
    if old_name and old_name != certificate.pdf.name:
        certificate.pdf.storage.delete(old_name)
    return certificate


def _notify_certificate(certificate: Certificate, verb: str, **params) -> None:
    notify(
        user=certificate.user,
        verb=verb,
        url=selectors.certificate_url(certificate.code),
        params={"title": certificate.title, **params},
    )


def issue_certificate(enrolment: Enrolment) -> Certificate:
    """The certificate of a completed enrolment (the same one if it exists): name, course,
    hours and accreditations frozen now, a PDF in the learner's language. Counted on the
    dashboard and notified once."""
    existing = Certificate.objects.filter(enrolment_id=enrolment.pk).first()
    if existing is not None:
        return existing if existing.pdf else _store_pdf(existing)
    enrolment = Enrolment.objects.select_related("run__course", "user").get(pk=enrolment.pk)
    if enrolment.status != EnrolmentStatus.COMPLETED:
        raise CourseError(_("A certificate is issued only for a completed course."), "forbidden")
    course, user = enrolment.run.course, enrolment.user
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                user=user,
                enrolment=enrolment,
                holder_name=str(user),
                title=course.title,
                hours=course.duration_hours,
                accreditations=_accreditation_snapshot(course),
                language=user.language,
            )
            _adjust_stat(enrolment, certificate.issued_at, certificates=1)
            _notify_certificate(certificate, "courses.certificate_issued")
    except IntegrityError:  # issued meanwhile by another worker
        return Certificate.objects.get(enrolment_id=enrolment.pk)
    return _store_pdf(certificate)


def programme_is_complete(user, programme: Programme) -> bool:
    required = set(programme.courses.values_list("pk", flat=True))
    if not required:
        return False
    completed = set(
        Enrolment.objects.filter(
            user_id=user.pk, status=EnrolmentStatus.COMPLETED, run__course_id__in=required
        ).values_list("run__course_id", flat=True)
    )
    return required <= completed


def issue_programme_certificate(user, programme: Programme) -> Certificate:
    """The programme certificate once every required course is complete (idempotent)."""
    existing = Certificate.objects.filter(user_id=user.pk, programme=programme).first()
    if existing is not None:
        return existing if existing.pdf else _store_pdf(existing)
    if not programme_is_complete(user, programme):
        raise CourseError(_("Complete every course of the programme first."), "forbidden")
    hours = sum(programme.courses.values_list("duration_hours", flat=True))
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                user=user,
                programme=programme,
                holder_name=str(user),
                title=programme.title,
                hours=hours,
                language=user.language,
            )
            _notify_certificate(certificate, "courses.certificate_issued")
    except IntegrityError:
        return Certificate.objects.get(user_id=user.pk, programme=programme)
    return _store_pdf(certificate)


def check_programmes(user) -> list[Certificate]:
    """Issue the programme certificates the member has now earned (and not yet received)."""
    issued = []
    candidates = Programme.objects.exclude(certificates__user_id=user.pk).filter(
        courses__runs__enrolments__user_id=user.pk,
        courses__runs__enrolments__status=EnrolmentStatus.COMPLETED,
    )
    for programme in candidates.distinct():
        if programme_is_complete(user, programme):
            issued.append(issue_programme_certificate(user, programme))
    return issued


def _require_certificate_staff(staff) -> None:
    if not (is_dps_staff(staff) and may_act(staff)):
        raise CourseError(_("Only DPS staff manage certificates."), "forbidden")


def revoke_certificate(staff, certificate: Certificate, reason: str) -> Certificate:
    """Revoke with a reason (shown on the verification page); the holder is notified."""
    _require_certificate_staff(staff)
    reason = str(reason or "").strip()
    if not reason:
        raise CourseError(_("Give the reason for the revocation."))
    if len(reason) > MAX_REVOCATION_REASON_CHARS:
        raise CourseError(
            _("The reason is too long: at most %(limit)s characters.")
            % {"limit": MAX_REVOCATION_REASON_CHARS}
        )
    with transaction.atomic():
        changed = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason
        )
        if not changed:
            raise CourseError(_("This certificate is already revoked."), "done")
        certificate.refresh_from_db()
        _notify_certificate(certificate, "courses.certificate_revoked", reason=reason)
    return certificate


def reissue_certificate(staff, certificate: Certificate) -> Certificate:
    """The same certificate and code with the holder's current name and language, a new
    PDF and `reissued_at`; a revoked certificate is not re-issued."""
    _require_certificate_staff(staff)
    certificate = Certificate.objects.select_related("user").get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise CourseError(_("A revoked certificate cannot be re-issued."), "forbidden")
    certificate.holder_name = str(certificate.user)
    certificate.language = certificate.user.language
    certificate.reissued_at = timezone.now()
    certificate.save(update_fields=["holder_name", "language", "reissued_at"])
    return _store_pdf(certificate)


# --- bulk enrolment -------------------------------------------------------------------------

BULK_COLUMNS = ("email", "first_name", "last_name", "country", "institution")


def bulk_csv_max_bytes() -> int:
    return int(getattr(settings, "PUENTE_COURSES_BULK_CSV_MAX_BYTES", DEFAULT_BULK_CSV_MAX_BYTES))


def bulk_enrolment_create(staff, run: CourseRun, upload) -> BulkEnrolment:
    """Keep the uploaded CSV and queue its import (`tasks.bulk_enrol`) after commit."""
    if not selectors.can_manage_enrolments(staff, run):
        raise CourseError(_("Only the run's instructors and DPS staff enrol learners."), "forbidden")
    limit = bulk_csv_max_bytes()
    try:
        upload.seek(0)
        data = upload.read(limit + 1) or b""
    except (OSError, ValueError) as error:
        raise CourseError(_("The file could not be read."), "invalid") from error
    if len(data) > limit:
        raise CourseError(_("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)})
    if not data.strip():
        raise CourseError(_("The file is empty."))
    if b"\x00" in data[:4096]:
        raise CourseError(_("Send a CSV file (text, comma separated)."))
    with transaction.atomic():
        job = BulkEnrolment(run=run, uploaded_by=staff)
        job.file.save("enrolments.csv", ContentFile(data), save=False)
        job.save()
        from courses import tasks

        enqueue(tasks.bulk_enrol, job.pk)
    return job


def _decode_csv(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class _Directory:
    """Countries and institutions by the names a CSV may use, loaded once per import."""

    def __init__(self):
        from network.institutions.models import Institution
        from network.models import Country

        self.countries: dict[str, str] = {}
        for country in Country.objects.all():
            for name in (country.code, country.name_en, country.name_es, country.name_pt, country.name_fr):
                self.countries[normalize(name)] = country.code
        self.institutions: dict[str, list[tuple[int, str]]] = {}
        for pk, name, acronym, country_code in Institution.objects.values_list(
            "pk", "name", "acronym", "country_id"
        ):
            for label in {normalize(name), normalize(acronym)} - {""}:
                self.institutions.setdefault(label, []).append((pk, country_code))

    def country(self, text: str) -> str | None:
        return self.countries.get(normalize(text))

    def institution(self, text: str, country_code: str) -> int | None:
        matches = self.institutions.get(normalize(text), [])
        in_country = [pk for pk, code in matches if code == country_code] if country_code else []
        if len(in_country) == 1:
            return in_country[0]
        return matches[0][0] if len(matches) == 1 else None


def _bulk_row(run: CourseRun, row: dict, directory: _Directory) -> str:
    """Enrol the member of one CSV row; the reason when the row is refused, else ""."""
    email = (row.get("email") or "").strip()
    if not email or "@" not in email:
        return _("no valid e-mail address")
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        return _("no account with this e-mail address")
    if not user.is_active:
        return _("the account is deactivated")
    country_code, institution_id = _profile_snapshot(user)
    if (row.get("country") or "").strip():
        country_code = directory.country(row["country"])
        if country_code is None:
            return _("unknown country “%(country)s”") % {"country": row["country"].strip()[:60]}
    if (row.get("institution") or "").strip():
        institution_id = directory.institution(row["institution"], country_code)
        if institution_id is None:
            return _("unknown institution “%(institution)s”") % {
                "institution": row["institution"].strip()[:100]
            }
    if Enrolment.objects.filter(
        user=user, run__course_id=run.course_id, status__in=selectors.LIVE_STATUSES
    ).exists():
        return _("already enrolled in this course")
    with transaction.atomic():
        if not _take_seat(run):
            return _("the run is full")
        enrolment = _enrolment_row(
            user, run, status=EnrolmentStatus.ACTIVE, country_code=country_code, institution_id=institution_id
        )
        _adjust_stat(enrolment, enrolment.enrolled_at, enrolments=1)
        notify(
            user=user,
            verb="courses.enrolled",
            url=selectors.course_url(run.course.slug),
            params=_course_params(run),
        )
    return ""


def _read_bulk_rows(job: BulkEnrolment) -> tuple[list[tuple[int, dict]], str]:
    """The data rows with their line numbers, or a reason the whole file is unusable."""
    with job.file.open("rb") as handle:
        text = _decode_csv(handle.read())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [normalize(name).replace(" ", "_") for name in next(reader, [])]
    except csv.Error:
        header = []
    if "email" not in header:
        return [], _("the first line must name the columns: %(columns)s") % {
            "columns": ",".join(BULK_COLUMNS)
        }
    rows = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            rows.append((reader.line_num, values))
    except csv.Error as error:
        rows.append((reader.line_num, error))
    return [(line, _row_dict(header, values)) for line, values in rows], ""


def _row_dict(header: list[str], values) -> dict:
    if isinstance(values, Exception):
        return {"_error": _("this line is not valid CSV")}
    if len(values) > len(header):
        return {"_error": _("more values than columns")}
    return dict(zip(header, values, strict=False))


def bulk_enrol(job: BulkEnrolment, progress=None) -> BulkEnrolment:
    """Import a bulk enrolment CSV: each good row enrolled, each bad one reported with its
    line and reason; never stops on a bad row. Progress is saved every few rows."""
    BulkEnrolment.objects.filter(pk=job.pk).update(status="running")
    run = CourseRun.objects.select_related("course").get(pk=job.run_id)
    rows, unusable = _read_bulk_rows(job)
    if unusable:
        BulkEnrolment.objects.filter(pk=job.pk).update(
            status="failed", rejected=[{"line": 1, "reason": unusable}]
        )
        job.refresh_from_db()
        return job
    directory = _Directory()
    job.total_rows, job.processed_rows, job.enrolled, job.rejected = len(rows), 0, 0, []
    job.save(update_fields=["total_rows", "processed_rows", "enrolled", "rejected"])
    seen: dict[str, int] = {}
    for line, row in rows:
        reason = row.get("_error", "")
        email = (row.get("email") or "").strip().lower()
        if not reason and email in seen:
            reason = _("the same e-mail address as line %(line)s") % {"line": seen[email]}
        if not reason:
            seen[email] = line
            try:
                reason = _bulk_row(run, row, directory)
            except Exception:  # noqa: BLE001 - one broken row must not stop the cohort
                logger.exception("bulk enrolment %s: line %s failed", job.pk, line)
                reason = _("could not be enrolled (an error on our side)")
        if reason:
            job.rejected.append({"line": line, "reason": str(reason)})
        else:
            job.enrolled += 1
        job.processed_rows += 1
        if job.processed_rows % BULK_PROGRESS_EVERY == 0:
            job.save(update_fields=["processed_rows", "enrolled", "rejected"])
            if progress:
                progress(job.processed_rows, job.total_rows)
    job.status = "done"
    job.save(update_fields=["status", "processed_rows", "enrolled", "rejected"])
    return job


# --- cohort messages ------------------------------------------------------------------------


def send_cohort_message(instructor, run: CourseRun, subject: str, body: str) -> CohortMessage:
    """Store a message to the run's learners and queue its delivery: an in-app notification
    and an e-mail (as each learner's preference says) per learner."""
    if not selectors.can_teach_run(instructor, run):
        raise CourseError(_("Only the run's instructors write to its learners."), "forbidden")
    subject, body = str(subject or "").strip(), str(body or "").strip()
    if not subject or not body:
        raise CourseError(_("Write a subject and a message."))
    if len(subject) > MAX_COHORT_SUBJECT_CHARS or len(body) > MAX_COHORT_BODY_CHARS:
        raise CourseError(
            _("Too long: the subject takes at most %(subject)s characters, the message %(body)s.")
            % {"subject": MAX_COHORT_SUBJECT_CHARS, "body": MAX_COHORT_BODY_CHARS}
        )
    with transaction.atomic():
        message = CohortMessage.objects.create(run=run, sender=instructor, subject=subject, body=body)
        from courses import tasks

        enqueue(tasks.deliver_cohort_message, message.pk)
    return message


def deliver_cohort_message(message: CohortMessage) -> int:
    """Notify every learner of the run not yet notified of this message (safe to re-run)."""
    from django.contrib.contenttypes.models import ContentType

    from network.models import Notification

    run = CourseRun.objects.select_related("course").get(pk=message.run_id)
    done = Notification.objects.filter(
        verb="courses.cohort_message",
        target_type=ContentType.objects.get_for_model(CohortMessage),
        target_id=str(message.pk),
    ).values("recipient_id")
    sent = 0
    for learner in selectors.cohort_recipients(run).exclude(pk__in=done).distinct().iterator(chunk_size=500):
        notify(
            user=learner,
            verb="courses.cohort_message",
            target=message,
            actor=message.sender,
            url=selectors.course_url(run.course.slug),
            params={"course": run.course.title, "subject": message.subject, "body": message.body},
        )
        sent += 1
    return sent
