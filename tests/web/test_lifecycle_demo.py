"""The demo's lifecycle story (seed/demo.toml, SPEC §12) as the pages tell it."""

from html import unescape

from sqlmodel import select

from app.db import session_scope
from app.models import Vendor


def _page(client, name: str) -> str:
    with session_scope() as session:
        vendor_id = session.exec(select(Vendor.id).where(Vendor.name == name)).one()
    response = client.get(f"/vendors/{vendor_id}")
    assert response.status_code == 200
    return unescape(response.text)


def test_the_demo_s_renewal_banners_archive_and_reviews(demo_data, web_reader):
    ledgerly = _page(web_reader, "Ledgerly")  # its report goes stale before the decision
    banner = "On 2026-09-05, when the renewal must be decided, this vendor will be Blocked"
    assert banner in ledgerly
    quickship = _page(web_reader, "Quickship Logistics")
    assert "The notice period has passed: the renewal had to be decided by 2026-05-16" in quickship
    canvas = _page(web_reader, "Canvas Print Co")
    assert "Print work moved in-house" in canvas
    helio = _page(web_reader, "Helio Mail")
    assert "Approved on condition the next SOC 2 report covers availability." in helio
    with session_scope() as session:
        lifecycles = dict(session.exec(select(Vendor.name, Vendor.lifecycle)).all())
    assert lifecycles["Pixel Survey"] == "onboarding"
    assert lifecycles["Canvas Print Co"] == "archived"
    assert lifecycles["Acme Cloud Hosting"] == "active"
