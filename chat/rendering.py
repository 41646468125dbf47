"""Message bodies: a Markdown subset → HTML safe for every reader (stored on the message).

Chat keeps to inline Markdown plus lists, quotes and code: no headings, images or tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import markdown
import nh3
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import escape

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "del",
    "s",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}}
LINK_REL = "nofollow ugc noopener"
MAX_MENTIONS = 20
MENTION_RE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_][\w.+-]{0,149})")
URL_RE = re.compile(r"(?<![\"'=>])\bhttps?://[^\s<>\"']+", re.IGNORECASE)
TAG_RE = re.compile(r"(<[^>]*>)")


@dataclass
class Rendered:
    html: str
    mentioned: list = field(default_factory=list)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    )


def _outside_tags(html: str, replace) -> str:
    """Apply `replace` to text between tags, never inside links or code."""
    parts = TAG_RE.split(html)
    depth = 0
    for index, part in enumerate(parts):
        if part.startswith("<"):
            name = part[1:].split()[0].rstrip(">").lower() if len(part) > 2 else ""
            if name in ("a", "code", "pre"):
                depth += 1
            elif name in ("/a", "/code", "/pre"):
                depth = max(0, depth - 1)
            continue
        if depth == 0 and part:
            parts[index] = replace(part)
    return "".join(parts)


def render(body: str) -> Rendered:
    html = markdown.markdown(escape(body).replace("&gt;", ">"), extensions=["nl2br", "sane_lists"])
    html = sanitise(html)
    html = _outside_tags(
        html, lambda text: URL_RE.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', text)
    )
    usernames = list(dict.fromkeys(MENTION_RE.findall(body)))[:MAX_MENTIONS]
    mentioned = (
        list(get_user_model().objects.filter(username__in=usernames, is_active=True)) if usernames else []
    )
    known = {user.username: user for user in mentioned}

    def link_mentions(text: str) -> str:
        def one(match: re.Match) -> str:
            user = known.get(match.group(1))
            if user is None:
                return match.group(0)
            url = reverse("profiles:profile", args=[user.username])
            return f'<a class="mention" href="{escape(url)}">@{escape(user.username)}</a>'

        return MENTION_RE.sub(one, text)

    html = _outside_tags(html, link_mentions)
    return Rendered(html=sanitise(html), mentioned=mentioned)
