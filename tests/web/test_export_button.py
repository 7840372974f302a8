"""The vendor list's download buttons: CSV or Excel, of every vendor or of the filtered list."""

import csv
import io
from html import unescape

import pytest
from factories import soc2_body, vendor_body
from openpyxl import load_workbook
from web.support import WebClient


@pytest.fixture
def vendors(analyst) -> None:
    """Three vendors: one approved (a SOC 2 on file), two blocked, one of them a formula."""
    acme = analyst.post("/api/v1/vendors", json=vendor_body(name="Acme Cloud", tier="high")).json()
    analyst.post(f"/api/v1/vendors/{acme['id']}/evidence", json=soc2_body())
    analyst.post("/api/v1/vendors", json=vendor_body(name="Brightwater", tier="critical"))
    analyst.post("/api/v1/vendors", json=vendor_body(name="=cmd|' /C calc'!A0", tier="critical"))


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _links(html: str) -> list[str]:
    return [unescape(part.split('"')[0]) for part in html.split('href="/export/vendors')[1:]]


def test_the_list_offers_csv_and_excel_downloads_to_readers_too(web_reader: WebClient, vendors):
    html = web_reader.get("/vendors").text
    assert "Download all 3 vendors" in " ".join(html.split())
    assert _links(html) == ["?format=csv", "?format=xlsx"]
    assert "Download CSV" in html and "Download Excel (.xlsx)" in html


def test_the_csv_download_holds_every_vendor_with_its_status(web_reader: WebClient, vendors):
    response = web_reader.get("/export/vendors?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="vendors-2026-06-15.csv"'
    rows = _rows(response)
    assert {r["name"]: r["status"] for r in rows} == {
        "Acme Cloud": "approved",
        "Brightwater": "blocked",
        "'=cmd|' /C calc'!A0": "blocked",  # a formula is neutralised
    }


def test_the_downloads_honour_the_lists_filters(web_analyst: WebClient, vendors):
    html = web_analyst.get("/vendors?status=blocked&q=bright").text
    assert "Download the 1 vendor these filters show" in " ".join(html.split())
    csv_link, xlsx_link = _links(html)
    assert csv_link == "?format=csv&q=bright&status=blocked"
    rows = _rows(web_analyst.get("/export/vendors" + csv_link))
    assert [r["name"] for r in rows] == ["Brightwater"]
    blocked = _rows(web_analyst.get("/export/vendors?format=csv&status=blocked"))
    assert sorted(r["name"] for r in blocked) == ["'=cmd|' /C calc'!A0", "Brightwater"]


def test_the_excel_download_is_a_workbook_of_the_same_rows(web_analyst: WebClient, vendors):
    response = web_analyst.get("/export/vendors?format=xlsx&tier=high")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["content-disposition"].endswith('filename="vendors-2026-06-15.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert [r[header.index("name")] for r in rows[1:]] == ["Acme Cloud"]


def test_unknown_parameters_fall_back_instead_of_failing(web_reader: WebClient, vendors):
    response = web_reader.get("/export/vendors?format=exe&status=bogus&tier=%00")
    assert response.status_code == 200 and len(_rows(response)) == 3


def test_the_download_needs_a_login(web: WebClient, vendors):
    response = web.get("/export/vendors?format=csv", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_empty_list_offers_no_download(web_reader: WebClient):
    assert "/export/vendors" not in web_reader.get("/vendors").text
