import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from library.importers import ActivitySheetError, parse_activity_sheets, read_activity_sheets
from library.management.commands.import_activity_sheets import default_sheets_path
from library.models import ProgrammePage

SHEETS = default_sheets_path()
needs_file = pytest.mark.skipif(not SHEETS.is_file(), reason="the shared activity sheets are not here")

EXPECTED = [
    # name, start, end, end label, donors, beneficiaries, links, paragraphs (objectives, results, summary)
    (
        "Tourism Security Plan",
        datetime.date(2017, 7, 20),
        datetime.date(2017, 11, 1),
        "",
        ["Canada"],
        "",
        [],
        (2, 3, 3),
    ),
    (
        "Port Evaluations and Assessments",
        datetime.date(2017, 4, 12),
        datetime.date(2017, 12, 31),
        "",
        ["Canada"],
        "Agencies for port/maritime security in Costa Rica",
        [],
        (1, 3, 1),
    ),
    (
        "Inter-American Network for the Prevention of Violence and Crime",
        datetime.date(2016, 11, 29),
        None,
        "Completion",
        ["Guatemala"],
        "OAS 34 Member States",
        ["http://www.oas.org/ext/en/security/crime-prevention-network/"],
        (2, 2, 3),
    ),
    (
        "Inter-American Network for Police Development and Professionalization",
        datetime.date(2015, 7, 1),
        datetime.date(2020, 7, 1),
        "",
        ["Banco de Desarrollo de América Latina (CAF)", "Italy", "Honduras"],
        "Police Institutions of the 34 OAS Member States",
        [],
        (1, 2, 3),
    ),
    (
        "Program for the prevention of irregular Migration in Mesoamerica",
        datetime.date(2014, 6, 23),
        datetime.date(2017, 6, 23),
        "",
        ["European Union"],
        "Migrant and potential migrant populations, particularly groups in vulnerable contexts in Costa Rica",
        [
            "http://community.oas.org/public_security/programa_de_prevencin_de_la_migracin_irregular_en_mesoamrica"
            "/b/weblog/default.aspx"
        ],
        (1, 1, 2),
    ),
    (
        "Strengthening of Institutions Specialized in the Assistance and Protection of Victims, "
        "Witnesses, and other individuals involved in criminal proceedings related to Organized Crime "
        "in Central America",
        datetime.date(2015, 6, 19),
        datetime.date(2017, 6, 16),
        "",
        ["Spain (AECID)"],
        "Institutions specialized in assistance and protection of victims and witneses in Costa Rica",
        [],
        (1, 1, 2),
    ),
]

# The first and last words of each box, read by eye in the file.
BOXES = [
    (
        ("The execution of this plan", "roadmap for a National Security Plan."),
        ("Among the expected results are", "to develop a Tourism Security Plan."),
        ("In 2016, the Tourism Security Program of CICTE", "scheduled to begin on July 2017."),
    ),
    (
        ("Contribute to strengthening maritime/port security", "maritime security overall in the Americas."),
        ("In conjunction with external experts", "overall port security has been bolstered."),
        ("The Maritime Security Program aims", "identified during the assessment process."),
    ),
    (
        ("To establish a dialogue and consultation mechanism", "peaceful societies in the hemisphere."),
        ("In 2016, the Network was officially launched", "among different actors and stakeholders."),
        ("The Inter-American Network for the Prevention", "The Fund is managed by the DPS."),
    ),
    (
        (
            "To contribute in a systematic and ongoing manner",
            "accreditation of the courses by renowned universities.",
        ),
        (
            "In the framework of the Interamerican Police Network",
            "among police institutions in the Americas.",
        ),
        ("The Department of Public Security (DPS) has created", "academic knowledge and police practices."),
    ),
    (
        ("Promote and support strategies for the prevention", "persons with disabilities, and LGBT persons."),
        ("There is a national diagnostic report", "comprehensively with the needs of Irregular migrants."),
        (
            "The OAS Department of Public Security, in coordination with IOM",
            "need of special attention and specific protection.",
        ),
    ),
    (
        ("Strengthen the specialized institutions", "particularly in drug trafficking and organized crime”."),
        ("Among the results achieved by this initiative", "an official request of this nature."),
        (
            "Within the framework of the Central American Security Strategy",
            "witnesses among these countries.",
        ),
    ),
]


@needs_file
def test_the_parser_reads_the_six_sheets_exactly_as_printed():
    records = read_activity_sheets(SHEETS)
    assert len(records) == 6
    for record, expected, boxes in zip(records, EXPECTED, BOXES, strict=True):
        name, start, end, end_label, donors, beneficiaries, links, counts = expected
        assert record.pillar == "Security"
        assert record.name == name
        assert record.start_date == start
        assert record.end_date == end
        assert record.end_label == end_label
        assert record.donors == donors
        assert record.beneficiaries == beneficiaries
        assert record.links == links
        sections = (record.objectives, record.results, record.summary)
        assert tuple(len(section) for section in sections) == counts, name
        for section, (first, last) in zip(sections, boxes, strict=True):
            assert section[0].startswith(first), (name, section[0][:60])
            assert section[-1].endswith(last), (name, section[-1][-60:])


@needs_file
def test_the_parser_joins_words_and_urls_broken_at_the_column_edge():
    police = read_activity_sheets(SHEETS)[3]
    assert "identified in the needs-assessment and to reduce" in police.summary[1]
    assert "University of São Paulo" in police.summary[2]
    assert all("  " not in paragraph for paragraph in police.summary)


def test_the_parser_refuses_a_file_that_is_not_activity_sheets():
    with pytest.raises(ActivitySheetError):
        parse_activity_sheets("Just some text\nwith no sheets in it\n")


def test_the_parser_reports_a_sheet_with_a_missing_label():
    with pytest.raises(ActivitySheetError):
        parse_activity_sheets(" PROGRAM SUMMARY \n\nOBJECTIVES\n\nSecurity Something\n\n1/2/2020\n")


@needs_file
@pytest.mark.django_db
def test_the_command_creates_six_programmes_and_a_second_run_creates_none():
    out = StringIO()
    call_command("import_activity_sheets", stdout=out, stderr=StringIO())
    assert "6 created" in out.getvalue()
    assert ProgrammePage.objects.count() == 6
    call_command("import_activity_sheets", stdout=out, stderr=StringIO())
    assert "0 created, 6 updated" in out.getvalue()
    assert ProgrammePage.objects.count() == 6

    police = ProgrammePage.objects.get(
        source_key="inter-american-network-for-police-development-and-professionalization"
    )
    assert (
        police.url
        == "/library/programmes/inter-american-network-for-police-development-and-professionalization/"
    )
    assert police.donor_list() == ["Banco de Desarrollo de América Latina (CAF)", "Italy", "Honduras"]
    # Italy is not a member state: kept in the text list, not linked.
    assert sorted(police.donor_countries.values_list("code", flat=True)) == ["HN"]
    assert police.status == "completed"
    network = ProgrammePage.objects.get(
        title="Inter-American Network for the Prevention of Violence and Crime"
    )
    assert network.status == "ongoing"  # open end ("Completion")
    assert network.end_label == "Completion"
    victims = ProgrammePage.objects.get(source_key__startswith="strengthening-of-institutions")
    assert victims.donor_list() == ["Spain (AECID)"]
    assert not victims.donor_countries.exists()
    assert list(victims.countries.values_list("code", flat=True)) == ["CR"]
    assert victims.year == 2015


@pytest.mark.django_db
def test_the_command_says_clearly_when_the_file_is_missing(tmp_path):
    with pytest.raises(CommandError, match="not found"):
        call_command("import_activity_sheets", str(tmp_path / "nope.txt"))


@pytest.mark.django_db
def test_the_command_says_clearly_when_the_file_is_not_activity_sheets(tmp_path):
    path = Path(tmp_path / "other.txt")
    path.write_text("hello\n", encoding="utf-8")
    with pytest.raises(CommandError, match="PROGRAM SUMMARY"):
        call_command("import_activity_sheets", str(path))
    assert ProgrammePage.objects.count() == 0


@pytest.mark.django_db
def test_status_follows_the_dates_against_today():
    page = ProgrammePage(start_date=datetime.date(2030, 1, 1), end_date=datetime.date(2031, 1, 1))
    assert page.status == "planned"
    assert page.status_on(datetime.date(2030, 6, 1)) == "ongoing"
    assert page.status_on(datetime.date(2031, 1, 2)) == "completed"
