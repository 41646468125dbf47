"""Certificates: issued once on completion by the task, random long codes, a PDF with a link
and QR code to the public verification page, revocation with a reason, re-issue with the
same code, the Open Badges 3.0 credential, and programme certificates."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from courses import certificates, selectors, services, tasks
from courses.models import (
    Accreditation,
    Certificate,
    CourseStat,
    Enrolment,
    EnrolmentStatus,
    Programme,
    new_certificate_code,
)
from courses.services import CourseError
from courses.tests.core_support import lessons_of, make_course, make_run, staff_user
from network.institutions.models import Institution
from network.models import Country, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CODE_SHAPE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){7}$")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PUENTE_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.SITE_URL = "https://puente.example.org"


@pytest.fixture
def course():
    return make_course(lessons=2, duration_hours=40)


@pytest.fixture
def learner():
    return UserFactory(username="officer", display_name="Olga <b>Officer</b>", language="es")


def _complete(user, course, run=None) -> Enrolment:
    enrolment = services.enrol(user, run or make_run(course))
    for lesson in lessons_of(course):
        services.complete_lesson(user, lesson)
    return Enrolment.objects.get(pk=enrolment.pk)


@pytest.fixture
def certificate(course, learner):
    return services.issue_certificate(_complete(learner, course))


def test_codes_are_random_long_and_never_sequential():
    codes = {new_certificate_code() for _index in range(200)}
    assert len(codes) == 200
    for code in list(codes)[:20]:
        assert CODE_SHAPE.match(code), code
    first, second = sorted(codes)[:2]
    assert first != second


def test_completion_issues_the_certificate_through_the_task_once(
    course, learner, django_capture_on_commit_callbacks
):
    services.enrol(learner, make_run(course))
    lessons = lessons_of(course)
    services.complete_lesson(learner, lessons[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_lesson(learner, lessons[1])
    certificate = Certificate.objects.get()
    assert CODE_SHAPE.match(certificate.code)
    assert (certificate.holder_name, certificate.title, certificate.hours, certificate.language) == (
        "Olga <b>Officer</b>",
        "Community policing",
        40,
        "es",
    )
    assert certificate.pdf.read().startswith(b"%PDF-")
    # Running the task again (a retry) changes nothing.
    assert tasks.issue_certificate.delay(certificate.enrolment_id).get() == certificate.code
    assert Certificate.objects.count() == 1
    assert CourseStat.objects.get().certificates == 1
    assert Notification.objects.filter(recipient=learner, verb="courses.certificate_issued").count() == 1


def test_an_unfinished_course_gets_no_certificate(course, learner):
    enrolment = services.enrol(learner, make_run(course))
    with pytest.raises(CourseError):
        services.issue_certificate(enrolment)
    assert tasks.issue_certificate.delay(enrolment.pk).get() == ""
    assert not Certificate.objects.exists()


def test_the_pdf_is_in_the_learners_language_and_links_to_the_verify_page(certificate):
    pdf = certificate.pdf.read()
    assert pdf.startswith(b"%PDF-")
    assert b"/Lang (es)" in pdf
    url = f"https://puente.example.org/certificates/{certificate.code}/"
    assert certificates.verify_url(certificate.code) == url
    assert f"/URI ({url})".encode() in pdf


def test_the_certificate_freezes_its_accreditations(course, learner):
    colombia = Country.objects.get(code="CO")
    university = Institution.objects.create(name="Universidad Nacional", country=colombia, kind="university")
    Accreditation.objects.create(
        course=course, university=university, ects=6, credit_hours=3, valid_from=timezone.localdate()
    )
    Accreditation.objects.create(
        course=course,
        university=Institution.objects.create(name="Old University", country=colombia, kind="university"),
        ects=1,
        valid_from=timezone.localdate() - timedelta(days=900),
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    certificate = services.issue_certificate(_complete(learner, course))
    assert certificate.accreditations == [
        {
            "university": "Universidad Nacional",
            "country": "CO",
            "country_name": "Colombia",
            "credit_hours": 3,
            "ects": 6.0,
        }
    ]
    Accreditation.objects.all().delete()
    credential = certificates.credential_json(Certificate.objects.get())
    assert credential["credentialSubject"]["achievement"]["creditsAvailable"] == 6.0
    assert "Universidad Nacional (Colombia)" in credential["credentialSubject"]["achievement"]["description"]


def test_the_credential_has_the_open_badges_3_shape(certificate, learner):
    credential = certificates.credential_json(certificate)
    url = f"https://puente.example.org/certificates/{certificate.code}/"
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == url
    assert credential["issuer"]["id"] == "https://puente.example.org/"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", credential["validFrom"])
    subject = credential["credentialSubject"]
    assert subject["achievement"]["name"] == "Community policing"
    assert subject["identifier"][0]["identityHash"] == "Olga <b>Officer</b>"
    assert credential["credentialStatus"]["revoked"] is False
    assert learner.email not in str(credential)


def test_revocation_needs_staff_and_a_reason_and_verifies_as_revoked(certificate, learner):
    for outsider in (learner, UserFactory(), UserFactory(is_staff=True)):
        with pytest.raises(CourseError):
            services.revoke_certificate(outsider, certificate, "Fraud")
    staff = staff_user()
    with pytest.raises(CourseError, match="reason"):
        services.revoke_certificate(staff, certificate, "   ")
    assert Certificate.objects.get().is_valid
    services.revoke_certificate(staff, certificate, "Exam fraud established")
    verified = selectors.visible_certificate(certificate.code)
    assert not verified.is_valid and verified.revoked_reason == "Exam fraud established"
    status = certificates.credential_json(verified)["credentialStatus"]
    assert status["revoked"] is True and status["revocationReason"] == "Exam fraud established"
    assert Notification.objects.filter(recipient=learner, verb="courses.certificate_revoked").exists()
    with pytest.raises(CourseError, match="already revoked"):
        services.revoke_certificate(staff, verified, "Again")
    with pytest.raises(CourseError, match="revoked"):
        services.reissue_certificate(staff, verified)


def test_reissue_keeps_the_code_with_the_current_name_and_a_new_pdf(certificate, learner):
    old_pdf = certificate.pdf.name
    learner.display_name = "Olga María Officer"
    learner.save()
    reissued = services.reissue_certificate(staff_user(), certificate)
    stored = Certificate.objects.get()
    assert stored.code == certificate.code
    assert stored.holder_name == "Olga María Officer" and stored.reissued_at is not None
    assert stored.pdf.read().startswith(b"%PDF-")
    assert stored.pdf.storage.exists(stored.pdf.name)
    assert reissued.pdf.name == stored.pdf.name
    if old_pdf != stored.pdf.name:
        assert not stored.pdf.storage.exists(old_pdf)
    with pytest.raises(CourseError):
        services.reissue_certificate(learner, certificate)


def test_a_programme_certificate_comes_when_every_required_course_is_complete(
    course, learner, django_capture_on_commit_callbacks
):
    second = make_course(
        slug="leadership", title="Leadership", lessons=1, network=course.network, duration_hours=20
    )
    programme = Programme.objects.create(
        slug="police-management", title="Police management", network=course.network
    )
    programme.courses.add(course, second)
    programme.save()
    with django_capture_on_commit_callbacks(execute=True):
        _complete(learner, course)
    assert not Certificate.objects.filter(programme=programme).exists()
    with pytest.raises(CourseError):
        services.issue_programme_certificate(learner, programme)
    with django_capture_on_commit_callbacks(execute=True):
        _complete(learner, second)
    programme_certificate = Certificate.objects.get(programme=programme)
    assert (programme_certificate.title, programme_certificate.hours) == ("Police management", 60)
    assert Certificate.objects.filter(user=learner, enrolment__isnull=False).count() == 2
    assert services.issue_programme_certificate(learner, programme) == programme_certificate
    assert services.check_programmes(learner) == []
    assert selectors.programme_certificates(learner) == [programme_certificate]


def test_a_withdrawal_does_not_count_toward_a_programme(course, learner):
    programme = Programme.objects.create(slug="p", title="P", network=course.network)
    programme.courses.add(course)
    programme.save()
    services.unenrol(learner, services.enrol(learner, make_run(course)))
    assert not services.programme_is_complete(learner, programme)
    assert Enrolment.objects.get().status == EnrolmentStatus.WITHDRAWN
