"""Courses: the catalogue, runs (cohorts), content, assessment, enrolment, progress,
certificates and accreditation.

Who may see and do what is decided in `courses.selectors` (one function per rule); every
write is in `courses.services`. Progress and dashboard counters are kept up to date by the
services (`Enrolment.completed_lessons`, `CourseStat`) so that a learner's page and the DPS
dashboard never count millions of rows per request.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField

from network.institutions.files import private_storage
from network.profiles.text import normalize


class CourseFormat(models.TextChoices):
    SELF_PACED = "self_paced", _("Virtual, self-paced")
    COHORT = "cohort", _("Virtual, with a cohort")
    ON_SITE = "on_site", _("On site")


class Level(models.TextChoices):
    INTRODUCTORY = "introductory", _("Introductory")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class CompletionRule(models.TextChoices):
    LESSONS = "lessons", _("All lessons completed")
    LESSONS_AND_QUIZZES = "lessons_quizzes", _("All lessons completed and every quiz passed")
    ALL = "all", _("Lessons, quizzes passed and exercises graded as passed")


class Course(ClusterableModel):
    network = models.ForeignKey(
        "network.Network", on_delete=models.PROTECT, related_name="courses", verbose_name=_("network")
    )
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=600)
    description = RichTextField(_("description"), blank=True)
    languages = models.CharField(
        _("languages"),
        max_length=40,
        default="en",
        help_text=_("Language codes, comma separated: en,es,pt-br,fr"),
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.INTRODUCTORY)
    duration_hours = models.PositiveSmallIntegerField(_("duration (hours)"), default=10)
    format = models.CharField(
        _("format"), max_length=16, choices=CourseFormat.choices, default=CourseFormat.SELF_PACED
    )
    topics = ParentalManyToManyField(
        "network.Topic", blank=True, related_name="courses", verbose_name=_("topics")
    )
    instructors = ParentalManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="courses_taught", verbose_name=_("instructors")
    )
    prerequisites = ParentalManyToManyField(
        "self", blank=True, symmetrical=False, related_name="required_by", verbose_name=_("prerequisites")
    )
    completion_rule = models.CharField(
        _("completion rule"),
        max_length=16,
        choices=CompletionRule.choices,
        default=CompletionRule.LESSONS_AND_QUIZZES,
    )
    is_published = models.BooleanField(_("published"), default=False)
    # Open courses take self-enrolment; the others only applications or staff enrolment.
    is_open = models.BooleanField(_("open for self-enrolment"), default=True)
    search_text = models.TextField(blank=True, editable=False)  # folded title + summary
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Derived columns the catalogue filters on, kept in step with what they derive from.
        self.languages = ",".join(code.strip().lower() for code in self.languages.split(",") if code.strip())
        self.search_text = normalize(f"{self.title} {self.summary}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "summary"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def language_codes(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


class CourseRun(models.Model):
    """A cohort of a course: dates, capacity, enrolment window; an on-site run has a venue."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="runs", verbose_name=_("course")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    format = models.CharField(_("format"), max_length=16, choices=CourseFormat.choices)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.OPEN)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    enrolment_opens = models.DateTimeField(_("enrolment opens"), null=True, blank=True)
    enrolment_closes = models.DateTimeField(_("enrolment closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    requires_application = models.BooleanField(
        _("enrolment by application"),
        default=False,
        help_text=_("Nominated by the officer's institution, approved by staff."),
    )
    venue = models.CharField(_("venue"), max_length=250, blank=True)
    venue_country = models.ForeignKey(
        "network.Country",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("country"),
    )
    webinar_at = models.DateTimeField(_("webinar"), null=True, blank=True)
    completion_deadline = models.DateTimeField(_("complete by"), null=True, blank=True)
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="runs_taught", verbose_name=_("instructors")
    )
    active_count = models.PositiveIntegerField(default=0)  # seats taken, kept by services

    class Meta:
        ordering = ["course_id", "starts_on"]
        verbose_name = _("course run")
        verbose_name_plural = _("course runs")

    def __str__(self):
        return self.title or f"{self.course} ({self.starts_on or _('self-paced')})"


class Module(models.Model):
    course = ParentalKey(Course, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["course_id", "position", "id"]
        verbose_name = _("module")

    def __str__(self):
        return self.title


class Lesson(models.Model):
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("module")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=200)
    body = RichTextField(_("text"), blank=True)
    video_url = models.URLField(_("video"), blank=True)
    transcript = models.TextField(_("video transcript"), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("document"),
    )
    library_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("library item"),
    )
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=15)

    class Meta:
        ordering = ["module_id", "position", "id"]
        verbose_name = _("lesson")

    def __str__(self):
        return self.title


class Quiz(ClusterableModel):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="quizzes", verbose_name=_("course")
    )
    module = models.ForeignKey(
        Module, null=True, blank=True, on_delete=models.SET_NULL, related_name="quizzes"
    )
    title = models.CharField(_("title"), max_length=200)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=70, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    time_limit_minutes = models.PositiveSmallIntegerField(_("time limit (minutes)"), null=True, blank=True)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"), default=3)
    questions_per_attempt = models.PositiveSmallIntegerField(
        _("questions per attempt"), null=True, blank=True, help_text=_("Drawn from the bank; empty: all.")
    )
    shuffle = models.BooleanField(_("shuffle questions and choices"), default=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self):
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    SHORT = "short", _("Short answer")


class Question(ClusterableModel):
    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(
        _("kind"), max_length=16, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    text = models.TextField(_("question"))
    points = models.PositiveSmallIntegerField(_("points"), default=1)
    # Short answers: accepted answers, one per line (compared without case, accents or spaces).
    accepted_answers = models.TextField(_("accepted answers"), blank=True)
    explanation = models.TextField(_("explanation shown after submission"), blank=True)
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["quiz_id", "position", "id"]
        verbose_name = _("question")

    def __str__(self):
        return self.text[:80]


class Choice(models.Model):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("choice"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["question_id", "position", "id"]

    def __str__(self):
        return self.text[:80]


class Exercise(models.Model):
    """A scenario-based exercise released in a week of a run, reviewed by an instructor."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="exercises", verbose_name=_("course")
    )
    title = models.CharField(_("title"), max_length=200)
    scenario = RichTextField(_("scenario"))
    release_week = models.PositiveSmallIntegerField(_("released in week"), default=1)
    due_days = models.PositiveSmallIntegerField(_("days to submit"), default=7)
    allows_file = models.BooleanField(_("accepts a file"), default=True)
    pass_grade = models.PositiveSmallIntegerField(_("pass grade (%)"), default=60)

    class Meta:
        ordering = ["course_id", "release_week", "id"]
        verbose_name = _("exercise")

    def __str__(self):
        return self.title


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    WAITLISTED = "waitlisted", _("On the waiting list")
    ACTIVE = "active", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Not admitted")


SEAT_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)


class Enrolment(models.Model):
    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE)
    # Snapshots at enrolment, for the dashboard (a later profile change does not move history).
    country_code = models.CharField(max_length=2, blank=True)
    institution = models.ForeignKey(
        "institutions.Institution", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_by = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nominations",
    )
    motivation = models.TextField(blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_lessons = models.PositiveIntegerField(default=0)
    last_lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "user"], name="courses_one_enrolment_per_run")]
        indexes = [
            models.Index(fields=["user", "status"], name="courses_enrolment_user"),
            models.Index(fields=["run", "status", "enrolled_at"], name="courses_enrolment_run"),
        ]

    def __str__(self):
        return f"{self.user_id} in {self.run_id}"


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="courses_one_progress_per_lesson")
        ]

    def __str__(self):
        return f"{self.enrolment_id}:{self.lesson_id}"


class QuizAttempt(models.Model):
    """One attempt: the questions drawn (in order), the deadline fixed by the server at the
    start, the answers and the score once submitted."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="quiz_attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    question_ids = models.JSONField(default=list)
    choice_order = models.JSONField(default=dict)  # {question id: [choice ids in shown order]}
    answers = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # percent
    passed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "quiz", "number"], name="courses_attempt_number")
        ]

    def __str__(self):
        return f"attempt {self.number} of {self.quiz_id}"


def submission_path(instance, filename: str) -> str:
    return f"courses/submissions/{secrets.token_urlsafe(24)}"


class ExerciseSubmission(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="submissions")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="submissions")
    text = models.TextField(blank=True)
    # Private storage: an officer's work is served only through a permission-checked view.
    file = models.FileField(upload_to=submission_path, storage=private_storage, blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "exercise"], name="courses_one_submission")
        ]
        indexes = [models.Index(fields=["reviewed_at", "submitted_at"], name="courses_review_queue")]

    def __str__(self):
        return f"{self.exercise_id} by {self.enrolment_id}"


class Accreditation(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="accreditations")
    university = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="accreditations",
        limit_choices_to={"kind": "university"},
        verbose_name=_("university"),
    )
    credit_hours = models.PositiveSmallIntegerField(_("credit hours"), null=True, blank=True)
    ects = models.DecimalField(_("ECTS credits"), max_digits=4, decimal_places=1, null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("accreditation")

    def __str__(self):
        return f"{self.course} / {self.university}"


class Programme(ClusterableModel):
    """A certification programme (e.g. police management): a certificate when every
    required course is complete."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    network = models.ForeignKey("network.Network", on_delete=models.PROTECT, related_name="programmes")
    courses = ParentalManyToManyField(Course, related_name="programmes", verbose_name=_("required courses"))

    class Meta:
        verbose_name = _("certification programme")

    def __str__(self):
        return self.title


def new_certificate_code() -> str:
    """20 random bytes in Crockford-like base32, grouped: 160 bits, not guessable."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value = int.from_bytes(secrets.token_bytes(20), "big")
    chars = []
    for _index in range(32):
        value, digit = divmod(value, 32)
        chars.append(alphabet[digit])
    code = "".join(chars)
    return "-".join(code[i : i + 4] for i in range(0, 32, 4))


class Certificate(models.Model):
    code = models.CharField(max_length=40, unique=True, default=new_certificate_code, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates")
    enrolment = models.OneToOneField(
        Enrolment, null=True, blank=True, on_delete=models.PROTECT, related_name="certificate"
    )
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    # What the certificate says, frozen at issue (a renamed course does not change it).
    holder_name = models.CharField(max_length=200)
    title = models.CharField(max_length=250)
    hours = models.PositiveSmallIntegerField(default=0)
    accreditations = models.JSONField(default=list)  # [{"university", "country", "credit_hours", "ects"}]
    language = models.CharField(max_length=10, default="en")
    issued_at = models.DateTimeField(default=timezone.now)
    reissued_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)
    pdf = models.FileField(
        upload_to="courses/certificates/", storage=private_storage, blank=True, max_length=200
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "programme"],
                condition=Q(programme__isnull=False),
                name="courses_one_programme_certificate",
            )
        ]

    def __str__(self):
        return self.code

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class CourseStat(models.Model):
    """Counters per course, country, institution and month, kept by the services so the
    DPS dashboard sums a small table instead of counting enrolments."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=16, choices=CourseFormat.choices)
    country_code = models.CharField(max_length=2, blank=True)
    institution_id = models.BigIntegerField(default=0)  # 0: none (no NULL, so the row key is unique)
    month = models.DateField()
    enrolments = models.PositiveIntegerField(default=0)
    completions = models.PositiveIntegerField(default=0)
    certificates = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "format", "country_code", "institution_id", "month"],
                name="courses_one_stat_row",
            )
        ]

    def __str__(self):
        return f"{self.course_id} {self.country_code} {self.month}"


class BulkEnrolment(models.Model):
    """A staff CSV upload enrolling a cohort; a Celery job fills progress and the report."""

    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="bulk_enrolments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(upload_to="courses/bulk/", storage=private_storage, max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, default="queued")  # queued, running, done, failed
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    enrolled = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list)  # [{"line": n, "reason": "..."}]

    def __str__(self):
        return f"bulk enrolment {self.pk}"


class CohortMessage(models.Model):
    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.subject
