"""The contract and lifecycle columns go out in the CSV export and come back unchanged."""

import csv
import io

from bulk.data import to_csv
from bulk.test_import_vendors import run
from conftest import TEST_TODAY

from app import db
from app.bulk.exporting import export_vendors

HEADER = [
    "name", "tier", "lifecycle", "contract_end_on", "notice_days", "auto_renews",
    "renewal_term_months",
]  # fmt: skip
ROWS = [
    ["Acme", "high", "active", "2027-02-28", "60", "true", "12"],
    ["Brio", "low", "", "", "", "", ""],  # blank: onboarding, no contract, the defaults
    ["Cato", "medium", "offboarding", "2028-02-29", "0", "false", "24"],
]
FIELDS = HEADER[2:]


def _export() -> list[dict]:
    with db.session_scope(writes=False) as session:
        data = b"".join(export_vendors(session=session, fmt="csv", today=TEST_TODAY).chunks)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_new_columns_import_export_and_import_back_unchanged(database_url):
    report = run(to_csv(ROWS, header=HEADER))
    assert (report.created, report.errors) == (3, [])
    exported = {row["name"]: {f: row[f] for f in FIELDS} for row in _export()}
    assert exported["Acme"] == {
        "lifecycle": "active", "contract_end_on": "2027-02-28", "notice_days": "60",
        "auto_renews": "True", "renewal_term_months": "12",
    }  # fmt: skip
    assert exported["Brio"]["lifecycle"] == "onboarding"
    assert exported["Brio"]["contract_end_on"] == ""
    again = run(to_csv([[r[c] for c in HEADER] for r in _export()], header=HEADER))
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 3, [])


def test_a_csv_cannot_archive_a_vendor(database_url):
    report = run(to_csv([["Dax", "high", "archived", "", "", "", ""]], header=HEADER))
    assert report.created == 0
    assert [(e.field, e.line) for e in report.errors] == [("lifecycle", 2)]
