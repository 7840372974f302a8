"""Exporting vendors: current status and evidence, formula-safe cells, CSV and xlsx, streamed."""

import csv
import io
import re
from datetime import date

import hypothesis.strategies as st
import pytest
from bulk.data import to_csv, vendor_rows
from bulk.test_import_vendors import run
from conftest import TEST_TODAY
from factories import iso_body, soc2_body, vendor_body
from hypothesis import given
from openpyxl import load_workbook

from app import db
from app.bulk import exporting
from app.bulk.csvfile import neutralise, unneutralise
from app.bulk.exporting import EXPORT_COLUMNS, export_vendors

HOSTILE = {
    "name": '=HYPERLINK("http://evil.example")',
    "services": "+1 555 0100",
    "owner_email": "",
    "tier": "low",
}


def export(fmt: str = "csv", today: date = TEST_TODAY) -> bytes:
    with db.session_scope(writes=False) as session:
        return b"".join(export_vendors(session=session, fmt=fmt, today=today).chunks)


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def acme(analyst) -> dict:
    vendor = analyst.post("/api/v1/vendors", json=vendor_body(name="Acme", tier="high")).json()
    url = f"/api/v1/vendors/{vendor['id']}/evidence"
    assert analyst.post(url, json=soc2_body(opinion="qualified")).status_code == 201
    assert analyst.post(url, json=iso_body()).status_code == 201
    return vendor


def test_each_vendor_with_status_flags_report_and_certificate(acme):
    (row,) = csv_rows(export())
    assert list(row) == list(EXPORT_COLUMNS)
    assert (row["name"], row["tier"], row["status"]) == ("Acme", "high", "conditional")
    assert "SOC2_OPINION_QUALIFIED (high)" in row["flags"]
    assert row["next_review_on"] == "2026-12-31"  # 90 days before the report goes stale
    assert (row["soc2_report_type"], row["soc2_period_start"], row["soc2_period_end"]) == (
        "type2",
        "2025-04-01",
        "2026-03-31",
    )
    assert (row["soc2_opinion"], row["iso_expires_on"]) == ("qualified", "2029-01-09")


def test_the_status_is_evaluated_for_the_day_of_the_export(acme):
    (row,) = csv_rows(export(today=date(2027, 6, 1)))  # the report went stale on 2027-03-31
    assert row["status"] == "blocked"
    assert "SOC2_STALE (block)" in row["flags"]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_and_back(value):
    assert neutralise(value) == "'" + value
    assert unneutralise(neutralise(value)) == value
    assert neutralise("plain") == unneutralise("plain") == "plain"
    assert unneutralise("'quoted") == "'quoted"


@given(st.text(alphabet="=+-@\t\r\n,;| 'ax", max_size=12))
def test_neutralise_is_undone_exactly_and_leaves_no_piece_a_formula(value):
    guarded = neutralise(value)
    assert unneutralise(guarded) == value
    pieces = re.split(r"[,;\t|\r\n]", guarded)
    assert not [p for p in pieces[1:] if p.lstrip(" ").startswith(("=", "+", "-", "@"))]
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(database_url, start):
    run(to_csv([{"name": f"{start}cmd|' /C calc'!A0", "tier": "low"}]))
    raw = export().decode("utf-8-sig")
    assert f"'{start}cmd" in raw
    (row,) = csv_rows(export())
    assert row["name"] == f"'{start}cmd|' /C calc'!A0"


def test_an_export_imports_back_unchanged(database_url):
    original = vendor_rows(300)
    assert run(to_csv(original)).created == 300
    exported = export().decode("utf-8-sig")
    assert {r["name"] for r in csv_rows(exported.encode())} == {r["name"] for r in original}
    report = run(exported)
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 300, [])
    services = {r["name"]: r["services"] for r in original}
    for row in csv_rows(exported.encode()):
        assert unneutralise(row["services"]) == services[row["name"]]


def test_xlsx_has_the_same_rows_and_no_formulas(database_url):
    run(to_csv([HOSTILE, {"name": "Plain Ltd", "tier": "medium"}]))
    workbook = load_workbook(io.BytesIO(export("xlsx")))
    sheet = workbook["Vendors"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == list(EXPORT_COLUMNS)
    assert [v[0] for v in values[1:]] == ["'" + HOSTILE["name"], "Plain Ltd"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_rows_are_read_a_batch_at_a_time(database_url, monkeypatch):
    run(to_csv(vendor_rows(25)))
    monkeypatch.setattr(exporting, "BATCH", 10)
    with db.session_scope(writes=False) as session:
        batches = list(exporting.iter_rows(session=session, today=TEST_TODAY))
    assert [len(b) for b in batches] == [10, 10, 5]


def test_the_api_streams_csv_and_xlsx_to_readers(reader, anonymous, acme):
    response = reader.get("/api/v1/exports/vendors")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        response.headers["content-disposition"] == 'attachment; filename="vendors-2026-06-15.csv"'
    )
    assert csv_rows(response.content)[0]["name"] == "Acme"
    response = reader.get("/api/v1/exports/vendors", params={"format": "xlsx"})
    assert load_workbook(io.BytesIO(response.content))["Vendors"]["A2"].value == "Acme"
    assert reader.get("/api/v1/exports/vendors", params={"format": "pdf"}).status_code == 422
    assert anonymous.get("/api/v1/exports/vendors").status_code == 401
