"""`vetted import vendors|evidence` and `vetted export` on the command line."""

import csv
import io

from bulk.data import to_csv, vendor_rows
from bulk.test_import_evidence import SOC2
from factories import count, rows
from openpyxl import load_workbook
from typer.testing import CliRunner

from app.bulk.importing_evidence import EVIDENCE_COLUMNS
from app.cli import app
from app.models import AuditEntry, Evidence, Vendor

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def write(tmp_path, text: str, name: str = "vendors.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_dry_run_lists_what_would_happen_and_writes_nothing(database_url, tmp_path, session):
    result = run("import", "vendors", write(tmp_path, to_csv(vendor_rows(3))), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would create  line 2: Vendor 00000" in result.stdout
    assert "dry run, nothing written: 3 rows — would be 3 created" in result.stdout
    assert count(session, Vendor) == 0


def test_import_then_a_second_run_changes_nothing(database_url, tmp_path, session):
    path = write(tmp_path, to_csv(vendor_rows(20)))
    result = run("import", "vendors", path)
    assert result.exit_code == 0, result.output
    assert "imported 20 rows" in result.stdout and "20 created" in result.stdout
    assert "importing" in result.stderr  # the progress bar
    assert {e.actor for e in rows(session, AuditEntry, entity="vendor")} == {"cli"}
    assert "20 unchanged" in run("import", "vendors", path).stdout


def test_bad_rows_are_listed_with_their_lines_and_exit_1(database_url, tmp_path, session):
    text = to_csv([*vendor_rows(2), {"name": "Broken", "tier": "gigantic"}])
    result = run("import", "vendors", write(tmp_path, text))
    assert result.exit_code == 1
    assert "line 4: tier: Input should be" in result.stderr
    assert "nothing imported: 1 bad row(s) out of 3" in result.stderr
    assert count(session, Vendor) == 0


def test_a_missing_file_is_a_usage_error(database_url, tmp_path):
    assert run("import", "vendors", str(tmp_path / "nope.csv")).exit_code == 2


def test_import_evidence(database_url, tmp_path, session):
    run("import", "vendors", write(tmp_path, to_csv([{"name": "Acme", "tier": "high"}])))
    text = to_csv([{**SOC2, "vendor": "acme"}], header=EVIDENCE_COLUMNS)
    result = run("import", "evidence", write(tmp_path, text, "evidence.csv"))
    assert result.exit_code == 0, result.output
    assert "1 created" in result.stdout
    assert count(session, Evidence) == 1
    assert rows(session, Vendor)[0].status == "approved"


def test_export_csv_and_xlsx(database_url, tmp_path):
    run("import", "vendors", write(tmp_path, to_csv(vendor_rows(12))))
    target = tmp_path / "out.csv"
    result = run("export", "--format", "csv", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert "wrote 12 vendors" in result.stdout
    exported = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [r["name"] for r in exported] == [r["name"] for r in vendor_rows(12)]
    run("export", "--format", "xlsx", "-o", str(tmp_path / "out.xlsx"))
    sheet = load_workbook(tmp_path / "out.xlsx")["Vendors"]
    assert sheet.max_row == 13
    assert not list(tmp_path.glob("*.part"))


def test_export_refuses_an_unknown_format(database_url):
    assert run("export", "--format", "pdf").exit_code == 2
