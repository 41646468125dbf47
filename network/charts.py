"""Charts and maps drawn on the server as inline SVG: no JavaScript, no outside service.

Each function returns a `Chart`: the SVG markup (safe: every text goes through
`format_html`/`escape`, every link through `safe_href`), plus the same numbers as rows
for a data table, the accessible alternative. The SVG scales to its container
(`viewBox`, `width="100%"`), has `role="img"` and is labelled by its `<title>` and
`<desc>`.

    chart = bar_chart([("Chile", 3), ("Peru", 1)], title="Certified institutions")
    {{ chart }}            the SVG
    {{ chart.table }}      a <table> with a caption and header cells

Colours come from the Okabe-Ito palette (distinct for the common colour-vision
deficiencies); line series also differ by dash pattern and marker, so colour is never
the only cue. The text in the SVG uses presentation attributes, not `style`, because the
Content-Security-Policy forbids inline styles.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.utils import dateformat, formats
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SVG_NS = "http://www.w3.org/2000/svg"
INK = "#1b2430"
MUTED = "#4a5565"
GRID = "#d5dbe3"
BAR = "#0b4f8a"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

# Okabe-Ito, reordered so the first ones have at least 3:1 contrast on white.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#8A6100")
SERIES_DASHES = ("", "6 3", "2 3", "8 3 2 3")
SERIES_MARKERS = ("circle", "square", "diamond", "triangle")

# Sequential blues for the map (ColorBrewer), light to dark, with a text colour readable
# on each; a zero value gets a neutral tile.
MAP_CLASSES = (
    ("#c6dbef", INK),
    ("#9ecae1", INK),
    ("#6baed6", INK),
    ("#2171b5", "#ffffff"),
    ("#08306b", "#ffffff"),
)
MAP_ZERO = ("#eef0f3", INK)


@dataclass(frozen=True)
class Chart:
    """A drawn chart and its numbers. `rows[i][0]` is the row header (a label)."""

    id: str
    title: str
    svg: SafeString
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    links: tuple[str | None, ...] = field(default=())
    summary: str = ""

    def __html__(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.svg

    @property
    def is_empty(self) -> bool:
        return not self.rows

    def table(self) -> SafeString:
        """The data table alternative: caption, column headers and row headers."""
        head = format_html_join("", '<th scope="col">{}</th>', ((column,) for column in self.columns))
        body = []
        for index, row in enumerate(self.rows):
            link = self.links[index] if index < len(self.links) else None
            label = format_html('<a href="{}">{}</a>', link, row[0]) if link else escape(row[0])
            cells = format_html_join("", "<td>{}</td>", ((_display(value),) for value in row[1:]))
            body.append(format_html('<tr><th scope="row">{}</th>{}</tr>', label, cells))
        if not body:
            colspan = max(1, len(self.columns))
            body.append(format_html('<tr><td colspan="{}">{}</td></tr>', colspan, _("No data")))
        return format_html(
            '<table class="chart-data" id="{}-data"><caption>{}</caption><thead><tr>{}</tr></thead>'
            "<tbody>{}</tbody></table>",
            self.id,
            self.title,
            head,
            mark_safe("".join(body)),  # noqa: S308 (each row was built with format_html)
        )


# --- helpers (pure, unit-tested) -------------------------------------------------------------


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n at least `value` (1 for zero or less)."""
    if not value or value <= 0 or math.isnan(value) or math.isinf(value):
        return 1
    exponent = math.floor(math.log10(value))
    base = 10**exponent
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * base + 1e-12 * base:
            return step * base
    return 10 * base


def axis_ticks(maximum: float, *, count: int = 4) -> list[float]:
    """Evenly spaced round ticks from 0 covering `maximum` (0..1 for an empty or zero axis)."""
    if not maximum or maximum <= 0:
        return [0, 1]
    step = nice_ceiling(maximum / count)
    if float(maximum).is_integer() and step < 1:
        step = 1
    top = math.ceil(maximum / step - 1e-9) * step
    ticks, tick = [], 0.0
    while tick <= top + step / 1000:
        ticks.append(int(tick) if float(step).is_integer() else round(tick, 10))
        tick += step
    return ticks


def scale(value: float, maximum: float, length: float) -> float:
    """Where `value` falls on an axis of `length` that ends at `maximum` (0 when maximum is 0)."""
    if not maximum or maximum <= 0 or not value or value <= 0:
        return 0.0
    return min(length, length * value / maximum)


_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]+")


def safe_href(url: Any) -> str | None:
    """`url` if it is a relative link or http(s)/mailto, else None (no `javascript:`, `data:`)."""
    if not url:
        return None
    text = str(url)
    squeezed = _CONTROL.sub("", text)  # browsers ignore these inside a scheme
    if squeezed.startswith("//"):
        return None
    try:
        parts = urlsplit(squeezed)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("", "http", "https", "mailto"):
        return None
    if not parts.scheme and ":" in squeezed.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return None
    return text.strip()


def truncate(text: Any, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"


def number(value: Any) -> str:
    """A value as readers of the current language write it (1,234.5 / 1.234,5)."""
    if value is None:
        return "–"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        return formats.number_format(round(value, 2), decimal_pos=None, use_l10n=True, force_grouping=True)
    if isinstance(value, int):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def _display(value: Any) -> str:
    if isinstance(value, date):
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    return number(value) if isinstance(value, int | float) or value is None else str(value)


def _coordinate(value: float) -> str:
    """SVG coordinates: always a dot, at most two decimals, whatever the language."""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def _chart_id(kind: str, title: str, data: Any, given: str | None) -> str:
    if given:
        return re.sub(r"[^A-Za-z0-9_-]", "-", given)
    digest = hashlib.sha1(f"{kind}|{title}|{data!r}".encode(), usedforsecurity=False).hexdigest()[:10]
    return f"chart-{kind}-{digest}"


def _svg(chart_id: str, kind: str, width: float, height: float, title: str, desc: str, body) -> SafeString:
    return format_html(
        '<svg xmlns="{}" class="chart chart-{}" id="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMidYMin meet" role="img" aria-labelledby="{}-title {}-desc" '
        'font-family="{}" font-size="12" fill="{}">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        SVG_NS,
        kind,
        chart_id,
        _coordinate(width),
        _coordinate(height),
        chart_id,
        chart_id,
        FONT,
        INK,
        chart_id,
        title,
        chart_id,
        desc,
        body,
    )


def _numeric(value: Any) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(result) or math.isinf(result) else result


def _link(link: Callable[[Any], Any] | None, key: Any) -> str | None:
    return safe_href(link(key)) if link else None


# --- bar chart -------------------------------------------------------------------------------

BAR_WIDTH = 320
BAR_ROW = 40
BAR_THICKNESS = 14
BAR_PAD = 6
BAR_VALUE_SPACE = 56
BAR_LABEL_CHARS = 48


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    width: float
    y: float
    link: str | None


def bar_layout(rows: Sequence[tuple[Any, Any]], *, max_bars: int = 40, width: float = BAR_WIDTH) -> list[Bar]:
    """The bars drawn: the first `max_bars` rows, scaled to the largest value (negative as 0)."""
    shown = list(rows)[: max(0, max_bars)]
    values = [max(0.0, _numeric(value)) for _label, value in shown]
    maximum = max(values, default=0.0)
    length = width - 2 * BAR_PAD - BAR_VALUE_SPACE
    return [
        Bar(
            label=str(label),
            value=_numeric(raw),
            width=scale(value, maximum, length),
            y=BAR_PAD + index * BAR_ROW,
            link=None,
        )
        for index, ((label, raw), value) in enumerate(zip(shown, values, strict=True))
    ]


def bar_chart(
    rows: Iterable[tuple[Any, Any]],
    *,
    title: str,
    max_bars: int = 40,
    value_label: str | None = None,
    label_header: str | None = None,
    link: Callable[[Any], Any] | None = None,
    chart_id: str | None = None,
) -> Chart:
    """Horizontal bars, one per (label, value), each label above its bar so that long names
    stay readable on a phone. Rows past `max_bars` are left out of the drawing (the
    description says so) but kept in the data table. `link(label)` may give each bar a URL."""
    rows = [(label, value) for label, value in rows]
    title = str(title)
    chart_id = _chart_id("bar", title, rows, chart_id)
    bars = bar_layout(rows, max_bars=max_bars)
    height = max(BAR_ROW, BAR_PAD * 2 + len(bars) * BAR_ROW)
    links = tuple(_link(link, label) for label, _value in rows)
    parts = []
    for index, bar in enumerate(bars):
        shown_label = truncate(bar.label, BAR_LABEL_CHARS)
        bar_top = bar.y + 18
        group = format_html(
            '<g class="bar"><title>{}: {}</title>'
            '<text x="{}" y="{}">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"></rect>'
            '<text x="{}" y="{}" fill="{}" font-weight="600">{}</text></g>',
            bar.label,
            number(bar.value),
            BAR_PAD,
            _coordinate(bar.y + 12),
            shown_label,
            BAR_PAD,
            _coordinate(bar_top),
            _coordinate(bar.width),
            BAR_THICKNESS,
            BAR,
            _coordinate(BAR_PAD + bar.width + 4),
            _coordinate(bar_top + BAR_THICKNESS - 3),
            INK,
            number(bar.value),
        )
        href = links[index]
        parts.append(format_html('<a href="{}">{}</a>', href, group) if href else group)
    if not bars:
        parts.append(format_html('<text x="{}" y="{}" fill="{}">{}</text>', BAR_PAD, 24, MUTED, _("No data")))
    if rows:
        top_label, top_value = max(rows, key=lambda row: _numeric(row[1]))
        summary = ngettext(
            "%(count)d item; the highest is %(label)s with %(value)s.",
            "%(count)d items; the highest is %(label)s with %(value)s.",
            len(rows),
        ) % {"count": len(rows), "label": top_label, "value": number(_numeric(top_value))}
        if len(rows) > len(bars):
            summary += " " + _("The chart shows the first %(shown)d; the table lists all %(count)d.") % {
                "shown": len(bars),
                "count": len(rows),
            }
    else:
        summary = _("No data")
    svg = _svg(chart_id, "bar", BAR_WIDTH, height, title, summary, mark_safe("".join(parts)))  # noqa: S308
    return Chart(
        id=chart_id,
        title=title,
        svg=svg,
        columns=(str(label_header or _("Item")), str(value_label or _("Value"))),
        rows=tuple((str(label), value) for label, value in rows),
        links=links,
        summary=summary,
    )


# --- line chart ------------------------------------------------------------------------------

LINE_WIDTH = 400
LINE_PLOT_HEIGHT = 180
LINE_LEFT = 44
LINE_RIGHT = 28
LINE_BOTTOM = 30
LEGEND_ROW = 18
MAX_X_LABELS = 7


def x_positions(count: int, *, left: float, width: float) -> list[float]:
    if count <= 0:
        return []
    if count == 1:
        return [left + width / 2]
    return [left + index * width / (count - 1) for index in range(count)]


def _x_keys(series: Mapping[Any, Sequence[tuple[Any, Any]]]) -> list[Any]:
    keys: list[Any] = []
    seen = set()
    for points in series.values():
        for key, _value in points:
            if key not in seen:
                seen.add(key)
                keys.append(key)
    if keys and all(isinstance(key, date) for key in keys):
        keys.sort()
    return keys


def _x_label(key: Any, previous: Any) -> str:
    if isinstance(key, date):
        month = dateformat.format(key, "M")
        if previous is None or previous.year != key.year:
            return f"{month} {key.year}"
        return month
    return truncate(key, 10)


def _marker(shape: str, x: float, y: float, colour: str, tooltip: str) -> SafeString:
    tip = format_html("<title>{}</title>", tooltip)
    if shape == "square":
        return format_html(
            '<rect x="{}" y="{}" width="7" height="7" fill="{}">{}</rect>',
            _coordinate(x - 3.5),
            _coordinate(y - 3.5),
            colour,
            tip,
        )
    if shape == "diamond":
        points = f"{_coordinate(x)},{_coordinate(y - 5)} {_coordinate(x + 5)},{_coordinate(y)} "
        points += f"{_coordinate(x)},{_coordinate(y + 5)} {_coordinate(x - 5)},{_coordinate(y)}"
        return format_html('<polygon points="{}" fill="{}">{}</polygon>', points, colour, tip)
    if shape == "triangle":
        points = f"{_coordinate(x)},{_coordinate(y - 5)} {_coordinate(x + 5)},{_coordinate(y + 4)} "
        points += f"{_coordinate(x - 5)},{_coordinate(y + 4)}"
        return format_html('<polygon points="{}" fill="{}">{}</polygon>', points, colour, tip)
    return format_html(
        '<circle cx="{}" cy="{}" r="4" fill="{}">{}</circle>', _coordinate(x), _coordinate(y), colour, tip
    )


def line_chart(
    series: Mapping[Any, Sequence[tuple[Any, Any]]],
    *,
    title: str,
    x_header: str | None = None,
    chart_id: str | None = None,
) -> Chart:
    """One line per series over shared x values (months as `date`s, sorted, or labels in
    order of appearance). A series without a value for some x has a gap there."""
    title = str(title)
    names = [str(name) for name in series]
    chart_id = _chart_id("line", title, {str(k): list(v) for k, v in series.items()}, chart_id)
    keys = _x_keys(series)
    lookup = [dict(points) for points in series.values()]
    maximum = max((_numeric(v) for points in lookup for v in points.values() if v is not None), default=0.0)
    ticks = axis_ticks(maximum)
    top_value = ticks[-1]
    legend_height = LEGEND_ROW * len(names) + 6
    plot_top = legend_height + 8
    plot_width = LINE_WIDTH - LINE_LEFT - LINE_RIGHT
    plot_bottom = plot_top + LINE_PLOT_HEIGHT
    height = plot_bottom + LINE_BOTTOM
    xs = x_positions(len(keys), left=LINE_LEFT, width=plot_width)

    def y_of(value: float) -> float:
        return plot_bottom - scale(max(0.0, value), top_value, LINE_PLOT_HEIGHT)

    parts = []
    for index, name in enumerate(names):  # legend
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        dash = SERIES_DASHES[index % len(SERIES_DASHES)]
        y = 4 + index * LEGEND_ROW + LEGEND_ROW / 2
        parts.append(
            format_html(
                '<g class="legend-item"><line x1="4" y1="{}" x2="30" y2="{}" stroke="{}" '
                'stroke-width="2.5"{}></line>{}<text x="36" y="{}">{}</text></g>',
                _coordinate(y),
                _coordinate(y),
                colour,
                format_html(' stroke-dasharray="{}"', dash) if dash else "",
                _marker(SERIES_MARKERS[index % len(SERIES_MARKERS)], 17, y, colour, name),
                _coordinate(y + 4),
                truncate(name, 50),
            )
        )
    for tick in ticks:  # horizontal grid and y labels
        y = y_of(tick)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"></line>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
                LINE_LEFT,
                _coordinate(y),
                LINE_LEFT + plot_width,
                _coordinate(y),
                GRID,
                LINE_LEFT - 6,
                _coordinate(y + 4),
                MUTED,
                number(tick),
            )
        )
    every = max(1, math.ceil(len(keys) / MAX_X_LABELS))
    previous = None
    for index, (key, x) in enumerate(zip(keys, xs, strict=True)):  # x labels
        if index % every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                    _coordinate(x),
                    _coordinate(plot_bottom + 18),
                    MUTED,
                    _x_label(key, previous),
                )
            )
            previous = key
    for index, (name, points) in enumerate(zip(names, lookup, strict=True)):  # the lines
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        dash = SERIES_DASHES[index % len(SERIES_DASHES)]
        shape = SERIES_MARKERS[index % len(SERIES_MARKERS)]
        segments: list[list[str]] = [[]]
        markers = []
        for key, x in zip(keys, xs, strict=True):
            value = points.get(key)
            if value is None:
                segments.append([])
                continue
            y = y_of(_numeric(value))
            segments[-1].append(f"{_coordinate(x)},{_coordinate(y)}")
            markers.append(
                _marker(shape, x, y, colour, f"{name} – {_display(key)}: {number(_numeric(value))}")
            )
        lines = format_html_join(
            "",
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{}></polyline>',
            (
                (" ".join(segment), colour, format_html(' stroke-dasharray="{}"', dash) if dash else "")
                for segment in segments
                if len(segment) > 1
            ),
        )
        parts.append(
            format_html('<g class="series">{}{}</g>', lines, mark_safe("".join(markers)))  # noqa: S308
        )
    if not keys:
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="{}">{}</text>',
                LINE_LEFT + 8,
                _coordinate(plot_top + LINE_PLOT_HEIGHT / 2),
                MUTED,
                _("No data"),
            )
        )
    summary = (
        ngettext(
            "%(count)d series over %(points)d points; the highest value is %(value)s.",
            "%(count)d series over %(points)d points; the highest value is %(value)s.",
            len(names),
        )
        % {"count": len(names), "points": len(keys), "value": number(maximum)}
        if keys
        else _("No data")
    )
    svg = _svg(chart_id, "line", LINE_WIDTH, height, title, summary, mark_safe("".join(parts)))  # noqa: S308
    rows = tuple((_display(key), *(points.get(key) for points in lookup)) for key in keys)
    return Chart(
        id=chart_id,
        title=title,
        svg=svg,
        columns=(str(x_header or _("Month")), *names),
        rows=rows,
        summary=summary,
    )


# --- tile map --------------------------------------------------------------------------------

TILE = 44
TILE_GAP = 4
MAP_PAD = 4
LEGEND_SWATCH = 18
LEGEND_FONT = 14


@dataclass(frozen=True)
class MapClass:
    low: float
    high: float
    fill: str
    text: str


def map_classes(maximum: float, *, count: int = len(MAP_CLASSES)) -> list[MapClass]:
    """Equal steps from 0 (exclusive) to `maximum`; whole-number bounds for whole-number data,
    and never more classes than whole numbers to put in them."""
    if not maximum or maximum <= 0:
        return []
    whole = float(maximum).is_integer()
    if whole:
        count = min(count, int(maximum))
    palette = MAP_CLASSES[len(MAP_CLASSES) - count :] if count < len(MAP_CLASSES) else MAP_CLASSES
    classes = []
    for index in range(count):
        low = maximum * index / count
        high = maximum * (index + 1) / count
        if whole:
            low, high = math.floor(low) + 1, math.floor(high)
        fill, text = palette[index]
        classes.append(MapClass(low=low, high=high, fill=fill, text=text))
    return classes


def map_class_for(value: float, classes: Sequence[MapClass]) -> tuple[str, str]:
    """(fill, text colour) of `value`: the neutral tile for 0, else the class holding it."""
    if not classes or value <= 0:
        return MAP_ZERO
    for cls in classes:
        if value <= cls.high + 1e-9:
            return cls.fill, cls.text
    return classes[-1].fill, classes[-1].text


def tile_map(
    values: Mapping[str, Any],
    countries: Iterable[Any],
    *,
    title: str,
    link: Callable[[str], Any] | None = None,
    value_label: str | None = None,
    describe: Callable[[Any, Any], str] | None = None,
    chart_id: str | None = None,
) -> Chart:
    """One square per country at (`map_row`, `map_col`), shaded by its value, labelled with
    its ISO code; its `<title>` gives the name and value (`describe(country, value)`), and
    `link(code)` may make each tile a link. A legend explains the shades."""
    title = str(title)
    countries = list(countries)
    values = {str(code): _numeric(value) for code, value in values.items()}
    chart_id = _chart_id("map", title, sorted(values.items()), chart_id)
    maximum = max(values.values(), default=0.0)
    classes = map_classes(maximum)
    columns = max((country.map_col for country in countries), default=0) + 1
    rows = max((country.map_row for country in countries), default=0) + 1
    width = MAP_PAD * 2 + columns * (TILE + TILE_GAP) - TILE_GAP
    grid_height = MAP_PAD * 2 + rows * (TILE + TILE_GAP) - TILE_GAP
    legend_entries = [(MAP_ZERO, number(0))] + [
        (
            (cls.fill, cls.text),
            number(cls.low) if cls.low == cls.high else f"{number(cls.low)}–{number(cls.high)}",
        )
        for cls in classes
    ]
    legend_top = grid_height + 8
    height = legend_top + 24 + len(legend_entries) * (LEGEND_SWATCH + 6)

    def describe_default(country, value):
        return f"{country.name}: {number(value)}"

    describe = describe or describe_default
    tiles = []
    table_rows = []
    links = []
    for country in sorted(countries, key=lambda c: (c.map_row, c.map_col)):
        code = str(country.code)
        value = values.get(code, 0.0)
        fill, text = map_class_for(value, classes)
        x = MAP_PAD + country.map_col * (TILE + TILE_GAP)
        y = MAP_PAD + country.map_row * (TILE + TILE_GAP)
        tile = format_html(
            '<g class="tile" data-code="{}" data-value="{}"><title>{}</title>'
            '<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="{}" stroke="{}"></rect>'
            '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-weight="700" font-size="15">{}</text>'
            '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="13">{}</text></g>',
            code,
            _coordinate(value),
            describe(country, value),
            x,
            y,
            TILE,
            TILE,
            fill,
            "#8793a3" if value <= 0 else fill,
            _coordinate(x + TILE / 2),
            _coordinate(y + 20),
            text,
            code,
            _coordinate(x + TILE / 2),
            _coordinate(y + 37),
            text,
            number(value),
        )
        href = _link(link, code)
        tiles.append(format_html('<a href="{}">{}</a>', href, tile) if href else tile)
    for country in sorted(countries, key=lambda c: str(c.name)):
        table_rows.append((str(country.name), values.get(str(country.code), 0.0)))
        links.append(_link(link, str(country.code)))
    legend = [
        format_html(
            '<text x="{}" y="{}" font-weight="600" font-size="{}">{}</text>',
            MAP_PAD,
            _coordinate(legend_top + 14),
            LEGEND_FONT,
            value_label or _("Value"),
        )
    ]
    for index, ((fill, _text), label) in enumerate(legend_entries):
        y = legend_top + 24 + index * (LEGEND_SWATCH + 6)
        legend.append(
            format_html(
                '<g class="legend-item"><rect x="{}" y="{}" width="{}" height="{}" fill="{}" '
                'stroke="#8793a3"></rect><text x="{}" y="{}" font-size="{}">{}</text></g>',
                MAP_PAD,
                _coordinate(y),
                LEGEND_SWATCH,
                LEGEND_SWATCH,
                fill,
                MAP_PAD + LEGEND_SWATCH + 8,
                _coordinate(y + 14),
                LEGEND_FONT,
                label,
            )
        )
    with_value = sum(1 for country in countries if values.get(str(country.code), 0) > 0)
    summary = _("%(with)d of %(count)d countries have a value above zero; the highest is %(max)s.") % {
        "with": with_value,
        "count": len(countries),
        "max": number(maximum),
    }
    svg = _svg(
        chart_id,
        "map",
        width,
        height,
        title,
        summary,
        mark_safe("".join(tiles) + "".join(legend)),  # noqa: S308 (parts built with format_html)
    )
    return Chart(
        id=chart_id,
        title=title,
        svg=svg,
        columns=(str(_("Country")), str(value_label or _("Value"))),
        rows=tuple((name, int(value) if value.is_integer() else value) for name, value in table_rows),
        links=tuple(links),
        summary=summary,
    )
