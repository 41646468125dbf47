"""Helpers shared by the browser tests (fixtures live in conftest.py)."""

from __future__ import annotations

import email
import os
import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
NO_CHROMIUM = "Debian's chromium is not installed (apt-get install chromium); CI installs it"
NO_AXE = "axe-core not installed (npm ci)"
DEMO_PASSWORD = "puente-demo-2026"
MEMBER_EMAIL = "member@example.org"
ADMIN_EMAIL = "admin@example.org"


def browser_required() -> bool:
    return os.environ.get("PUENTE_REQUIRE_BROWSER", "") == "1"


def skip_or_fail(reason: str):
    """Skip, or fail loudly where the browser suite must run (PUENTE_REQUIRE_BROWSER=1, CI)."""
    if browser_required():
        pytest.fail(f"{reason} (PUENTE_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


def message_text(message: email.message.Message) -> str:
    """The decoded text of an e-mail (all its text parts)."""
    parts = message.walk() if message.is_multipart() else [message]
    texts = []
    for part in parts:
        if part.get_content_type() in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True) or b""
            texts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(texts)


_last_window: dict[str, int] = {}


def totp_code(secret: str) -> str:
    """The current TOTP code for `secret`, as the authenticator app would show it."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    # A code typed in the last seconds of its window may arrive in the next one, and a code
    # is accepted only once: wait for a fresh window in either case.
    if time.time() % 30 > 26 or _last_window.get(secret) == int(time.time()) // 30:
        time.sleep(30 - time.time() % 30 + 0.5)
    window = int(time.time()) // 30
    _last_window[secret] = window
    return format_hotp_value(hotp_value(secret, window))


def log_in(
    page, email_address: str, password: str = DEMO_PASSWORD, *, totp_secret: str | None = None
) -> None:
    """Log in through the allauth form (and its two-factor step when `totp_secret` is given)."""
    page.goto("/accounts/login/")
    form = page.locator("main form:has(input[name='password'])")
    form.locator("input[name='login']").fill(email_address)
    form.locator("input[name='password']").fill(password)
    form.locator("button[type='submit']").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if totp_secret:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.locator("main input[name='code']").fill(totp_code(totp_secret))
        page.locator("main form:has(input[name='code']) button[type='submit']:not([form])").click()
        page.wait_for_url(lambda url: "/accounts/2fa/" not in url)
    assert page.locator(".site-header a.notifications-link").count() == 1, f"not logged in at {page.url}"
