"""GET /digest: this week's digest, as it would be sent, for logged-in users."""

from html import unescape

import pytest
from web.support import web_client


@pytest.fixture
def web_reader(app):
    with web_client(app, "reader") as client:
        yield client


def test_the_page_shows_both_parts_of_this_week_s_digest(demo, web_reader):
    page = web_reader.get("/digest")
    assert page.status_code == 200
    html = page.text
    assert "Weekly digest — week 2026-W25" in html  # TEST_TODAY's week
    assert "Vendor evidence — week 2026-W25: 2 expired, 2 expiring within 30 days" in html
    frame = unescape(html.split('class="letter-frame" src="', 1)[1].split('"', 1)[0])
    letter = web_reader.get(frame)  # the e-mail's HTML part, framed from its own address
    assert letter.status_code == 200 and "<table" in letter.text and "Brightline HR" in letter.text
    assert "sandbox" in letter.headers["content-security-policy"]
    assert "Helio Mail [high] — approved → conditional" in html
    assert "not yet" in html


def test_another_week_and_a_bad_date(demo, web_reader):
    assert "week 2026-W27" in web_reader.get("/digest", params={"as_of": "2026-07-01"}).text
    assert "week 2026-W25" in web_reader.get("/digest", params={"as_of": "soon"}).text


def test_vendor_names_cannot_inject_markup(demo, web_reader, analyst):
    body = {"name": "<script>alert(1)</script>", "tier": "high"}
    assert analyst.post("/api/v1/vendors", json=body).status_code == 201
    html = web_reader.get("/digest").text
    assert "<script>alert(1)</script>" not in html


def test_the_page_needs_a_login(app):
    with web_client(app, None) as anonymous:
        response = anonymous.get("/digest", follow_redirects=False)
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]


def test_full_lists_every_row(demo, web_reader):
    page = web_reader.get("/digest", params={"full": "1"})
    assert page.status_code == 200 and "every row" in page.text
