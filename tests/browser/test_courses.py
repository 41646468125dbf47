"""Issue 7 as an officer lives it, in Debian's chromium on a phone-sized screen against a
real Daphne: the officer enrols in a course, completes its lessons and a timed quiz, gets
the certificate, and a stranger (a fresh, anonymous browser) opens the certificate's
verification address, the one its QR code holds, and sees that it is valid.

The course is created by the test itself (not the demo seed) so the journey does not
depend on what the seed holds.
"""

from __future__ import annotations

import json
import re
import secrets
import textwrap

import pytest
from playwright.sync_api import expect

from tests.browser.support import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
OFFICER_EMAIL = "officer@example.org"


def _shell(server, code: str) -> dict:
    """Run Python in the server's environment (database, settings); it prints one JSON line."""
    result = server.manage("shell", "-c", textwrap.dedent(code))
    return json.loads(result.stdout.strip().splitlines()[-1])


def _new_course(server) -> dict:
    """A published, open course: two lessons, a timed quiz of one question, an open run;
    complete when every lesson is done and the quiz passed."""
    token = secrets.token_hex(3)
    slug = f"journey-{token}"
    return _shell(
        server,
        f"""
        import json
        from courses.models import Choice, Course, CourseRun, Lesson, Module, Question, Quiz
        from network.models import Network

        network = Network.objects.order_by("pk").first()
        course = Course.objects.create(
            network=network, slug="{slug}", title="Community patrol {token}",
            summary="Working with the community, step by step.", duration_hours=6,
            completion_rule="lessons_quizzes", is_published=True, is_open=True,
        )
        module = Module.objects.create(course=course, position=1, title="On patrol")
        for position, title in enumerate(["Meeting the neighbourhood", "Solving problems together"], 1):
            Lesson.objects.create(module=module, position=position, title=title,
                                  body=f"<p>What {{title.lower()}} means for an officer.</p>")
        quiz = Quiz.objects.create(course=course, module=module, title="Patrol check",
                                   pass_mark=100, time_limit_minutes=5, attempts_allowed=2)
        question = Question.objects.create(quiz=quiz, kind="single",
                                           text="Who sets the priorities of a community patrol?")
        Choice.objects.create(question=question, text="The community and the police together",
                              is_correct=True, position=1)
        Choice.objects.create(question=question, text="The patrol alone", position=2)
        CourseRun.objects.create(course=course, format=course.format, status="open")
        print(json.dumps({{"slug": course.slug, "title": course.title, "token": "{token}"}}))
        """,
    )


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px screen"


def test_an_officer_on_a_phone_earns_a_certificate_that_a_stranger_verifies(server, new_context):
    course = _new_course(server)
    officer = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    log_in(officer, OFFICER_EMAIL)

    # The catalogue lists the course; its page offers to enrol.
    officer.goto(f"/courses/?q={course['token']}")
    officer.locator(f"a[href='/courses/{course['slug']}/']").click()
    expect(officer.locator("h1")).to_have_text(course["title"])
    _no_sideways_scroll(officer)
    officer.get_by_role("button", name="Enrol", exact=True).click()
    expect(officer.locator(".messages")).to_contain_text("You are enrolled")

    # Both lessons, read and marked completed one after the other.
    officer.get_by_role("link", name="Start the first lesson").click()
    expect(officer.locator("h1")).to_have_text("Meeting the neighbourhood")
    _no_sideways_scroll(officer)
    officer.get_by_role("button", name="Mark as completed and go on").click()
    expect(officer.locator("h1")).to_have_text("Solving problems together")
    expect(officer.get_by_role("link", name="Patrol check")).to_be_visible()
    officer.get_by_role("button", name="Mark as completed", exact=True).click()
    expect(officer.locator(".messages")).to_contain_text("Lesson completed.")
    expect(officer.locator("#course-progress")).to_have_attribute("value", "100")

    # The timed quiz: the countdown shows the server's deadline and runs down.
    officer.get_by_role("link", name="Patrol check").click()
    officer.get_by_role("button", name="Start the quiz").click()
    timer = officer.locator("[data-quiz-time-left]")
    expect(timer).to_have_text(re.compile(r"^[45]:[0-5][0-9]$"))
    first_reading = timer.text_content()
    expect(timer).not_to_have_text(first_reading, timeout=5_000)
    _no_sideways_scroll(officer)
    officer.get_by_label("The community and the police together").check()
    officer.get_by_role("button", name="Send my answers").click()
    expect(officer.locator(".quiz-score")).to_have_text("100%")
    expect(officer.locator("[data-attempt-result]")).to_have_attribute("data-attempt-result", "passed")

    # The course is complete: the certificate is on "my learning".
    officer.goto("/courses/mine/")
    card = officer.locator(f".course-card[data-course='{course['slug']}']")
    expect(card).to_have_attribute("data-status", "completed")
    card.get_by_role("link", name="Certificate", exact=True).click()
    expect(officer.locator("[data-certificate-status]")).to_have_attribute("data-certificate-status", "valid")
    code = officer.url.rstrip("/").rsplit("/", 1)[-1]
    pdf = officer.request.get(f"/certificates/{code}/pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    # The QR code holds the absolute verification address; the credential says the same.
    credential = officer.request.get(f"/certificates/{code}/credential.json").json()
    verify_url = credential["id"]
    assert verify_url == f"{server.url}/certificates/{code}/"

    # A stranger, never logged in, scans it.
    stranger = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    stranger.goto(verify_url)
    status = stranger.locator("[data-certificate-status]")
    expect(status).to_have_attribute("data-certificate-status", "valid")
    expect(status).to_contain_text("This certificate is valid.")
    expect(status).to_contain_text(course["title"])
    expect(stranger.get_by_role("link", name="Download the PDF")).to_have_count(0)
    assert stranger.request.get(f"/certificates/{code}/pdf", max_redirects=0).status == 302
    _no_sideways_scroll(stranger)
