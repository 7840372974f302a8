"""Uploading and downloading an evidence record's PDF."""

import hashlib
from urllib.parse import quote

import pytest
from documents.helpers import MULTIPART_HEADERS, multipart, stored_files
from factories import count, rows, soc2_body

from app.models import AuditEntry, Evidence

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _upload(client, evidence_id: int, data: bytes, name: str = "report.pdf"):
    files = {"file": (name, data, "application/pdf")}
    return client.post(f"/api/v1/evidence/{evidence_id}/document", files=files)


@pytest.fixture
def pdf(samples) -> bytes:
    return samples["soc2_type2_unqualified_us_dates"].pdf


def test_upload_stores_the_pdf_content_addressed_and_records_it(
    analyst, evidence, pdf, upload_dir, session
):
    response = _upload(analyst, evidence["id"], pdf, "Acme SOC 2 2025.pdf")
    assert response.status_code == 200, response.text
    body = response.json()
    sha = hashlib.sha256(pdf).hexdigest()
    assert (body["name"], body["size"], body["sha256"]) == ("Acme SOC 2 2025.pdf", len(pdf), sha)
    assert body["media_type"] == "application/pdf"
    assert stored_files(upload_dir) == [upload_dir / sha[:2] / sha]
    assert (upload_dir / sha[:2] / sha).read_bytes() == pdf
    row = rows(session, Evidence)[0]
    assert (row.document_sha256, row.document_name, row.document_size) == (
        sha,
        "Acme SOC 2 2025.pdf",
        len(pdf),
    )


def test_upload_is_audited(analyst, evidence, pdf, session):
    _upload(analyst, evidence["id"], pdf)
    (entry,) = rows(session, AuditEntry, action="attach_document")
    assert (entry.entity, entry.entity_id, entry.actor) == (
        "evidence",
        evidence["id"],
        "token:test-analyst",
    )
    assert entry.before["document_sha256"] is None
    assert entry.after["document_sha256"] == hashlib.sha256(pdf).hexdigest()


def test_reader_downloads_it_with_safe_headers(analyst, reader, evidence, pdf):
    _upload(analyst, evidence["id"], pdf, "Acme SOC 2.pdf")
    response = reader.get(f"/api/v1/evidence/{evidence['id']}/document")
    assert response.status_code == 200
    assert response.content == pdf
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"Acme SOC 2.pdf\"; filename*=UTF-8''Acme%20SOC%202.pdf"
    )


def test_the_same_file_twice_is_stored_once(analyst, vendor, evidence, pdf, upload_dir):
    other = analyst.post(
        f"/api/v1/vendors/{vendor['id']}/evidence", json=soc2_body(auditor="Other LLP")
    ).json()["evidence"]
    assert _upload(analyst, evidence["id"], pdf, "a.pdf").status_code == 200
    assert _upload(analyst, other["id"], pdf, "b.pdf").status_code == 200
    assert _upload(analyst, other["id"], pdf, "b.pdf").status_code == 200
    assert len(stored_files(upload_dir)) == 1


def test_a_new_upload_replaces_the_document_and_the_audit_keeps_the_old(
    analyst, evidence, samples, session
):
    first, second = samples["soc3"].pdf, samples["soc1_type2"].pdf
    _upload(analyst, evidence["id"], first)
    _upload(analyst, evidence["id"], second)
    entries = rows(session, AuditEntry, action="attach_document")
    assert entries[1].before["document_sha256"] == hashlib.sha256(first).hexdigest()
    assert rows(session, Evidence)[0].document_sha256 == hashlib.sha256(second).hexdigest()


@pytest.mark.parametrize(
    ("name_param", "stored", "ascii_name"),
    [
        ('filename="../../etc/passwd.pdf"', "passwd.pdf", "passwd.pdf"),
        ('filename="..\\..\\windows\\win.ini.pdf"', "win.ini.pdf", "win.ini.pdf"),
        ('filename="evil\\"; x=\x1b[31m\x07.pdf"', 'evil"; x=[31m.pdf', "evil_ x_31m.pdf"),
        (
            'filename="Rapport d’audit – SOC 2.pdf"',
            "Rapport d’audit – SOC 2.pdf",
            "Rapport d_audit _ SOC 2.pdf",
        ),
        ('filename=""', "document.pdf", "document.pdf"),
    ],
)
def test_hostile_names_are_harmless(
    analyst, reader, evidence, pdf, upload_dir, tmp_path, name_param, stored, ascii_name
):
    response = analyst.post(
        f"/api/v1/evidence/{evidence['id']}/document",
        content=multipart(pdf, name_param),
        headers=MULTIPART_HEADERS,
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == stored
    sha = hashlib.sha256(pdf).hexdigest()
    assert stored_files(upload_dir) == [upload_dir / sha[:2] / sha]
    assert not (tmp_path / "etc").exists()
    disposition = reader.get(f"/api/v1/evidence/{evidence['id']}/document").headers[
        "content-disposition"
    ]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition == (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(stored, safe='')}"
    )


@pytest.mark.parametrize(
    ("data", "name"),
    [(PNG, "scan.pdf"), (b"hello, not a pdf", "notes.pdf"), (b"", "empty.pdf")],
)
def test_anything_but_a_pdf_is_415_and_nothing_is_written(
    analyst, evidence, upload_dir, session, data, name
):
    response = _upload(analyst, evidence["id"], data, name)
    assert response.status_code == 415, response.text
    assert "PDF" in response.json()["detail"]
    assert stored_files(upload_dir) == []
    assert rows(session, Evidence)[0].document_sha256 is None
    assert count(session, AuditEntry, action="attach_document") == 0


def test_the_bytes_decide_not_the_name(analyst, evidence, pdf):
    assert _upload(analyst, evidence["id"], pdf, "report.txt").status_code == 200


def test_larger_than_the_cap_is_413_and_leaves_nothing(
    analyst, evidence, upload_dir, session, monkeypatch
):
    from app import config

    monkeypatch.setenv("VETTED_MAX_UPLOAD_MB", "1")
    config.get_settings.cache_clear()
    big = b"%PDF-1.7\n" + b"0" * (1024 * 1024)
    response = _upload(analyst, evidence["id"], big)
    assert response.status_code == 413
    assert "1 MB" in response.json()["detail"]
    assert stored_files(upload_dir) == []
    assert rows(session, Evidence)[0].document_sha256 is None


def test_a_declared_content_length_over_the_cap_is_refused_before_reading(analyst, evidence):
    response = analyst.post(
        f"/api/v1/evidence/{evidence['id']}/document",
        content=multipart(b"%PDF-1.7\n"),
        headers={**MULTIPART_HEADERS, "Content-Length": str(2 * 1024**3)},
    )
    assert response.status_code == 413


def test_exactly_at_the_cap_is_accepted(analyst, evidence, monkeypatch):
    from app import config

    monkeypatch.setenv("VETTED_MAX_UPLOAD_MB", "1")
    config.get_settings.cache_clear()
    exact = b"%PDF-1.7\n" + b"0" * (1024 * 1024 - 9)
    assert _upload(analyst, evidence["id"], exact).status_code == 200


def test_reader_cannot_upload_and_anonymous_is_401(reader, anonymous, evidence, pdf):
    assert _upload(reader, evidence["id"], pdf).status_code == 403
    assert _upload(anonymous, evidence["id"], pdf).status_code == 401
    assert anonymous.get(f"/api/v1/evidence/{evidence['id']}/document").status_code == 401


def test_upload_to_a_retracted_record_is_409(analyst, evidence, pdf, upload_dir):
    analyst.post(f"/api/v1/evidence/{evidence['id']}/retract", json={"reason": "wrong vendor"})
    response = _upload(analyst, evidence["id"], pdf)
    assert response.status_code == 409
    assert stored_files(upload_dir) == []


def test_unknown_record_or_no_document_is_404(analyst, reader, evidence, pdf):
    assert _upload(analyst, 999_999, pdf).status_code == 404
    assert reader.get("/api/v1/evidence/999999/document").status_code == 404
    response = reader.get(f"/api/v1/evidence/{evidence['id']}/document")
    assert response.status_code == 404
    assert "no document" in response.json()["detail"]


@pytest.mark.parametrize(
    ("content", "headers", "status"),
    [
        (b"%PDF-1.7\n", {"Content-Type": "application/pdf"}, 415),
        (b"--x\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--x--\r\n",
         {"Content-Type": "multipart/form-data; boundary=x"}, 422),
        (b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n"
         b"%PDF-1.7 and then the connection drops",
         {"Content-Type": "multipart/form-data; boundary=x"}, 400),
        (b"garbage", {"Content-Type": "multipart/form-data; boundary=x"}, 400),
    ],
)  # fmt: skip
def test_malformed_requests_are_4xx(analyst, evidence, upload_dir, content, headers, status):
    response = analyst.post(
        f"/api/v1/evidence/{evidence['id']}/document", content=content, headers=headers
    )
    assert response.status_code == status, response.text
    assert stored_files(upload_dir) == []


def test_a_second_file_field_is_refused(analyst, evidence, pdf, upload_dir):
    files = [("file", ("a.pdf", pdf, "application/pdf")), ("file", ("b.pdf", pdf, "x/y"))]
    response = analyst.post(f"/api/v1/evidence/{evidence['id']}/document", files=files)
    assert response.status_code == 422
    assert stored_files(upload_dir) == []


def test_an_empty_file_input_means_no_file_chosen(analyst, evidence, upload_dir):
    files = {"file": ("", b"", "application/octet-stream")}
    response = analyst.post(f"/api/v1/evidence/{evidence['id']}/document", files=files)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
    assert stored_files(upload_dir) == []


def test_the_evidence_record_shows_its_document(analyst, reader, evidence, pdf):
    assert reader.get(f"/api/v1/evidence/{evidence['id']}").json()["document_name"] is None
    _upload(analyst, evidence["id"], pdf, "Acme SOC 2.pdf")
    record = reader.get(f"/api/v1/evidence/{evidence['id']}").json()
    assert (record["document_name"], record["document_size"]) == ("Acme SOC 2.pdf", len(pdf))
    assert record["document_sha256"] == hashlib.sha256(pdf).hexdigest()
    assert record["document_media_type"] == "application/pdf"
