"""The digest as an e-mail: both parts carry the same facts, empty sections say so,
and everything a user typed is escaped in the HTML."""

import json
import re
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser

from app.digest.build import (
    EvaluatedVendor,
    StatusChangeFact,
    VendorInfo,
    build_digest,
    for_owner,
)
from app.digest.render import EMPTY, TITLES, render, to_json
from app.rules.engine import evaluate
from app.rules.facts import IsoCertificate, VendorCase, VendorFacts, Waiver
from app.rules.policy import Policy

AS_OF = date(2026, 6, 15)
POLICY = Policy.default()
EVIL = "<script>alert('x')</script> & Co"


def _vendor(vendor_id: int, name: str, expires_in: int, *, waiver_days=None, owner=None):
    cert = IsoCertificate(
        id=vendor_id * 10,
        received_on=date(2025, 1, 1),
        standard_version="2022",
        certificate_number=f"IS-{vendor_id}",
        certification_body="BSI",
        accreditation_body="UKAS",
        issued_on=date(2025, 1, 1),
        expires_on=AS_OF + timedelta(days=expires_in),
        last_surveillance_on=AS_OF - timedelta(days=20),
    )
    waivers = ()
    if waiver_days is not None:
        ends = AS_OF + timedelta(days=waiver_days)
        waivers = (
            Waiver(id=vendor_id * 100, code="ISO_EXPIRED", granted_on=AS_OF, expires_on=ends),
        )
    case = VendorCase(VendorFacts(tier="medium", requirement="iso27001"), (cert,), waivers)
    changes = (StatusChangeFact(AS_OF - timedelta(days=2), "approved", "blocked"),)
    return EvaluatedVendor(
        info=VendorInfo(vendor_id, name, "medium", owner),
        case=case,
        assessment=evaluate(case, POLICY, as_of=AS_OF),
        changes=changes if expires_in < 0 else (),
    )


def _digest(*vendors):
    return build_digest(vendors, as_of=AS_OF, policy=POLICY, base_url="https://vetted.example")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"

    def handle_data(self, data):
        self.parts.append(data)


def _visible(html: str) -> tuple[str, int]:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split()), parser.scripts


def test_both_parts_carry_every_row_with_its_facts():
    d = _digest(
        _vendor(1, "Expired Ltd", -3, waiver_days=10, owner="ann@example.com"),
        _vendor(2, "Soon Inc", 12),
        _vendor(3, "Later GmbH", 45),
        _vendor(4, "Quarter plc", 80),
    )
    letter = render(d)
    html_text, _ = _visible(letter.html)
    for part in (letter.text, html_text):
        for needle in [
            "Expired Ltd",
            "IS-1",
            str(AS_OF - timedelta(days=3)),
            "3 days ago",
            "Soon Inc",
            "12 days left",
            "Later GmbH",
            "45 days left",
            "Quarter plc",
            "80 days left",
            "approved",
            "blocked",
            "Certificate expired",
            "ann@example.com",
            "#100 for Certificate expired (ISO_EXPIRED)",
            "10 days left",
            "week 2026-W25",
        ]:
            assert needle in part, needle
    for vendor_id in (1, 2, 3, 4):
        url = f"https://vetted.example/vendors/{vendor_id}"
        assert url in letter.text and f'href="{url}"' in letter.html
    assert letter.subject == "Vendor evidence — week 2026-W25: 1 expired, 1 expiring within 30 days"


def test_an_empty_section_says_so_in_one_line():
    letter = render(_digest(_vendor(1, "Quiet", 400)))
    html_text, _ = _visible(letter.html)
    for key, line in EMPTY.items():
        assert line in letter.text and line in html_text, key
        assert TITLES[key].upper() + " (0)" in letter.text
    assert "Tracked: 1 vendor — 1 approved, 0 conditional, 0 blocked." in letter.text


def test_user_input_is_escaped_in_the_html_and_kept_in_the_text():
    letter = render(_digest(_vendor(1, EVIL, -1)))
    assert "<script>" not in letter.html
    assert "&lt;script&gt;" in letter.html
    text, scripts = _visible(letter.html)
    assert scripts == 0 and EVIL in unescape(text)
    assert EVIL in letter.text


def test_an_owner_s_letter_says_whose_it_is():
    d = _digest(_vendor(1, "Mine", -1, owner="ann@example.com"), _vendor(2, "Not mine", -1))
    letter = render(for_owner(d, "ann@example.com"))
    assert "vendors you own (ann@example.com)" in letter.text
    assert "Mine" in letter.text and "Not mine" not in letter.text


def test_json_form_has_every_section_with_iso_dates():
    data = to_json(_digest(_vendor(1, "Soon", 12)))
    assert json.loads(json.dumps(data)) == data
    assert data["week"] == "2026-W25" and data["as_of"] == "2026-06-15"
    assert set(data) >= set(TITLES) | {"subject", "totals", "scope"}
    (row,) = data["expiring_30"]
    assert row["valid_until"] == "2026-06-27" and row["days"] == 12
    assert row["vendor"]["url"] == "https://vetted.example/vendors/1"
    assert "owner_totals" not in data
    assert re.fullmatch(r"\d{4}-W\d{2}", data["week"])


def test_a_huge_section_is_cut_in_the_e_mail_and_links_to_the_full_list():
    from app.digest.render import MAX_ROWS

    many = [_vendor(i, f"Vendor {i:04d}", 10) for i in range(1, MAX_ROWS + 4)]
    d = _digest(*many)
    letter = render(d)
    url = "https://vetted.example/digest?as_of=2026-06-15&amp;full=1"
    assert f"WITHIN 30 DAYS ({MAX_ROWS + 3})" in letter.text
    assert "… and 3 more, listed at " + unescape(url) in letter.text
    assert f'href="{url}"' in letter.html and "… and 3 more" in letter.html
    assert "Vendor 0250" in letter.text and "Vendor 0251" not in letter.text
    assert "Vendor 0253" in render(d, limit=None).text
