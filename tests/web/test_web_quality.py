"""Pure pieces of the pages (dates, next steps, messages) and page-wide rules: labels, no
inline script, keyboard-reachable controls."""

import inspect
import re
import tokenize
from datetime import date
from html.parser import HTMLParser

import pytest
from conftest import TEST_TODAY
from factories import soc2_body, vendor_body, waiver_body
from pydantic import ValidationError
from sqlmodel import select
from web.support import WebClient

from app import db
from app.config import ROOT
from app.models import Vendor
from app.rules.catalog import MESSAGES, RULES_BY_CODE, message
from app.rules.facts import BridgeLetter, IsoCertificate, SocReport
from app.status.schemas import FlagRead, StatusRead
from app.status.service import assess
from app.vendors.list_web import ListParams
from app.vendors.schemas import VendorCreate
from app.vendors.views import banner, next_step
from app.web.forms import FormState, message_for, tidy
from app.web.templating import relative, templates


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 6, 15), "today"),
        (date(2026, 6, 16), "in 1 day"),
        (date(2026, 6, 27), "in 12 days"),
        (date(2026, 6, 12), "3 days ago"),
        (date(2026, 9, 22), "in 99 days"),
        (date(2026, 12, 15), "in 6 months"),
        (date(2024, 6, 1), "2 years ago"),
    ],
)
def test_relative_dates(day, expected):
    assert relative(day, TEST_TODAY) == expected


def test_the_day_filter_shows_the_iso_date_and_how_far_it_is_from_the_pages_date():
    template = templates.env.from_string("{{ d|day }}")
    html = template.render(d=date(2026, 3, 31), as_of=date(2026, 3, 19))
    assert html == (
        '<time datetime="2026-03-31">2026-03-31</time> <span class="rel">(in 12 days)</span>'
    )
    assert "—" in template.render(d=None, as_of=TEST_TODAY)


def test_every_flag_of_the_demo_data_says_what_to_do_next(demo_data):
    codes = set()
    with db.session_scope(writes=False) as session:
        for vendor in session.exec(select(Vendor)):
            for flag in assess(session=session, vendor=vendor, as_of=TEST_TODAY).flags:
                step = next_step(flag.message)
                assert step != flag.message, flag.message
                assert step.split()[0] in ("Ask", "Check", "Review", "Read"), step
                codes.add(flag.code)
    assert len(codes) >= 12  # the demo data exercises most of the catalogue


def _sample_facts(code: str, name: str) -> object:
    kind = {"SOC1_IN_PLACE_OF_SOC2": "soc1_report", "SOC3_IN_PLACE_OF_SOC2": "soc3_report"}
    report = SocReport(
        id=1,
        kind=kind.get(code, "soc2_report"),
        received_on=TEST_TODAY,
        period_end=date(2026, 3, 31),
        opinion="qualified",
        report_type="type2",
        period_start=date(2025, 4, 1),
        auditor="Inc. Auditors",
        exceptions_noted=2,
    )
    samples = {
        "report": report,
        "certificate": IsoCertificate(
            1, TEST_TODAY, "2022", "IS 1", "BSI", "UKAS", date(2026, 1, 1), date(2029, 1, 1)
        ),
        "letter": BridgeLetter(2, TEST_TODAY, 1, date(2026, 9, 30), date(2026, 6, 1)),
        "requirement": "soc2_type2",
        "days_left": 10,
        "months": 6,
        "min_months": 6,
        "missing": ("availability",),
        "organisation": "AWS",
        "judgement": "partly",
        "data_access": "personal",
        "accepted": True,
        "newer": True,
    }
    return samples.get(name, date(2026, 7, 1))


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_rule_message_ends_with_what_to_do(code):
    names = inspect.signature(MESSAGES[code]).parameters
    text = message(code, **{name: _sample_facts(code, name) for name in names})
    step = next_step(text)
    assert step != text and step.split()[0] in ("Ask", "Check", "Review", "Read"), text


def _flag(code: str, *, waived: bool = False, message: str | None = None) -> FlagRead:
    rule = RULES_BY_CODE[code]
    text = message or f"Something about {code}. Ask the vendor about {code}."
    return FlagRead(
        code=code,
        severity=rule.severity,
        message=text,
        evidence_id=None,
        waived=waived,
        waiver_id=1 if waived else None,
    )


def _status(status: str, *flags: FlagRead) -> StatusRead:
    return StatusRead(
        vendor_id=1,
        name="Acme",
        status=status,
        as_of=TEST_TODAY,
        requirement="soc2_type2",
        flags=list(flags),
        next_review_on=None,
        lifecycle="active",
        review_due_on=None,
        decision=None,
    )


def test_the_banner_takes_its_steps_from_the_worst_flags_that_count():
    status = _status(
        "blocked",
        _flag("EVIDENCE_MISSING", waived=True),
        _flag("ISO_IN_PLACE_OF_SOC2"),
        _flag("SOC2_TYPE1_ONLY"),
        _flag("SOC2_EXCEPTIONS_NOTED"),
    )
    result = banner(status, "Acme")
    assert result.headline == "Blocked: do not sign or renew with Acme."
    assert result.actions == ("Ask the vendor about ISO_IN_PLACE_OF_SOC2.",)


def test_an_approved_banner_lists_the_medium_flags_to_keep_in_view():
    result = banner(_status("approved", _flag("SOC2_GOING_STALE"), _flag("SOC2_CUECS")), "Acme")
    assert result.actions == ("Ask the vendor about SOC2_GOING_STALE.",)
    assert banner(_status("approved"), "Acme").actions == ()


def test_identical_steps_are_given_once():
    same = "A gap. Ask for the report."
    status = _status(
        "blocked",
        _flag("SOC3_IN_PLACE_OF_SOC2", message=same),
        _flag("SOC1_IN_PLACE_OF_SOC2", message=same),
    )
    assert banner(status, "Acme").actions == ("Ask for the report.",)


def test_messages_read_as_sentences():
    assert tidy("Value error, must be after issued_on") == "Must be after the issue date."
    assert tidy("String should have at most 200 characters") == "Must have at most 200 characters."
    with pytest.raises(ValidationError) as caught:
        VendorCreate.model_validate({"tier": "low"})
    assert message_for(caught.value.errors()[0]) == "Required."


def test_unknown_form_fields_are_ignored_and_errors_without_a_field_go_on_top():
    form = FormState({"name": "x"})
    form.add("cursor", "Malformed.")
    assert form.form_error == "Malformed." and not form.ok


def test_list_urls_keep_the_filters():
    params = ListParams.parse("acme", "blocked", "bogus", "expires", "3")
    assert params.url(page=4) == "/vendors?q=acme&status=blocked&sort=expires&page=4"
    assert params.url(page=1, q="") == "/vendors?status=blocked&sort=expires"


class _Page(HTMLParser):
    """Collects the form controls, the labels and the script tags of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.labels: set[str] = set()
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append({"tag": tag, **attributes})
        elif tag == "label" and "for" in attributes:
            self.labels.add(attributes["for"])
        elif tag == "script":
            self.scripts.append(attributes)


@pytest.fixture
def every_page(web_analyst: WebClient, analyst) -> list[str]:
    """The address of every page, with a vendor that has evidence and a waiver."""
    vendor = analyst.post("/api/v1/vendors", json=vendor_body(tier="critical")).json()
    evidence = analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=soc2_body())
    waiver = waiver_body("SOC2_CUECS", evidence_id=evidence.json()["evidence"]["id"])
    assert analyst.post(f"/api/v1/vendors/{vendor['id']}/waivers", json=waiver).status_code == 201
    base = f"/vendors/{vendor['id']}"
    kinds = ("soc2_report", "soc1_report", "soc3_report", "iso27001_certificate", "bridge_letter")
    return [
        "/login",
        "/",
        "/vendors",
        "/vendors/new",
        base,
        base + "/edit",
        *(f"{base}/evidence/{kind}/new" for kind in kinds),
        base + "/waivers/new",
        f"/evidence/{evidence.json()['evidence']['id']}/retract",
        "/waivers/1/revoke",
        "/nowhere",
    ]


def test_every_input_has_a_label_and_no_page_has_inline_script(
    web_analyst: WebClient, web: WebClient, every_page
):
    for url in every_page:
        client = web if url == "/login" else web_analyst
        page = _Page()
        page.feed(client.get(url).text)
        for control in page.controls:
            assert control.get("id") in page.labels, (url, control)
        assert all(script.get("src", "").startswith("/static/") for script in page.scripts), url


def test_forms_show_errors_with_aria_links(web_analyst: WebClient):
    response = web_analyst.submit("/vendors/new", {"name": "", "tier": "low"})
    assert 'aria-describedby="name-error" aria-invalid="true"' in response.text
    assert '<a href="#name">Name</a>: Required.' in response.text


HTML_TAG = re.compile(
    r"</?(a|b|br|button|code|dd|del|details|div|dl|dt|em|form|h[1-6]|i|img|input|label|li|nav|"
    r"ol|option|p|script|section|select|span|strong|summary|table|tbody|td|textarea|th|thead|"
    r"time|tr|ul)\b[^<>]*>"
)
NOT_PAGE_HTML = {"app/security.py"}  # a pattern for the API docs' inline scripts (their CSP hashes)


def _html_literals(path) -> list[int]:
    with tokenize.open(path) as source:
        tokens = tokenize.generate_tokens(source.readline)
        return [
            t.start[0] for t in tokens if t.type == tokenize.STRING and HTML_TAG.search(t.string)
        ]


def test_no_html_is_built_in_python():
    """Pages are templates: autoescape is the only escaper (STYLE.md, habit 11)."""
    found = {
        name: lines
        for path in sorted((ROOT / "app").rglob("*.py"))
        if (name := str(path.relative_to(ROOT))) not in NOT_PAGE_HTML
        and (lines := _html_literals(path))
    }
    assert found == {}
