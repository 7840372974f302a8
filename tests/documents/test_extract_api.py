"""POST /vendors/{id}/evidence/extract: proposals with their words, and nothing saved."""

from datetime import date

from documents.helpers import stored_files
from factories import count

from app.models import AuditEntry, Evidence


def _extract(client, vendor_id: int, data: bytes, name: str = "report.pdf"):
    files = {"file": (name, data, "application/pdf")}
    return client.post(f"/api/v1/vendors/{vendor_id}/evidence/extract", files=files)


def test_a_soc2_report_is_read_into_proposals(analyst, vendor, samples):
    response = _extract(analyst, vendor["id"], samples["soc2_type2_unqualified_us_dates"].pdf)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["kind"], body["text_found"], body["message"]) == ("soc2_report", True, None)
    period_end = body["fields"]["period_end"]
    assert period_end["value"] == "2025-12-31"
    assert period_end["page"] == 1
    assert "December 31, 2025" in period_end["snippet"]
    assert 0.5 <= period_end["confidence"] <= 1
    assert body["fields"]["opinion"]["value"] == "unqualified"


def test_extraction_saves_nothing(analyst, vendor, samples, session, upload_dir):
    _extract(analyst, vendor["id"], samples["iso_2022_valid_until"].pdf)
    assert count(session, Evidence) == 0
    assert count(session, AuditEntry, entity="evidence") == 0
    assert stored_files(upload_dir) == []


def test_the_proposals_save_as_evidence_once_checked(analyst, vendor, samples):
    """upload → see the values → (correct) → save: the proposals fit the evidence schema."""
    for name in ("soc2_type2_unqualified_us_dates", "iso_2022_valid_until", "soc2_type1_as_of"):
        fields = _extract(analyst, vendor["id"], samples[name].pdf).json()["fields"]
        body = {field: proposal["value"] for field, proposal in fields.items()}
        body["received_on"] = "2026-06-01"
        response = analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=body)
        assert response.status_code == 201, (name, response.text)


def test_a_scanned_pdf_answers_no_text_found(analyst, vendor, samples):
    response = _extract(analyst, vendor["id"], samples["image_only"].pdf)
    assert response.status_code == 200
    body = response.json()
    assert body["text_found"] is False
    assert body["message"] == "no text found — enter the values by hand"
    assert body["fields"] == {}


def test_not_a_pdf_is_415_and_a_damaged_pdf_is_422(analyst, vendor):
    assert _extract(analyst, vendor["id"], b"\x89PNG\r\n\x1a\n").status_code == 415
    response = _extract(analyst, vendor["id"], b"%PDF-1.4\nnot really")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


def test_readers_may_not_extract_and_unknown_vendors_are_404(reader, analyst, samples):
    pdf = samples["soc3"].pdf
    assert _extract(reader, 1, pdf).status_code == 403
    assert _extract(analyst, 999_999, pdf).status_code == 404


def test_proposed_dates_are_dates(analyst, vendor, samples):
    body = _extract(analyst, vendor["id"], samples["iso_2013_expiry_date"].pdf).json()
    assert date.fromisoformat(body["fields"]["expires_on"]["value"]) == date(2025, 10, 31)
