# ruff: noqa: F811 (pytest fixtures imported from test_teach_support and requested by name)
"""Courses in the Wagtail admin: DPS staff edit everything, instructors only the courses they
teach (lists, objects and the course choices), learners not at all."""

import pytest

from courses.models import Accreditation, Choice, Lesson, Question, Quiz
from courses.tests.test_teach_support import (  # noqa: F401 (fixtures, used by name)
    course,
    dps_staff,
    instructor,
    make_course,
    other_instructor,
    police,
    run,
)
from tests.factories import member_of

pytestmark = pytest.mark.django_db

SNIPPETS = ["course", "lesson", "quiz", "exercise", "courserun", "accreditation", "programme"]


@pytest.mark.parametrize("model", SNIPPETS)
def test_dps_staff_open_every_course_snippet(client, dps_staff, course, run, model):
    client.force_login(dps_staff)
    assert client.get(f"/cms/snippets/courses/{model}/").status_code == 200
    assert client.get(f"/cms/snippets/courses/{model}/add/").status_code == 200


def test_the_course_form_has_its_modules_inline_and_the_quiz_form_its_questions_and_choices(
    client, dps_staff, course
):
    client.force_login(dps_staff)
    page = client.get(f"/cms/snippets/courses/course/edit/{course.pk}/").content.decode()
    assert 'name="modules-TOTAL_FORMS"' in page
    quiz = Quiz.objects.get(course=course)
    page = client.get(f"/cms/snippets/courses/quiz/edit/{quiz.pk}/").content.decode()
    assert 'name="questions-TOTAL_FORMS"' in page
    assert "choices-TOTAL_FORMS" in page


def test_staff_save_a_quiz_with_a_question_and_its_choices(client, dps_staff, course):
    client.force_login(dps_staff)
    data = {
        "course": course.pk,
        "module": "",
        "title": "Final check",
        "pass_mark": 70,
        "time_limit_minutes": 10,
        "attempts_allowed": 2,
        "questions_per_attempt": "",
        "shuffle": "on",
        "questions-TOTAL_FORMS": 1,
        "questions-INITIAL_FORMS": 0,
        "questions-MIN_NUM_FORMS": 0,
        "questions-MAX_NUM_FORMS": 1000,
        "questions-0-kind": "single",
        "questions-0-points": 1,
        "questions-0-position": 1,
        "questions-0-text": "Who reviews a use of force?",
        "questions-0-accepted_answers": "",
        "questions-0-explanation": "",
        "questions-0-ORDER": 1,
        "questions-0-choices-TOTAL_FORMS": 2,
        "questions-0-choices-INITIAL_FORMS": 0,
        "questions-0-choices-MIN_NUM_FORMS": 0,
        "questions-0-choices-MAX_NUM_FORMS": 1000,
        "questions-0-choices-0-text": "A supervisor",
        "questions-0-choices-0-is_correct": "on",
        "questions-0-choices-0-position": 1,
        "questions-0-choices-0-ORDER": 1,
        "questions-0-choices-1-text": "Nobody",
        "questions-0-choices-1-position": 2,
        "questions-0-choices-1-ORDER": 2,
    }
    response = client.post("/cms/snippets/courses/quiz/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get(quiz__title="Final check")
    assert list(Choice.objects.filter(question=question).values_list("text", "is_correct")) == [
        ("A supervisor", True),
        ("Nobody", False),
    ]


def test_an_instructor_sees_and_edits_only_their_courses(client, instructor, course, run, police):
    other = make_course(police, slug="other-course", title="Someone else's course")
    client.force_login(instructor)
    listing = client.get("/cms/snippets/courses/course/").content.decode()
    assert "Community policing" in listing and "Someone else&#x27;s course" not in listing
    assert client.get(f"/cms/snippets/courses/course/edit/{course.pk}/").status_code == 200
    assert client.get(f"/cms/snippets/courses/course/edit/{other.pk}/").status_code in (302, 403)
    other_lesson = Lesson.objects.filter(module__course=other).first()
    assert client.get(f"/cms/snippets/courses/lesson/edit/{other_lesson.pk}/").status_code in (302, 403)
    own_lesson = Lesson.objects.filter(module__course=course).first()
    lessons = client.get("/cms/snippets/courses/lesson/").content.decode()
    assert f"/cms/snippets/courses/lesson/edit/{own_lesson.pk}/" in lessons
    assert f"/cms/snippets/courses/lesson/edit/{other_lesson.pk}/" not in lessons


def test_an_instructor_may_not_move_a_quiz_to_a_course_they_do_not_teach(client, instructor, course, police):
    other = make_course(police, slug="other-course", title="Someone else's course")
    quiz = Quiz.objects.get(course=course)
    client.force_login(instructor)
    page = client.get(f"/cms/snippets/courses/quiz/edit/{quiz.pk}/").content.decode()
    assert f'<option value="{other.pk}"' not in page
    response = client.post(
        f"/cms/snippets/courses/quiz/edit/{quiz.pk}/",
        {
            "course": other.pk,
            "title": quiz.title,
            "pass_mark": 70,
            "attempts_allowed": 3,
            "questions-TOTAL_FORMS": 0,
            "questions-INITIAL_FORMS": 0,
            "questions-MIN_NUM_FORMS": 0,
            "questions-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 200  # the form comes back with an error
    quiz.refresh_from_db()
    assert quiz.course_id == course.pk


def test_instructors_neither_delete_courses_nor_touch_accreditations(client, instructor, course):
    client.force_login(instructor)
    assert client.get(f"/cms/snippets/courses/course/delete/{course.pk}/").status_code in (302, 403)
    assert client.get("/cms/snippets/courses/accreditation/").status_code in (302, 403)
    assert client.get("/cms/snippets/courses/programme/add/").status_code in (302, 403)
    assert not Accreditation.objects.exists()


def test_an_instructor_of_nothing_sees_no_course(client, other_instructor, course):
    client.force_login(other_instructor)
    listing = client.get("/cms/snippets/courses/course/")
    assert listing.status_code == 200
    assert "Community policing" not in listing.content.decode()
    assert client.get(f"/cms/snippets/courses/course/edit/{course.pk}/").status_code in (302, 403)


def test_learners_cannot_open_the_course_snippets(client, police, course):
    client.force_login(member_of(police))
    assert client.get("/cms/snippets/courses/course/").status_code in (302, 403)


def test_staff_make_someone_an_instructor_by_the_group_alone_and_they_reach_the_cms(client, police, run):
    """The group's admin access comes from a migration, not from demo data."""
    from django.contrib.auth.models import Group

    from courses.tests.test_teach_support import with_totp
    from network.permissions import INSTRUCTORS_GROUP

    teacher = with_totp(member_of(police, username="nadia"))
    teacher.groups.add(Group.objects.get(name=INSTRUCTORS_GROUP))
    run.instructors.add(teacher)
    client.force_login(teacher)
    assert client.get("/cms/").status_code == 200
    assert client.get("/cms/snippets/courses/course/").status_code == 200
