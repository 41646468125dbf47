"""network/charts.py: the maths, empty data, and hostile labels."""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

import pytest
from django.utils import formats, translation

from network import charts
from tests.hostile_input import hostile_payloads

SVG = "{http://www.w3.org/2000/svg}"


PAYLOADS = hostile_payloads() + ["</title><script>alert(1)</script>"]


@dataclass
class FakeCountry:
    code: str
    name: str
    map_row: int
    map_col: int


COUNTRIES = [
    FakeCountry("CA", "Canada", 0, 2),
    FakeCountry("US", "United States", 1, 2),
    FakeCountry("MX", "Mexico", 2, 0),
    FakeCountry("CO", "Colombia", 8, 3),
    FakeCountry("CL", "Chile", 11, 3),
]


def parse(svg) -> ET.Element:
    """The markup must be well-formed XML: anything unescaped would break this."""
    return ET.fromstring(str(svg))  # noqa: S314 (our own markup, in a test)


def assert_inert(markup: str) -> None:
    """No script element, no event-handler attribute, no script URL: checked on the parsed
    tree (text that merely *reads* "onerror=" inside a <text> is harmless and allowed)."""
    assert "<script" not in markup.lower()
    root = ET.fromstring(f"<root>{markup}</root>")  # noqa: S314
    for element in root.iter():
        tag = element.tag.split("}")[-1].lower()
        assert tag not in ("script", "iframe", "object", "embed", "foreignobject", "img", "style"), tag
        for name, value in element.attrib.items():
            local = name.split("}")[-1].lower()
            assert not local.startswith("on"), (name, value)
            assert local != "style", (name, value)
            squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
            assert not squeezed.startswith(("javascript:", "data:", "vbscript:")), (name, value)


# --- scales --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 1), (-3, 1), (0.3, 0.5), (1, 1), (7, 10), (12, 20), (21, 25), (99, 100), (101, 200), (2400, 2500)],
)
def test_nice_ceiling_rounds_up_to_a_round_number(value, expected):
    assert charts.nice_ceiling(value) == pytest.approx(expected)


def test_axis_ticks_start_at_zero_cover_the_maximum_and_are_evenly_spaced():
    for maximum in (1, 3, 7, 10, 33, 99, 250, 1234, 0.3):
        ticks = charts.axis_ticks(maximum)
        assert ticks[0] == 0
        assert ticks[-1] >= maximum
        steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
        assert len(steps) == 1
        assert len(ticks) <= 7


def test_axis_ticks_of_an_empty_or_zero_axis_go_from_zero_to_one():
    assert charts.axis_ticks(0) == [0, 1]
    assert charts.axis_ticks(-5) == [0, 1]


def test_scale_is_proportional_and_safe_with_a_zero_maximum():
    assert charts.scale(5, 10, 300) == 150
    assert charts.scale(10, 10, 300) == 300
    assert charts.scale(20, 10, 300) == 300  # never past the end
    assert charts.scale(5, 0, 300) == 0
    assert charts.scale(-2, 10, 300) == 0


def test_bar_layout_scales_to_the_largest_value():
    bars = charts.bar_layout([("a", 10), ("b", 5), ("c", 0)])
    length = charts.BAR_WIDTH - 2 * charts.BAR_PAD - charts.BAR_VALUE_SPACE
    assert [bar.width for bar in bars] == [pytest.approx(length), pytest.approx(length / 2), 0]
    assert bars[1].y - bars[0].y == charts.BAR_ROW


def test_bar_layout_with_only_zeros_draws_empty_bars():
    assert [bar.width for bar in charts.bar_layout([("a", 0), ("b", 0)])] == [0, 0]


def test_map_classes_use_whole_numbers_and_no_more_classes_than_values():
    classes = charts.map_classes(2)
    assert [(c.low, c.high) for c in classes] == [(1, 1), (2, 2)]
    classes = charts.map_classes(10)
    assert len(classes) == 5
    assert classes[0].low == 1 and classes[-1].high == 10
    for before, after in zip(classes, classes[1:], strict=False):
        assert after.low == before.high + 1
    assert charts.map_classes(0) == []


def test_map_class_for_zero_is_neutral_and_the_maximum_is_darkest():
    classes = charts.map_classes(10)
    assert charts.map_class_for(0, classes) == charts.MAP_ZERO
    assert charts.map_class_for(10, classes)[0] == charts.MAP_CLASSES[-1][0]
    assert charts.map_class_for(1, classes)[0] == charts.MAP_CLASSES[0][0]


# --- bar chart -----------------------------------------------------------------------------------


def test_a_bar_chart_is_an_accessible_responsive_svg():
    chart = charts.bar_chart([("Chile", 3), ("Peru", 1)], title="Certified institutions")
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 ")
    title = root.find(f"{SVG}title")
    assert title.text == "Certified institutions"
    assert title.get("id") in root.get("aria-labelledby").split()
    assert root.find(f"{SVG}desc").get("id") in root.get("aria-labelledby").split()
    assert len(root.findall(f".//{SVG}rect")) == 2


def test_a_bar_chart_with_no_rows_says_so_and_has_an_empty_table():
    chart = charts.bar_chart([], title="Nothing")
    parse(chart)
    assert "No data" in str(chart)
    assert chart.is_empty
    assert "No data" in chart.table()


def test_a_bar_chart_of_zeros_draws_zero_width_bars():
    root = parse(charts.bar_chart([("a", 0), ("b", 0)], title="Zeros"))
    assert [rect.get("width") for rect in root.iter(f"{SVG}rect")] == ["0", "0"]


def test_a_bar_chart_draws_at_most_max_bars_but_its_table_lists_every_row():
    rows = [(f"Country {n}", n) for n in range(50)]
    chart = charts.bar_chart(rows, title="Many", max_bars=40)
    assert len(parse(chart).findall(f".//{SVG}rect")) == 40
    assert len(chart.rows) == 50
    assert chart.table().count("<tr>") == 51  # header + 50
    assert "50" in chart.summary


def test_bar_chart_links_and_the_data_table_have_header_cells():
    chart = charts.bar_chart([("Chile", 3)], title="T", link=lambda label: f"/list/?c={label}")
    root = parse(chart)
    assert root.find(f"{SVG}a").get("href") == "/list/?c=Chile"
    table = chart.table()
    assert '<th scope="col">' in table
    assert '<th scope="row"><a href="/list/?c=Chile">Chile</a></th>' in table
    assert "<caption>T</caption>" in table


def test_numbers_are_written_as_in_the_readers_language():
    with translation.override("en"):
        assert ">1,234<" in str(charts.bar_chart([("a", 1234)], title="T"))
    with translation.override("es"):
        text = str(charts.bar_chart([("a", 1234.5), ("b", 1000)], title="T"))
        spanish = formats.number_format(1234.5, use_l10n=True, force_grouping=True)
        assert spanish != "1,234.5"
        assert f">{spanish}<" in text
        full = charts.BAR_WIDTH - 2 * charts.BAR_PAD - charts.BAR_VALUE_SPACE
        assert f' width="{full}" ' in text  # coordinates keep the dot whatever the language
        assert re.search(r'width="\d+\.\d+"', text)


# --- line chart ----------------------------------------------------------------------------------


def test_a_line_chart_draws_one_line_per_series_with_distinct_colours_and_a_legend():
    series = {
        "Enrolled": [(date(2026, 1, 1), 10), (date(2026, 2, 1), 20), (date(2026, 3, 1), 15)],
        "Completed": [(date(2026, 1, 1), 2), (date(2026, 2, 1), 8), (date(2026, 3, 1), 12)],
        "Certified": [(date(2026, 2, 1), 1), (date(2026, 3, 1), 5)],
    }
    chart = charts.line_chart(series, title="Courses")
    root = parse(chart)
    assert root.get("role") == "img"
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 3
    colours = [line.get("stroke") for line in lines]
    assert len(set(colours)) == 3
    assert all(colour in charts.SERIES_COLOURS for colour in colours)
    legend = [text.text for text in root.iter(f"{SVG}text") if text.text in series]
    assert legend == list(series)
    assert chart.columns[1:] == tuple(series)
    assert len(chart.rows) == 3
    assert chart.rows[0][3] is None  # "Certified" has no January value


def test_a_line_chart_sorts_months_and_puts_the_top_value_on_the_top_tick():
    chart = charts.line_chart(
        {"A": [(date(2026, 3, 1), 40), (date(2026, 1, 1), 0), (date(2026, 2, 1), 20)]}, title="Sorted"
    )
    root = parse(chart)
    points = [tuple(map(float, p.split(","))) for p in root.find(f".//{SVG}polyline").get("points").split()]
    xs = [x for x, _y in points]
    ys = [y for _x, y in points]
    assert xs == sorted(xs)
    plot_bottom = max(ys)
    assert ys[0] == plot_bottom  # January: 0
    assert ys[2] == pytest.approx(plot_bottom - charts.LINE_PLOT_HEIGHT)  # 40 is the top tick
    assert ys[1] == pytest.approx(plot_bottom - charts.LINE_PLOT_HEIGHT / 2)


def test_a_series_with_a_missing_month_has_a_gap_instead_of_a_false_line():
    chart = charts.line_chart(
        {
            "A": [(date(2026, 1, 1), 1), (date(2026, 2, 1), 2), (date(2026, 4, 1), 3), (date(2026, 5, 1), 4)],
            "B": [(date(2026, 3, 1), 1)],
        },
        title="Gap",
    )
    a_lines = [line for line in parse(chart).iter(f"{SVG}polyline") if line.get("stroke") == "#0072B2"]
    assert len(a_lines) == 2


def test_an_empty_line_chart_or_one_of_zeros_draws_without_dividing_by_zero():
    for series in ({}, {"A": []}, {"A": [(date(2026, 1, 1), 0), (date(2026, 2, 1), 0)]}):
        chart = charts.line_chart(series, title="Empty")
        parse(chart)
    assert "No data" in str(charts.line_chart({}, title="Empty"))


def test_a_line_chart_accepts_labels_instead_of_dates_in_their_order():
    chart = charts.line_chart({"A": [("Week 2", 1), ("Week 1", 2)]}, title="Labels")
    assert [row[0] for row in chart.rows] == ["Week 2", "Week 1"]


# --- tile map ------------------------------------------------------------------------------------


def test_a_tile_map_draws_one_labelled_tile_per_country_at_its_grid_position():
    chart = charts.tile_map(
        {"CO": 3, "CL": 1}, COUNTRIES, title="Map", link=lambda code: f"/x/?country={code}"
    )
    root = parse(chart)
    tiles = {g.get("data-code"): g for g in root.iter(f"{SVG}g") if g.get("class") == "tile"}
    assert set(tiles) == {c.code for c in COUNTRIES}
    colombia = tiles["CO"]
    rect = colombia.find(f"{SVG}rect")
    assert float(rect.get("x")) == charts.MAP_PAD + 3 * (charts.TILE + charts.TILE_GAP)
    assert float(rect.get("y")) == charts.MAP_PAD + 8 * (charts.TILE + charts.TILE_GAP)
    assert colombia.find(f"{SVG}title").text == "Colombia: 3"
    assert [t.text for t in colombia.findall(f"{SVG}text")] == ["CO", "3"]
    assert rect.get("fill") == charts.MAP_CLASSES[-1][0]
    assert tiles["CA"].find(f"{SVG}rect").get("fill") == charts.MAP_ZERO[0]
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert "/x/?country=CO" in links and len(links) == len(COUNTRIES)
    assert dict(chart.rows) == {"Canada": 0, "United States": 0, "Mexico": 0, "Colombia": 3, "Chile": 1}


def test_a_tile_map_has_a_legend_for_zero_and_each_class():
    root = parse(charts.tile_map({"CO": 10}, COUNTRIES, title="Map", value_label="Institutions"))
    legend = [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend-item"]
    assert len(legend) == 1 + 5
    labels = [g.find(f"{SVG}text").text for g in legend]
    assert labels[0] == "0" and labels[-1] == "9–10"
    assert "Institutions" in [t.text for t in root.iter(f"{SVG}text")]


def test_a_tile_map_with_no_values_shades_every_tile_as_zero():
    root = parse(charts.tile_map({}, COUNTRIES, title="Empty"))
    fills = {rect.get("fill") for g in root.iter(f"{SVG}g") if g.get("class") == "tile" for rect in g}
    assert charts.MAP_ZERO[0] in fills
    assert not {fill for fill, _text in charts.MAP_CLASSES} & fills


# --- hostile text --------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_labels_titles_and_series_names_are_inert(payload):
    outputs = [
        charts.bar_chart([(payload, 1), ("ok", 2)], title=payload, label_header=payload, value_label=payload),
        charts.line_chart({payload: [(payload, 1), ("x", 2)]}, title=payload),
        charts.tile_map(
            {"CO": 1},
            [FakeCountry("CO", payload, 0, 0)],
            title=payload,
            value_label=payload,
            link=lambda code: payload,
        ),
    ]
    for chart in outputs:
        parse(chart)
        assert_inert(str(chart))
        assert_inert(str(chart.table()))
        assert payload not in str(chart) or "<" not in payload and '"' not in payload


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "//evil.example.org/",
    ],
)
def test_links_to_scripts_or_other_sites_are_dropped(url):
    assert charts.safe_href(url) is None
    chart = charts.bar_chart([("a", 1)], title="T", link=lambda label: url)
    assert parse(chart).find(f"{SVG}a") is None
    assert "<a " not in chart.table()


@pytest.mark.parametrize(
    "url", ["/network/institutions/?country=CO", "?page=2", "https://example.org/x", "#top"]
)
def test_ordinary_links_are_kept(url):
    assert charts.safe_href(url) == url


def test_the_same_data_gives_the_same_ids_and_different_charts_different_ids():
    one = charts.bar_chart([("a", 1)], title="T")
    assert one.id == charts.bar_chart([("a", 1)], title="T").id
    assert one.id != charts.bar_chart([("a", 2)], title="T").id
    assert charts.bar_chart([("a", 1)], title="T", chart_id="my chart").id == "my-chart"
