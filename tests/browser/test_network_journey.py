"""Issue 3 as a new member lives it: apply, get approved by the demo manager, find a
colleague by country and expertise, register for a webinar and take it to a calendar,
see the certified institutions on the map; in English and in Spanish."""

import pytest
from playwright.sync_api import expect

from network.seed import DEMO_TOTP_SECRET
from tests.browser.support import log_in

pytestmark = pytest.mark.browser

# Seeded applicants (network/seed.py), each waiting for one network and applying to the other.
APPLICANTS = {
    "en": ("joao.silva@example.org", "João Silva"),
    "es": ("lucia.ramos@example.org", "Lucía Ramos"),
}


def prefixed(language: str, path: str) -> str:
    return path if language == "en" else f"/{language}{path}"


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_new_member_applies_is_approved_finds_a_colleague_registers_and_sees_the_map(
    new_context, server, language
):
    email, name = APPLICANTS[language]
    locale = "en-US" if language == "en" else "es-ES"

    # 1. Apply to the network they are not in yet.
    applicant = new_context(locale=locale).new_page()
    log_in(applicant, email)
    applicant.goto(prefixed(language, "/network/apply/"))
    expect(applicant.locator("html")).to_have_attribute("lang", language)
    form = applicant.locator("main form:has(select[name='network'])")
    form.locator("input[name='institution_name']").fill("Institución de prueba")
    form.locator("input[name='position']").fill("Comisaria")
    form.locator("select[name='country']").select_option("CR")
    form.locator("textarea[name='reason']").fill("Prevención de la violencia juvenil.")
    form.locator("button[type='submit']").click()
    expect(applicant.locator(".message.success")).to_be_visible()

    # 2. The demo manager approves every application of this applicant.
    manager = new_context(locale=locale).new_page()
    log_in(manager, "manager@example.org", totp_secret=DEMO_TOTP_SECRET)
    for _ in range(3):
        manager.goto(prefixed(language, "/network/applications/"))
        link = manager.get_by_role("link", name=name)
        if link.count() == 0:
            break
        link.first.click()
        manager.locator("input[name='decision'][value='approve']").check()
        manager.locator("main form:has(input[name='decision']) button[type='submit']").click()
        expect(manager.locator(".message.success")).to_be_visible()
    manager.goto(prefixed(language, "/network/applications/"))
    expect(manager.get_by_role("link", name=name)).to_have_count(0)

    # 3. Find a colleague by country and expertise in the directory.
    applicant.goto(prefixed(language, "/network/members/"))
    search = applicant.locator("form.directory-search")
    search.locator("select[name='country']").select_option("MX")
    statistics = {"en": "Crime data and statistics", "es": "Datos y estadísticas delictivas"}[language]
    search.locator("select[name='topic']").select_option(label=statistics)
    search.locator("button[type='submit']").click()
    expect(applicant.locator("main")).to_contain_text("Miguel Miembro")

    # 4. Register for the tourism-security webinar and import it into a calendar.
    applicant.goto(prefixed(language, "/network/events/webinar-plan-seguridad-turistica/"))
    applicant.locator("form[action$='/register/'] button[type='submit']").click()
    expect(applicant.locator("[data-registration='registered']")).to_be_visible()
    expect(applicant.locator("[data-online-link]")).to_be_visible()
    calendar = applicant.request.get(
        prefixed(language, "/network/events/webinar-plan-seguridad-turistica.ics")
    )
    assert calendar.ok
    body = calendar.text()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    body = body.replace("\r\n ", "")  # unfold the 75-octet lines (RFC 5545)
    assert "SUMMARY;LANGUAGE=es:Webinario: revisión intermedia del plan de seguridad turística" in body
    assert "https://" in body  # the registered member's calendar carries the online link

    # 5. The certified institutions on the hemisphere map.
    applicant.goto(prefixed(language, "/network/institutions/map/"))
    expect(applicant.locator("html")).to_have_attribute("lang", language)
    hemisphere = applicant.locator("main svg[role='img']").first
    expect(hemisphere).to_be_visible()
    assert hemisphere.locator("text").filter(has_text="CO").count() >= 1
