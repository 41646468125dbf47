# ruff: noqa: F811 - the fixtures imported from test_views_support are redefined as arguments
"""Learner pages: the catalogue, a course page, enrolment and lessons. Who sees what, what a
refusal looks like, the pages in two languages, and constant query counts."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.utils import timezone

from courses import services
from courses.models import (
    Accreditation,
    CourseFormat,
    CourseRun,
    Enrolment,
    EnrolmentStatus,
    LessonProgress,
    Level,
    RunStatus,
)
from courses.tests.test_views_support import (  # noqa: F401 - fixtures
    HOSTILE,
    build_course,
    course,
    dps_staff,
    in_language,
    instructor,
    learner,
    officer,
    ordered_lessons,
    other_officer,
    police,
    run,
)
from network.models import Topic

pytestmark = pytest.mark.django_db

PAYLOAD_FILE = Path(
    os.environ.get(
        "PUENTE_XSS_PAYLOADS", Path(__file__).resolve().parents[3] / "shared" / "data" / "xss-payloads.txt"
    )
)


# --- the catalogue --------------------------------------------------------------------------


def test_the_catalogue_lists_published_courses_to_visitors(client, police, course):
    build_course(police, slug="draft", title="Draft course", is_published=False)
    response = client.get("/courses/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Community policing" in page and "Draft course" not in page
    assert 'href="/courses/community-policing/"' in page


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_catalogue_speaks_the_visitors_language(client, course, language):
    response = client.get(f"/{language}/courses/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'lang="{language}"' in page
    # The site's own words are in the visitor's language (the courses' are translated too,
    # once their catalogue is filled in).
    assert in_language(language, "Skip to content") != "Skip to content"
    assert in_language(language, "Skip to content") in page
    assert in_language(language, "Show courses") in page


def test_the_catalogue_filters_by_level_format_language_topic_and_accreditation(client, police):
    from network.institutions.models import Institution
    from network.models import Country

    topic = Topic.objects.create(
        slug="gender", name_en="Gender", name_es="Género", name_pt="Gênero", name_fr="Genre"
    )
    basic = build_course(police, slug="basic", title="Basic patrol", level=Level.INTRODUCTORY, languages="es")
    advanced = build_course(
        police,
        slug="advanced",
        title="Advanced investigation",
        level=Level.ADVANCED,
        format=CourseFormat.ON_SITE,
        languages="en,fr",
    )
    advanced.topics.add(topic)
    advanced.save()
    country = Country.objects.get(code="CO")
    university = Institution.objects.create(name="Universidad Nacional", country=country, kind="university")
    Accreditation.objects.create(
        course=advanced, university=university, ects=6, valid_from=timezone.localdate() - timedelta(days=1)
    )

    def titles(query: str) -> set[str]:
        page = client.get("/courses/" + query).content.decode()
        return {title for title in ("Basic patrol", "Advanced investigation") if title in page}

    assert titles("") == {"Basic patrol", "Advanced investigation"}
    assert titles("?level=advanced") == {"Advanced investigation"}
    assert titles("?format=on_site") == {"Advanced investigation"}
    assert titles("?language=es") == {"Basic patrol"}
    assert titles("?topic=gender") == {"Advanced investigation"}
    assert titles("?accredited=on") == {"Advanced investigation"}
    assert "University accredited" in client.get("/courses/?accredited=on").content.decode()
    assert basic.pk and titles("?q=PATRÓL") == {"Basic patrol"}
    # A course taught in one language has its text labelled with it.
    assert (
        '<h2 lang="es"><a href="/courses/basic/">Basic patrol</a></h2>'
        in client.get("/courses/").content.decode()
    )


@pytest.mark.parametrize(
    "query",
    [
        "?level=expert",
        "?format=%00",
        "?page=999",
        "?page=x",
        "?topic=" + "x" * 500,
        "?q=" + "é" * 5000,
        "?language=zz",
    ],
)
def test_filters_the_catalogue_does_not_understand_are_ignored_not_errors(client, course, query):
    response = client.get("/courses/" + query)
    assert response.status_code == 200
    assert "Community policing" in response.content.decode() or "page" in query or "q=" in query


def test_the_catalogue_escapes_course_text(client, police):
    build_course(police, slug="hostile", title=HOSTILE, summary=HOSTILE)
    page = client.get("/courses/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_the_catalogue_query_count_does_not_grow_with_the_courses(
    client, police, django_assert_max_num_queries
):
    for number in range(3):
        build_course(police, slug=f"course-{number}", title=f"Course {number}")
    with django_assert_max_num_queries(8) as few:
        client.get("/courses/")
    for number in range(3, 12):
        build_course(police, slug=f"course-{number}", title=f"Course {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/courses/").content.decode()
    assert "Course 11" in page


# --- a course page --------------------------------------------------------------------------


def test_a_visitor_sees_the_outline_without_links_and_is_asked_to_log_in(client, course):
    page = client.get("/courses/community-policing/").content.decode()
    assert "Lesson 1.1" in page and "Module 2" in page
    assert "/learn/" not in page
    assert "Log in to enrol" in page and "/accounts/login/?next=/courses/community-policing/" in page


def test_the_course_page_renders_in_spanish(client, course):
    response = client.get("/es/courses/community-policing/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'lang="es"' in page and in_language("es", "Skip to content") in page
    assert in_language("es", "Course outline") in page


def test_an_unpublished_course_is_404_except_for_its_instructors_and_staff(
    client, police, officer, instructor, dps_staff
):
    draft = build_course(police, slug="draft", title="Draft course", is_published=False)
    draft.instructors.add(instructor)
    draft.save()
    assert client.get("/courses/draft/").status_code == 404
    client.force_login(officer)
    assert client.get("/courses/draft/").status_code == 404
    for person in (instructor, dps_staff):
        client.force_login(person)
        assert client.get("/courses/draft/").status_code == 200


def test_an_officer_enrols_and_the_course_page_offers_to_continue(client, officer, course, run):
    client.force_login(officer)
    assert "Enrol" in client.get("/courses/community-policing/").content.decode()
    response = client.post(f"/courses/community-policing/runs/{run.pk}/enrol/", follow=True)
    page = response.content.decode()
    assert "You are enrolled" in page and "Start the first lesson" in page
    first = ordered_lessons(course)[0]
    assert f"/courses/community-policing/learn/{first.pk}/" in page
    assert Enrolment.objects.get(user=officer).status == EnrolmentStatus.ACTIVE


def test_a_refused_enrolment_shows_the_reason_and_changes_nothing(
    client, officer, other_officer, course, run
):
    CourseRun.objects.filter(pk=run.pk).update(capacity=1)
    services.enrol(other_officer, run)
    client.force_login(officer)
    page = client.get("/courses/community-policing/").content.decode()
    assert "This course run is full." in page
    response = client.post(f"/courses/community-policing/runs/{run.pk}/enrol/", follow=True)
    assert "This course run is full." in response.content.decode()
    assert not Enrolment.objects.filter(user=officer).exists()


def test_a_visitor_posting_enrol_is_sent_to_log_in(client, course, run):
    response = client.post(f"/courses/community-policing/runs/{run.pk}/enrol/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Enrolment.objects.exists()


def test_an_on_site_run_takes_an_application_and_shows_it_is_waiting(client, officer, police):
    on_site = build_course(
        police, slug="academy-month", title="A month at the academy", format=CourseFormat.ON_SITE
    )
    run = on_site.runs.get()
    CourseRun.objects.filter(pk=run.pk).update(requires_application=True, capacity=2, venue="Police academy")
    client.force_login(officer)
    page = client.get("/courses/academy-month/").content.decode()
    assert "Apply for a seat" in page and "Police academy" in page
    form = client.get(f"/courses/academy-month/runs/{run.pk}/apply/")
    assert form.status_code == 200
    response = client.post(
        f"/courses/academy-month/runs/{run.pk}/apply/",
        {"motivation": "I lead a community unit."},
        follow=True,
    )
    page = response.content.decode()
    assert "Your application has been sent" in page and "waiting for a decision" in page
    enrolment = Enrolment.objects.get(user=officer)
    assert enrolment.status == EnrolmentStatus.APPLIED and enrolment.motivation == "I lead a community unit."


def test_an_officer_leaves_a_course_and_the_seat_is_freed(client, learner, course, run):
    client.force_login(learner)
    response = client.post("/courses/community-policing/unenrol/", follow=True)
    assert "You have left the course." in response.content.decode()
    assert Enrolment.objects.get(user=learner).status == EnrolmentStatus.WITHDRAWN


def test_the_course_page_shows_accreditation_instructors_and_prerequisites(
    client, police, course, instructor
):
    from network.institutions.models import Institution
    from network.models import Country

    country = Country.objects.get(code="CL")
    university = Institution.objects.create(name="Universidad de Chile", country=country, kind="university")
    Accreditation.objects.create(
        course=course, university=university, credit_hours=40, valid_from=timezone.localdate()
    )
    basics = build_course(police, slug="basics", title="Policing basics")
    course.prerequisites.add(basics)
    course.save()
    page = client.get("/courses/community-policing/").content.decode()
    assert "University accredited" in page and "Universidad de Chile" in page and "40 credit hours" in page
    assert "Ines Instructora" in page
    assert 'href="/courses/basics/"' in page


def test_the_course_description_is_sanitised(client, police):
    build_course(police, slug="rich", title="Rich", description=f"<p>Intro</p>{HOSTILE}")
    page = client.get("/courses/rich/").content.decode()
    assert "Intro" in page and "<script>alert" not in page and "onerror" not in page


def test_the_course_page_query_count_does_not_grow_with_its_lessons(
    client, police, learner, django_assert_max_num_queries
):
    small = build_course(police, slug="small", title="Small", lessons=(1, 1))
    big = build_course(police, slug="big", title="Big", lessons=(6, 6, 6))
    for each in (small, big):
        services.enrol(learner, each.runs.get())
        services.complete_lesson(learner, ordered_lessons(each)[0])
    client.force_login(learner)
    client.get("/courses/small/")
    with django_assert_max_num_queries(40) as few:
        client.get("/courses/small/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/courses/big/").content.decode()
    assert "Lesson 3.6" in page


# --- lessons --------------------------------------------------------------------------------


def test_lessons_are_refused_to_visitors_and_officers_not_enrolled(client, officer, course):
    lesson = ordered_lessons(course)[0]
    url = f"/courses/community-policing/learn/{lesson.pk}/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(officer)
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == "/courses/community-policing/"
    page = response.content.decode()
    assert "Enrol in this course to open its lessons" in page and "Text of lesson 1.1" not in page


def test_a_lesson_of_another_course_is_404(client, learner, police):
    other = build_course(police, slug="other", title="Other")
    lesson = ordered_lessons(other)[0]
    client.force_login(learner)
    assert client.get(f"/courses/community-policing/learn/{lesson.pk}/").status_code == 404


def test_an_enrolled_officer_reads_completes_and_goes_on_to_the_next_lesson(client, learner, course):
    first, second, third = ordered_lessons(course)
    client.force_login(learner)
    page = client.get(f"/courses/community-policing/learn/{first.pk}/").content.decode()
    assert "Text of lesson 1.1" in page and "Mark as completed and go on" in page
    assert f'href="/courses/community-policing/learn/{second.pk}/"' in page
    response = client.post(f"/courses/community-policing/learn/{first.pk}/complete/")
    assert response["Location"] == f"/courses/community-policing/learn/{second.pk}/"
    enrolment = Enrolment.objects.get(user=learner)
    assert enrolment.completed_lessons == 1
    # Completing twice counts once.
    client.post(f"/courses/community-policing/learn/{first.pk}/complete/")
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == 1
    course_page = client.get("/courses/community-policing/").content.decode()
    assert "33% of the lessons completed" in course_page and "Continue where I left off" in course_page


def test_continue_where_i_left_off_opens_the_last_lesson_visited(client, learner, course):
    first, second, third = ordered_lessons(course)
    client.force_login(learner)
    client.get(f"/courses/community-policing/learn/{third.pk}/")
    response = client.get("/courses/community-policing/learn/")
    assert response["Location"] == f"/courses/community-policing/learn/{third.pk}/"


def test_completing_the_last_lesson_completes_the_course(client, learner, course):
    client.force_login(learner)
    for lesson in ordered_lessons(course):
        response = client.post(f"/courses/community-policing/learn/{lesson.pk}/complete/", follow=True)
    assert "you have completed the course" in response.content.decode()
    assert Enrolment.objects.get(user=learner).status == EnrolmentStatus.COMPLETED


def test_a_lesson_renders_in_french_with_its_video_transcript_and_a_safe_body(client, learner, course):
    lesson = ordered_lessons(course)[0]
    lesson.video_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    lesson.transcript = "Good evening. " + HOSTILE
    lesson.body = "<p>Read this.</p>" + HOSTILE
    lesson.save()
    client.force_login(learner)
    response = client.get(f"/fr/courses/community-policing/learn/{lesson.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert in_language("fr", "Skip to content") in page
    assert in_language("fr", "Transcript") in page and "Good evening." in page
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page
    assert "frame-src https://www.youtube-nocookie.com" in response["Content-Security-Policy"]
    assert "<script>alert" not in page and "<img src=x" not in page


def test_a_lesson_links_its_document_and_library_item(client, learner, course, settings, tmp_path):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document
    from wagtail.models import Page

    settings.MEDIA_ROOT = str(tmp_path)
    document = Document(title="Patrol handbook")
    document.file.save("handbook.pdf", ContentFile(b"%PDF-1.4 handbook"), save=False)
    document.save()
    library_item = Page.objects.filter(depth=2).first()
    lesson = ordered_lessons(course)[0]
    lesson.document = document
    lesson.library_page = library_item
    lesson.save()
    client.force_login(learner)
    page = client.get(f"/courses/community-policing/learn/{lesson.pk}/").content.decode()
    assert f'href="{document.url}"' in page and "Patrol handbook" in page
    assert library_item.title in page and "in the library" in page


def test_a_lesson_without_video_keeps_the_sites_policy(client, learner, course):
    from network.middleware import ContentSecurityPolicyMiddleware

    client.force_login(learner)
    response = client.get(f"/courses/community-policing/learn/{ordered_lessons(course)[0].pk}/")
    assert response["Content-Security-Policy"] == ContentSecurityPolicyMiddleware.POLICY


def test_instructors_and_staff_read_lessons_without_enrolling(client, course, instructor, dps_staff):
    lesson = ordered_lessons(course)[0]
    for person in (instructor, dps_staff):
        client.force_login(person)
        page = client.get(f"/courses/community-policing/learn/{lesson.pk}/").content.decode()
        assert "Text of lesson 1.1" in page and "Mark as completed" not in page


def test_a_closed_run_is_listed_with_the_reason(client, officer, course, run):
    CourseRun.objects.filter(pk=run.pk).update(status=RunStatus.CLOSED)
    client.force_login(officer)
    page = client.get("/courses/community-policing/").content.decode()
    assert "Enrolment in this course run is closed." in page


# --- hostile text ---------------------------------------------------------------------------


class _ElementsInMain(HTMLParser):
    """The start tags inside <main>, with their attributes."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif self.depth:
            self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1


def injected(page: str) -> list[str]:
    """Elements or attributes a payload could have smuggled into the page's main part."""
    parser = _ElementsInMain()
    parser.feed(page)
    found = []
    for tag, attrs in parser.elements:
        our_script = tag == "script" and (attrs.get("src") or "").startswith("/static/")
        if tag in ("script", "iframe", "object", "embed", "svg", "math", "style", "base") and not our_script:
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") or name in ("style", "srcdoc"):
                found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "data", "formaction") and re.match(
                r"\s*(javascript|vbscript|data):", value or "", re.IGNORECASE
            ):
                found.append(f"{tag}[{name}={value}]")
    return found


PAYLOADS = (
    PAYLOAD_FILE.read_text().splitlines()
    if PAYLOAD_FILE.is_file()
    else [HOSTILE, '<a href="javascript:x">x</a>']
)


def test_hostile_payloads_never_reach_the_learner_pages_as_markup(client, learner, course, police):
    from courses.models import Choice, Question, Quiz

    payloads = [line for line in PAYLOADS if line.strip()]
    joined = "\n".join(payloads)
    paragraphs = "".join(f"<p>{line}</p>{line}" for line in payloads)
    course.summary = joined[:600]
    course.description = paragraphs
    course.save()
    lesson = ordered_lessons(course)[0]
    lesson.title = payloads[0][:200]
    lesson.body = paragraphs
    lesson.transcript = joined
    lesson.video_url = "https://example.org/video"
    lesson.save()
    quiz = Quiz.objects.create(course=course, title=payloads[1][:200], pass_mark=0)
    for position, line in enumerate(payloads, start=1):
        question = Question.objects.create(quiz=quiz, text=line, explanation=line, position=position)
        Choice.objects.create(question=question, text=line[:500], is_correct=True)
    client.force_login(learner)
    pages = {
        "catalogue": client.get("/courses/?q=" + payloads[0]).content.decode(),
        "course": client.get("/courses/community-policing/").content.decode(),
        "lesson": client.get(f"/courses/community-policing/learn/{lesson.pk}/").content.decode(),
    }
    client.post(f"/courses/community-policing/quiz/{quiz.pk}/")
    attempt = quiz.attempts.get()
    attempt_url = f"/courses/community-policing/quiz/{quiz.pk}/attempts/{attempt.pk}/"
    pages["attempt"] = client.get(attempt_url).content.decode()
    client.post(attempt_url, {})
    pages["result"] = client.get(attempt_url).content.decode()
    for name, page in pages.items():
        assert injected(page) == [], name
