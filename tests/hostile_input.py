"""The hostile strings every renderer of member text must survive, and a check that
rendered HTML carries nothing that could run.

The list is the project's shared one (`shared/data/xss-payloads.txt`, beside the
repository; PUENTE_XSS_PAYLOADS names another file), plus a few of our own so that no test
runs empty on a machine without it.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWN_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "</textarea><script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}


def payload_file() -> Path | None:
    candidates = [os.environ.get("PUENTE_XSS_PAYLOADS", "")]
    candidates += [ROOT.parent / "shared" / "data" / "xss-payloads.txt", "/work/shared/data/xss-payloads.txt"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def hostile_payloads() -> list[str]:
    found = payload_file()
    lines = []
    if found is not None:
        lines = [line for line in found.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines + [line for line in OWN_PAYLOADS if line not in lines]


class Elements(HTMLParser):
    """Every element and attribute as a browser's tokenizer sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_harmless(html: str, allowed_tags) -> None:
    """Only `allowed_tags`; no event handler, no style, no URL with a scheme that runs."""
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in allowed_tags, (tag, html)
        for name, value in attrs:
            assert not name.startswith("on"), (name, html)
            assert name != "style", html
            if name in URL_ATTRIBUTES and value:
                scheme = re.sub(r"[\x00-\x20]", "", value).split(":", 1)
                if len(scheme) == 2 and "/" not in scheme[0]:
                    assert scheme[0].lower() in ("http", "https", "mailto"), (value, html)
