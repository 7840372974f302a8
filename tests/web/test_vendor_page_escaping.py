"""Every stored text on the vendor page is escaped: the page builds its rows in Python
(app/web/vendor_sections.py), not through Jinja's autoescape, so each field is checked here."""

from html import unescape

import pytest
from web.support import api_post, log_evidence

from tests.factories import bridge_body, iso_body, soc2_body, vendor_body, waiver_body

HOSTILE = "<i data-x='1'>&\"</i>"
ESCAPED = "&lt;i data-x=&#39;1&#39;&gt;&amp;&#34;&lt;/i&gt;"


@pytest.fixture
def hostile_vendor(analyst) -> dict:
    """A vendor whose every free-text field, and its records', holds markup."""
    text = {"name": f"Acme {HOSTILE}", "services": f"Payroll {HOSTILE}"}
    vendor = api_post(analyst, "/api/v1/vendors", vendor_body(**text))
    vendor_id = vendor["id"]
    base = f"/api/v1/vendors/{vendor_id}"
    subservice = [{"name": f"Cloud {HOSTILE}", "method": "carve_out"}]
    report = log_evidence(
        analyst, vendor_id, soc2_body(auditor=f"Audit {HOSTILE}", subservice_orgs=subservice)
    )
    log_evidence(analyst, vendor_id, bridge_body(report["id"], notes=f"Letter {HOSTILE}"))
    certificate = iso_body(
        certificate_number=f"IS {HOSTILE}",
        certification_body=f"Body {HOSTILE}",
        accreditation_body=f"UKAS {HOSTILE}",
        scope=f"Scope {HOSTILE}",
        notes=f"Notes {HOSTILE}",
    )
    wrong = log_evidence(analyst, vendor_id, certificate)
    api_post(analyst, f"/api/v1/evidence/{wrong['id']}/retract", {"reason": f"Wrong {HOSTILE}"})
    granted = waiver_body(
        "SOC2_TYPE1_ONLY",
        evidence_id=report["id"],
        reason=f"Why {HOSTILE}",
        approved_by=f"CISO {HOSTILE}",
    )
    waiver = api_post(analyst, f"{base}/waivers", granted)
    api_post(analyst, f"/api/v1/waivers/{waiver['id']}/revoke", {"reason": f"Revoked {HOSTILE}"})
    analyst.patch(base, json={"services": f"Billing {HOSTILE}"})  # an edit in the history
    return {"id": vendor["id"], "retracted": wrong["id"]}


def test_no_stored_text_becomes_markup_on_the_vendor_page(hostile_vendor, web_analyst):
    html = web_analyst.get(f"/vendors/{hostile_vendor['id']}").text
    assert "<i data-x" not in html
    shown = [
        "Acme",  # the name, in the breadcrumb, heading and history
        "Payroll",  # services before the edit (history)
        "Billing",  # services now, and after the edit
        "Cloud",
        "Audit",
        "Letter",
        "IS",
        "Body",
        "UKAS",
        "Scope",
        "Notes",
        "Wrong",
        "Why",
        "CISO",
        "Revoked",
    ]
    for word in shown:
        assert f"{word} {ESCAPED}" in html, word
    assert f"Wrong {HOSTILE}" in unescape(html)  # escaped once, not twice


def test_the_retract_page_escapes_the_record_s_details(hostile_vendor, web_analyst):
    html = web_analyst.get(f"/evidence/{hostile_vendor['retracted']}/retract").text
    assert "<i data-x" not in html
    for word in ("IS", "Body", "UKAS", "Scope", "Notes"):
        assert f"{word} {ESCAPED}" in html, word
