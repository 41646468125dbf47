# ruff: noqa: F811 - the fixtures imported from test_views_support are redefined as arguments
"""My learning, certificate verification (public), the PDF (the holder's), the credential
JSON, the site search and the home page's "new courses"."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from courses import services
from courses.models import Certificate, Enrolment, EnrolmentStatus
from courses.tests.test_views_support import (  # noqa: F401 - fixtures
    HOSTILE,
    build_course,
    course,
    dps_staff,
    in_language,
    learner,
    officer,
    ordered_lessons,
    other_officer,
    police,
    private_media,
    run,
)

pytestmark = pytest.mark.django_db


def complete(user, course) -> Enrolment:
    for lesson in ordered_lessons(course):
        enrolment = services.complete_lesson(user, lesson)
    assert enrolment.status == EnrolmentStatus.COMPLETED
    return enrolment


@pytest.fixture
def certificate(learner, course, private_media) -> Certificate:
    return services.issue_certificate(complete(learner, course))


# --- my learning ----------------------------------------------------------------------------


def test_my_learning_needs_an_account(client):
    response = client.get("/courses/mine/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("language", ["en", "es"])
def test_my_learning_shows_progress_and_where_to_continue(client, learner, course, language):
    first, second, _third = ordered_lessons(course)
    services.complete_lesson(learner, first)
    client.force_login(learner)
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(prefix + "/courses/mine/")
    page = response.content.decode()
    assert response.status_code == 200 and f'lang="{language}"' in page
    assert in_language(language, "Skip to content") in page
    assert "Community policing" in page and 'value="33"' in page
    assert f"/courses/community-policing/learn/{second.pk}/" in page


def test_my_learning_lists_the_certificate_and_never_another_officers_courses(
    client, certificate, other_officer, police
):
    other_course = build_course(police, slug="other", title="Someone else's course")
    services.enrol(other_officer, other_course.runs.get())
    client.force_login(certificate.user)
    page = client.get("/courses/mine/").content.decode()
    assert f"/certificates/{certificate.code}/" in page and "Download the PDF" in page
    assert "Someone else" not in page


def test_my_learning_shows_an_application_waiting(client, officer, police):
    on_site = build_course(police, slug="academy", title="Academy month")
    run = on_site.runs.get()
    run.requires_application = True
    run.save()
    services.apply(officer, run, motivation="Please")
    client.force_login(officer)
    page = client.get("/courses/mine/").content.decode()
    assert "Academy month" in page and str(EnrolmentStatus.APPLIED.label) in page


def test_my_learning_query_count_does_not_grow_with_the_enrolments(
    client, officer, police, django_assert_max_num_queries
):
    for number in range(2):
        services.enrol(officer, build_course(police, slug=f"c{number}", title=f"C{number}").runs.get())
    client.force_login(officer)
    client.get("/courses/mine/")  # the session and the user's roles are cached after the first page
    with django_assert_max_num_queries(20) as few:
        client.get("/courses/mine/")
    for number in range(2, 10):
        services.enrol(officer, build_course(police, slug=f"c{number}", title=f"C{number}").runs.get())
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/courses/mine/").content.decode()
    assert "C9" in page


# --- certificate verification ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_anyone_verifies_a_certificate_and_sees_no_private_data(client, certificate, language):
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(f"{prefix}/certificates/{certificate.code}/")
    page = response.content.decode()
    assert response.status_code == 200 and f'lang="{language}"' in page
    assert in_language(language, "This certificate is valid.") in page
    assert 'data-certificate-status="valid"' in page
    assert "Olga Oficial" in page and "Community policing" in page
    assert certificate.user.email not in page and "olga@" not in page
    assert "Download the PDF" not in page
    assert f"http://localhost:8000/certificates/{certificate.code}/" in page or "/certificates/" in page


def test_a_programme_certificate_verifies_and_is_listed_on_my_learning(client, certificate, course, police):
    from courses.models import Programme

    programme = Programme.objects.create(
        slug="management", title="Certification in police management", network=police
    )
    programme.courses.add(course)
    programme.save()
    programme_certificate = services.issue_programme_certificate(certificate.user, programme)
    page = client.get(f"/certificates/{programme_certificate.code}/").content.decode()
    assert "This certificate is valid." in page and "Certification in police management" in page
    client.force_login(certificate.user)
    page = client.get("/courses/mine/").content.decode()
    assert f"/certificates/{programme_certificate.code}/" in page


def test_a_revoked_certificate_verifies_as_revoked_with_the_reason(client, certificate, dps_staff):
    services.revoke_certificate(dps_staff, certificate, "Issued in error")
    page = client.get(f"/certificates/{certificate.code}/").content.decode()
    assert "This certificate has been revoked." in page and "Issued in error" in page
    assert 'data-certificate-status="revoked"' in page and "This certificate is valid." not in page


def test_an_unknown_code_is_404(client, db):
    assert client.get("/certificates/AAAA-BBBB-CCCC/").status_code == 404
    assert client.get("/certificates/AAAA-BBBB-CCCC/credential.json").status_code == 404
    assert client.get("/certificates/AAAA-BBBB-CCCC/pdf").status_code == 404


def test_the_verification_page_escapes_the_frozen_text(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(holder_name=HOSTILE, title=HOSTILE)
    page = client.get(f"/certificates/{certificate.code}/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page


def test_the_holder_downloads_the_pdf_and_other_officers_get_404(
    client, certificate, other_officer, dps_staff
):
    url = f"/certificates/{certificate.code}/pdf"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(other_officer)
    assert client.get(url).status_code == 404
    for person in (certificate.user, dps_staff):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(certificate.user)
    assert "Download the PDF" in client.get(f"/certificates/{certificate.code}/").content.decode()


def test_the_credential_json_is_public_and_tells_revocation(client, certificate, dps_staff):
    response = client.get(f"/certificates/{certificate.code}/credential.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/ld+json")
    document = response.json()
    assert "VerifiableCredential" in document["type"] and "OpenBadgeCredential" in document["type"]
    assert document["id"].endswith(f"/certificates/{certificate.code}/")
    assert document["credentialStatus"]["revoked"] is False
    assert certificate.user.email not in response.content.decode()
    services.revoke_certificate(dps_staff, certificate, "Fraud")
    assert client.get(f"/certificates/{certificate.code}/credential.json").json()["credentialStatus"][
        "revoked"
    ]


# --- site search and the home page --------------------------------------------------------------


def test_the_site_search_finds_published_courses_only(client, police, course):
    build_course(police, slug="hidden", title="Community draft", is_published=False)
    page = client.get("/search/?q=communitý").content.decode()
    assert 'href="/courses/community-policing/"' in page
    assert "/courses/hidden/" not in page


def test_the_site_search_filters_courses_by_level(client, police, course):
    build_course(police, slug="advanced", title="Community advanced", level="advanced")
    page = client.get("/search/?q=community&level=advanced&kind=courses").content.decode()
    assert "/courses/advanced/" in page and "/courses/community-policing/" not in page


def test_the_home_pages_new_courses_lists_published_courses(police, course):
    from network.registry import registry

    build_course(police, slug="hidden", title="Hidden", is_published=False)
    items = registry.recent_providers["courses"].items(AnonymousUser(), 5)
    assert [item.url for item in items] == ["/courses/community-policing/"]
