"""The vendor page's frame (header, navigation, logout form) is rendered once per session and
reused (app/web/templating.py, render_framed): it must never show one session's user or CSRF
token to another, and a one-off notice must still show once."""

from web.support import csrf_of

from tests.factories import vendor_body


def _vendor(analyst) -> int:
    response = analyst.post("/api/v1/vendors", json=vendor_body(name="Acme <Payroll>"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_each_session_sees_its_own_user_and_token(analyst, web_analyst, web_reader):
    vendor_id = _vendor(analyst)
    for client, email in ((web_analyst, "analyst@example.com"), (web_reader, "reader@example.com")):
        for _ in range(2):  # the second view reuses the frame
            html = client.get(f"/vendors/{vendor_id}").text
            assert f'<span class="who">{email} ' in html
            assert csrf_of(html) == client.csrf
    analyst_page = web_analyst.get(f"/vendors/{vendor_id}").text
    reader_page = web_reader.get(f"/vendors/{vendor_id}").text
    assert 'href="/vendors/new"' in analyst_page and 'href="/vendors/new"' not in reader_page
    assert "<title>Acme &lt;Payroll&gt; · Vetted</title>" in reader_page


def test_a_new_session_gets_a_new_frame(analyst, web_analyst):
    vendor_id = _vendor(analyst)
    before = csrf_of(web_analyst.get(f"/vendors/{vendor_id}").text)
    web_analyst.submit("/logout")
    web_analyst.log_in("analyst@example.com")
    after = csrf_of(web_analyst.get(f"/vendors/{vendor_id}").text)
    assert after == web_analyst.csrf and after != before


def test_a_notice_shows_once_then_the_usual_frame(web_analyst):
    created = web_analyst.submit("/vendors/new", {"name": "Blue Ledger", "tier": "high"})
    assert created.status_code == 303
    page = web_analyst.get(created.headers["location"]).text
    assert '<p class="notice" role="status">Created Blue Ledger.' in page
    again = web_analyst.get(created.headers["location"]).text
    assert 'class="notice"' not in again
    assert "<h1>Blue Ledger " in again
