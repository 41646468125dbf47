"""Shared set-up of the staff-side tests (no tests here): a police network, a course with
lessons, a quiz and an exercise, a run, its instructor, DPS staff and learners."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import (
    Course,
    CourseFormat,
    CourseRun,
    Enrolment,
    EnrolmentStatus,
    Exercise,
    Lesson,
    Module,
    Quiz,
)
from network.permissions import INSTRUCTORS_GROUP
from tests.factories import NetworkFactory, UserFactory, member_of


def with_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


def in_group(user, name: str):
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    user.groups.add(group)
    return user


def make_course(network, *, slug="community-policing", title="Community policing", **fields) -> Course:
    course = Course.objects.create(
        network=network,
        slug=slug,
        title=title,
        summary=fields.pop("summary", "Working with the community."),
        is_published=fields.pop("is_published", True),
        **fields,
    )
    module = Module.objects.create(course=course, position=1, title="Foundations")
    for position in (1, 2, 3):
        Lesson.objects.create(
            module=module, position=position, title=f"Lesson {position}", body="<p>Text</p>"
        )
    Quiz.objects.create(course=course, module=module, title="Check your understanding")
    Exercise.objects.create(course=course, title="A night patrol", scenario="<p>What do you do?</p>")
    return course


def make_run(course, **fields) -> CourseRun:
    fields.setdefault("format", course.format)
    fields.setdefault("starts_on", timezone.localdate() - timedelta(days=2))
    return CourseRun.objects.create(course=course, **fields)


def enrol_directly(user, run, *, status=EnrolmentStatus.ACTIVE, **fields) -> Enrolment:
    return Enrolment.objects.create(user=user, run=run, status=status, **fields)


@pytest.fixture
def police(db):
    return NetworkFactory(slug="police", name="Police network")


@pytest.fixture
def course(police):
    return make_course(police)


@pytest.fixture
def run(course):
    return make_run(course, title="Spring cohort", format=CourseFormat.COHORT)


@pytest.fixture
def instructor(police, run):
    user = with_totp(in_group(member_of(police, role="instructor", username="ines"), INSTRUCTORS_GROUP))
    run.instructors.add(user)
    return user


@pytest.fixture
def other_instructor(police):
    return with_totp(in_group(member_of(police, role="instructor", username="otto"), INSTRUCTORS_GROUP))


@pytest.fixture
def dps_staff(db):
    return with_totp(UserFactory(username="dps", is_staff=True, is_superuser=True))


@pytest.fixture
def learner(police):
    return member_of(police, username="olivier", display_name="Olivier Officier")


def hostile_inputs() -> list[str]:
    from tests.hostile_input import hostile_payloads

    return hostile_payloads()


def raw_markup_of(payloads: list[str], page: str) -> list[str]:
    """The payloads with markup that appear unescaped in the page."""
    return [payload for payload in payloads if "<" in payload and payload in page]
