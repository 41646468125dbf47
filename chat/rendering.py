"""Message bodies: a Markdown subset → HTML safe for every reader (stored on the message).

Chat keeps to inline Markdown (bold, italics, code, links) plus lists, quotes and code
blocks. Headings, rules and images are not Markdown here: "# 5" or "---" stay what the
member typed. HTML typed in a message is shown as text, never interpreted. After the
nh3 allow-list the shared helpers of `network.markup` link bare URLs and `@username`s
and turn a message that is only a link to a public library page into a card.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import markdown

from network import markup

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
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
MAX_MENTIONS = 20
MAX_CARDS = 2  # each card is a few queries at send time

# Parts of Python-Markdown chat does without (see the module docstring).
UNUSED_PREPROCESSORS = ("html_block",)
UNUSED_BLOCK_PROCESSORS = ("hashheader", "setextheader", "hr")
UNUSED_INLINE_PATTERNS = ("html", "image_link", "image_reference", "short_image_ref")

_local = threading.local()


@dataclass
class Rendered:
    html: str
    mentioned: list = field(default_factory=list)  # active members named with @username


def _markdown() -> markdown.Markdown:
    """This thread's converter (a Markdown instance is not thread-safe; building one per
    message would cost more than the conversion)."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(extensions=["fenced_code", "nl2br", "sane_lists"])
        for name in UNUSED_PREPROCESSORS:
            converter.preprocessors.deregister(name)
        for name in UNUSED_BLOCK_PROCESSORS:
            converter.parser.blockprocessors.deregister(name)
        for name in UNUSED_INLINE_PATTERNS:
            converter.inlinePatterns.deregister(name)
        _local.converter = converter
    return converter.reset()


def sanitise(html: str) -> str:
    return markup.sanitise(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES)


def render(body: str) -> Rendered:
    html = sanitise(_markdown().convert(body or ""))
    html = markup.walk_text(html, markup.linkify)
    html, mentioned = markup.link_mentions(html, limit=MAX_MENTIONS)
    html = markup.library_cards(html, limit=MAX_CARDS)
    return Rendered(html=html, mentioned=mentioned)
