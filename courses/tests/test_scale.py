"""`seed_demo --scale`: the scale members become learners with exactly ten progress rows
each, and the dashboard counters agree with the rows (checked on a small scale)."""

import pytest
from django.db.models import Sum

from courses.models import (
    Certificate,
    CourseFormat,
    CourseRun,
    CourseStat,
    Enrolment,
    EnrolmentStatus,
    LessonProgress,
)
from courses.scale import ON_SITE_EVERY, PROGRESS_PER_LEARNER, seed_courses_scale
from network.profiles.seed import seed_scale
from network.seed import seed_accounts, seed_networks

pytestmark = pytest.mark.django_db

LEARNERS = 1000


@pytest.fixture
def scaled():
    seed_accounts()
    seed_networks()
    seed_scale(scale=LEARNERS)
    seen = []
    seed_courses_scale(progress=lambda count=1, total=None: seen.append((count, total)), scale=LEARNERS)
    return seen


def test_every_learner_has_ten_progress_rows_and_the_counters_agree(scaled):
    assert LessonProgress.objects.count() == LEARNERS * PROGRESS_PER_LEARNER
    assert Enrolment.objects.values("user").distinct().count() == LEARNERS
    completed = Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED).count()
    assert 0 < completed == Certificate.objects.count()
    sums = CourseStat.objects.aggregate(
        enrolments=Sum("enrolments"), completions=Sum("completions"), certificates=Sum("certificates")
    )
    assert sums == {
        "enrolments": Enrolment.objects.count(),
        "completions": completed,
        "certificates": completed,
    }
    for run in CourseRun.objects.all():
        assert run.active_count == run.enrolments.count()
    on_site = CourseRun.objects.get(format=CourseFormat.ON_SITE)
    assert on_site.active_count == LEARNERS // ON_SITE_EVERY
    for enrolment in Enrolment.objects.exclude(run=on_site)[:50]:
        assert enrolment.lesson_progress.count() == enrolment.completed_lessons
        assert enrolment.last_lesson_id is not None


def test_the_progress_bar_is_told_the_total_and_reaches_it(scaled):
    assert scaled[0] == (0, LEARNERS)
    assert sum(count for count, _total in scaled) == LEARNERS


def test_a_second_run_adds_nothing(scaled):
    before = (
        Enrolment.objects.count(),
        LessonProgress.objects.count(),
        CourseStat.objects.aggregate(Sum("enrolments")),
    )
    seed_courses_scale(scale=LEARNERS)
    after = (
        Enrolment.objects.count(),
        LessonProgress.objects.count(),
        CourseStat.objects.aggregate(Sum("enrolments")),
    )
    assert after == before


def test_nothing_happens_without_scale():
    seed_courses_scale(scale=0)
    assert not Enrolment.objects.exists()
