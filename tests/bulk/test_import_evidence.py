"""Importing SOC reports and ISO certificates from CSV, keyed by vendor name or domain."""

from datetime import date

import pytest
from bulk.data import to_csv
from bulk.test_export import csv_rows
from bulk.test_export import export as export_csv
from bulk.test_import_vendors import run as run_vendors
from conftest import TEST_TODAY
from factories import count, rows

from app import db
from app.bulk.csvfile import read_csv
from app.bulk.importing import ImportReport
from app.bulk.importing_evidence import EVIDENCE_COLUMNS, import_evidence
from app.models import AuditEntry, Evidence, Vendor

SOC2 = {
    "kind": "soc2_report",
    "report_type": "type2",
    "period_start": "2025-04-01",
    "period_end": "2026-03-31",
    "opinion": "unqualified",
    "auditor": "Hale & Moss LLP",
    "tsc": "security; availability",
    "received_on": "2026-05-01",
    "subservice_orgs": "Amazon Web Services, Inc.: carve_out; Stripe: inclusive",
    "cuecs": "yes",
}
ISO = {
    "kind": "iso27001_certificate",
    "standard_version": "2022",
    "certificate_number": "IS 123456",
    "certification_body": "BSI",
    "accreditation_body": "UKAS",
    "issued_on": "2026-01-10",
    "expires_on": "2029-01-09",
    "received_on": "2026-01-20",
}


def run(rows_: list[dict], *, dry_run: bool = False, today: date = TEST_TODAY) -> ImportReport:
    with db.session_scope() as session:
        return import_evidence(
            session=session,
            table=read_csv(to_csv(rows_, header=EVIDENCE_COLUMNS).splitlines(keepends=True)),
            dry_run=dry_run,
            actor="cli",
            today=today,
        )


@pytest.fixture
def vendors(database_url) -> None:
    run_vendors(
        to_csv(
            [
                {"name": "Acme Cloud", "domain": "acme.com", "tier": "high"},
                {"name": "Globex", "domain": "globex.com", "tier": "medium"},
            ]
        )
    )


def test_reports_and_certificates_are_logged_and_vendors_re_evaluated(vendors, session):
    report = run([{**SOC2, "vendor": "ACME CLOUD"}, {**ISO, "vendor": "globex.com"}])
    assert (report.created, report.errors, report.applied) == (2, [], True)
    soc2, iso = rows(session, Evidence)
    assert (soc2.kind, soc2.tsc, soc2.cuecs) == ("soc2_report", ["availability", "security"], True)
    assert soc2.subservice_orgs == [
        {"name": "Amazon Web Services, Inc.", "method": "carve_out"},
        {"name": "Stripe", "method": "inclusive"},
    ]
    assert (iso.kind, iso.certificate_number, iso.created_by) == (
        "iso27001_certificate",
        "IS 123456",
        "cli",
    )
    assert [v.status for v in rows(session, Vendor)] == ["approved", "approved"]
    entries = rows(session, AuditEntry, entity="evidence", action="create")
    assert [e.entity_id for e in entries] == [soc2.id, iso.id]


def test_received_on_defaults_to_today(vendors, session):
    run([{**ISO, "vendor": "Globex", "received_on": ""}])
    assert rows(session, Evidence)[0].received_on == TEST_TODAY


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ({**SOC2, "vendor": "Nobody Ltd"}, "vendor", "no vendor"),
        ({**SOC2, "vendor": "Acme Cloud", "kind": "soc5_report"}, "kind", "must be one of"),
        ({**SOC2, "vendor": "Acme Cloud", "kind": "bridge_letter"}, "kind", "must be one of"),
        ({**SOC2, "vendor": "Acme Cloud", "period_start": ""}, "period_start", "period"),
        ({**SOC2, "vendor": "Acme Cloud", "tsc": "availability"}, "tsc", "security"),
        ({**SOC2, "vendor": "Acme Cloud", "opinion": "fine"}, "opinion", "Input should be"),
        ({**SOC2, "vendor": "Acme Cloud", "period_end": "31/03/2026"}, "period_end", "date"),
        ({**SOC2, "vendor": "Acme Cloud", "received_on": "2026-06-16"}, "received_on", "today"),
        ({**SOC2, "vendor": "Acme Cloud", "subservice_orgs": "AWS"}, "subservice_orgs", "name:"),
        ({**SOC2, "vendor": "Acme Cloud", "certificate_number": "X"}, "certificate_number", ""),
        ({**ISO, "vendor": "Globex", "expires_on": "2025-01-01"}, "expires_on", "after"),
        (
            {**SOC2, "vendor": "Acme Cloud", "period_end": "2026-05-02"},
            "period_end",
            "after received_on (2026-05-01): a report is issued only after its period ends",
        ),
        (
            {**SOC2, "vendor": "Acme Cloud", "period_end": "2199-12-31", "received_on": ""},
            "period_end",
            "after received_on (today, 2026-06-15)",
        ),
        ({**SOC2, "vendor": "Acme Cloud", "issued_on": "2026-05-02"}, "issued_on", "issued"),
        ({**ISO, "vendor": "Globex", "received_on": "2026-01-09"}, "issued_on", "(2026-01-09)"),
        (
            {**ISO, "vendor": "Globex", "last_surveillance_on": "2026-02-01"},
            "last_surveillance_on",
            "surveillance audit",
        ),
        (
            {**SOC2, "vendor": "Acme Cloud", "scope_covers_services": "mostly"},
            "scope_covers_services",
            "'yes', 'partly' or 'no'",
        ),
        (
            {
                **SOC2,
                "vendor": "Acme Cloud",
                "kind": "soc1_report",
                "tsc": "",
                "scope_covers_services": "yes",
            },
            "scope_covers_services",
            "extra",
        ),
    ],
)
def test_a_bad_row_names_its_line_and_field_and_nothing_is_written(
    vendors, session, row, field, words
):
    report = run([{**ISO, "vendor": "Acme Cloud"}, row])
    assert [(e.line, e.field) for e in report.errors] == [(3, field)]
    assert words.lower() in report.errors[0].reason.lower()
    assert count(session, Evidence) == 0


def test_the_same_document_twice_in_the_file_names_both_lines(vendors, session):
    report = run([{**SOC2, "vendor": "Acme Cloud"}, {**ISO, "vendor": "Globex"},
                  {**SOC2, "vendor": "acme.com", "notes": "again"}])  # fmt: skip
    assert [str(e) for e in report.errors] == ["line 4: same document as line 2"]
    assert count(session, Evidence) == 0


def test_documents_already_on_file_are_left_alone(vendors, session):
    run([{**SOC2, "vendor": "Acme Cloud"}])
    report = run([{**SOC2, "vendor": "Acme Cloud"}, {**ISO, "vendor": "Acme Cloud"}])
    assert (report.created, report.unchanged) == (1, 1)
    assert "on file as evidence #1" in report.planned[0].name
    assert count(session, Evidence) == 2


def test_a_soc3_report_without_a_type_imports_once(vendors, session):
    soc3 = {k: v for k, v in SOC2.items() if k not in ("report_type", "period_start")}
    soc3 |= {"kind": "soc3_report", "vendor": "Globex"}
    assert (run([soc3]).created, run([soc3]).unchanged) == (1, 1)
    assert [e.kind for e in rows(session, Evidence)] == ["soc3_report"]


def test_a_dry_run_writes_nothing(vendors, session):
    report = run([{**SOC2, "vendor": "Acme Cloud"}], dry_run=True)
    assert [(p.line, p.action) for p in report.planned] == [(2, "create")]
    assert count(session, Evidence) == 0
    assert [v.status for v in rows(session, Vendor)] == ["blocked", "blocked"]


def test_imported_evidence_is_stored_as_the_api_stores_it(analyst, vendors, session):
    acme = rows(session, Vendor)[0]
    body = {k: v for k, v in ISO.items() if v}
    assert analyst.post(f"/api/v1/vendors/{acme.id}/evidence", json=body).status_code == 201
    session.rollback()
    run([{**ISO, "vendor": "Globex"}])
    by_api, by_import = rows(session, Evidence)
    ignore = {"id", "vendor_id", "created_at", "created_by"}
    assert {k: v for k, v in by_api.model_dump().items() if k not in ignore} == {
        k: v for k, v in by_import.model_dump().items() if k not in ignore
    }
    api_entry, import_entry = rows(session, AuditEntry, entity="evidence")
    assert api_entry.after.keys() == import_entry.after.keys()
    assert import_entry.entity_id == by_import.id


def test_a_scope_judgement_is_imported_and_exported(vendors, session, reader):
    run([{**SOC2, "vendor": "Acme Cloud", "scope_covers_services": "partly"},
         {**ISO, "vendor": "Globex", "scope_covers_services": ""}])  # fmt: skip
    soc2, iso = rows(session, Evidence)
    assert (soc2.scope_covers_services, iso.scope_covers_services) == ("partly", None)
    assert reader.get(f"/api/v1/evidence/{soc2.id}").json()["scope_covers_services"] == "partly"
    exported = {r["name"]: r for r in csv_rows(export_csv())}
    assert exported["Acme Cloud"]["soc2_scope_covers_services"] == "partly"
    assert exported["Globex"]["iso_scope_covers_services"] == ""  # not judged
