"""Previewing the digest: `vetted digest preview` and GET /api/v1/digest/preview."""

import json

from typer.testing import CliRunner

from app.cli import app
from app.digest.render import EMPTY, TITLES

AS_OF = "2026-06-15"
runner = CliRunner()


def preview(*args: str):
    result = runner.invoke(app, ["digest", "preview", "--as-of", AS_OF, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_demo_digest_has_something_in_every_section(demo):
    text = preview()
    assert text.startswith("Vendor evidence — week 2026-W25: 2 expired, 2 expiring within 30")
    for key, title in TITLES.items():
        if key == "requests_overdue":  # the demo asks no vendor for evidence: see
            continue  # test_requests_overdue.py
        assert f"{title.upper()} (0)" not in text and EMPTY[key] not in text
    for name in ("Brightline HR", "Orbit Analytics", "Tally Expenses", "Greenfield Facilities"):
        assert name in text
    assert "Vector Security Consulting" in text and "Ledgerly" in text  # 31–60 and 61–90
    assert "Helio Mail [high] — approved → conditional on 2026-06-15" in text
    assert "Sentinel Backup" in text and "25 days left" in text
    # §12: Helio Mail was reviewed 13 months ago (due every 12); Ledgerly's renewal is decided
    # after its report goes stale; Quickship's notice period has passed; Canvas Print Co is
    # archived, so it is in no section.
    assert "Helio Mail [high] — review due 2026-05-15, 31 days overdue" in text
    assert "Ledgerly [high] — renewal decision by 2026-09-05, in 82 days" in text
    assert "Quickship Logistics [medium] — renewal decision by 2026-05-16, notice passed" in text
    assert "Canvas Print Co" not in text


def test_preview_json_is_exactly_what_the_api_returns(demo, reader):
    from_cli = json.loads(preview("--format", "json"))
    response = reader.get("/api/v1/digest/preview", params={"as_of": AS_OF})
    assert response.status_code == 200
    assert response.json() == from_cli
    assert from_cli["subject"].startswith("Vendor evidence — week 2026-W25")
    assert [r["vendor"]["name"] for r in from_cli["worsened"]] == ["Helio Mail"]


def test_preview_html_and_an_owner_s_preview(demo):
    html = preview("--format", "html")
    assert html.lstrip().startswith("<!DOCTYPE html>") and "<table" in html
    mine = preview("--owner", "tom.becker@example.com")
    assert "vendors you own (tom.becker@example.com)" in mine
    assert "Orbit Analytics" in mine and "Brightline HR" not in mine


def test_preview_sends_nothing_and_refuses_a_bad_date(demo):
    bad = runner.invoke(app, ["digest", "preview", "--as-of", "next monday"])
    assert bad.exit_code == 2 and "not a date" in bad.output
    bad_format = runner.invoke(app, ["digest", "preview", "--format", "pdf"])
    assert bad_format.exit_code == 2


def test_the_api_preview_defaults_to_today(demo, reader):
    data = reader.get("/api/v1/digest/preview").json()
    assert (data["as_of"], data["week"]) == ("2026-06-15", "2026-W25")  # TEST_TODAY
    # v2: the demo's eighteen vendors; Sentinel Backup's report is not judged for scope yet.
    # §12: Canvas Print Co (approved) is archived, so it leaves the digest.
    assert data["totals"] == {"tracked": 17, "approved": 3, "conditional": 6, "blocked": 8}


def test_the_api_preview_needs_a_token_and_a_valid_date(demo, anonymous, reader):
    assert anonymous.get("/api/v1/digest/preview").status_code == 401
    bad = reader.get("/api/v1/digest/preview", params={"as_of": "2026-13-01"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "as_of"]
    too_far = reader.get("/api/v1/digest/preview", params={"as_of": "9999-01-01"})
    assert too_far.status_code == 422


def test_the_preview_is_documented(anonymous):
    schema = anonymous.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/digest/preview"]["get"]
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
    assert "DigestRead" in schema["components"]["schemas"]
