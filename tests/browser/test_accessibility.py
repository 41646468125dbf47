"""Every page type passes axe-core without serious or critical violations."""

import pytest

pytestmark = pytest.mark.browser

# (who, path): who is "anonymous", "member" (member@example.org) or "admin" (with TOTP).
PAGES = [
    ("anonymous", "/"),
    ("anonymous", "/es/"),
    ("anonymous", "/accounts/login/"),
    ("anonymous", "/accounts/signup/"),
    ("anonymous", "/accounts/password/reset/"),
    ("anonymous", "/this-does-not-exist/"),
    ("member", "/notifications/"),
    ("member", "/notifications/preferences/"),
    ("member", "/accounts/email/"),
    ("member", "/accounts/password/change/"),
    ("member", "/accounts/2fa/"),
    ("admin", "/notifications/announce/"),
]
BLOCKING_IMPACTS = {"serious", "critical"}
RUN_AXE = """async () => {
  const results = await axe.run(document);
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


def _describe(violations) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["targets"]) for v in violations
    )


@pytest.mark.parametrize(("who", "path"), PAGES, ids=[f"{who}:{path}" for who, path in PAGES])
def test_every_page_type_has_no_serious_accessibility_violation(who, path, axe_path, new_context, request):
    state = request.getfixturevalue(f"{who}_state") if who != "anonymous" else None
    # Our Content-Security-Policy forbids inline scripts, and axe is injected inline.
    page = new_context(storage_state=state, bypass_csp=True).new_page()
    response = page.goto(path)
    assert response is not None
    assert response.status == (404 if "does-not-exist" in path else 200), f"{path} answered {response.status}"
    page.add_script_tag(path=str(axe_path))
    violations = page.evaluate(RUN_AXE)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{path} ({who}) has serious accessibility violations:\n{_describe(blocking)}"
