"""What the learner pages show of editor content: rich text that cannot carry script, and
a lesson's video as a privacy-friendly embed (or a plain link when the host is unknown).

Rich text reaches the database through the Wagtail editor but also through the seeder and
imports, so it is cleaned when it is rendered, whatever its origin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import nh3
from django.utils.safestring import SafeString, mark_safe
from wagtail.rich_text import RichText, expand_db_html

ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "a", "ul", "ol", "li", "h2", "h3", "h4", "h5",
    "blockquote", "code", "pre", "sub", "sup", "hr", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope"},
    "td": {"colspan", "rowspan"},
}

# Hosts whose players may be framed on a lesson page (the page's CSP allows these only).
EMBED_ORIGINS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")
VIDEO_FILE = re.compile(r"\.(mp4|webm|ogv|ogg)$", re.IGNORECASE)
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
HOST_NAME = re.compile(r"^[a-z0-9.-]{1,253}$")


def safe_richtext(value) -> SafeString:
    """Wagtail rich text with its page and document links expanded, then sanitised."""
    if not value:
        return mark_safe("")  # noqa: S308 - empty
    source = value.source if isinstance(value, RichText) else str(value)
    cleaned = nh3.clean(
        expand_db_html(source),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above


@dataclass(frozen=True)
class Video:
    url: str  # what the learner may always open: the original address
    embed_url: str = ""  # an https player address to frame, or ""
    file_url: str = ""  # a video file to play with <video>, or ""


def _youtube_id(parts) -> str:
    host = parts.hostname or ""
    if host == "youtu.be":
        candidate = parts.path.strip("/").split("/")[0]
    elif host.endswith("youtube.com") or host.endswith("youtube-nocookie.com"):
        if parts.path.startswith(("/embed/", "/shorts/", "/live/")):
            candidate = parts.path.split("/")[2]
        else:
            candidate = (parse_qs(parts.query).get("v") or [""])[0]
    else:
        return ""
    return candidate if YOUTUBE_ID.match(candidate) else ""


def _vimeo_id(parts) -> str:
    host = parts.hostname or ""
    if not (host == "vimeo.com" or host.endswith(".vimeo.com")):
        return ""
    digits = [piece for piece in parts.path.split("/") if piece.isdigit()]
    return digits[-1] if digits else ""


def video_for(url: str) -> Video | None:
    """How to show `url`: a YouTube or Vimeo player, a <video> for a file, or just a link."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    youtube = _youtube_id(parts)
    if youtube:
        return Video(url=url, embed_url=f"https://www.youtube-nocookie.com/embed/{youtube}")
    vimeo = _vimeo_id(parts)
    if vimeo:
        return Video(url=url, embed_url=f"https://player.vimeo.com/video/{vimeo}")
    if parts.scheme == "https" and VIDEO_FILE.search(parts.path):
        return Video(url=url, file_url=url)
    return Video(url=url)


def content_security_policy(base_policy: str, video: Video | None) -> str:
    """The site's policy, with the video's player (or file host) allowed on this page only."""
    if video is None or not (video.embed_url or video.file_url):
        return base_policy
    if video.embed_url:
        origin = next(origin for origin in EMBED_ORIGINS if video.embed_url.startswith(origin))
        return f"{base_policy}; frame-src {origin}"
    host = urlsplit(video.file_url).hostname or ""
    if not HOST_NAME.match(host):
        return base_policy
    return f"{base_policy}; media-src 'self' https://{host}"


def language_labels(codes: list[str]) -> list[tuple[str, str]]:
    """(code, name in the reader's language) for a course's language codes; an unknown code
    is shown as it is rather than breaking the page."""
    from django.conf import settings
    from django.utils.translation import get_language_info

    labels = []
    for code in codes:
        name = settings.LANGUAGE_NAMES_TRANSLATED.get(code)
        if name is None:
            try:
                name = get_language_info(code)["name_translated"]
            except KeyError:
                name = code
        labels.append((code, str(name)))
    return labels


def content_language(course) -> str:
    """The language a course's own text is written in, for `lang` attributes: its only
    language, or "" when it is taught in several (the text's language is then unknown)."""
    codes = course.language_codes
    return codes[0] if len(codes) == 1 else ""
