"""iCalendar output against RFC 5545: escaping (3.3.11), folding (3.1), CRLF, UTC times."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from network.events import ical
from network.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_text_values_escape_backslashes_semicolons_commas_and_newlines():
    assert ical.escape_text("a,b;c\\d\ne\r\nf\rg") == "a\\,b\\;c\\\\d\\ne\\nf\\ng"


def test_backslashes_are_escaped_before_the_escapes_are_added():
    assert ical.escape_text("\\,") == "\\\\\\,"


def test_control_characters_are_dropped_from_values():
    assert ical.escape_text("bell\x07 and tab\t") == "bell and tab\t"
    assert ical.uri_value("https://x.example/\r\nX-INJECTED:1") == "https://x.example/X-INJECTED:1"


def test_short_lines_are_not_folded():
    line = "SUMMARY:" + "x" * 67
    assert len(line.encode()) == 75
    assert ical.fold(line) == line


def test_long_lines_are_folded_at_75_octets_and_unfold_to_the_original():
    line = "DESCRIPTION:" + "abcdefghij" * 30
    folded = ical.fold(line)
    physical = folded.split("\r\n")
    assert len(physical) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in physical)
    assert all(part.startswith(" ") for part in physical[1:])
    assert len(physical[0].encode()) == 75
    assert unfold(folded) == line


def test_folding_never_splits_a_multibyte_character():
    line = "SUMMARY:" + "Sécurité portuaire — 安全 " * 12
    folded = ical.fold(line)
    for part in folded.encode("utf-8").split(b"\r\n"):
        assert len(part) <= 75
        part.decode("utf-8")  # raises if a character was cut in two
    assert unfold(folded) == line


def test_times_are_written_in_utc_with_a_z():
    bogota = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("America/Bogota"))
    assert ical.format_utc(bogota) == "20261205T150000Z"
    with pytest.raises(ValueError):
        ical.format_utc(datetime(2026, 12, 5, 10, 0))  # noqa: DTZ001 (naive on purpose)


def test_a_calendar_uses_crlf_everywhere_and_wraps_its_events():
    stamp = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    event = ical.VEvent(
        uid="event-1@puente.example",
        stamp=stamp,
        starts_at=stamp,
        ends_at=stamp,
        summary="Line one\nline two, long " + "x" * 100,
    )
    text = ical.calendar([event], name="Puente; test")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = unfold(text)
    assert "SUMMARY:Line one\\nline two\\, long " in unfolded
    assert "X-WR-CALNAME:Puente\\; test" in unfolded
    assert unfolded.count("BEGIN:VEVENT") == 1 and unfolded.count("END:VEVENT") == 1


def test_the_event_ics_is_an_rfc_5545_attachment(client, network):
    event = EventFactory(
        network=network,
        title="Port security; ISPS Code, day 1\\2",
        description="Bring your ID.\nLunch provided, coffee too; welcome!",
        starts_at=datetime(2026, 12, 5, 15, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 5, 22, 0, tzinfo=UTC),
        venue_name="Hyatt, Port of Spain",
        venue_city="Port of Spain",
        country_id="TT",
        time_zone="America/Port_of_Spain",
        slug="port-security",
    )
    response = client.get(f"/network/events/{event.slug}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="port-security.ics"'
    text = response.content.decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))
    lines = unfold(text).split("\r\n")
    assert "DTSTART:20261205T150000Z" in lines
    assert "DTEND:20261205T220000Z" in lines
    assert "SUMMARY;LANGUAGE=en:Port security\\; ISPS Code\\, day 1\\\\2" in lines
    assert "DESCRIPTION:Bring your ID.\\nLunch provided\\, coffee too\\; welcome!" in lines
    assert "LOCATION:Hyatt\\, Port of Spain\\, Port of Spain\\, Trinidad and Tobago" in lines
    assert "URL:http://localhost:8000/network/events/port-security/" in lines
    assert "STATUS:CONFIRMED" in lines
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert lines.count("BEGIN:VEVENT") == 1


def test_the_uid_stays_the_same_when_the_event_is_renamed(client, network):
    event = EventFactory(network=network, slug="first-name")
    uid = [
        line
        for line in client.get("/network/events/first-name.ics").content.decode().split("\r\n")
        if line.startswith("UID:")
    ]
    event.title = "A new title"
    event.slug = "second-name"
    event.save()
    again = [
        line
        for line in client.get("/network/events/second-name.ics").content.decode().split("\r\n")
        if line.startswith("UID:")
    ]
    assert uid == again == [f"UID:event-{event.pk}@localhost"]


def test_a_cancelled_event_is_cancelled_in_the_calendar(client, network):
    event = EventFactory(network=network, status="cancelled")
    lines = unfold(client.get(f"/network/events/{event.slug}.ics").content.decode()).split("\r\n")
    assert "STATUS:CANCELLED" in lines


def test_an_unknown_event_ics_gets_a_404(client):
    assert client.get("/network/events/no-such-event.ics").status_code == 404
