"""The demo courses: four languages, an accredited course, a programme, an on-site run with
applications, the demo officer's certificate and course in progress; twice changes nothing."""

import pytest

from courses.models import (
    Accreditation,
    Certificate,
    Course,
    CourseFormat,
    CourseStat,
    Enrolment,
    EnrolmentStatus,
    ExerciseSubmission,
    Programme,
)
from courses.seed import seed_courses
from network.seed import seed_accounts, seed_networks

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Course.objects.count(),
        Enrolment.objects.count(),
        Certificate.objects.count(),
        ExerciseSubmission.objects.count(),
        sum(CourseStat.objects.values_list("enrolments", flat=True)),
    )


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_accounts()
    seed_networks()
    seed_courses()


def test_the_demo_courses_are_complete_and_idempotent(seeded):
    counts = _counts()
    seed_courses()
    assert _counts() == counts
    languages = {code for course in Course.objects.all() for code in course.language_codes}
    assert languages >= {"en", "es", "pt-br", "fr"}
    accreditation = Accreditation.objects.get()
    assert accreditation.university.kind == "university"
    assert Programme.objects.get().courses.count() == 3
    on_site = Course.objects.get(format=CourseFormat.ON_SITE).runs.get()
    assert on_site.requires_application and on_site.capacity == 340 and on_site.venue
    assert (on_site.ends_on - on_site.starts_on).days == 30
    statuses = sorted(on_site.enrolments.values_list("status", flat=True))
    assert statuses == [EnrolmentStatus.ACTIVE, EnrolmentStatus.APPLIED, EnrolmentStatus.APPLIED]


def test_the_demo_officer_has_a_certificate_and_a_course_in_progress(seeded, client):
    officer_enrolments = {
        enrolment.run.course.slug: enrolment
        for enrolment in Enrolment.objects.filter(user__username="officer").select_related("run__course")
    }
    done = officer_enrolments["human-rights-use-of-force"]
    assert done.status == EnrolmentStatus.COMPLETED
    certificate = Certificate.objects.get(enrolment=done)
    assert certificate.pdf and certificate.language == "fr" and certificate.is_valid
    assert officer_enrolments["police-de-proximite"].status == EnrolmentStatus.ACTIVE
    assert officer_enrolments["police-de-proximite"].completed_lessons > 0
    assert client.get(f"/certificates/{certificate.code}/").status_code == 200


def test_the_demo_instructor_has_an_exercise_to_review_and_reaches_the_cms(seeded, client):
    from django.contrib.auth import get_user_model

    instructor = get_user_model().objects.get(username="instructor")
    client.force_login(instructor)
    queue = client.get("/courses/teach/reviews/").content.decode()
    assert "Scénario : un conflit de voisinage" in queue
    assert client.get("/cms/snippets/courses/course/").status_code == 200


def test_the_demo_dashboard_counts_the_seeded_enrolments(seeded, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get("/courses/dashboard/").content.decode()
    assert 'data-total="completions">1<' in page
    assert 'id="target-on-site" max="340" value="1"' in page
