"""Hostile input: markup in every text field, spreadsheet formulas, hostile upload names,
oversized and malformed bodies, SQL-looking strings, undecodable text. Never a 500; markup
comes out escaped in pages, e-mails and exports; what was stored is what was sent."""

import csv
import io
import json
import re
from datetime import timedelta
from urllib.parse import quote

import anyio
import pytest
from conftest import TEST_TODAY
from factories import bridge_body, iso_body, soc2_body, waiver_body
from fastapi.testclient import TestClient
from markupsafe import escape
from openpyxl import load_workbook
from pydantic import BaseModel
from reliability.support import COUNTS, pdf_bytes
from sqlalchemy import func, inspect
from sqlmodel import select
from web.support import crawl, make_user, sign_in

from app import config, db
from app.auth.roles import Role
from app.auth.tokens import create_token
from app.bulk.csvfile import FORMULA_TRIGGERS
from app.digest.job import collect
from app.digest.render import render
from app.evidence import schemas as evidence_schemas
from app.fields import BLANK
from app.models import AuditEntry, Evidence, Waiver
from app.security import MAX_JSON_BYTES
from app.vendors.schemas import VendorCreate
from app.waivers import schemas as waiver_schemas

# Markup, an attribute break-out, a template expression and an entity: each must show as text.
SCRIPT = (
    '<script>alert("{tag}")</script><img src=x onerror=alert(1)>'
    "\"onmouseover=x() '{{{{7*7}}}}' &lt;"
)
SHOWN_TAGS = (  # every field set below that a page shows (`system` is not shown)
    "name", "services", "services-edited", "notes", "auditor", "subservice", "iso-notes",
    "number", "certification_body", "accreditation_body", "scope", "bridge", "soc1-auditor",
    "soc1-notes", "soc3-auditor", "soc3-notes", "retraction", "waiver", "approver",
    "revocation", "actor",
)  # fmt: skip
RAW_MARKERS = ("<script>alert(", "onerror=alert(1)>", '"onmouseover=', 'onmouseover="x()"')
# The same escaped twice (shown as entities), or the expression evaluated.
WRONG_MARKERS = ("&amp;lt;script", "&amp;amp;lt;", "&amp;#34;", "&amp;#39;", "&#39;49&#39;")
NOWHERE = "/nowhere" + quote(SCRIPT.format(tag="path"))  # a 404 page
LOGIN = "/login?next=" + quote(SCRIPT.format(tag="next"))
# Free text a client can set; validated fields (domain, e-mail, rule code, dates) refuse markup.
TEXT_FIELDS = {
    VendorCreate: {"name", "services"},
    evidence_schemas.Soc2ReportCreate: {"notes", "auditor", "system"},
    evidence_schemas.Soc1ReportCreate: {"notes", "auditor", "system"},
    evidence_schemas.Soc3ReportCreate: {"notes", "auditor", "system"},
    evidence_schemas.SubserviceOrg: {"name"},
    evidence_schemas.IsoCertificateCreate: {
        "notes",
        "certificate_number",
        "certification_body",
        "accreditation_body",
        "scope",
    },  # fmt: skip
    evidence_schemas.BridgeLetterCreate: {"notes"},
    evidence_schemas.Retraction: {"reason"},
    waiver_schemas.WaiverCreate: {"reason", "approved_by"},
    waiver_schemas.Revocation: {"reason"},
}
VALIDATED = {"domain", "owner_email", "code"}


def hostile(tag: str) -> str:
    return SCRIPT.format(tag=tag)


def _marked(fields: list[str], **others) -> dict:
    """Each field set to markup naming it."""
    return {field: hostile(field) for field in fields} | others


def _free_text(model: type[BaseModel]) -> set[str]:
    names = set()
    for name, prop in model.model_json_schema()["properties"].items():
        types = [prop, *prop.get("anyOf", [])]
        if any(t.get("type") == "string" and not {"enum", "format", "const"} & t.keys()
               and t.get("pattern") != BLANK for t in types):  # "" for "not given"  # fmt: skip
            names.add(name)
    return names - VALIDATED - {"kind"}


def test_the_hostile_fields_are_every_free_text_field():
    for model, fields in TEXT_FIELDS.items():
        assert _free_text(model) == fields, model.__name__


def _post(client, path: str, body: dict) -> dict:
    response = client.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _client_named(app, name: str) -> TestClient:
    """An analyst API client whose token is called `name` (the actor its changes record)."""
    with db.session_scope() as session:
        _, plaintext = create_token(session=session, name=name, role=Role.analyst, actor="t")
    return TestClient(app, headers={"Authorization": f"Bearer {plaintext}"})


@pytest.fixture
def hostile_records(app, analyst, tmp_path, monkeypatch) -> dict:
    """A vendor with every free-text field of every kind of record set to markup naming the
    field, an edit, a PDF with a hostile name, and changes by a token with a hostile name."""
    monkeypatch.setenv("VETTED_UPLOAD_DIR", str(tmp_path / "uploads"))
    config.get_settings.cache_clear()
    vendor = _post(analyst, "/api/v1/vendors", _marked(
        ["name", "services"], tier="critical", owner_email="owner@example.com"))  # fmt: skip
    base = f"/api/v1/vendors/{vendor['id']}"
    orgs = [{"name": hostile("subservice"), "method": "carve_out"}]
    report_body = soc2_body(**_marked(["notes", "auditor", "system"]), subservice_orgs=orgs)
    report = _post(analyst, f"{base}/evidence", report_body)["evidence"]
    iso_fields = _marked(["certification_body", "accreditation_body", "scope"])
    iso_fields.update(notes=hostile("iso-notes"), certificate_number=hostile("number")[:100])
    expiring = (TEST_TODAY + timedelta(days=20)).isoformat()
    iso = iso_body(**iso_fields, issued_on="2025-07-01", expires_on=expiring)
    certificate = _post(analyst, f"{base}/evidence", iso)["evidence"]
    bridge = bridge_body(report["id"], notes=hostile("bridge"), received_on=None)
    _post(analyst, f"{base}/evidence", bridge)
    for kind, unlike_soc2 in (("soc1", "tsc"), ("soc3", "report_type")):
        fields = {field: hostile(f"{kind}-{field}") for field in ("auditor", "notes", "system")}
        other = soc2_body(kind=f"{kind}_report", **fields)
        del other[unlike_soc2]  # a SOC 1 report covers no criteria; a SOC 3 has no type
        _post(analyst, f"{base}/evidence", other)
    extra = _post(analyst, f"{base}/evidence", soc2_body())["evidence"]
    with _client_named(app, hostile("actor")) as someone:
        _post(someone, f"/api/v1/evidence/{extra['id']}/retract", {"reason": hostile("retraction")})
    ending = (TEST_TODAY + timedelta(days=10)).isoformat()
    waiver_fields = {"reason": hostile("waiver"), "approved_by": hostile("approver")}
    waiver = waiver_body(
        "ISO_UNACCREDITED", **waiver_fields, expires_on=ending, evidence_id=certificate["id"]
    )
    _post(analyst, f"{base}/waivers", waiver)
    revoked = _post(analyst, f"{base}/waivers", waiver_body(reason="r"))
    _post(analyst, f"/api/v1/waivers/{revoked['id']}/revoke", {"reason": hostile("revocation")})
    edited = analyst.patch(base, json={"services": hostile("services-edited")})  # the history
    assert edited.status_code == 200, edited.text
    files = {"file": ('<b onmouseover="x()">report</b>.pdf', io.BytesIO(pdf_bytes()))}
    document = analyst.post(f"/api/v1/evidence/{report['id']}/document", files=files)
    assert document.status_code == 200
    return {"vendor": vendor}


def _assert_escaped(text: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in text, f"raw markup in {where}: {marker}"


def _every_page(web: TestClient, vendor_id: int) -> dict[str, object]:
    """Every page linked from the dashboard, the vendor page, the digest and the import page,
    every record's forms, and pages that show what the address says."""
    with db.session_scope(writes=False) as session:
        evidence = session.exec(select(Evidence.id)).all()
        waivers = session.exec(select(Waiver.id)).all()
    starts = ["/", f"/vendors/{vendor_id}", "/digest", "/digest/letter", "/import"]
    starts += [f"/evidence/{e}/{form}" for e in evidence for form in ("retract", "scope")]
    starts += [f"/waivers/{w}/revoke" for w in waivers]
    starts += [f"/vendors?q={quote(hostile('q'))}", f"/vendors/{vendor_id}?as_of=2027-01-01"]
    starts += [f"/vendors/{vendor_id}?as_of={quote(hostile('as_of'))}", NOWHERE]
    return dict(crawl(web, starts))


def test_markup_is_escaped_once_in_every_page(app, hostile_records):
    """Stored text (and text from the address) shows as the text it is: never markup, never
    a template, escaped exactly once."""
    vendor_id = hostile_records["vendor"]["id"]
    with TestClient(app) as web:
        sign_in(web, make_user("analyst@example.com", "analyst"))
        pages = _every_page(web, vendor_id)
        web.cookies.clear()
        pages[LOGIN] = web.get(LOGIN)
    assert len(pages) > 40, sorted(pages)
    for path, page in pages.items():
        assert page.status_code == (404 if path == NOWHERE else 200), path
        _assert_escaped(page.text, path)
        for marker in WRONG_MARKERS:
            assert marker not in page.text, f"{marker} in {path}"
        COUNTS["hostile: pages checked for escaping"] += 1
    shown = "".join(page.text for page in pages.values())
    sent = {tag: hostile(tag) for tag in (*SHOWN_TAGS, "q")} | {"number": hostile("number")[:100]}
    for tag, text in sent.items():
        assert str(escape(text)) in shown, tag


def test_markup_is_escaped_in_the_e_mail(hostile_records):
    with db.session_scope(writes=False) as session:
        letter = render(collect(session=session, as_of=TEST_TODAY, base_url="https://v.example"))
    _assert_escaped(letter.html, "the digest's HTML part")
    assert "&lt;script&gt;" in letter.html  # the vendor is in it, its name escaped
    assert hostile("name") in letter.text  # plain text is shown as text, never run
    assert "<script" not in letter.subject


def test_markup_is_kept_verbatim_in_the_api(analyst, hostile_records):
    vendor = analyst.get(f"/api/v1/vendors/{hostile_records['vendor']['id']}")
    assert vendor.headers["content-type"] == "application/json"
    assert vendor.json()["name"] == hostile("name")  # data, not markup: stored as sent


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "=1+2"]


@pytest.fixture
def formula_vendors(analyst) -> None:
    for n, formula in enumerate(FORMULAS):
        body = {"name": f"{formula} {n}", "services": formula, "tier": "high"}
        vendor = analyst.post("/api/v1/vendors", json=body).json()
        report = soc2_body(auditor=formula)
        analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=report)


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def test_formula_prefixes_are_neutralised_in_every_export(app, reader, formula_vendors):
    with TestClient(app) as web:
        sign_in(web, make_user("reader@example.com", "reader"))
        csv_files = [reader.get("/api/v1/exports/vendors").text, web.get("/export/vendors").text]
        xlsx = web.get("/export/vendors", params={"format": "xlsx"}).content
    xlsx_api = reader.get("/api/v1/exports/vendors", params={"format": "xlsx"}).content
    for text in csv_files:
        cells = _csv_cells(text)
        assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
        assert sum(c.startswith("'") for c in cells) >= 3 * len(FORMULAS)
    for content in (xlsx, xlsx_api):
        sheet = load_workbook(io.BytesIO(content)).active
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert not (isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS))
    COUNTS["hostile: export cells checked for formulas"] += sum(
        len(_csv_cells(t)) for t in csv_files
    )


BOUNDARY = "hostile-boundary"
UPLOAD_NAMES = {
    "traversal": b"../../../../etc/passwd.pdf",
    "windows traversal": b"..\\..\\..\\windows\\win.ini.pdf",
    "NUL byte": b"report\x00.exe.pdf",
    "10,000 characters": b"A" * 10_000 + b".pdf",
    "markup": b"<img src=x onerror=alert(1)>.pdf",
    "header injection": b"a.pdf\r\nX-Injected: yes",
    "dots only": b"..",
    "not UTF-8": b"r\xe9sum\xe9\xff.pdf",
}


def _multipart(filename: bytes) -> bytes:
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="').encode()
    tail = b'"\r\nContent-Type: application/pdf\r\n\r\n' + pdf_bytes()
    return head + filename + tail + f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize("label", UPLOAD_NAMES)
def test_hostile_upload_names_are_made_safe(analyst, tmp_path, monkeypatch, label):
    store = tmp_path / "store" / "uploads"
    monkeypatch.setenv("VETTED_UPLOAD_DIR", str(store))
    config.get_settings.cache_clear()
    vendor = analyst.post("/api/v1/vendors", json={"name": "Upload Co", "tier": "low"}).json()
    evidence = analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=soc2_body()).json()
    url = f"/api/v1/evidence/{evidence['evidence']['id']}/document"
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    response = analyst.post(url, content=_multipart(UPLOAD_NAMES[label]), headers=headers)
    assert response.status_code in (200, 400), response.text  # 400: a header it cannot parse
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert all(p.is_relative_to(store) and re.fullmatch(r"[0-9a-f]{64}", p.name) for p in files)
    if response.status_code != 200:
        return
    name = response.json()["name"]
    assert len(name) <= 255 and not re.search(r"[/\\\x00-\x1f]", name) and name not in (".", "..")
    download = analyst.get(url)
    disposition = download.headers["content-disposition"]
    assert download.status_code == 200 and "\r" not in disposition and "\n" not in disposition
    assert "x-injected" not in download.headers
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._ ()+-]+"; filename\*=UTF-8\'\'\S+',
                        disposition)  # fmt: skip
    COUNTS["hostile: upload names"] += 1


async def _call(app, body_chunks, headers: list) -> tuple[int, int]:
    """Send a request straight to the ASGI app; returns (status, request chunks it read)."""
    read, status = 0, 0
    chunks = list(body_chunks)

    async def receive():
        nonlocal read
        read += 1
        more = read < len(chunks)
        return {"type": "http.request", "body": chunks[read - 1], "more_body": more}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {"type": "http", "method": "POST", "path": "/api/v1/vendors", "raw_path": b"",
             "query_string": b"", "headers": headers, "http_version": "1.1", "scheme": "http",
             "server": ("t", 80), "client": ("127.0.0.1", 1), "root_path": ""}  # fmt: skip
    await app(scope, receive, send)
    return status, read


def test_oversized_json_is_refused_before_it_is_read(app, analyst):
    chunk = b" " * 65536
    many = [b"{"] + [chunk] * 800 + [b"}"]  # 50 MB
    declared = [(b"content-type", b"application/json"), (b"content-length", b"52428802")]
    assert anyio.run(_call, app, many, declared) == (413, 0)  # refused unread
    streamed = [(b"content-type", b"application/json")]  # no length: counted as it arrives
    status, read = anyio.run(_call, app, many, streamed)
    assert status == 413 and read <= MAX_JSON_BYTES // len(chunk) + 2
    just_over = analyst.post("/api/v1/vendors", content=b"{" + b" " * MAX_JSON_BYTES + b"}",
                             headers={"content-type": "application/json"})  # fmt: skip
    assert just_over.status_code == 413 and "larger than 1 MB" in just_over.json()["detail"]
    form = analyst.post("/login", content=b"a=" + b"b" * (2 * MAX_JSON_BYTES),
                        headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert form.status_code == 413


MALFORMED_JSON = {
    "deep": b"[" * 200_000,  # nesting deeper than the parser's recursion limit
    "long int": b'{"name": ' + b"1" * 100_000 + b', "tier": "low"}',  # 100,000 digits
    "surrogate": b'{"name": "\\ud800", "tier": "low"}',  # a lone surrogate
    "cut": b'{"name": "x", "tier": "low"',  # cut short
    "not json": b"{not json",
    "bytes": b"\xff\xfe{}",  # not UTF-8
    "null": b"null",
    "array": b"[]",
    "too long": json.dumps({"name": "x" * 201, "tier": "low"}).encode(),
}
# Every route that takes a JSON body; {v}, {e} and {w} are a vendor, a report and a waiver.
JSON_WRITES = [
    ("POST", "/api/v1/vendors"),
    ("PATCH", "/api/v1/vendors/{v}"),
    ("POST", "/api/v1/vendors/{v}/evidence"),
    ("PATCH", "/api/v1/evidence/{e}"),
    ("POST", "/api/v1/evidence/{e}/retract"),
    ("POST", "/api/v1/vendors/{v}/waivers"),
    ("POST", "/api/v1/waivers/{w}/revoke"),
]


def _audit_count(session) -> int:
    return session.exec(select(func.count()).select_from(AuditEntry)).one()


@pytest.mark.parametrize("name", list(MALFORMED_JSON))
def test_malformed_json_is_a_4xx_and_writes_nothing(analyst, session, name):
    vendor = analyst.post("/api/v1/vendors", json={"name": "Target Ltd", "tier": "high"}).json()
    report = analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=soc2_body()).json()
    ids = {"v": vendor["id"], "e": report["evidence"]["id"]}
    waiver = waiver_body(code="SOC2_CUECS", evidence_id=ids["e"])
    ids["w"] = analyst.post(f"/api/v1/vendors/{ids['v']}/waivers", json=waiver).json()["id"]
    written = _audit_count(session)
    headers = {"content-type": "application/json", "If-Match": '"1"'}
    for method, path in JSON_WRITES:
        if name == "null" and path.endswith("/revoke"):
            continue  # its body is optional: null is "no reason given", and is accepted
        url = path.format(**ids)
        response = analyst.request(method, url, content=MALFORMED_JSON[name], headers=headers)
        assert 400 <= response.status_code < 500, (method, url, response.text)
        COUNTS["hostile: malformed bodies"] += 1
    assert _audit_count(session) == written


SQLISH = [
    "Robert'); DROP TABLE vendors;--",
    '" OR ""="',
    "' OR 1=1 --",
    "100% legit_vendor \\ ltd",
    "%",
    "_",
    "; SELECT pg_sleep(10);",
]


def test_sql_looking_strings_are_stored_verbatim(analyst, session):
    ids = {}
    for text in SQLISH:
        created = analyst.post("/api/v1/vendors", json={"name": text, "services": text,
                                                         "tier": "low"})  # fmt: skip
        assert created.status_code == 201, created.text
        ids[text] = created.json()["id"]
    for text, vendor_id in ids.items():
        stored = analyst.get(f"/api/v1/vendors/{vendor_id}").json()
        assert stored["name"] == stored["services"] == text
        found = analyst.get("/api/v1/vendors/lookup", params={"name": text}).json()
        assert found["vendor_id"] == vendor_id
    for pattern in ("%", "_"):  # LIKE wildcards match themselves, not everything
        names = {v["name"] for v in analyst.get("/api/v1/vendors", params={"q": pattern})
                 .json()["items"]}  # fmt: skip
        assert names == {t for t in SQLISH if pattern in t}
    assert "vendors" in inspect(session.get_bind()).get_table_names()


UNDECODABLE = (
    "/api/v1/vendors?q=%ED%A0%80",
    "/api/v1/vendors/lookup?name=%FF",
    "/api/v1/vendors/1/status?as_of=%ED%A0%80",
    "/api/v1/vendors?cursor=%FF",
    "/api/v1/vendors?q=a%00b",  # NUL: PostgreSQL refuses it in a string
    "/api/v1/vendors/lookup?name=%00",
    "/api/v1/vendors/lookup?domain=a%00.com",
    "/vendors?q=%00",
    "/digest?as_of=%00",
)
FORM = {"content-type": "application/x-www-form-urlencoded"}


def test_undecodable_query_strings_and_forms_are_answered(analyst, app):
    assert (
        analyst.patch("/api/v1/vendors/1", headers={"If-Match": b"\xff"}, json={}).status_code < 500
    )
    with TestClient(app) as web:
        sign_in(web, make_user("forms@example.com", "analyst"))
        for url in UNDECODABLE:  # the API with a token, the pages signed in
            client = analyst if url.startswith("/api/") else web
            assert client.get(url).status_code in (200, 404, 422), url
        body = f"csrf_token={web.csrf}&name=%ED%A0%80%FF&tier=low".encode()
        posted = web.post("/vendors/new", content=body, follow_redirects=False, headers=FORM)
        assert posted.status_code in (303, 422)
