"""The pages an analyst reads: dashboard, vendor list, vendor page (request level)."""

import re
from datetime import date, timedelta

import pytest
from factories import bridge_body, iso_body, soc2_body, vendor_body, waiver_body
from web.support import WebClient

from app.rules.dates import add_months


def _vendor(api, **overrides) -> dict:
    response = api.post("/api/v1/vendors", json=vendor_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def _evidence(api, vendor_id: int, body: dict) -> dict:
    response = api.post(f"/api/v1/vendors/{vendor_id}/evidence", json=body)
    assert response.status_code == 201, response.text
    return response.json()["evidence"]


def _report_ending(end: str) -> dict:
    """A clean SOC 2 Type II report over the 12 months ending `end`."""
    start = add_months(date.fromisoformat(end), -12) + timedelta(days=1)
    return soc2_body(period_start=start.isoformat(), period_end=end)


def _text(html: str) -> str:
    """The page's words, tags removed and spaces collapsed."""
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return re.sub(r" ([,.:;])", r"\1", text)


@pytest.fixture
def three_vendors(analyst) -> dict[str, dict]:
    """A blocked (ISO in place of SOC 2), a conditional (Type I) and an approved vendor; the
    first two active (past onboarding: the dashboard lists them as needing attention)."""
    blocked = _vendor(
        analyst, name="Acme Cloud", domain="acme.example", tier="critical", lifecycle="active"
    )
    _evidence(analyst, blocked["id"], iso_body())
    conditional = _vendor(
        analyst, name="Helio Mail", domain="helio.example", tier="high", lifecycle="active"
    )
    _evidence(
        analyst,
        conditional["id"],
        soc2_body(
            report_type="type1",
            period_start=None,
            period_end="2026-05-31",
            received_on="2026-06-01",
        ),
    )
    approved = _vendor(analyst, name="Brightline", domain="brightline.example", tier="high")
    _evidence(analyst, approved["id"], _report_ending("2025-09-30"))
    return {"blocked": blocked, "conditional": conditional, "approved": approved}


def test_dashboard_counts_link_to_the_filtered_list(web_reader: WebClient, three_vendors):
    page = web_reader.get("/")
    assert page.status_code == 200
    for status in ("blocked", "conditional", "approved"):
        assert f'href="/vendors?status={status}"' in page.text
    counts = re.findall(r'<span class="count">(\d+)</span>', page.text)
    assert counts == ["1", "1", "1"]  # blocked, conditional, approved


def test_dashboard_lists_blocked_and_conditional_vendors_with_their_worst_flag(
    web_reader: WebClient, three_vendors
):
    text = _text(web_reader.get("/").text)
    attention = text.split("Needs attention")[1].split("In onboarding")[0]
    assert "Acme Cloud ✕ Blocked Blocking ISO 27001 certificate instead of a SOC 2 report" in (
        attention.replace("Critical tier ", "")
    )
    assert "Helio Mail" in attention and "SOC 2 Type I where Type II is required" in attention
    assert "Brightline" not in attention


def test_dashboard_shows_what_expires_in_90_days_soonest_first(web_reader: WebClient, analyst):
    later = _vendor(analyst, name="Later Ltd", tier="high")
    _evidence(analyst, later["id"], _report_ending("2025-08-31"))
    sooner = _vendor(analyst, name="Sooner Ltd", tier="high")
    _evidence(analyst, sooner["id"], _report_ending("2025-07-15"))
    far = _vendor(analyst, name="Far Ltd", tier="high")
    _evidence(analyst, far["id"], _report_ending("2026-03-31"))
    text = _text(web_reader.get("/").text).split("Goes stale or expires")[1]
    assert text.index("Sooner Ltd") < text.index("Later Ltd")
    assert "2026-07-15 (in 30 days)" in text and "2026-08-31 (in 77 days)" in text
    assert "Far Ltd" not in text.split("Latest changes")[0]


def test_dashboard_shows_the_latest_changes(web_reader: WebClient, three_vendors):
    text = _text(web_reader.get("/").text).split("Latest changes")[1]
    assert "Brightline: Logged SOC 2 Type II report" in text
    assert "Acme Cloud: Created the vendor" in text
    assert "by token:test-analyst" in text


def test_vendor_list_shows_status_badges_in_words(web_reader: WebClient, three_vendors):
    page = web_reader.get("/vendors")
    assert page.status_code == 200
    assert re.search(r'class="badge status-blocked">.*?Blocked</span>', page.text, re.S)
    assert "3 vendors" in _text(page.text)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("q=acme", ["Acme Cloud"]),
        ("q=HELIO.example", ["Helio Mail"]),
        ("status=conditional", ["Helio Mail"]),
        ("tier=critical", ["Acme Cloud"]),
        ("tier=high&status=approved", ["Brightline"]),
        ("sort=-name", ["Helio Mail", "Brightline", "Acme Cloud"]),
        ("sort=status", ["Acme Cloud", "Helio Mail", "Brightline"]),
        (
            "status=bogus&tier=nope&sort=drop+table&page=x",
            ["Acme Cloud", "Brightline", "Helio Mail"],
        ),
    ],
)
def test_vendor_list_searches_filters_and_sorts(web_reader: WebClient, three_vendors, query, names):
    page = web_reader.get(f"/vendors?{query}")
    assert page.status_code == 200
    shown = re.findall(r'<a href="/vendors/\d+">([^<]+)</a>', page.text)
    assert shown == names


def test_vendor_list_paginates(web_reader: WebClient, analyst):
    for n in range(53):
        _vendor(analyst, name=f"Vendor {n:02d}", domain=f"v{n}.example", tier="low")
    first = web_reader.get("/vendors")
    assert "page 1 of 2" in first.text and 'rel="next"' in first.text
    assert len(re.findall(r'<a href="/vendors/\d+">', first.text)) == 50
    second = web_reader.get("/vendors?page=2")
    assert re.findall(r'<a href="/vendors/\d+">([^<]+)</a>', second.text) == [
        "Vendor 50",
        "Vendor 51",
        "Vendor 52",
    ]
    assert 'rel="prev"' in second.text
    assert "page 2 of 2" in web_reader.get("/vendors?page=99").text


def test_vendor_page_says_what_to_do_next(web_reader: WebClient, three_vendors):
    vendor = three_vendors["blocked"]
    text = _text(web_reader.get(f"/vendors/{vendor['id']}").text)
    assert "Blocked: do not sign or renew with Acme Cloud." in text
    assert (
        "What to do next: Ask for a SOC 2 Type II report: an ISO 27001 certificate does not "
        "replace it." in text
    )
    assert "Blocking ISO 27001 certificate instead of a SOC 2 report ISO_IN_PLACE_OF_SOC2" in text
    assert "About: ISO/IEC 27001:2022 certificate #" in text


def test_vendor_page_for_a_conditional_vendor(web_reader: WebClient, three_vendors):
    text = _text(web_reader.get(f"/vendors/{three_vendors['conditional']['id']}").text)
    assert "Conditional: close these gaps" in text
    assert "Ask for a SOC 2 Type II report." in text


def test_vendor_page_evidence_current_superseded_and_retracted(web_reader: WebClient, analyst):
    vendor = _vendor(analyst, name="Layers Inc", tier="high")
    old = _evidence(analyst, vendor["id"], _report_ending("2024-12-31"))
    new = _evidence(analyst, vendor["id"], soc2_body())
    wrong = _evidence(analyst, vendor["id"], soc2_body(period_end="2026-04-30"))
    analyst.post(f"/api/v1/evidence/{wrong['id']}/retract", json={"reason": "Another company's"})
    page = web_reader.get(f"/vendors/{vendor['id']}").text
    standing = dict(re.findall(r'<tr id="evidence-(\d+)" class="standing-(\w+)">', page))
    assert standing == {str(old["id"]): "superseded", str(new["id"]): "current"} | {
        str(wrong["id"]): "retracted"
    }
    assert re.search(rf"<del>SOC 2 Type II report #{wrong['id']}</del>", page)
    assert "by token:test-analyst: Another company&#39;s" in page


def test_vendor_page_shows_a_bridge_letter_for_the_current_report(web_reader: WebClient, analyst):
    vendor = _vendor(analyst, name="Bridged Co", tier="critical")
    report = _evidence(analyst, vendor["id"], soc2_body(period_end="2026-02-28"))
    letter = _evidence(analyst, vendor["id"], bridge_body(report["id"]))
    page = web_reader.get(f"/vendors/{vendor['id']}").text
    assert f'<tr id="evidence-{letter["id"]}" class="standing-current">' in page
    assert f'href="#evidence-{report["id"]}">SOC 2 report #{report["id"]}' in page


def test_vendor_page_shows_waivers_and_the_waived_flag(web_reader: WebClient, analyst):
    vendor = _vendor(analyst, name="Waived Co", tier="high")
    analyst.post(f"/api/v1/vendors/{vendor['id']}/waivers", json=waiver_body())
    text = _text(web_reader.get(f"/vendors/{vendor['id']}").text)
    assert "Approved with accepted risk: you may sign or renew with Waived Co" in text
    assert (
        "Accepted risks: Required evidence missing, by waiver #1 until 2026-09-01 (in 78 days); "
        "then it counts again." in text
    )
    assert "Blocking Waived Required evidence missing EVIDENCE_MISSING" in text
    assert "Waived by waiver #1, approved by Morgan Lee, until 2026-09-01 (in 78 days)" in text
    assert "#1 approved by Morgan Lee Required evidence missing" in text and "In force" in text


def test_vendor_page_history_names_who_changed_what(web_reader: WebClient, analyst):
    vendor = _vendor(analyst, name="History Co", tier="high")
    analyst.patch(f"/api/v1/vendors/{vendor['id']}", json={"tier": "low"})
    text = _text(web_reader.get(f"/vendors/{vendor['id']}").text).split("History")[-1]
    assert "Edited the vendor tier: high → low status: blocked → approved" in text
    assert "Created the vendor" in text and "by token:test-analyst" in text


def test_as_of_re_evaluates_for_a_future_date(web_reader: WebClient, analyst):
    vendor = _vendor(analyst, name="Renewal Co", tier="high")
    _evidence(analyst, vendor["id"], soc2_body())  # current until 2027-03-31
    today = _text(web_reader.get(f"/vendors/{vendor['id']}").text)
    assert "Approved:" in today and "not today" not in today
    later = _text(web_reader.get(f"/vendors/{vendor['id']}?as_of=2027-04-01").text)
    assert "Evaluated as of 2027-04-01 (in 9 months), not today." in later
    assert "Blocked: do not sign or renew with Renewal Co." in later
    assert "stopped being current after 2027-03-31" in later


@pytest.mark.parametrize("bad", ["tomorrow", "2026-02-30", "9999-01-01"])
def test_a_bad_as_of_date_is_explained_and_today_is_used(web_reader: WebClient, analyst, bad):
    vendor = _vendor(analyst, name="Dates Co", tier="low")
    page = web_reader.get(f"/vendors/{vendor['id']}", params={"as_of": bad})
    assert page.status_code == 200
    assert 'id="as_of-error"' in page.text
    assert 'value="2026-06-15"' in page.text


def test_readers_see_no_write_buttons(web_reader: WebClient, web_analyst: WebClient, analyst):
    vendor = _vendor(analyst, name="Buttons Co", tier="high")
    report = _evidence(analyst, vendor["id"], soc2_body(report_type="type1", period_start=None))
    waiver = waiver_body("SOC2_TYPE1_ONLY", evidence_id=report["id"])
    assert analyst.post(f"/api/v1/vendors/{vendor['id']}/waivers", json=waiver).status_code == 201
    write_links = (
        "/edit",
        "/evidence/soc2_report/new",
        f"/evidence/{report['id']}/retract",
        "/waivers/new",
        "/waivers/1/revoke",
        'href="/vendors/new"',
    )
    as_reader = web_reader.get(f"/vendors/{vendor['id']}").text
    as_analyst = web_analyst.get(f"/vendors/{vendor['id']}").text
    for link in write_links:
        assert link not in as_reader, link
        assert link in as_analyst or link == "/waivers/new", link
    assert "Log out" in as_reader  # the only form a reader gets
    assert as_reader.count('method="post"') == 1


def test_pages_are_not_cached(web_reader: WebClient):
    assert web_reader.get("/").headers["cache-control"] == "no-store"


def test_static_files_are_served(web: WebClient):
    assert web.get("/static/vetted.css").status_code == 200
    assert "<script" not in web.get("/static/vetted.js").text


def test_each_flag_explains_its_rule(web_reader: WebClient, three_vendors):
    page = web_reader.get(f"/vendors/{three_vendors['blocked']['id']}").text
    why = page.split('<details class="why"><summary>Why this rule</summary><p>')[1]
    assert why.startswith("A SOC 2 report is required but only an ISO/IEC 27001 certificate")
    assert "ISO 27001 certifies a management system" in why.split("</p>")[0]


def test_what_users_typed_is_escaped(web_reader: WebClient, analyst):
    vendor = _vendor(analyst, name="<script>alert(1)</script>", services="<b>bold</b>")
    page = web_reader.get(f"/vendors/{vendor['id']}").text
    assert "<script>alert(1)</script>" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;" in web_reader.get("/vendors").text


def test_the_web_pages_are_not_in_the_api_schema(web: WebClient):
    paths = web.get("/openapi.json").json()["paths"]
    assert all(path.startswith("/api/") or path in ("/healthz", "/readyz") for path in paths)


def test_vendor_list_search_ignores_nul_bytes(web_reader: WebClient, three_vendors):
    """PostgreSQL refuses NUL in text: the search drops it rather than answering 500."""
    assert web_reader.get("/vendors", params={"q": "\x00"}).status_code == 200
    assert web_reader.get("/export/vendors", params={"q": "\x00"}).status_code == 200
