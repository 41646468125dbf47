"""What every app that renders members' text needs: the nh3 allow-list, bare URLs turned
into links, `@username` turned into profile links and a link standing alone in a paragraph
to a public library page turned into a card.

Each app keeps its own Markdown dialect and tag list (forum posts allow tables and images,
chat messages do not) and calls these on HTML it has already sanitised. Everything added
here is built from escaped text, so it cannot reopen what the sanitiser closed.

The rendering is stored and shown to every reader alike, so a card only ever shows a
*public* page: a members-only page's title never leaks.
"""

from __future__ import annotations

import html as html_entities
import re
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import escape

LINK_REL = "nofollow ugc noopener"
URL_SCHEMES = {"http", "https", "mailto"}
MENTION_RE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_][\w.+-]{0,149})")
URL_RE = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
TAG_RE = re.compile(r"(<[^>]*>)")
TAG_NAME_RE = re.compile(r"</?\s*([a-zA-Z0-9]+)")
LONE_LINK_RE = re.compile(r"<p>\s*<a href=\"([^\"]+)\"[^>]*>([^<]*)</a>\s*</p>")
UNLINKED_TAGS = ("a", "code", "pre")
URL_TRAILING_PUNCTUATION = ".,;:!?)"


def sanitise(html: str, *, tags: set[str], attributes: dict[str, set[str]]) -> str:
    """Only `tags` and `attributes` survive; links only to http(s) and mailto, each with
    rel="nofollow ugc noopener"; no comments."""
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def walk_text(html: str, transform) -> str:
    """Apply `transform` to the text between tags, never inside <a>, <code> or <pre>."""
    parts = TAG_RE.split(html)
    skip_depth = 0
    for index, part in enumerate(parts):
        if part.startswith("<"):
            name = TAG_NAME_RE.match(part)
            if name and name.group(1).lower() in UNLINKED_TAGS:
                skip_depth = max(skip_depth + (-1 if part.startswith("</") else 1), 0)
        elif part and skip_depth == 0:
            parts[index] = transform(part)
    return "".join(parts)


def linkify(text: str) -> str:
    """Bare http(s) URLs in (escaped) text → links; a final full stop or comma stays text."""

    def link(match: re.Match) -> str:
        url = match.group(0)
        trail = ""
        while url and url[-1] in URL_TRAILING_PUNCTUATION:
            trail = url[-1] + trail
            url = url[:-1]
        return f'<a href="{url}" rel="{LINK_REL}">{url}</a>{trail}'

    return URL_RE.sub(link, text)


def profile_url(username: str) -> str:
    """The profile's URL without a language prefix (stored HTML is the same for everyone)."""
    try:
        with translation.override(settings.LANGUAGE_CODE):
            return reverse("profiles:profile", args=[username])
    except NoReverseMatch:
        return ""


def _active_users(usernames: set[str]) -> dict[str, object]:
    if not usernames:
        return {}
    query = Q()
    for username in usernames:
        query |= Q(username__iexact=username)
    users = get_user_model().objects.filter(query, is_active=True)
    return {user.username.lower(): user for user in users}


def link_mentions(html: str, *, limit: int = 20) -> tuple[str, list]:
    """`@username` of active members (any case) → a link to their profile, outside links and
    code. Returns the HTML and the members named, in order, at most `limit` of them."""
    names: list[str] = []

    def collect(text: str) -> str:
        names.extend(match.group(1).rstrip(".").lower() for match in MENTION_RE.finditer(text))
        return text

    walk_text(html, collect)
    wanted = list(dict.fromkeys(names))[:limit]
    users = _active_users(set(wanted))
    if not users:
        return html, []

    def link(match: re.Match) -> str:
        name = match.group(1).rstrip(".")
        trail = match.group(1)[len(name) :]
        user = users.get(name.lower())
        url = profile_url(user.username) if user else ""
        if not url:
            return match.group(0)
        return f'<a class="mention" href="{escape(url)}">@{escape(user.username)}</a>{trail}'

    html = walk_text(html, lambda text: MENTION_RE.sub(link, text))
    return html, [users[name] for name in wanted if name in users]


def _own_host(netloc: str) -> bool:
    return netloc in {urlsplit(settings.SITE_URL).netloc, *settings.ALLOWED_HOSTS}


def library_page(url: str):
    """The live, public Wagtail page at this URL of our own site under /library/, or None."""
    from wagtail.models import Locale, Page, Site

    parts = urlsplit(url.replace("&amp;", "&"))
    if parts.scheme not in ("", "http", "https") or (parts.netloc and not _own_host(parts.netloc)):
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


def library_card_html(url: str, page) -> str:
    """`url` as found in an href (entities and all)."""
    url = html_entities.unescape(url)
    summary = getattr(page, "summary", "") or page.search_description or ""
    summary_html = f'<span class="library-card-summary">{escape(summary)}</span>' if summary else ""
    return (
        f'<p class="library-card"><a href="{escape(url)}" rel="{LINK_REL}">'
        f'<strong class="library-card-title">{escape(page.title)}</strong>{summary_html}</a></p>'
    )


def library_cards(html: str, *, limit: int | None = None) -> str:
    """Each paragraph holding only a link to a public library page → a card (title,
    summary). With `limit`, only the first `limit` such links are looked up."""
    looked_up = 0

    def card(match: re.Match) -> str:
        nonlocal looked_up
        if limit is not None and looked_up >= limit:
            return match.group(0)
        looked_up += 1
        page = library_page(match.group(1))
        return match.group(0) if page is None else library_card_html(match.group(1), page)

    return LONE_LINK_RE.sub(card, html)
