"""Message bodies render to HTML that cannot run script, whatever a member types; chat's
Markdown subset; mentions; a lone link to a public library page becomes a card."""

import pytest
from wagtail.models import Locale, Page, PageViewRestriction, Site

from chat.rendering import ALLOWED_TAGS, render
from tests.hostile_input import assert_harmless, hostile_payloads

pytestmark = pytest.mark.django_db

PAYLOADS = hostile_payloads()
# A card is built by us, from escaped text, after the allow-list.
EMITTED_TAGS = set(ALLOWED_TAGS) | {"span"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_payloads_never_survive_rendering(payload):
    assert_harmless(render(payload).html, EMITTED_TAGS)
    assert_harmless(
        render(f"Before\n\n{payload}\n\n> {payload}\n\n- {payload}\n\n@{payload} `{payload}`").html,
        EMITTED_TAGS,
    )


def test_html_typed_in_a_message_is_shown_as_text():
    assert (
        render("<b>hi</b> & <i>bye</i>").html == "<p>&lt;b&gt;hi&lt;/b&gt; &amp; &lt;i&gt;bye&lt;/i&gt;</p>"
    )


def test_chat_markdown_keeps_inline_formatting_lists_quotes_and_code():
    html = render("**bold** _it_ `a < b && c`\n\n- one\n- two\n\n> quoted\n\n```\ncode <b>\n```").html
    assert "<strong>bold</strong> <em>it</em> <code>a &lt; b &amp;&amp; c</code>" in html
    assert "<ul>\n<li>one</li>" in html and "<blockquote>" in html
    assert "<pre><code>code &lt;b&gt;\n</code></pre>" in html


def test_headings_rules_and_images_stay_what_was_typed():
    assert render("# 5 on the list").html == "<p># 5 on the list</p>"
    assert render("---").html == "<p>---</p>"
    html = render("![logo](https://example.org/logo.png)").html
    assert "<img" not in html and "![logo]" in html


def test_line_breaks_are_kept_and_links_get_nofollow_without_the_final_full_stop():
    html = render("first line\nsecond https://example.org/plan.").html
    assert "first line<br>" in html
    assert (
        '<a href="https://example.org/plan" rel="nofollow ugc noopener">https://example.org/plan</a>.' in html
    )


def test_mentions_link_existing_members_of_any_case_but_not_inside_code(django_user_model):
    rui = django_user_model.objects.create_user(username="rui", email="rui@example.org")
    rendered = render("Hola @Rui y @ghost, `@rui` es código, a@b.org no")
    assert rendered.html.count('class="mention"') == 1
    assert '<a class="mention" href="/network/members/rui/">@rui</a>' in rendered.html
    assert rendered.mentioned == [rui]


def _library_page(title, slug, **fields):
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:  # flushed by a transactional test: rebuild what the migrations made
        Locale.objects.get_or_create(language_code="en")
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        home = root.add_child(instance=Page(title="Home", slug="home-chat-test"))
        site = Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    library = site.root_page.get_children().filter(slug="library").first() or site.root_page.add_child(
        instance=Page(title="Library", slug="library")
    )
    return library.add_child(instance=Page(title=title, slug=slug, **fields))


def test_a_message_that_is_only_a_link_to_a_public_library_page_shows_a_card():
    _library_page("Tourism security guide", "guide", search_description="How to start a plan")
    html = render("http://localhost/library/guide/").html
    assert 'class="library-card"' in html
    assert "Tourism security guide" in html and "How to start a plan" in html
    assert_harmless(html, EMITTED_TAGS)


def test_no_card_for_members_only_pages_other_sites_or_a_link_inside_a_sentence():
    secret = _library_page("Secret protocol", "secret")
    PageViewRestriction.objects.create(page=secret, restriction_type=PageViewRestriction.LOGIN)
    _library_page("Tourism security guide", "guide")
    for body in (
        "http://localhost/library/secret/",
        "https://elsewhere.example/library/guide/",
        "read http://localhost/library/guide/ first",
    ):
        html = render(body).html
        assert "library-card" not in html, body
        assert "Secret protocol" not in html


def test_a_card_title_is_escaped():
    _library_page('<img src=x onerror=alert(1)> "Guide"', "hostile", search_description="<script>x</script>")
    html = render("http://localhost/library/hostile/").html
    assert "library-card" in html
    assert_harmless(html, EMITTED_TAGS)
