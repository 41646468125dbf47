"""Who may see and do what in the courses, and the reads behind the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from courses import selectors, services
from courses.models import (
    Accreditation,
    CourseFormat,
    CourseStat,
    Enrolment,
    EnrolmentStatus,
    Level,
    Module,
    RunStatus,
)
from courses.tests.core_support import (
    lessons_of,
    make_course,
    make_exercise,
    make_quiz,
    make_run,
    right_answers,
    staff_user,
    started_run,
    with_totp,
)
from network.institutions.models import Institution
from network.models import Country, Topic
from tests.factories import NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return make_course()


@pytest.fixture
def run(course):
    return make_run(course)


@pytest.fixture
def learner():
    return UserFactory(username="officer", display_name="Olga Officer")


# --- permissions ----------------------------------------------------------------------------


def test_published_courses_are_public_and_unpublished_ones_only_for_their_instructors_and_staff(
    course, client
):
    from django.contrib.auth.models import AnonymousUser

    draft = make_course(slug="draft", title="Draft course", published=False, network=course.network)
    instructor = UserFactory()
    draft.instructors.add(instructor)
    draft.save()
    assert selectors.can_view_course(AnonymousUser(), course)
    assert not selectors.can_view_course(AnonymousUser(), draft)
    assert not selectors.can_view_course(UserFactory(), draft)
    assert selectors.can_view_course(instructor, draft)
    assert selectors.can_view_course(staff_user(), draft)


def test_run_instructors_count_as_course_instructors(course, run):
    teacher = UserFactory()
    assert not selectors.is_course_instructor(teacher, course)
    run.instructors.add(teacher)
    assert selectors.is_course_instructor(teacher, course)
    assert selectors.can_teach_run(teacher, run)
    assert selectors.can_manage_enrolments(teacher, run)


def test_course_instructors_teach_every_run_but_manage_enrolments_only_of_runs_they_teach(course, run):
    teacher = UserFactory()
    course.instructors.add(teacher)
    course.save()
    assert selectors.can_teach_run(teacher, run)
    assert not selectors.can_manage_enrolments(teacher, run)


def test_staff_without_two_factor_may_not_teach_or_manage(run):
    staff = UserFactory(is_staff=True)
    assert selectors.can_view_dashboard(staff)
    assert not selectors.can_teach_run(staff, run)
    assert not selectors.can_manage_enrolments(staff, run)
    assert selectors.can_manage_enrolments(with_totp(staff), run)


def test_dashboard_is_for_dps_staff_only(learner):
    assert not selectors.can_view_dashboard(learner)
    assert selectors.can_view_dashboard(staff_user())


def test_can_enrol_explains_every_refusal(course, run, learner):
    from django.contrib.auth.models import AnonymousUser

    assert selectors.can_enrol(AnonymousUser(), run) == (False, "Sign in to enrol in a course.")
    assert selectors.can_enrol(learner, run) == (True, "")

    run.status = RunStatus.CLOSED
    assert selectors.can_enrol(learner, run)[1] == "Enrolment in this course run is closed."
    run.status = RunStatus.OPEN
    run.enrolment_opens = timezone.now() + timedelta(days=3)
    assert selectors.can_enrol(learner, run)[1].startswith("Enrolment opens on ")
    run.enrolment_opens = None
    run.enrolment_closes = timezone.now() - timedelta(days=1)
    assert selectors.can_enrol(learner, run)[1].startswith("Enrolment closed on ")
    run.enrolment_closes = None
    run.capacity, run.active_count = 2, 2
    assert selectors.can_enrol(learner, run) == (False, "This course run is full.")
    run.capacity = None
    run.requires_application = True
    assert selectors.can_enrol(learner, run) == (False, "This course takes applications: apply for a place.")
    assert selectors.can_apply(learner, run) == (True, "")


def test_prerequisites_must_be_completed_first(course, run, learner):
    advanced = make_course(slug="advanced", title="Advanced policing", network=course.network)
    advanced.prerequisites.add(course)
    advanced.save()
    advanced_run = make_run(advanced)
    allowed, reason = selectors.can_enrol(learner, advanced_run)
    assert not allowed
    assert reason == "Complete these courses first: Community policing."
    enrolment = services.enrol(learner, run)
    for lesson in lessons_of(course):
        services.complete_lesson(learner, lesson)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert selectors.can_enrol(learner, advanced_run) == (True, "")


def test_a_second_enrolment_in_the_same_course_is_refused(course, run, learner):
    other_run = make_run(course)
    services.enrol(learner, run)
    assert selectors.can_enrol(learner, other_run) == (
        False,
        "You are already enrolled in this course (or have applied).",
    )


def test_lessons_are_for_enrolled_learners_instructors_and_staff(course, run, learner):
    from django.contrib.auth.models import AnonymousUser

    lesson = lessons_of(course)[0]
    assert not selectors.can_access_lesson(AnonymousUser(), lesson)
    assert not selectors.can_access_lesson(learner, lesson)
    services.enrol(learner, run)
    assert selectors.can_access_lesson(learner, lesson)
    teacher = UserFactory()
    course.instructors.add(teacher)
    course.save()
    assert selectors.can_access_lesson(teacher, lesson)
    assert selectors.can_access_lesson(staff_user(), lesson)


def test_a_withdrawn_learner_loses_access(course, run, learner):
    enrolment = services.enrol(learner, run)
    services.unenrol(learner, enrolment)
    assert not selectors.can_access_lesson(learner, lessons_of(course)[0])
    assert selectors.enrolment_of(learner, course) is None


def test_certificates_verify_by_code_whatever_the_case_and_the_pdf_is_the_holders(course, run, learner):
    from courses.models import Certificate

    certificate = Certificate.objects.create(user=learner, holder_name="Olga", title="Community policing")
    assert selectors.visible_certificate(certificate.code.lower()) == certificate
    assert selectors.visible_certificate("NOT-A-CODE") is None
    assert selectors.visible_certificate("") is None
    assert selectors.can_download_certificate(learner, certificate)
    assert not selectors.can_download_certificate(UserFactory(), certificate)
    assert selectors.can_download_certificate(staff_user(), certificate)


# --- the catalogue --------------------------------------------------------------------------


def test_catalogue_filters_and_searches_without_accents(django_assert_max_num_queries):
    police = NetworkFactory(slug="police", name="Police network")
    prevention = NetworkFactory(slug="prevention", name="Prevention network")
    topic = Topic.objects.create(
        slug="cyber", name_en="Cyber", name_es="Ciber", name_pt="Ciber", name_fr="Cyber"
    )
    spanish = make_course(
        slug="gestion", title="Gestión policial", network=police, languages="es, pt-br", level=Level.ADVANCED
    )
    spanish.topics.add(topic)
    spanish.save()
    english = make_course(slug="cyber", title="Cybercrime basics", network=prevention, languages="en")
    make_course(slug="hidden", title="Gestion hidden", network=police, published=False)
    on_site = make_course(slug="academy", title="Academy month", network=police, format=CourseFormat.ON_SITE)

    def slugs(**filters):
        with django_assert_max_num_queries(1):
            return [course.slug for course in selectors.catalogue(None, **filters)]

    assert slugs() == ["academy", "cyber", "gestion"]
    assert slugs(query="GESTION") == ["gestion"]
    assert slugs(query="policial gestión") == ["gestion"]
    assert slugs(network="prevention") == ["cyber"]
    assert slugs(language="pt-br") == ["gestion"]
    assert slugs(language="es") == ["gestion"]
    assert slugs(language="e") == []
    assert slugs(level=Level.ADVANCED) == ["gestion"]
    assert slugs(format=CourseFormat.ON_SITE) == ["academy"]
    assert slugs(topic="cyber") == ["gestion"]
    assert slugs(accredited=True) == []
    assert english.languages == "en" and spanish.languages == "es,pt-br"
    assert on_site.search_text == "academy month about academy month"


def test_catalogue_annotates_the_next_open_run_and_a_valid_accreditation(course):
    today = timezone.localdate()
    make_run(course, starts_on=today - timedelta(days=10))
    make_run(course, starts_on=today + timedelta(days=30))
    make_run(course, starts_on=today + timedelta(days=5), status=RunStatus.DRAFT)
    uni = Institution.objects.create(
        name="Universidad Nacional",
        country=Country.objects.get_or_create(
            code="CO",
            defaults={
                "name_en": "Colombia",
                "name_es": "Colombia",
                "name_pt": "Colômbia",
                "name_fr": "Colombie",
            },
        )[0],
        kind="university",
    )
    Accreditation.objects.create(course=course, university=uni, ects=5, valid_from=today - timedelta(days=1))
    listed = selectors.catalogue(None).get()
    assert listed.next_run_start == today + timedelta(days=30)
    assert listed.is_accredited
    Accreditation.objects.update(valid_until=today - timedelta(days=1))
    assert not selectors.catalogue(None).get().is_accredited
    assert [c.slug for c in selectors.catalogue(None, accredited=True)] == []


def test_course_outline_lists_modules_lessons_and_quizzes_in_three_queries(course, django_assert_num_queries):
    second = Module.objects.create(course=course, position=2, title="Practice")
    quiz = make_quiz(course, module=second)
    with django_assert_num_queries(3):
        outline = selectors.course_outline(course)
        titles = [[lesson.title for lesson in module.lessons.all()] for module in outline]
        quizzes = [list(module.quizzes.all()) for module in outline]
    assert titles == [["Lesson 1", "Lesson 2", "Lesson 3"], []]
    assert quizzes == [[], [quiz]]


def test_lesson_nav_crosses_modules(course):
    from courses.models import Lesson

    second = Module.objects.create(course=course, position=2, title="Practice")
    last = Lesson.objects.create(module=second, position=1, title="Lesson 4")
    first, middle, third = lessons_of(course)[:3]
    assert selectors.lesson_nav(first) == (None, middle)
    previous, following = selectors.lesson_nav(third)
    assert (previous, following) == (middle, last)
    assert selectors.lesson_nav(last) == (third, None)


# --- the learner's page ---------------------------------------------------------------------


def _enrol_in_courses(learner, count: int):
    network = NetworkFactory(slug="police")
    enrolments = []
    for index in range(count):
        course = make_course(slug=f"course-{index}", title=f"Course {index}", network=network, lessons=4)
        enrolments.append(services.enrol(learner, make_run(course)))
    return enrolments


@pytest.mark.parametrize("count", [1, 10])
def test_learner_overview_takes_the_same_queries_for_1_or_10_enrolments(
    learner, count, django_assert_max_num_queries
):
    enrolments = _enrol_in_courses(learner, count)
    for enrolment in enrolments:
        services.complete_lesson(learner, lessons_of(enrolment.run.course)[0])
    with django_assert_max_num_queries(3):
        overview = selectors.learner_overview(learner)
    assert len(overview) == count
    assert {row["progress"] for row in overview} == {25}


def test_learner_overview_continues_where_the_learner_left_off(course, run, learner):
    first, second, third = lessons_of(course)
    services.enrol(learner, run)
    [row] = selectors.learner_overview(learner)
    assert row["continue_url"] == f"/courses/{course.slug}/learn/{first.pk}/"
    assert row["progress"] == 0 and row["certificate"] is None
    services.complete_lesson(learner, first)
    [row] = selectors.learner_overview(learner)
    assert row["continue_url"] == f"/courses/{course.slug}/learn/{second.pk}/"
    services.record_visit(learner, third)
    [row] = selectors.learner_overview(learner)
    assert row["continue_url"] == f"/courses/{course.slug}/learn/{third.pk}/"
    assert row["progress"] == 33


def test_learner_overview_lists_applications_but_not_withdrawn_courses(course, learner):
    on_site = make_course(slug="on-site", title="On site", network=course.network)
    services.apply(learner, make_run(on_site, requires_application=True), motivation="I lead a unit.")
    enrolment = services.enrol(learner, make_run(course))
    services.unenrol(learner, enrolment)
    [row] = selectors.learner_overview(learner)
    assert row["course"] == on_site and row["status"] == EnrolmentStatus.APPLIED
    assert row["continue_url"] == "/courses/on-site/"


def test_learner_overview_of_another_learner_shows_nothing_of_mine(course, run, learner):
    services.enrol(learner, run)
    assert selectors.learner_overview(UserFactory()) == []


# --- the instructor's side ------------------------------------------------------------------


def test_gradebook_shows_progress_best_quiz_scores_and_grades_in_constant_queries(
    course, django_assert_max_num_queries
):
    quiz = make_quiz(course)
    exercise = make_exercise(course)
    run = started_run(course)
    learners = [UserFactory(username=f"learner{index}") for index in range(3)]
    for learner in learners:
        services.enrol(learner, run)
    ace = learners[0]
    services.complete_lesson(ace, lessons_of(course)[0])
    attempt = services.start_attempt(ace, quiz)
    services.submit_attempt(ace, attempt, right_answers(quiz))
    submission = services.submit_exercise(learners[1], exercise, text="My plan")
    teacher = UserFactory()
    course.instructors.add(teacher)
    course.save()
    services.review_submission(teacher, submission, grade=72, feedback="Good")
    with django_assert_max_num_queries(6):
        rows = {row["learner"].username: row for row in selectors.gradebook(run)}
    assert rows["learner0"]["progress"] == 33
    assert rows["learner0"]["quiz_scores"] == {quiz.pk: 100}
    assert rows["learner1"]["quiz_scores"] == {quiz.pk: None}
    assert rows["learner1"]["exercise_grades"] == {exercise.pk: 72}
    assert rows["learner2"]["exercise_grades"] == {exercise.pk: None}


def test_review_queue_holds_ungraded_work_of_the_runs_one_teaches(course):
    exercise = make_exercise(course)
    run = started_run(course)
    other_course = make_course(slug="other", title="Other", network=course.network)
    other_run = started_run(other_course)
    other_exercise = make_exercise(other_course)
    teacher, stranger_teacher = UserFactory(), UserFactory()
    run.instructors.add(teacher)
    other_run.instructors.add(stranger_teacher)
    mine = services.submit_exercise(services.enrol(UserFactory(), run).user, exercise, text="Plan A")
    theirs = services.submit_exercise(services.enrol(UserFactory(), other_run).user, other_exercise, text="B")
    assert list(selectors.review_queue(teacher)) == [mine]
    assert list(selectors.review_queue(stranger_teacher)) == [theirs]
    assert set(selectors.review_queue(staff_user())) == {mine, theirs}
    assert list(selectors.review_queue(UserFactory())) == []
    services.review_submission(teacher, mine, grade=90, feedback="")
    assert list(selectors.review_queue(teacher)) == []


# --- the dashboard --------------------------------------------------------------------------


def _country(code, name):
    return Country.objects.get_or_create(
        code=code, defaults={"name_en": name, "name_es": name, "name_pt": name, "name_fr": name}
    )[0]


def test_dashboard_sums_follow_enrolments_completions_and_withdrawals(course, django_assert_max_num_queries):
    from network.profiles.models import Profile

    mexico = _country("MX", "Mexico")
    run = make_run(course)
    learners = [UserFactory() for _index in range(3)]
    Profile.objects.create(user=learners[0], country=mexico)
    for learner in learners:
        services.enrol(learner, run)
    for lesson in lessons_of(course):
        services.complete_lesson(learners[0], lesson)
    services.unenrol(learners[2], Enrolment.objects.get(user=learners[2]))

    with django_assert_max_num_queries(1):
        totals = selectors.dashboard_totals()
    assert totals == {"enrolments": 2, "completions": 1, "certificates": 0}
    by_country = {row["country_code"]: row for row in selectors.dashboard_by_country()}
    assert by_country["MX"]["enrolments"] == 1 and by_country["MX"]["completions"] == 1
    assert by_country["MX"]["name"] == "Mexico"
    assert by_country[""]["enrolments"] == 1 and by_country[""]["name"] == "Unknown"
    this_month = timezone.localdate().replace(day=1)
    assert selectors.dashboard_by_month() == [
        {"month": this_month, "enrolments": 2, "completions": 1, "certificates": 0}
    ]
    assert selectors.dashboard_by_course() == [
        {"course_id": course.pk, "title": course.title, "enrolments": 2, "completions": 1, "certificates": 0}
    ]
    assert selectors.dashboard_by_institution()[0]["name"] == "No institution"
    assert selectors.dashboard_totals({"country": "mx"})["enrolments"] == 1
    assert selectors.dashboard_totals({"year": this_month.year - 1})["enrolments"] == 0
    assert selectors.dashboard_totals({"network": "police"})["enrolments"] == 2
    assert selectors.dashboard_totals({"network": "nowhere"})["enrolments"] == 0
    assert selectors.dashboard_totals({"course": "x"})["enrolments"] == 0
    assert selectors.dashboard_years() == [this_month.year]


def test_targets_count_virtual_learners_and_on_site_seats(settings, course):
    settings.PUENTE_COURSES_VIRTUAL_TARGET = 200
    settings.PUENTE_COURSES_ON_SITE_TARGET = 10
    month = date(2026, 1, 1)
    CourseStat.objects.create(course=course, format=CourseFormat.SELF_PACED, month=month, enrolments=50)
    CourseStat.objects.create(course=course, format=CourseFormat.COHORT, month=month, enrolments=50)
    CourseStat.objects.create(course=course, format=CourseFormat.ON_SITE, month=month, enrolments=4)
    assert selectors.targets() == {
        "virtual": {"value": 100, "target": 200, "percent": 50},
        "on_site": {"value": 4, "target": 10, "percent": 40},
    }
    assert selectors.targets({"format": CourseFormat.ON_SITE})["virtual"]["value"] == 100
