"""Render every page of the demo data and save its HTML; compare two such runs.

Not a test: a tool for changes meant to keep the HTML (issue 15: "same HTML as before for
every page, ignoring whitespace"). Run it on the commit before a change and on the change,
then compare:

    PYTHONPATH=<checkout> python tests/web/render_pages.py render OUT_DIR
    python tests/web/render_pages.py compare BEFORE_DIR AFTER_DIR

`render` seeds seed/demo.toml as of TEST_TODAY in a temporary SQLite database, with a clock
that ticks from a fixed instant (so timestamps, ids and CSRF-free HTML repeat), adds what the
demo lacks (an edit, a revoked waiver, a PDF, a scope judgement, markup-like text, a second
page of the list), logs in as an analyst and a reader, and saves every page reachable by
links from the dashboard plus the forms, error pages and re-rendered invalid forms.

`compare` reports per page: same (after whitespace between tags is normalised: dropped next to
a block tag, one space between inline tags, where it shows), same but for attribute order or
the spelling of an entity, or different (with a short diff).
"""

import difflib
import itertools
import os
import re
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

TEST_TODAY = date(2026, 6, 15)
START = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
PASSWORD = "render pages, not a secret"
CSRF = re.compile(r'(name="csrf_token" value=")[^"]+(")')
MARKUP_LIKE = 'Q&A "Quotes" <Corp> \'s'


# --- render -------------------------------------------------------------------------------------


def _environment(tmp: Path) -> None:
    os.environ.update(
        VETTED_DATABASE_URL=f"sqlite:///{tmp / 'pages.db'}",
        VETTED_UPLOAD_DIR=str(tmp / "uploads"),
        VETTED_DAILY_REFRESH="false",
    )
    from app import clock

    ticks = itertools.count()
    clock.utc_now = lambda: START + timedelta(seconds=next(ticks))  # the same stamps each run


def _migrate() -> None:
    from alembic import command
    from alembic.config import Config

    from app.config import ROOT

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", os.environ["VETTED_DATABASE_URL"])
    command.upgrade(cfg, "head")


def _users_and_demo() -> str:
    """The demo vendors, three users; returns an analyst API token."""
    from app import clock, db
    from app.auth.roles import Role
    from app.auth.tokens import create_token
    from app.auth.users import hash_password
    from app.models import User
    from app.seed import load_demo

    with db.session_scope() as session:
        load_demo(session=session, today=TEST_TODAY)
        for role in ("admin", "analyst", "reader"):
            session.add(
                User(
                    email=f"{role}@example.com",
                    password_hash=hash_password(PASSWORD),
                    role=role,
                    active=True,
                    created_at=clock.utc_now(),
                )
            )
    with db.session_scope() as session:
        _, token = create_token(session=session, name="pages", role=Role.analyst, actor="pages")
    return token


def _pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(START)
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="SOC 2 Type II report")
    return bytes(pdf.output())


def _ok(response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _extras(api) -> None:
    """What the demo lacks: markup-like text, an edit, a PDF, a scope judgement, a revoked
    waiver, a bridge letter, and enough vendors for a second page of the list."""
    body = {"name": f"Odd {MARKUP_LIKE}", "tier": "critical", "services": f"Payroll {MARKUP_LIKE}"}
    vendor = _ok(api.post("/api/v1/vendors", json=body))
    base = f"/api/v1/vendors/{vendor['id']}"
    soc2 = {
        "kind": "soc2_report",
        "report_type": "type2",
        "period_start": "2025-04-01",
        "period_end": "2026-03-31",
        "opinion": "qualified",
        "auditor": f"Hale {MARKUP_LIKE}",
        "received_on": "2026-05-01",
        "tsc": ["security", "availability"],
        "exceptions_noted": 3,
        "subservice_orgs": [{"name": f"Cloud {MARKUP_LIKE}", "method": "carve_out"}],
        "notes": f"Notes {MARKUP_LIKE}",
    }
    report = _ok(api.post(f"{base}/evidence", json=soc2))["evidence"]
    files = {"file": (f"report {MARKUP_LIKE}.pdf", _pdf(), "application/pdf")}
    _ok(api.post(f"/api/v1/evidence/{report['id']}/document", files=files))
    _ok(api.patch(f"/api/v1/evidence/{report['id']}", json={"scope_covers_services": "partly"}))
    bridge = {
        "kind": "bridge_letter",
        "soc2_report_id": report["id"],
        "signed_on": "2026-06-01",
        "covers_until": "2026-08-31",
        "received_on": "2026-06-02",
        "notes": f"Letter {MARKUP_LIKE}",
    }
    _ok(api.post(f"{base}/evidence", json=bridge))
    waiver = {
        "code": "SOC2_OPINION_QUALIFIED",
        "reason": f"Why {MARKUP_LIKE}",
        "approved_by": f"CISO {MARKUP_LIKE}",
        "granted_on": "2026-06-01",
        "expires_on": "2026-09-01",
        "evidence_id": report["id"],
    }
    granted = _ok(api.post(f"{base}/waivers", json=waiver))
    _ok(api.post(f"/api/v1/waivers/{granted['id']}/revoke", json={"reason": "Report reissued"}))
    _ok(api.post(f"{base}/waivers", json={**waiver, "reason": "Accepted for the renewal"}))
    edited = api.patch(base, json={"services": f"Billing {MARKUP_LIKE}", "domain": "odd.example"})
    _ok(edited)
    for n in range(40):
        _ok(api.post("/api/v1/vendors", json={"name": f"Filler {n:02}", "tier": "low"}))


def _save(out: Path, name: str, response) -> None:
    text = CSRF.sub(r"\1CSRF\2", response.text)
    (out / f"{name}.html").write_text(f"<!-- {response.status_code} -->\n{text}", "utf-8")


def _slug(role: str, path: str) -> str:
    return role + "_" + re.sub(r"[^A-Za-z0-9=.-]+", "_", unquote(path)).strip("_")


def _ids(model) -> list[int]:
    from sqlmodel import select

    from app import db

    with db.session_scope(writes=False) as session:
        return sorted(session.exec(select(model.id)).all())


def _forms_and_errors(client, role: str, out: Path) -> None:
    """Pages no link leads to: every record's forms, dates, errors, invalid posts."""
    from app.models import Evidence, Vendor, Waiver

    paths = ["/login?next=/vendors", "/nowhere", "/vendors/99999", "/vendors/abc"]
    paths += ["/evidence/99999/retract", "/vendors?page=99", "/vendors?q=zzz", "/vendors?status=x"]
    for vid in _ids(Vendor):
        paths += [f"/vendors/{vid}", f"/vendors/{vid}?as_of=2027-01-01", f"/vendors/{vid}/edit"]
        paths += [f"/vendors/{vid}?as_of=2025-01-01", f"/vendors/{vid}/waivers/new"]
    paths += ["/vendors/1?as_of=junk", "/vendors/1?as_of=1800-01-01"]
    for kind in ("soc2_report", "soc1_report", "soc3_report", "iso27001_certificate"):
        paths.append(f"/vendors/1/evidence/{kind}/new")
    paths += [f"/vendors/{vid}/evidence/bridge_letter/new" for vid in _ids(Vendor)[:20]]
    for eid in _ids(Evidence):
        paths += [f"/evidence/{eid}/retract", f"/evidence/{eid}/scope"]
    paths += [f"/waivers/{wid}/revoke" for wid in _ids(Waiver)]
    for path in paths:
        _save(out, _slug(role, path), client.get(path))


def _posts(client, out: Path) -> None:
    """Invalid forms shown again (422), and a notice after a save."""
    csrf = {"csrf_token": client.csrf}
    posts = {
        "vendor_new": ("/vendors/new", {"name": "", "tier": "gigantic"}),
        "vendor_edit": ("/vendors/1/edit", {"name": "", "tier": "low", "version": "1"}),
        "waiver_new": ("/vendors/1/waivers/new", {"code": "", "reason": ""}),
        "retract": ("/evidence/1/retract", {"reason": ""}),
        "soc2_new": ("/vendors/1/evidence/soc2_report/new", {"auditor": "<b>x</b>"}),
    }
    for name, (path, data) in posts.items():
        _save(out, f"post_{name}", client.post(path, data={**csrf, **data}))
    saved = client.post("/vendors/new", data={**csrf, "name": "Saved & Co", "tier": "low"})
    _save(out, "post_saved_notice", client.get(saved.headers.get("location", "/")))
    _save(out, "post_saved_after_notice", client.get(saved.headers.get("location", "/")))


def render(out: Path) -> None:
    """Seed, log in, GET every page, save it in `out`."""
    sys.path[:0] = [str(Path(__file__).parents[1])]
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        _environment(Path(tmp))
        _migrate()
        token = _users_and_demo()
        from fastapi.testclient import TestClient
        from web.support import WebClient, crawl

        from app.deps import get_today
        from app.main import create_app

        app = create_app()
        app.dependency_overrides[get_today] = lambda: TEST_TODAY
        with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as api:
            _extras(api)
        with WebClient(app) as anonymous:
            _save(out, "anonymous_login", anonymous.get("/login"))
            _save(out, "anonymous_vendors", anonymous.get("/vendors", follow_redirects=False))
            _save(out, "anonymous_failed_login", anonymous.log_in("reader@example.com", "no"))
        for role in ("analyst", "reader"):
            with WebClient(app) as client:
                client.log_in(f"{role}@example.com", PASSWORD)
                for path, response in crawl(client, ["/", "/import", "/digest", "/digest/letter"]):
                    _save(out, _slug(role, path), response)
                _forms_and_errors(client, role, out)
                if role == "analyst":
                    _posts(client, out)
    print(f"{len(list(out.glob('*.html')))} pages in {out}")


# --- compare ------------------------------------------------------------------------------------


class _Tokens(HTMLParser):
    """A page as a list of tokens: tags with sorted attributes, text with spaces collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(f"<{tag} {sorted((k, v or '') for k, v in attrs)}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.tokens.append(f"</{tag}>")

    def handle_data(self, data):
        text = " ".join(data.split())  # spaces kept (squeeze left only those that show)
        self.tokens.append(f"{' ' * data[0].isspace()}{text}{' ' * data[-1].isspace()}")

    def handle_comment(self, data):
        self.tokens.append(f"<!--{data}-->")


BLOCKS = frozenset({
    "html", "head", "title", "meta", "link", "script", "body", "header", "footer", "main", "nav",
    "section", "div", "p", "h1", "h2", "h3", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead",
    "tbody", "tr", "th", "td", "form", "fieldset", "legend", "details", "summary", "br", "select",
    "option", "textarea", "iframe",
})  # fmt: skip
_BETWEEN = re.compile(r"<(/?)([a-zA-Z0-9]+)([^>]*)>\s+(?=<(/?)([a-zA-Z0-9]+))")


def _between(match: re.Match) -> str:
    """Whitespace between two tags shows as a space only when both are inline."""
    tag, space = match.group(0).rstrip(), " "
    if match.group(2).lower() in BLOCKS or match.group(5).lower() in BLOCKS:
        space = ""
    return tag + space


def squeeze(text: str) -> str:
    """Whitespace between tags removed where one of them is a block (where it shows as a
    space, between two inline tags, made one space); other runs of whitespace one space."""
    return re.sub(r"\s+", " ", _BETWEEN.sub(_between, text)).strip()


def tokens(text: str) -> list[str]:
    """`text` parsed: attribute order and the spelling of entities no longer matter."""
    parser = _Tokens()
    parser.feed(squeeze(text))
    parser.close()
    return parser.tokens


def compare(before: Path, after: Path) -> int:
    """Print each page's verdict; returns how many pages differ (or are missing)."""
    names = sorted({p.name for p in before.glob("*.html")} | {p.name for p in after.glob("*.html")})
    verdicts: dict[str, list[str]] = {"same": [], "same tokens": [], "different": []}
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            verdicts["different"].append(name)
            print(f"{name}: only {'after' if b.exists() else 'before'}")
            continue
        old, new = a.read_text("utf-8"), b.read_text("utf-8")
        if squeeze(old) == squeeze(new):
            verdicts["same"].append(name)
        elif tokens(old) == tokens(new):
            verdicts["same tokens"].append(name)
        else:
            verdicts["different"].append(name)
            diff = difflib.unified_diff(tokens(old), tokens(new), lineterm="", n=1)
            print(f"--- {name}\n" + "\n".join(list(diff)[2:40]))
    for verdict, pages in verdicts.items():
        print(f"{verdict}: {len(pages)}")
    for name in verdicts["same tokens"]:
        print(f"  same but for attribute order or entity spelling: {name}")
    return len(verdicts["different"])


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "render":
        render(Path(args[0]))
    else:
        sys.exit(1 if compare(Path(args[0]), Path(args[1])) else 0)
