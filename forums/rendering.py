"""Post bodies: Markdown as written → HTML safe to show to every reader.

The pipeline is Markdown → nh3 allow-list (no script, no event handlers, only http(s) and
mailto links, every link `rel="nofollow ugc noopener"`) → our own additions built from
escaped text: bare URLs become links, `@username` becomes a link to the profile, quotes
(`[quote=N]…[/quote]`, N = a post number in the same topic) get their source line, and a
link standing alone in a paragraph to a public library page becomes a card.

The rendering is stored on the post (`Post.body_html`) and is the same for every reader,
so a card only ever shows a *public* page: a private page's title never leaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import markdown
from django.utils.html import escape

from network import markup

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "del", "s", "a", "ul", "ol", "li", "blockquote",
    "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "table", "thead",
    "tbody", "tr", "th", "td", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
MAX_MENTIONS = 20
MAX_QUOTE_DEPTH = 5

QUOTE_RE = re.compile(r"\[quote=(\d{1,9})\]((?:(?!\[quote=).)*?)\[/quote\]", re.DOTALL | re.IGNORECASE)
QUOTE_MARKER = "\u2045quote {}\u2046"
QUOTE_MARKER_RE = re.compile(r"(<p>)?\u2045quote (\d{1,9})\u2046(</p>|<br>)?")


@dataclass
class Rendered:
    html: str
    mentioned: list = field(default_factory=list)  # users named with @username (existing ones)
    quoted_numbers: list[int] = field(default_factory=list)  # post numbers quoted


def sanitise(html: str) -> str:
    return markup.sanitise(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES)


def _expand_quotes(body: str) -> tuple[str, list[int]]:
    """`[quote=N]text[/quote]` → a Markdown blockquote whose first line is a token that
    becomes the source line after sanitising. Innermost quotes first."""
    numbers: list[int] = []

    def replace(match: re.Match) -> str:
        number = int(match.group(1))
        numbers.append(number)
        inner = match.group(2).strip("\n")
        lines = [QUOTE_MARKER.format(number), ""] + inner.splitlines()
        return "\n\n" + "\n".join("> " + line if line else ">" for line in lines) + "\n\n"

    for _depth in range(MAX_QUOTE_DEPTH):
        body, count = QUOTE_RE.subn(replace, body)
        if not count:
            break
    return body, numbers


def _quote_sources(html: str, topic) -> str:
    numbers = {int(n) for _p, n, _e in QUOTE_MARKER_RE.findall(html)}
    authors = {}
    if numbers and topic is not None:
        from forums.models import Post

        for post in Post.objects.filter(topic=topic, number__in=numbers).select_related("author"):
            authors[post.number] = str(post.author) if post.author else ""

    def source(match: re.Match) -> str:
        number = int(match.group(2))
        name = authors.get(number, "")
        label = f"{escape(name)} #{number}" if name else f"#{number}"
        line = f'<p class="quote-source"><a href="#post-{number}">{label}</a></p>'
        if match.group(1) and match.group(3) == "<br>":
            return line + "<p>"  # keep the paragraph the token opened balanced
        if match.group(1) and not match.group(3):
            return line + "<p>"
        if match.group(3) == "</p>" and not match.group(1):
            return "</p>" + line
        return line

    return QUOTE_MARKER_RE.sub(source, html)


def render_post(body: str, *, topic=None, cards: bool = True) -> Rendered:
    """Render a post body (Markdown) to safe HTML and report who it mentions and quotes."""
    expanded, quoted = _expand_quotes(body or "")
    html = markdown.markdown(expanded, extensions=["fenced_code", "tables", "sane_lists", "nl2br"])
    html = sanitise(html)
    html = markup.walk_text(html, markup.linkify)
    html, mentioned = markup.link_mentions(html, limit=MAX_MENTIONS)
    html = _quote_sources(html, topic)
    if cards:
        html = markup.library_cards(html)
    return Rendered(html=html, mentioned=mentioned, quoted_numbers=list(dict.fromkeys(quoted)))
