"""Import vendors.csv and evidence.csv from the browser: the dry run lists what would happen and
every bad row with its line, the confirmed run imports all rows or none."""

import pytest
from bulk.data import to_csv
from web.docs_support import FormValues
from web.support import WebClient, fresh_count, fresh_rows

from app import config
from app.models import AuditEntry, Evidence, Vendor

pytestmark = pytest.mark.usefixtures("upload_dir")
VENDORS = [
    {"name": "Acme Cloud", "domain": "acme.example", "tier": "critical"},
    {"name": "Brightwater Payroll", "domain": "brightwater.example", "tier": "high"},
    {"name": "Cobalt CRM", "tier": "medium", "region": "eu"},
]
EVIDENCE_HEADER = (
    "vendor", "kind", "report_type", "period_start", "period_end", "opinion", "auditor", "tsc",
    "received_on", "scope_covers_services",
)  # fmt: skip


def _csv(rows) -> bytes:
    return to_csv(rows).encode()


def _check(client: WebClient, content: bytes, *, what="vendors", filename="vendors.csv", **kw):
    data = {"csrf_token": client.csrf, "what": what, **kw}
    files = {"file": (filename, content, "text/csv")}
    return client.post("/import", data=data, files=files, follow_redirects=False)


def _confirm(client: WebClient, page: str):
    values = FormValues(page).hidden
    data = {k: values[k] for k in ("what", "sha256", "filename")}
    return client.submit("/import/confirm", data)


def test_the_dry_run_lists_what_would_happen_and_writes_nothing(web_analyst: WebClient, session):
    web_analyst.submit("/vendors/new", {"name": "Acme Cloud", "tier": "high"})
    response = _check(web_analyst, _csv(VENDORS))
    assert response.status_code == 200
    text = " ".join(response.text.split())
    assert "3 rows read. 2 vendors would be created, 1 updated, 0 unchanged." in text
    assert "<td>2</td><td>Update</td><td>Acme Cloud</td><td>domain, tier</td>" in text
    assert "<td>4</td><td>Create</td><td>Cobalt CRM</td>" in text
    assert "Import vendors.csv now" in text
    assert fresh_count(session, Vendor) == 1
    assert fresh_rows(session, Vendor)[0].tier == "high"


def test_the_confirmed_run_imports_every_row_and_audits_it(web_analyst: WebClient, session):
    checked = _check(web_analyst, _csv(VENDORS))
    response = _confirm(web_analyst, checked.text)
    assert response.status_code == 303 and response.headers["location"] == "/vendors"
    assert sorted(v.name for v in fresh_rows(session, Vendor)) == [r["name"] for r in VENDORS]
    assert fresh_count(session, AuditEntry, entity="vendor") == 3
    assert {e.actor for e in fresh_rows(session, AuditEntry)} == {"analyst@example.com"}
    page = web_analyst.get("/vendors").text
    assert "Imported vendors.csv: 3 vendors created, 0 updated, 0 unchanged." in page
    again = _confirm(web_analyst, checked.text)  # the held file is gone once imported
    assert again.status_code == 409
    assert "no longer here" in FormValues(again.text).note("file-error")
    assert fresh_count(session, Vendor) == 3


def test_every_bad_row_is_listed_with_its_line_and_nothing_can_be_imported(
    web_analyst: WebClient, session
):
    rows = [
        VENDORS[0],
        {"name": "", "tier": "critical"},
        {"name": "Bad Tier Ltd", "tier": "platinum"},
        VENDORS[1],
        {"name": "acme cloud", "tier": "low"},
        {"name": "Mail Co", "tier": "low", "owner_email": "not-an-email"},
    ]
    response = _check(web_analyst, _csv(rows))
    assert response.status_code == 422
    text = " ".join(response.text.split())
    assert "4 problems to fix" in text
    for line, column in ((3, "name"), (4, "tier"), (6, "name"), (7, "owner_email")):
        assert f"<tr><td>{line}</td><td><code>{column}</code></td>" in text, (line, column)
    assert "same name as line 2" in text
    assert "Nothing can be imported until every row is right" in text
    assert "/import/confirm" not in text and 'name="sha256"' not in text
    assert fresh_count(session, Vendor) == 0


def test_a_file_that_went_bad_since_the_dry_run_imports_nothing(web_analyst: WebClient, session):
    checked = _check(web_analyst, _csv(VENDORS[:2]))
    web_analyst.submit("/vendors/new", {"name": "Acme Cloud", "domain": "x.example", "tier": "low"})
    web_analyst.submit("/vendors/new", {"name": "Other", "domain": "acme.example", "tier": "low"})
    response = _confirm(web_analyst, checked.text)  # line 2's name and domain now disagree
    assert response.status_code == 422
    assert "<tr><td>2</td><td><code>domain</code></td>" in response.text
    assert "Nothing can be imported" in response.text
    assert sorted(v.name for v in fresh_rows(session, Vendor)) == ["Acme Cloud", "Other"]


def test_evidence_csv_is_checked_and_imported(web_analyst: WebClient, session):
    web_analyst.submit("/vendors/new", {"name": "Acme Cloud", "tier": "critical"})
    row = [
        "Acme Cloud", "soc2_report", "type2", "2025-04-01", "2026-03-31", "unqualified",
        "Hale & Moss LLP", "security; availability", "2026-05-01", "yes",
    ]  # fmt: skip
    content = to_csv([row, ["Nobody Inc", "soc2_report"]], header=EVIDENCE_HEADER).encode()
    bad = _check(web_analyst, content, what="evidence", filename="evidence.csv")
    assert bad.status_code == 422
    assert "<tr><td>3</td><td><code>vendor</code></td>" in bad.text
    good = _check(web_analyst, to_csv([row], header=EVIDENCE_HEADER).encode(), what="evidence")
    assert "1 evidence record would be created; 0 already on file." in " ".join(good.text.split())
    assert fresh_count(session, Evidence) == 0
    assert _confirm(web_analyst, good.text).status_code == 303
    assert [e.auditor for e in fresh_rows(session, Evidence)] == ["Hale & Moss LLP"]
    assert fresh_rows(session, Vendor)[0].status == "approved"


@pytest.mark.parametrize(
    ("content", "filename", "status", "words"),
    [
        (b"PK\x03\x04 workbook", "vendors.xlsx", 415, "Excel workbook"),
        (b"%PDF-1.7 report", "vendors.csv", 415, "This is a PDF"),
        (b"name,tier\x00\x01\x02", "vendors.csv", 415, "not a text file"),
        (b"name,tier\nAcme,low\n", "vendors.json", 415, "Choose a .csv file"),
        (b"", "vendors.csv", 422, "The file is empty."),
    ],
)
def test_a_file_that_is_no_csv_is_refused_beside_the_file_field(
    web_analyst: WebClient, session, content, filename, status, words
):
    response = _check(web_analyst, content, filename=filename)
    assert response.status_code == status
    assert words in FormValues(response.text).note("file-error")
    assert fresh_count(session, Vendor) == 0


def test_no_file_chosen_is_refused(web_analyst: WebClient):
    data = {"csrf_token": web_analyst.csrf, "what": "vendors"}
    files = {"file": ("", b"", "application/octet-stream")}
    response = web_analyst.post("/import", data=data, files=files)
    assert response.status_code == 422
    assert "Choose the CSV file to import." in response.text


def test_a_csv_over_the_upload_cap_is_refused(
    web_analyst: WebClient, session, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("VETTED_MAX_UPLOAD_MB", "1")
    config.get_settings.cache_clear()
    rows = [{"name": f"Vendor {i:06d}", "tier": "low", "services": "x" * 40} for i in range(25_000)]
    response = _check(web_analyst, _csv(rows))
    assert response.status_code == 413
    assert "larger than 1 MB" in response.text
    assert fresh_count(session, Vendor) == 0


def test_csrf_is_required_to_check_and_to_import(web_analyst: WebClient, session):
    files = {"file": ("vendors.csv", _csv(VENDORS), "text/csv")}
    response = web_analyst.post("/import", data={"what": "vendors"}, files=files)
    assert response.status_code == 403
    checked = _check(web_analyst, _csv(VENDORS))
    values = FormValues(checked.text).hidden
    data = {k: values[k] for k in ("what", "sha256", "filename")}
    forged = web_analyst.post("/import/confirm", data={**data, "csrf_token": "forged"})
    assert forged.status_code == 403
    assert fresh_count(session, Vendor) == 0


def test_readers_see_no_import_button_and_may_not_import(
    web_reader: WebClient, web_analyst: WebClient, session
):
    assert "Import from CSV" not in web_reader.get("/vendors").text
    assert "Import from CSV" in web_analyst.get("/vendors").text
    assert web_reader.get("/import").status_code == 403
    assert _check(web_reader, _csv(VENDORS)).status_code == 403
    checked = _check(web_analyst, _csv(VENDORS))
    values = FormValues(checked.text).hidden
    data = {k: values[k] for k in ("what", "sha256", "filename")}
    assert web_reader.submit("/import/confirm", data).status_code == 403
    assert fresh_count(session, Vendor) == 0


def test_a_made_up_digest_imports_nothing(web_analyst: WebClient, session):
    for sha in ("0" * 64, "../vendors", ""):
        data = {"what": "vendors", "sha256": sha, "filename": "vendors.csv"}
        assert web_analyst.submit("/import/confirm", data).status_code == 409
    assert fresh_count(session, Vendor) == 0


def test_the_import_page_has_a_label_for_every_control(web_analyst: WebClient):
    html = web_analyst.get("/import").text
    for control in ('id="what"', 'id="what-evidence"', 'id="file"'):
        assert control in html
    for label in ('for="what"', 'for="what-evidence"', 'for="file"'):
        assert label in html
    assert "<script>" not in html
