import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connections
from django.http import StreamingHttpResponse
from django.test import AsyncClient
from django.utils import timezone

from network.institutions.tests.factories import CertificationFactory, InstitutionFactory, country
from network.institutions.views import spreadsheet_safe

pytestmark = pytest.mark.django_db

URL = "/network/institutions/export.csv"
HEADER = [
    "Institution",
    "Acronym",
    "Country code",
    "Country",
    "Type",
    "Website",
    "Standard",
    "Scope",
    "Certifying body",
    "Valid from",
    "Valid until",
    "Status",
]


def read(response) -> tuple[bytes, list[list[str]]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def data():
    today = timezone.localdate()
    police = InstitutionFactory(name="Policía Nacional del Perú", acronym="PNP", country=country("PE"))
    CertificationFactory(
        institution=police,
        standard="ISO 9001:2015",
        scope="Police records",
        certifying_body="SGS del Perú",
        valid_from=date(2025, 1, 1),
        valid_until=today + timedelta(days=500),
    )
    CertificationFactory(
        institution=police,
        standard="ISO 37001:2016",
        scope="Procurement",
        valid_from=date(2020, 1, 1),
        valid_until=today - timedelta(days=1),
    )
    InstitutionFactory(name="Jamaica Constabulary Force", acronym="JCF", country=country("JM"), website="")
    return police


def test_visitors_are_sent_to_log_in(client, data):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["outsider", "vetted", "manager"])
def test_members_and_network_managers_may_not_export(client, data, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403


def test_staff_get_one_row_per_institution_and_certification_in_utf8_with_a_bom(staff_client, data):
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="institutions-')
    body, rows = read(response)
    assert body.startswith(b"\xef\xbb\xbf")
    assert rows[0] == HEADER
    assert rows[1] == [
        "Jamaica Constabulary Force",
        "JCF",
        "JM",
        "Jamaica",
        "Police force",
        "",
        "",
        "",
        "",
        "",
        "",
        "Not certified",
    ]
    peru = [row for row in rows if row[2] == "PE"]
    assert len(peru) == 2
    assert peru[0][:10] == [
        "Policía Nacional del Perú",
        "PNP",
        "PE",
        "Peru",
        "Police force",
        "https://police.example.org",
        "ISO 37001:2016",
        "Procurement",
        "Bureau Veritas",
        "2020-01-01",
    ]
    assert peru[0][11] == "Expired"
    assert peru[1][6] == "ISO 9001:2015" and peru[1][11] == "Valid"
    assert len(rows) == 4


def test_the_export_speaks_the_staff_members_language(staff_client, data):
    _body, rows = read(staff_client.get("/es" + URL))
    assert rows[0] != HEADER
    assert any(row[3] == "Perú" for row in rows)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Normal name", "Normal name"),
        ("", ""),
        (None, ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_neutralised(value, expected):
    assert spreadsheet_safe(value) == expected


def test_a_hostile_institution_cannot_inject_a_formula(staff_client):
    institution = InstitutionFactory(name='=cmd|" /C calc"!A0', acronym="+X", country=country("CO"))
    CertificationFactory(institution=institution, standard="@evil", scope="-1", certifying_body="=1+1")
    _body, rows = read(staff_client.get(URL))
    row = rows[1]
    assert row[0] == '\'=cmd|" /C calc"!A0'
    assert row[1] == "'+X"
    assert row[6:9] == ["'@evil", "'-1", "'=1+1"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_export_streams_with_a_fixed_number_of_queries(staff_client, django_assert_max_num_queries):
    for number in range(40):
        CertificationFactory(institution=InstitutionFactory(name=f"Inst {number}"))
    with django_assert_max_num_queries(15):
        _body, rows = read(staff_client.get(URL))
    assert len(rows) == 41


# A real transaction: the request runs in another thread.
@pytest.mark.django_db(transaction=True)
async def test_under_asgi_the_export_streams_from_an_async_iterator(staff, data, monkeypatch):
    from asgiref.sync import sync_to_async

    monkeypatch.setattr("network.institutions.views.EXPORT_CHUNK", 2)  # several chunks

    client = AsyncClient()
    await sync_to_async(client.force_login)(staff)
    try:
        response = await client.get(URL)
        chunks = [chunk async for chunk in response.streaming_content]
    finally:
        # The worker thread's connection would keep the test database from being dropped.
        await sync_to_async(connections.close_all)()
    assert response.status_code == 200
    assert response.is_async
    assert len(chunks) == 4  # the header, then one line at a time
    body = b"".join(chunks)
    assert body.startswith(b"\xef\xbb\xbf")
    assert len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) == 4
