"""A visitor's first steps: sign up, confirm the address, log in, change language, log out."""

import re
import secrets
import time
import urllib.parse

import pytest
from playwright.sync_api import expect

from tests.browser.support import log_in, message_text

pytestmark = pytest.mark.browser


def _confirmation_path(server, address: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while True:
        for message in server.messages_to(address):
            match = re.search(r"https?://\S+?(/accounts/confirm-email/[^\s\"'<>]+)", message_text(message))
            if match:
                return urllib.parse.urlsplit(match.group(0)).path
        if time.monotonic() > deadline:
            files = sorted(p.name for p in server.mail_dir.glob("*"))
            raise AssertionError(f"no confirmation e-mail for {address} in {server.mail_dir} ({files})")
        time.sleep(0.2)


def test_a_new_visitor_signs_up_confirms_logs_in_switches_to_spanish_and_logs_out(page, server):
    address = f"visitor-{secrets.token_hex(4)}@example.org"
    password = f"bridge-{secrets.token_hex(6)}-Aa1"

    page.goto("/accounts/signup/")
    form = page.locator("main form:has(input[name='password1'])")
    form.locator("input[name='email']").fill(address)
    form.locator("input[name='password1']").fill(password)
    form.locator("input[name='password2']").fill(password)
    form.locator("button[type='submit']").click()
    page.wait_for_url(lambda url: "/accounts/signup/" not in url)

    page.goto(_confirmation_path(server, address))
    page.locator("main form button[type='submit']").click()
    page.wait_for_url(lambda url: "/accounts/confirm-email/" not in url)

    log_in(page, address, password)
    header = page.locator(".site-header")
    expect(header.locator("a.notifications-link")).to_be_visible()
    # The welcome notification, created when the address was confirmed.
    expect(header.locator("[data-unread-badge]")).to_be_visible()
    expect(header.locator("[data-unread-count]")).to_have_text("1")
    page.goto("/notifications/")
    with page.expect_navigation():
        page.locator("main form.inline button", has_text="Mark all as read").click()
    expect(header.locator("[data-unread-badge]")).to_be_hidden()  # no "0" bubble

    with page.expect_navigation():
        page.locator("#language-select").select_option("es")
    page.wait_for_url(re.compile(r"^https?://[^/]+/es/"))
    expect(page.locator("html")).to_have_attribute("lang", "es")

    # Another page, asked for at its unprefixed address: the choice is remembered.
    page.goto("/notifications/")
    assert urllib.parse.urlsplit(page.url).path == "/es/notifications/"
    expect(page.locator("html")).to_have_attribute("lang", "es")

    page.locator(".site-header form[action$='/accounts/logout/'] button[type='submit']").click()
    login_link = header.locator("a[href='/es/accounts/login/'], a[href='/accounts/login/']")
    expect(login_link.first).to_be_visible()
    expect(header.locator("a.notifications-link")).to_have_count(0)


def test_a_spanish_browser_gets_spanish_pages_first(new_context):
    page = new_context(locale="es-ES").new_page()
    page.goto("/")
    assert urllib.parse.urlsplit(page.url).path == "/es/"
    expect(page.locator("html")).to_have_attribute("lang", "es")
