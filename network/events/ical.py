"""iCalendar (RFC 5545) output: just what Puente's calendars need, no dependency.

- content lines end with CRLF (3.1) and are folded so no line is longer than 75 octets,
  continuation lines starting with one space, never splitting a UTF-8 character;
- TEXT values escape backslash, semicolon and comma, and write newlines as ``\\n`` (3.3.11);
- times are UTC in the form 19980119T070000Z (3.3.5, form #2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
PRODID = "-//Puente//Events//EN"


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash first, then ; and , and every kind of newline."""
    value = str(value)
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return _strip_controls(value)


def _strip_controls(value: str) -> str:
    # CONTROL characters other than HTAB are not allowed in property values (3.1).
    return "".join(char for char in value if char == "\t" or not (ord(char) < 0x20 or ord(char) == 0x7F))


def uri_value(value: str) -> str:
    """A URI value is not escaped, but may not break the line."""
    return _strip_controls(str(value).replace("\r", "").replace("\n", ""))


def format_utc(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("iCalendar times need an aware datetime")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets joined by CRLF + space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_LINE_OCTETS:
        return line
    chunks, current, size = [], [], 0
    limit = MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append("".join(current))
            current, size = [], 0
            limit = MAX_LINE_OCTETS - 1  # the leading space counts
        current.append(char)
        size += width
    chunks.append("".join(current))
    return (CRLF + " ").join(chunks)


def content_line(name: str, value: str) -> str:
    return fold(f"{name}:{value}")


@dataclass(frozen=True)
class VEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    stamp: datetime
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"  # TENTATIVE, CONFIRMED or CANCELLED
    last_modified: datetime | None = None
    language: str = ""

    def lines(self) -> list[str]:
        summary_name = f"SUMMARY;LANGUAGE={self.language}" if self.language else "SUMMARY"
        lines = [
            "BEGIN:VEVENT",
            content_line("UID", uri_value(self.uid)),
            content_line("DTSTAMP", format_utc(self.stamp)),
            content_line("DTSTART", format_utc(self.starts_at)),
            content_line("DTEND", format_utc(self.ends_at)),
            content_line(summary_name, escape_text(self.summary)),
        ]
        if self.description:
            lines.append(content_line("DESCRIPTION", escape_text(self.description)))
        if self.location:
            lines.append(content_line("LOCATION", escape_text(self.location)))
        if self.url:
            lines.append(content_line("URL", uri_value(self.url)))
        lines.append(content_line("STATUS", self.status))
        if self.last_modified:
            lines.append(content_line("LAST-MODIFIED", format_utc(self.last_modified)))
        lines.append("END:VEVENT")
        return lines


def calendar(events: list[VEvent], *, name: str = "", description: str = "") -> str:
    """A whole VCALENDAR object as text with CRLF line endings."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        content_line("PRODID", PRODID),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if name:
        lines.append(content_line("X-WR-CALNAME", escape_text(name)))
        lines.append(content_line("NAME", escape_text(name)))
    if description:
        lines.append(content_line("X-WR-CALDESC", escape_text(description)))
    for event in events:
        lines.extend(event.lines())
    lines.append("END:VCALENDAR")
    return CRLF.join(lines) + CRLF
