"""Bulk enrolment from a CSV: good rows enrolled, each bad row reported with its line and
reason, never stopping on a bad row; progress saved as it goes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from courses import services
from courses.models import BulkEnrolment, CourseRun, CourseStat, Enrolment
from courses.services import CourseError
from courses.tests.core_support import make_course, make_run, staff_user
from network.institutions.models import Institution
from network.models import Country, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PUENTE_PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def run():
    return make_run(make_course(), capacity=4)


@pytest.fixture
def staff():
    return staff_user(username="dps")


@pytest.fixture
def places():
    mexico = Country.objects.get(code="MX")
    academy = Institution.objects.create(
        name="Academia de Policía", acronym="ACAPOL", country=mexico, kind="police_academy"
    )
    return mexico, academy


def _csv(text: str, name="cohort.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _import(staff, run, text, django_capture_on_commit_callbacks) -> BulkEnrolment:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.bulk_enrolment_create(staff, run, _csv(text))
    job.refresh_from_db()
    return job


def test_good_rows_are_enrolled_and_each_bad_row_is_reported(
    staff, run, places, django_capture_on_commit_callbacks
):
    mexico, academy = places
    for name in ("ana", "bea", "carla", "dora", "eva"):
        UserFactory(username=name, email=f"{name}@police.example")
    already = UserFactory(username="already", email="already@police.example")
    services.enrol(already, run)
    UserFactory(username="gone", email="gone@police.example", is_active=False)
    text = (
        "email,first_name,last_name,country,institution\n"  # line 1
        "ANA@police.example,Ana,Alves,México,ACAPOL\n"  # 2: enrolled (e-mail case and accents ignored)
        "nobody@police.example,No,Body,MX,\n"  # 3: no account
        "not-an-email,X,Y,MX,\n"  # 4: no e-mail
        "bea@police.example,Bea,B,Atlantis,\n"  # 5: unknown country
        "\n"  # 6: blank, skipped
        "carla@police.example,Carla,C,MX,Unknown Academy\n"  # 7: unknown institution
        "ana@police.example,Ana,Again,MX,\n"  # 8: duplicate of line 2
        "already@police.example,Al,Ready,,\n"  # 9: already enrolled
        "gone@police.example,Gone,G,,\n"  # 10: deactivated
        "dora@police.example,Dora,D,mx,Academia de Policia,extra\n"  # 11: too many values
        "dora@police.example,Dora,D,mx,Academia de Policia\n"  # 12: enrolled
        "eva@police.example,Eva,E,,\n"  # 13: enrolled (the 4th seat)
    )
    job = _import(staff, run, text, django_capture_on_commit_callbacks)
    assert job.status == "done"
    assert (job.total_rows, job.processed_rows, job.enrolled) == (11, 11, 3)
    assert job.rejected == [
        {"line": 3, "reason": "no account with this e-mail address"},
        {"line": 4, "reason": "no valid e-mail address"},
        {"line": 5, "reason": "unknown country “Atlantis”"},
        {"line": 7, "reason": "unknown institution “Unknown Academy”"},
        {"line": 8, "reason": "the same e-mail address as line 2"},
        {"line": 9, "reason": "already enrolled in this course"},
        {"line": 10, "reason": "the account is deactivated"},
        {"line": 11, "reason": "more values than columns"},
    ]
    ana = Enrolment.objects.get(user__username="ana")
    assert (ana.country_code, ana.institution_id) == ("MX", academy.pk)
    assert Enrolment.objects.get(user__username="dora").institution_id == academy.pk
    assert CourseRun.objects.get().active_count == 4
    assert sum(CourseStat.objects.values_list("enrolments", flat=True)) == 4
    assert Notification.objects.filter(verb="courses.enrolled").count() == 3


def test_rows_beyond_capacity_are_reported_as_full(staff, run, django_capture_on_commit_callbacks):
    rows = ["email,first_name,last_name,country,institution"]
    for index in range(6):
        UserFactory(email=f"officer{index}@police.example")
        rows.append(f"officer{index}@police.example,O,{index},,")
    job = _import(staff, run, "\n".join(rows), django_capture_on_commit_callbacks)
    assert job.enrolled == 4
    assert job.rejected == [
        {"line": 6, "reason": "the run is full"},
        {"line": 7, "reason": "the run is full"},
    ]


def test_semicolons_and_a_byte_order_mark_are_understood(staff, run, django_capture_on_commit_callbacks):
    UserFactory(email="ana@police.example")
    job = _import(
        staff,
        run,
        "\ufeffEmail;First name;Last name\nana@police.example;Ana;A\n",
        django_capture_on_commit_callbacks,
    )
    assert (job.enrolled, job.rejected) == (1, [])


def test_a_file_without_an_email_column_fails_with_a_reason(staff, run, django_capture_on_commit_callbacks):
    job = _import(staff, run, "name,country\nAna,MX\n", django_capture_on_commit_callbacks)
    assert job.status == "failed"
    assert job.rejected[0]["line"] == 1 and "email" in job.rejected[0]["reason"]
    assert not Enrolment.objects.exists()


def test_progress_is_saved_while_the_import_runs(staff, run, django_capture_on_commit_callbacks):
    run.capacity = None
    run.save()
    rows = ["email"] + [f"missing{index}@police.example" for index in range(120)]
    seen = []
    job = services.bulk_enrolment_create(staff, run, _csv("\n".join(rows)))
    services.bulk_enrol(job, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(50, 120), (100, 120)]
    job.refresh_from_db()
    assert (job.processed_rows, job.status, len(job.rejected)) == (120, "done", 120)


def test_only_managers_upload_and_binary_or_empty_files_are_refused(staff, run):
    with pytest.raises(CourseError) as refusal:
        services.bulk_enrolment_create(UserFactory(), run, _csv("email\n"))
    assert refusal.value.code == "forbidden"
    for upload in (
        SimpleUploadedFile("x.csv", b""),
        SimpleUploadedFile("x.csv", b"PK\x03\x04\x00\x00binary"),
    ):
        with pytest.raises(CourseError):
            services.bulk_enrolment_create(staff, run, upload)
    assert not BulkEnrolment.objects.exists()


def test_the_task_skips_a_finished_job(staff, run, django_capture_on_commit_callbacks):
    from courses import tasks

    UserFactory(email="ana@police.example")
    job = _import(staff, run, "email\nana@police.example\n", django_capture_on_commit_callbacks)
    assert tasks.bulk_enrol.delay(job.pk).get() == 0
    assert Enrolment.objects.count() == 1
