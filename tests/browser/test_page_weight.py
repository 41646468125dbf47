"""Pages stay light enough for a phone on a slow connection."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.test_accessibility import PAGES

pytestmark = pytest.mark.browser

BUDGET_BYTES = 200 * 1024
WEIGHED_PAGES = [(who, path) for who, path in PAGES if who in ("anonymous", "member")]


@pytest.mark.parametrize(("who", "path"), WEIGHED_PAGES, ids=[f"{who}:{path}" for who, path in WEIGHED_PAGES])
def test_a_page_weighs_less_than_200_kb_without_images(who, path, new_context, request):
    state = request.getfixturevalue(f"{who}_state") if who != "anonymous" else None
    page = new_context(storage_state=state).new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(path, wait_until="load")

    sizes = {}
    for response in responses:
        if response.request.resource_type == "image":
            continue
        if 300 <= response.status < 400:
            continue  # a redirect's body is not kept by the browser, and is a few bytes
        try:
            # The uncompressed body: it over-estimates what travels over the wire when
            # the server compresses, so the budget errs on the safe side.
            sizes[response.url] = sizes.get(response.url, 0) + len(response.body())
        except PlaywrightError:
            sizes[response.url] = sizes.get(response.url, 0) + int(response.headers.get("content-length", 0))
    total = sum(sizes.values())
    detail = "\n".join(f"  {size:>8} {url}" for url, size in sorted(sizes.items(), key=lambda item: -item[1]))
    assert total < BUDGET_BYTES, f"{path} ({who}) weighs {total} bytes without images:\n{detail}"
