"""Parse the DPS activity sheets (pdf-to-text output) into programme records.

The file is what `pdftotext` made of six one-page forms. Each form has a column of labels
(OAS Pillar, Name of Activity, Date, Target Beneficiaries, Additional Information, Donor
Countries) whose values were written elsewhere in the text stream, and three boxes
(PROGRAM SUMMARY, OBJECTIVES, RESULTS) whose headings come first and whose text comes
later, always in the order objectives, results, summary. What the parser relies on:

- a sheet starts at its "PROGRAM SUMMARY" heading; the short lines printed *before* that
  heading but after the previous sheet's last paragraph (target beneficiaries and the
  wrapped further-information URL) belong to the sheet that follows;
- box text is made of full-width lines (a wrapped paragraph); a short line continues a
  paragraph when the full-width line before it ends mid-sentence;
- the pillar is the first word of the line block just above the start date (one of the
  OAS pillars), the rest of that block is the activity's name;
- donors sit between the "Additional Information" and "Donor Countries" labels (";"
  separates several), the end date ("… to", or "Completion" for an open end) follows
  "Donor Countries";
- box text before the name block is objectives, then results (then summary when no text
  follows the end date). Boxes are told apart by a gap holding a whitespace-only line;
  where the PDF left none, objectives are the leading paragraphs that open with a verb of
  purpose ("To establish…", "Promote…") and the summary is the first paragraph that
  presents the programme itself ("…is implementing this Program…").
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

# The OAS pillars (a sheet names one of them above its activity name).
PILLARS = ("Security", "Democracy", "Human Rights", "Integral Development")
LABELS = {
    "program summary": "summary",
    "objectives": "objectives",
    "results": "results",
    "oas pillar": "pillar",
    "name of activity": "name",
    "name of the activity": "name",
    "date": "date",
    "target beneficiaries": "beneficiaries",
    "additional information": "info",
    "donor countries": "donors",
}
DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
END_RE = re.compile(r"^(?P<value>.*?)\s*\bto$")
WIDE = 60  # a line at least this long is paragraph text, never a form value
TERMINATORS = tuple('.;:"”')
PURPOSE_RE = re.compile(
    r"^(To [a-z]+|Promote|Strengthen|Contribute|Create|Foster|Support|Improve|Develop|Establish)\b"
)
PRESENTS_PROGRAMME_RE = re.compile(
    r"\b(is implementing this (program|programme|initiative)|developed this initiative|"
    r"this (program|programme) (aims|seeks))\b",
    re.IGNORECASE,
)


class ActivitySheetError(ValueError):
    """The text does not look like the activity sheets (a label or a value is missing)."""


@dataclass
class ProgrammeRecord:
    pillar: str
    name: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    end_label: str  # "" or what stood instead of a date ("Completion")
    donors: list[str]
    beneficiaries: str
    links: list[str]
    objectives: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)


@dataclass
class _Line:
    number: int
    raw: str
    text: str
    gap: list[str]  # the blank lines (raw) just before this one

    @property
    def label(self) -> str | None:
        return LABELS.get(" ".join(self.text.lower().split()))


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    gap: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            gap.append(raw)
            continue
        lines.append(_Line(number=number, raw=raw.rstrip("\n"), text=raw.strip(), gap=gap))
        gap = []
    return lines


def _mark_text_lines(lines: list[_Line]) -> list[bool]:
    """True for lines that belong to box paragraphs (wide lines and their short last lines)."""
    marks: list[bool] = []
    for index, line in enumerate(lines):
        if line.label:
            marks.append(False)
            continue
        if len(line.text) >= WIDE:
            marks.append(True)
            continue
        previous = lines[index - 1] if index else None
        marks.append(
            bool(
                previous is not None
                and marks[index - 1]
                and len(previous.text) >= WIDE
                and not previous.text.endswith(TERMINATORS)
                and len(line.gap) <= 1
            )
        )
    return marks


def _join(parts: list[str]) -> str:
    out = ""
    for part in parts:
        if not out:
            out = part
        elif out.endswith("-") and not out.endswith(" -"):
            out += part  # a hyphenated word or a URL broken at the column edge
        else:
            out += " " + part
    return re.sub(r"\s+", " ", out).strip()


def _is_box_break(line: _Line) -> bool:
    # A gap of three or more blank lines, one of them holding only spaces: the PDF's
    # space between two boxes (a single " " line also occurs inside a box).
    return len(line.gap) >= 3 and any(raw.strip() == "" and raw != "" for raw in line.gap)


def _paragraphs(run: list[_Line]) -> list[tuple[str, bool]]:
    """Group a run of text lines into paragraphs: (text, starts after a box break)."""
    if not run:
        return []
    width = max(len(line.text) for line in run)
    paragraphs: list[list[_Line]] = [[run[0]]]
    breaks = [False]
    for previous, line in zip(run, run[1:], strict=False):
        box_break = _is_box_break(line)
        ended = previous.text.endswith(TERMINATORS)
        short = len(previous.text) < 0.88 * width
        single_spaced = not previous.gap
        new_paragraph = box_break or (bool(line.gap) and ended and (short or single_spaced))
        if new_paragraph:
            paragraphs.append([line])
            breaks.append(box_break)
        else:
            paragraphs[-1].append(line)
    return [
        (_join([line.text for line in lines]), brk) for lines, brk in zip(paragraphs, breaks, strict=True)
    ]


def _split_boxes(paragraphs: list[tuple[str, bool]], count: int) -> list[list[str]]:
    """Split paragraphs into `count` consecutive boxes (objectives, results[, summary])."""
    boxes: list[list[str]] = [[]]
    for text, box_break in paragraphs:
        if box_break and boxes[-1]:
            boxes.append([])
        boxes[-1].append(text)
    # Too few boxes: the PDF left no space between some of them; use the wording.
    if len(boxes) < count and len(boxes[0]) > 1:
        first = boxes[0]
        purpose = 0
        while purpose < len(first) and PURPOSE_RE.match(first[purpose]):
            purpose += 1
        if 0 < purpose < len(first):
            boxes[0:1] = [first[:purpose], first[purpose:]]
    if len(boxes) < count:
        for position in range(len(boxes) - 1, -1, -1):
            box = boxes[position]
            starts = [i for i, text in enumerate(box) if i and PRESENTS_PROGRAMME_RE.search(text)]
            if starts:
                boxes[position : position + 1] = [box[: starts[0]], box[starts[0] :]]
                break
    while len(boxes) < count:
        boxes.append([])
    if len(boxes) > count:
        boxes[count - 1 :] = [[text for box in boxes[count - 1 :] for text in box]]
    return boxes


def _pillar_of(text: str) -> str:
    return next((p for p in PILLARS if text == p or text.startswith(p + " ")), "")


def _parse_date(value: str) -> datetime.date | None:
    match = DATE_RE.match(value.strip())
    if not match:
        return None
    month, day, year = (int(part) for part in match.groups())
    return datetime.date(year, month, day)


def _parse_sheet(lines: list[_Line], marks: list[bool], preamble: list[_Line]) -> ProgrammeRecord:
    labels = {line.label: index for index, line in enumerate(lines) if line.label}
    for required in ("summary", "pillar", "info", "donors"):
        if required not in labels:
            raise ActivitySheetError(f"line {lines[0].number}: no '{required}' label in this sheet")

    # The start date: the first lone date before the label column.
    start_index = next(
        (i for i in range(labels["pillar"]) if not marks[i] and DATE_RE.match(lines[i].text)),
        None,
    )
    if start_index is None:
        raise ActivitySheetError(f"line {lines[labels['pillar']].number}: no start date above the labels")
    # The name block: the short lines between the last paragraph and the start date; the
    # pillar opens its first line that starts with a pillar (the beneficiaries and the
    # URL may come before it on sheets whose boxes precede the form).
    block_start = start_index
    while block_start > 0 and not marks[block_start - 1] and not lines[block_start - 1].label:
        block_start -= 1
    pillar_index = next(
        (i for i in range(block_start, start_index) if _pillar_of(lines[i].text)),
        None,
    )
    if pillar_index is None:
        raise ActivitySheetError(f"line {lines[start_index].number}: no pillar above the start date")
    first = lines[pillar_index].text
    pillar = _pillar_of(first)
    name = _join(
        [first[len(pillar) :].strip()] + [line.text for line in lines[pillar_index + 1 : start_index]]
    )

    donors_text = _join(
        [line.text for line in lines[labels["info"] + 1 : labels["donors"]] if not line.label]
    )
    donors = [donor.strip() for donor in donors_text.split(";") if donor.strip()]

    after_donors = labels["donors"] + 1
    if after_donors >= len(lines):
        raise ActivitySheetError(f"line {lines[labels['donors']].number}: no end date")
    end_text = lines[after_donors].text
    cursor = after_donors + 1
    match = END_RE.match(end_text)
    if match:
        end_text = match.group("value")
    elif cursor < len(lines) and lines[cursor].text == "to":
        cursor += 1
    end_date = _parse_date(end_text)
    end_label = "" if end_date else end_text

    # Loose values: the preamble and the short lines between the boxes and the name.
    loose = list(preamble) + [
        line
        for i, line in enumerate(lines[:pillar_index])
        if not marks[i] and not line.label and i > labels["summary"]
    ]
    links: list[str] = []
    beneficiaries: list[str] = []
    index = 0
    while index < len(loose):
        text = loose[index].text
        if text.startswith(("http://", "https://")):
            parts = [text]
            index += 1
            while index < len(loose) and " " not in loose[index].text:
                parts.append(loose[index].text)
                index += 1
            links.append("".join(parts))
            continue
        beneficiaries.append(text)
        index += 1

    before = [line for i, line in enumerate(lines[:pillar_index]) if marks[i]]
    after = [line for i, line in enumerate(lines[cursor:], start=cursor) if marks[i]]
    paragraphs_before = _paragraphs(before)
    if after:
        objectives, results = _split_boxes(paragraphs_before, 2)
        summary = [text for text, _brk in _paragraphs(after)]
    else:
        objectives, results, summary = _split_boxes(paragraphs_before, 3)

    return ProgrammeRecord(
        pillar=pillar,
        name=name,
        start_date=_parse_date(lines[start_index].text),
        end_date=end_date,
        end_label=end_label,
        donors=donors,
        beneficiaries=_join(beneficiaries),
        links=links,
        objectives=objectives,
        results=results,
        summary=summary,
    )


def parse_activity_sheets(text: str) -> list[ProgrammeRecord]:
    """All the sheets in `text`, in file order. Raises ActivitySheetError on a broken file."""
    lines = _lines(text)
    marks = _mark_text_lines(lines)
    starts = [i for i, line in enumerate(lines) if line.label == "summary"]
    if not starts:
        raise ActivitySheetError("no 'PROGRAM SUMMARY' heading: not an activity-sheets file")
    records: list[ProgrammeRecord] = []
    preamble: list[_Line] = [line for line in lines[: starts[0]] if not line.label]
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        chunk, chunk_marks = lines[start:end], marks[start:end]
        # Short lines after this sheet's last paragraph belong to the next sheet.
        donors_at = next((i for i, line in enumerate(chunk) if line.label == "donors"), None)
        tail_from = len(chunk)
        if donors_at is not None:
            last_text = max((i for i, mark in enumerate(chunk_marks) if mark and i > donors_at), default=None)
            if last_text is not None:
                tail_from = last_text + 1
        records.append(_parse_sheet(chunk[:tail_from], chunk_marks[:tail_from], preamble))
        preamble = [line for line in chunk[tail_from:] if not line.label]
    return records


def read_activity_sheets(path: Path) -> list[ProgrammeRecord]:
    return parse_activity_sheets(Path(path).read_text(encoding="utf-8"))
