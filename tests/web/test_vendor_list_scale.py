"""The vendor list at scale: counted up to a cap, an edited or lapsed vendor shown as it is
today, the session cookie verified once per value, a hostile query string never an error."""

import re

import pytest
from factories import iso_body, soc2_body, vendor_body
from web.support import WebClient

from app.vendors import queries
from app.web.session import COOKIE, WebSession, _verified

NAMES = re.compile(r'<a href="/vendors/\d+">([^<]+)</a>')


def _vendors(api, count: int, tier: str = "low") -> list[dict]:
    made = []
    for n in range(count):
        body = vendor_body(name=f"Vendor {n:02d}", domain=f"v{n}.example", tier=tier)
        response = api.post("/api/v1/vendors", json=body)
        assert response.status_code == 201, response.text
        made.append(response.json())
    return made


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 2 vendors, counted up to 3, so the cap shows with a handful of vendors."""
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    monkeypatch.setattr(queries, "COUNT_CAP", 3)


def _count_line(html: str) -> str:
    found = re.search(r'<p class="result-count" role="status">(.*?)</p>', html, re.S)
    assert found, html
    return " ".join(found.group(1).split())


def test_past_the_cap_the_list_says_more_than_and_still_pages(
    web_reader: WebClient, analyst, small_pages
):
    _vendors(analyst, 5)
    first = web_reader.get("/vendors")
    assert _count_line(first.text) == "More than 3 vendors · page 1 of more than 2"
    assert NAMES.findall(first.text) == ["Vendor 00", "Vendor 01"]
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    assert "Download all vendors," in first.text  # no number it does not know

    last = web_reader.get("/vendors?page=3")
    assert NAMES.findall(last.text) == ["Vendor 04"]
    assert 'rel="next"' not in last.text and 'rel="prev"' in last.text


def test_under_the_cap_the_count_is_exact(web_reader: WebClient, analyst, small_pages):
    _vendors(analyst, 3)
    first = web_reader.get("/vendors")
    assert _count_line(first.text) == "3 vendors · page 1 of 2"
    assert "Download all 3 vendors," in first.text
    assert _count_line(web_reader.get("/vendors?page=99").text) == "3 vendors · page 2 of 2"


def test_a_changed_vendor_is_shown_changed_the_same_day(web_reader: WebClient, analyst):
    """An edit or a new status shows at once."""
    vendor = _vendors(analyst, 1, tier="critical")[0]
    row = web_reader.get("/vendors").text.split("<tbody>")[1]
    assert "Required evidence missing" in row and "Blocked" in row
    analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=iso_body())
    row = web_reader.get("/vendors").text.split("<tbody>")[1]
    assert "ISO 27001 certificate instead of a SOC 2 report" in row and "Blocked" in row

    version = analyst.get(f"/api/v1/vendors/{vendor['id']}").json()["version"]
    renamed = analyst.patch(
        f"/api/v1/vendors/{vendor['id']}", json={"name": "Renamed & Co", "version": version}
    )
    assert renamed.status_code == 200, renamed.text
    assert NAMES.findall(web_reader.get("/vendors").text) == ["Renamed &amp; Co"]


@pytest.mark.parametrize("page", ["²", "٣", "-1", "1e3", "9" * 40, ""])
def test_odd_page_numbers_show_the_first_page(web_reader: WebClient, analyst, page: str):
    _vendors(analyst, 1)
    response = web_reader.get("/vendors", params={"page": page})
    assert response.status_code == 200
    assert NAMES.findall(response.text) == ["Vendor 00"]


def test_a_cookie_is_trusted_only_under_the_key_that_signed_it(
    monkeypatch: pytest.MonkeyPatch,
):
    from pydantic import SecretStr

    from app.config import get_settings

    web = WebSession({})
    web.data.update({"sid": "a session id", "csrf": "a token"})
    value = web.set_cookie_header(secure=False).split(";")[0].removeprefix(f"{COOKIE}=")
    assert WebSession.from_cookie(value).session_id == "a session id"
    assert _verified(value, "another key entirely") is None
    monkeypatch.setattr(
        get_settings(), "secret_key", SecretStr("a rotated secret key for this test")
    )
    assert WebSession.from_cookie(value).session_id is None


def test_a_lapsed_status_is_shown_as_today_s_and_stored_by_the_daily_pass(
    app, web_reader: WebClient, analyst
):
    """The stored status holds until its review date. After it, the list shows today's status,
    evaluated but not stored (reads never write); the filters, which read the stored status,
    find the vendor once the daily pass has stored it."""
    from datetime import date

    from app.deps import get_today
    from app.status.daily import run_daily

    vendor = _vendors(analyst, 1, tier="high")[0]
    response = analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=soc2_body())
    assert response.json()["status"]["next_review_on"] == "2026-12-31"  # going stale from
    assert NAMES.findall(web_reader.get("/vendors?status=blocked").text) == []

    later = date(2027, 4, 1)  # the report is stale
    app.dependency_overrides[get_today] = lambda: later
    row = web_reader.get("/vendors").text.split("<tbody>")[1]
    assert "SOC 2 report stale" in row and "Blocked" in row
    assert NAMES.findall(web_reader.get("/vendors?status=blocked").text) == []

    assert run_daily(day=later, who="test") == 1
    blocked = web_reader.get("/vendors?status=blocked").text
    assert NAMES.findall(blocked) == ["Vendor 00"]
    assert "SOC 2 report stale" in blocked
