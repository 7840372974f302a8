"""Issue 14, item 9: a formula after a separator inside a cell. Every CSV cell is quoted, and no
piece of any cell, however a spreadsheet splits it, starts with a formula trigger; the export
still imports back unchanged through `vetted import`; the XLSX export holds no formula."""

import csv
import io
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from reliability.support import COUNTS, finding_closed
from typer.testing import CliRunner
from web.support import make_user, sign_in

from app.cli import app as cli

HOSTILE = {  # field: value, each with a trigger after a separator, or at the start
    "name": "x;=1+1;y",
    "services": "Payroll|@SUM(A1:A9);\t+cmd|' /C calc'!A0,  -2+3\n=HYPERLINK(\"http://evil\")",
    "domain": "semi.example",
}
OTHERS = [
    {"name": "Comma, =1+1 Ltd", "services": "'=already quoted", "tier": "low"},
    {"name": "Pipe|-5 GmbH", "services": "a;'b", "tier": "low"},
    {"name": "'s-Hertogenbosch Data", "services": "plain", "tier": "low"},
]
PIECE = re.compile(r"[,;\t|\r\n]")
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _exports(app, reader) -> list[str]:
    with TestClient(app) as web:
        sign_in(web, make_user("reader@example.com", "reader"))
        return [reader.get("/api/v1/exports/vendors").text, web.get("/export/vendors").text]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_every_cell_is_quoted_and_no_piece_of_one_is_a_formula(app, analyst, reader):
    for body in ({**HOSTILE, "tier": "high"}, *OTHERS):
        assert analyst.post("/api/v1/vendors", json=body).status_code == 201
    for text in _exports(app, reader):
        rows = _cells(text)
        again = io.StringIO(newline="")
        csv.writer(again, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
        assert again.getvalue() == text.removeprefix("\ufeff")  # every cell was quoted
        for cell in (cell for row in rows for cell in row):
            pieces = PIECE.split(cell) if cell else []
            started = [p for p in pieces if p.lstrip(" ").startswith(TRIGGERS)]
            assert not started and not cell.startswith(TRIGGERS), cell
            COUNTS["hostile: export cells checked for formulas"] += 1
        names = [row[0] for row in rows[1:]]
        assert "x;'=1+1;y" in names and "Comma, '=1+1 Ltd" in names
    finding_closed("9 formulas after a separator")


def test_the_export_imports_back_unchanged(app, analyst, reader, tmp_path):
    for body in ({**HOSTILE, "tier": "high"}, *OTHERS):
        assert analyst.post("/api/v1/vendors", json=body).status_code == 201
    exported = tmp_path / "vendors.csv"
    exported.write_bytes(reader.get("/api/v1/exports/vendors").content)
    result = CliRunner().invoke(cli, ["import", "vendors", str(exported)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 4 unchanged" in result.output
    stored = {v["name"]: v for v in reader.get("/api/v1/vendors").json()["items"]}
    assert stored["x;=1+1;y"]["services"] == HOSTILE["services"]
    assert stored["Comma, =1+1 Ltd"]["services"] == "'=already quoted"
    finding_closed("9 formulas after a separator")


def test_the_xlsx_export_holds_no_formula(app, analyst, reader):
    assert analyst.post("/api/v1/vendors", json={**HOSTILE, "tier": "high"}).status_code == 201
    content = reader.get("/api/v1/exports/vendors", params={"format": "xlsx"}).content
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    assert "x;'=1+1;y" in [cell.value for cell in cells]
    finding_closed("9 formulas after a separator")
