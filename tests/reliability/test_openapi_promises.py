"""The OpenAPI document promises what the API does: each request below is allowed by the
document exactly when the API accepts it (the places the outside probe found them to differ).
test_fuzz_api.py checks the same over generated requests; these are the known cases, fast."""

import jsonschema_rs
import pytest
from factories import vendor_body

REFUSED = (400, 415, 422)
# (method, operation path, concrete path, query, headers, JSON body)
ROWS = [
    ("GET", "/api/v1/vendors/{vendor_id}/status", "/api/v1/vendors/1/status",
     {"as_of": "2199-12-31"}, {}, None),
    ("GET", "/api/v1/vendors/{vendor_id}/status", "/api/v1/vendors/1/status",
     {"as_of": "2200-01-01"}, {}, None),
    ("GET", "/api/v1/vendors/{vendor_id}/status", "/api/v1/vendors/1/status",
     {"as_of": "1969-12-31"}, {}, None),
    ("GET", "/api/v1/vendors", "/api/v1/vendors", {"cursor": "0000"}, {}, None),
    ("GET", "/api/v1/vendors", "/api/v1/vendors", {"cursor": "djE6MTA"}, {}, None),
    ("GET", "/api/v1/vendors", "/api/v1/vendors", {"stauts": "blocked"}, {}, None),
    ("PATCH", "/api/v1/vendors/{vendor_id}", "/api/v1/vendors/1", {}, {"If-Match": "null"}, {}),
    ("PATCH", "/api/v1/vendors/{vendor_id}", "/api/v1/vendors/1", {}, {"If-Match": '"1"'}, {}),
    ("PATCH", "/api/v1/vendors/{vendor_id}", "/api/v1/vendors/1", {},
     {"If-Match": "9999999999"}, {}),
    ("GET", "/api/v1/vendors/lookup", "/api/v1/vendors/lookup", {}, {}, None),
    ("GET", "/api/v1/vendors/lookup", "/api/v1/vendors/lookup", {"domain": ""}, {}, None),
    ("GET", "/api/v1/vendors/lookup", "/api/v1/vendors/lookup", {"name": " "}, {}, None),
    ("GET", "/api/v1/vendors/lookup", "/api/v1/vendors/lookup",
     {"domain": "HTTPS://AcmeCloud.example/"}, {}, None),
    ("POST", "/api/v1/vendors", "/api/v1/vendors", {}, {},
     {"name": "Blank Mail", "tier": "low", "owner_email": ""}),
    ("POST", "/api/v1/vendors", "/api/v1/vendors", {}, {}, {"name": "   ", "tier": "low"}),
    ("POST", "/api/v1/vendors", "/api/v1/vendors", {}, {},
     {"name": "x" * 199 + "  ", "tier": "low"}),
    ("GET", "/api/v1/requests", "/api/v1/requests", {"status": "open"}, {}, None),
    ("GET", "/api/v1/requests", "/api/v1/requests", {"status": "lost"}, {}, None),
    ("GET", "/api/v1/requests", "/api/v1/requests", {"stauts": "open"}, {}, None),
    ("GET", "/api/v1/submissions", "/api/v1/submissions", {"status": "pending"}, {}, None),
    ("GET", "/api/v1/submissions", "/api/v1/submissions", {"status": "open"}, {}, None),
    ("POST", "/api/v1/vendors/{vendor_id}/requests", "/api/v1/vendors/1/requests", {}, {},
     {"kinds": ["soc2_report", "soc2_report"], "contact_email": " Sec@Vendor.example ",
      "due_on": "2026-06-30"}),
    ("POST", "/api/v1/vendors/{vendor_id}/requests", "/api/v1/vendors/1/requests", {}, {},
     {"kinds": [], "contact_email": "sec@vendor.example", "due_on": "2026-06-30"}),
    ("POST", "/api/v1/vendors/{vendor_id}/requests", "/api/v1/vendors/1/requests", {}, {},
     {"kinds": ["soc2_report"], "contact_email": "", "due_on": "2026-06-30"}),
    ("POST", "/api/v1/vendors/{vendor_id}/requests", "/api/v1/vendors/1/requests", {}, {},
     {"kinds": ["soc2_report"], "contact_email": "sec@vendor.example", "due_on": "2026-06-30",
      "message": "  "}),
    ("POST", "/api/v1/vendors/{vendor_id}/requests", "/api/v1/vendors/1/requests", {}, {},
     {"kinds": ["soc2_report"], "contact_email": "sec@vendor.example", "due_on": "2026-06-30",
      "expires_on": None}),
]  # fmt: skip


def _validator(doc: dict, schema: dict) -> jsonschema_rs.Draft202012Validator:
    """A validator as schemathesis's (ECMA regexes, formats asserted), refs into `doc`."""
    rooted = {**schema, "components": doc["components"]}
    return jsonschema_rs.Draft202012Validator(rooted, validate_formats=True)


def _query_allowed(doc: dict, parameters: list[dict], query: dict) -> bool:
    """As schemathesis reads a query: declared names only, exploded objects by property."""
    rest = dict(query)
    for parameter in (p for p in parameters if p["in"] == "query"):
        schema = parameter["schema"]
        if schema.get("type") == "object" and parameter.get("explode", True):
            value = {k: rest.pop(k) for k in list(rest) if k in schema.get("properties", {})}
            present = bool(value)
        else:
            present, value = parameter["name"] in rest, rest.pop(parameter["name"], None)
        if present and not _validator(doc, schema).is_valid(value):
            return False
        if parameter.get("required") and not present:
            return False
    return not rest


def _allowed(doc: dict, method: str, operation_path: str, query, headers, body) -> bool:
    operation = doc["paths"][operation_path][method.lower()]
    parameters = operation.get("parameters", [])
    for parameter in (p for p in parameters if p["in"] == "header"):
        value = {k.lower(): v for k, v in headers.items()}.get(parameter["name"].lower())
        if value is not None and not _validator(doc, parameter["schema"]).is_valid(value):
            return False
    if body is not None:
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        if not _validator(doc, {"$ref": ref}).is_valid(body):
            return False
    return _query_allowed(doc, parameters, query)


@pytest.mark.probe_finding(15)
@pytest.mark.parametrize(("method", "operation", "path", "query", "headers", "body"), ROWS)
def test_the_document_allows_a_request_exactly_when_the_api_accepts_it(
    analyst, method, operation, path, query, headers, body
):
    assert analyst.post("/api/v1/vendors", json=vendor_body()).json()["id"] == 1
    doc = analyst.get("/openapi.json").json()
    answer = analyst.request(method, path, params=query, headers=headers, json=body)
    assert answer.status_code < 500
    accepted = answer.status_code not in REFUSED
    assert _allowed(doc, method, operation, query, headers, body) == accepted, answer.text


@pytest.mark.probe_finding(15)
def test_uploads_are_declared_as_pdf(anonymous):
    doc = anonymous.get("/openapi.json").json()
    for path in ("/api/v1/evidence/{evidence_id}/document",
                 "/api/v1/vendors/{vendor_id}/evidence/extract"):  # fmt: skip
        form = doc["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]
        assert form["encoding"]["file"]["contentType"] == "application/pdf"
        assert form["schema"]["properties"]["file"]["contentMediaType"] == "application/pdf"
