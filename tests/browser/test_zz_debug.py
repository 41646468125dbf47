import json
import pytest
from tests.browser.test_accessibility import RUN_AXE
pytestmark = pytest.mark.browser

def test_debug(new_context, axe_path):
    page = new_context(bypass_csp=True).new_page()
    page.goto("/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=/static/img/puente.svg><button></button><p style=\"color:#ccc;background:#fff\">low</p>')")
    page.add_script_tag(path=str(axe_path))
    print("RESULT", json.dumps(page.evaluate(RUN_AXE)))
