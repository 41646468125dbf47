import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from library.forms import document_problem
from library.seed import DEMO_PDF
from library.templatetags.library_tags import clean_html
from library.tests import factories
from tests.hostile_input import hostile_payloads

pytestmark = pytest.mark.django_db


def payloads() -> list[str]:
    return hostile_payloads()


def assert_harmless(html: str) -> None:
    assert "<script" not in html.lower()
    assert not re.search(r"""href\s*=\s*["']?\s*(javascript|data):""", html, re.IGNORECASE)
    assert not re.search(r"<[^>]+\son\w+\s*=", html, re.IGNORECASE)


def test_hostile_rich_text_and_stream_field_render_without_script(client):
    hostile = "".join(payloads())
    publication = factories.publication(title="Hostile", abstract=hostile, summary=hostile)
    news = factories.article(
        title="Hostile news",
        body=[
            ("paragraph", hostile),
            ("quote", {"quote": hostile, "attribution": hostile}),
            ("video", {"video": "javascript:alert(1)", "title": hostile}),
        ],
    )
    practice = factories.best_practice(title="Hostile practice", problem=hostile, sources=hostile)
    for page in (publication, news, practice):
        response = client.get(page.url)
        assert response.status_code == 200
        main = response.content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
        assert_harmless(main)
    listing = client.get("/library/").content.decode()
    assert_harmless(listing.split('<main id="main"', 1)[1].split("</main>", 1)[0])


def test_clean_html_keeps_formatting_and_safe_links():
    html = clean_html(
        '<p><b>bold</b> <a href="https://example.org">ok</a> <a href="javascript:x()">bad</a></p>'
    )
    assert "<b>bold</b>" in html
    assert 'href="https://example.org"' in html
    assert "javascript" not in html


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("report.pdf", DEMO_PDF, True),
        ("report.pdf", b"MZ\x90\x00 not a pdf", False),
        ("data.csv", b"a,b\n1,2\n", True),
        ("data.csv", b"\x00\x01\x02binary", False),
        ("tool.exe", b"MZ", False),
        ("page.html", b"<script>", False),
        ("doc.docx", b"PK\x03\x04 but broken", False),
    ],
)
def test_uploads_are_checked_by_extension_and_content(name, content, ok):
    assert (document_problem(SimpleUploadedFile(name, content)) is None) is ok


def test_a_docx_with_word_parts_is_accepted():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert document_problem(SimpleUploadedFile("doc.docx", buffer.getvalue())) is None
