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
from urllib.parse import urlsplit

import markdown
import nh3
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import escape

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
LINK_REL = "nofollow ugc noopener"
MAX_MENTIONS = 20
MAX_QUOTE_DEPTH = 5

MENTION_RE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_][\w.+-]{0,149})")
URL_RE = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
QUOTE_RE = re.compile(r"\[quote=(\d{1,9})\]((?:(?!\[quote=).)*?)\[/quote\]", re.DOTALL | re.IGNORECASE)
QUOTE_MARKER = "\u2045quote {}\u2046"
QUOTE_MARKER_RE = re.compile(r"(<p>)?\u2045quote (\d{1,9})\u2046(</p>|<br>)?")
LONE_LINK_RE = re.compile(r"<p>\s*<a href=\"([^\"]+)\"[^>]*>([^<]*)</a>\s*</p>")
TAG_RE = re.compile(r"(<[^>]*>)")


@dataclass
class Rendered:
    html: str
    mentioned: list = field(default_factory=list)  # users named with @username (existing ones)
    quoted_numbers: list[int] = field(default_factory=list)  # post numbers quoted


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    )


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


def _profile_url(username: str) -> str:
    try:
        with translation.override(settings.LANGUAGE_CODE):
            return reverse("profiles:profile", args=[username])
    except NoReverseMatch:
        return ""


def _walk_text(html: str, transform) -> str:
    """Apply `transform` to text outside tags and outside <a>, <code> and <pre>."""
    parts = TAG_RE.split(html)
    skip_depth = 0
    for index, part in enumerate(parts):
        if part.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            tag = name.group(1).lower() if name else ""
            if tag in ("a", "code", "pre"):
                skip_depth += -1 if part.startswith("</") else 1
                skip_depth = max(skip_depth, 0)
        elif part and skip_depth == 0:
            parts[index] = transform(part)
    return "".join(parts)


def _linkify(text: str) -> str:
    def link(match: re.Match) -> str:
        url = match.group(0)
        trail = ""
        while url and url[-1] in ".,;:!?)":
            trail = url[-1] + trail
            url = url[:-1]
        return f'<a href="{url}" rel="{LINK_REL}">{url}</a>{trail}'

    return URL_RE.sub(link, text)


def _find_users(usernames: set[str]) -> dict[str, object]:
    if not usernames:
        return {}
    query = Q()
    for username in usernames:
        query |= Q(username__iexact=username)
    users = get_user_model().objects.filter(query, is_active=True)
    return {user.username.lower(): user for user in users}


def _mentions(html: str) -> tuple[str, list]:
    names: list[str] = []

    def collect(text: str) -> str:
        for match in MENTION_RE.finditer(text):
            names.append(match.group(1).rstrip(".").lower())
        return text

    _walk_text(html, collect)
    wanted = list(dict.fromkeys(names))[:MAX_MENTIONS]
    users = _find_users(set(wanted))
    if not users:
        return html, []

    def link(match: re.Match) -> str:
        name = match.group(1).rstrip(".")
        trail = match.group(1)[len(name) :]
        user = users.get(name.lower())
        url = _profile_url(user.username) if user else ""
        if not url:
            return match.group(0)
        return f'<a class="mention" href="{escape(url)}">@{escape(user.username)}</a>{trail}'

    html = _walk_text(html, lambda text: MENTION_RE.sub(link, text))
    return html, [users[name] for name in wanted if name in users]


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


def _library_page(url: str):
    """The live, public Wagtail page at this site-relative URL, or None."""
    from wagtail.models import Locale, Page, Site

    parts = urlsplit(url.replace("&amp;", "&"))
    if parts.scheme not in ("", "http", "https"):
        return None
    if parts.netloc:
        own = {urlsplit(settings.SITE_URL).netloc, *settings.ALLOWED_HOSTS}
        if parts.netloc not in own:
            return None
    path = parts.path or "/"
    language = settings.LANGUAGE_CODE
    for code, _name in settings.LANGUAGES:
        if path.startswith(f"/{code}/"):
            language, path = code, path[len(code) + 1 :]
            break
    if not path.startswith("/library/") or path == "/library/":
        return None
    if not path.endswith("/"):
        path += "/"
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return None
    root = site.root_page
    if language != settings.LANGUAGE_CODE:
        locale = Locale.objects.filter(language_code=language).first()
        translated = root.get_translation_or_none(locale) if locale else None
        root = translated or root
    url_path = root.url_path.rstrip("/") + path
    page = Page.objects.live().public().filter(url_path=url_path).first()
    return page.specific if page is not None else None


def _library_cards(html: str) -> str:
    def card(match: re.Match) -> str:
        url = match.group(1)
        page = _library_page(url)
        if page is None:
            return match.group(0)
        summary = getattr(page, "summary", "") or page.search_description or ""
        summary_html = f'<span class="library-card-summary">{escape(summary)}</span>' if summary else ""
        return (
            f'<p class="library-card"><a href="{escape(url)}" rel="{LINK_REL}">'
            f'<strong class="library-card-title">{escape(page.title)}</strong>{summary_html}</a></p>'
        )

    return LONE_LINK_RE.sub(card, html)


def render_post(body: str, *, topic=None, cards: bool = True) -> Rendered:
    """Render a post body (Markdown) to safe HTML and report who it mentions and quotes."""
    expanded, quoted = _expand_quotes(body or "")
    html = markdown.markdown(expanded, extensions=["fenced_code", "tables", "sane_lists", "nl2br"])
    html = sanitise(html)
    html = _walk_text(html, _linkify)
    html, mentioned = _mentions(html)
    html = _quote_sources(html, topic)
    if cards:
        html = _library_cards(html)
    return Rendered(html=html, mentioned=mentioned, quoted_numbers=list(dict.fromkeys(quoted)))
