"""The vendor page's content as HTML, built in Python: facts, banner, flags, evidence rows
and details, waivers, history, and the sections around them (`page_body`).

The vendor page must render within twice a status call at 100,000 vendors. Jinja's work for
each expression (an attribute lookup with a fallback, an escape, a macro call per record)
cost more than reading the vendor, so the content is built here, every stored value escaped
(tests/web/test_vendor_page_escaping.py checks each field), and placed in the site's frame
(`templating.render_framed`).
"""

from datetime import date
from typing import Any

from jinja2.filters import do_filesizeformat
from markupsafe import Markup

from app.web import badges, labels
from app.web.badges import when
from app.web.html import esc

SOC_KINDS = ("soc1_report", "soc2_report", "soc3_report")
WAIVABLE = ("block", "high", "medium")  # info flags change nothing: no waiver to offer


def _listed(values: list | None, table: str, sep: str = ", ") -> str:
    return sep.join(esc(labels.label(v, table)) for v in values or ())


def _fact(term: str, value: object) -> str:
    return f"<div><dt>{term}</dt><dd>{value}</dd></div>"


def _report_facts(e: Any) -> list[str]:
    period = f"{e.period_start} to {e.period_end}" if e.period_start else f"as of {e.period_end}"
    facts = [
        _fact("Period", period),
        _fact("Opinion", esc(labels.label(e.opinion, "opinion"))),
        _fact("Auditor", esc(e.auditor)),
    ]
    if e.issued_on:
        facts.append(_fact("Issued", e.issued_on))
    if e.tsc:
        facts.append(_fact("Criteria", _listed(e.tsc, "tsc")))
    if e.exceptions_noted:
        facts.append(_fact("Exceptions", esc(e.exceptions_noted)))
    if e.subservice_orgs:
        orgs = (
            f"{esc(o['name'])} ({esc(labels.label(o['method'], 'method'))})"
            for o in e.subservice_orgs
        )
        facts.append(_fact("Subservice", "; ".join(orgs)))
    if e.cuecs:
        facts.append(_fact("CUECs", "Listed"))
    if e.kind == "soc2_report":
        facts.append(_scope_fact(e))
    return facts


def _scope_fact(e: Any) -> str:
    answer = labels.label(e.scope_covers_services or "unjudged", "scope_covers_services")
    return _fact("Covers what we buy", esc(answer))


def _certificate_facts(e: Any) -> list[str]:
    facts = [
        _fact("Number", esc(e.certificate_number)),
        _fact("Certified by", esc(e.certification_body)),
        _fact("Accreditation", esc(e.accreditation_body or "none")),
        _fact("Valid", f"{e.issued_on} to {e.expires_on}"),
    ]
    if e.last_surveillance_on:
        facts.append(_fact("Last audit", e.last_surveillance_on))
    if e.certificate_status != "active":
        status = labels.label(e.certificate_status, "certificate_status")
        facts.append(_fact("Status", esc(status)))
    if e.scope:
        facts.append(_fact("Scope", esc(e.scope)))
    facts.append(_scope_fact(e))
    return facts


def _bridge_facts(e: Any) -> list[str]:
    report = esc(e.soc2_report_id)
    return [
        _fact("For", f'<a href="#evidence-{report}">SOC 2 report #{report}</a>'),
        _fact("Signed", e.signed_on),
        _fact("Covers until", e.covers_until),
    ]


def evidence_details(e: Any) -> Markup:
    """The fields of one evidence record that matter for its kind, as a `<dl>`."""
    if e.kind in SOC_KINDS:
        facts = _report_facts(e)
    elif e.kind == "iso27001_certificate":
        facts = _certificate_facts(e)
    elif e.kind == "bridge_letter":
        facts = _bridge_facts(e)
    else:
        facts = []
    if e.notes:
        facts.append(_fact("Notes", esc(e.notes)))
    return Markup(f'<dl class="facts">{"".join(facts)}</dl>')


OWN_SETTING = ' <span class="muted">(set for this vendor)</span>'


def vendor_facts(view: Any) -> Markup:
    """The vendor's fields, and what its evidence must be, as `<div>`s of a `<dl>`."""
    vendor, own = view.vendor, OWN_SETTING
    requirement = esc(labels.label(view.status.requirement, "requirement"))
    facts = [
        _fact("Domain", esc(vendor.domain or "—")),
        _fact("Tier", esc(labels.label(vendor.tier, "tier"))),
        _fact("Requires", requirement + (own if vendor.requirement else "")),
    ]
    if view.required_tsc:
        covers = _listed(view.required_tsc, "tsc") + (own if vendor.required_tsc else "")
        facts.append(_fact("SOC 2 must cover", covers))
    facts += [
        _fact("Data access", esc(labels.label(vendor.data_access, "data_access"))),
        _fact("Region", esc(labels.label(vendor.region, "region"))),
        _fact("Owner", esc(vendor.owner_email or "—")),
    ]
    if vendor.services:
        facts.append(f'<div class="wide"><dt>Services</dt><dd>{esc(vendor.services)}</dd></div>')
    return Markup("".join(facts))


def _next_steps(lead: str, items: Any) -> str:
    listed = "".join(f"<li>{item}</li>" for item in items)
    return f'<p class="banner-lead">{lead}</p><ul class="next-steps">{listed}</ul>'


def _accepted_risk(item: Any, as_of: date) -> str:
    wid = int(item.waiver.id)
    return (
        f'{esc(item.title)}, by <a href="#waiver-{wid}">waiver #{wid}</a> until '
        f"{when(item.waiver.expires_on, as_of)}; then it counts again."
    )


def banner(view: Any, *, today: date) -> Markup:
    """The status in words, what to do next, the risks accepted, and when it next changes."""
    status, as_of, parts = view.status, view.as_of, []
    if as_of != today:
        parts.append(f'<p class="as-of-note">Evaluated as of {when(as_of, today)}, not today.</p>')
    parts.append(f'<h2 id="banner-h">{esc(view.banner.headline)}</h2>')
    if actions := view.banner.actions:
        lead = "To keep it that way:" if status.status == "approved" else "What to do next:"
        parts.append(_next_steps(lead, (esc(action) for action in actions)))
    if risks := view.accepted_risks:
        parts.append(_next_steps("Accepted risks:", (_accepted_risk(r, as_of) for r in risks)))
    if status.next_review_on:
        on = when(status.next_review_on, as_of)
        review = f"Unless new evidence or a waiver arrives, the flags next change on {on}."
    else:
        review = "No date ahead changes these flags unless new evidence or a waiver arrives."
    parts.append(f'<p class="review">{review}</p>')
    return Markup("".join(parts))


def _why(explanation: str) -> str:
    if not explanation:
        return ""
    summary = "<summary>Why this rule</summary>"
    return f'<details class="why">{summary}<p>{esc(explanation)}</p></details>'


def _flag_head(flag: Any, title: str) -> str:
    waived = '<span class="badge waived-badge">Waived</span>' if flag.waived else ""
    return (
        f'<div class="flag-head">{badges.severity_badge(flag.severity)}{waived}'
        f'<h3>{esc(title)}</h3><code class="code">{esc(flag.code)}</code></div>'
    )


def _flag_waiver(item: Any, vendor_id: int, can_write: bool, as_of: date) -> str:
    flag, waiver = item.flag, item.waiver
    if waiver is not None:
        return (
            f'<p class="small waiver-note">Waived by <a href="#waiver-{int(waiver.id)}">waiver '
            f"#{int(waiver.id)}</a>, approved by {esc(waiver.approved_by)}, until "
            f"{when(waiver.expires_on, as_of)}: {esc(waiver.reason)}. It does not count "
            "toward the status while the waiver runs.</p>"
        )
    if can_write and flag.severity in WAIVABLE:
        href = f"/vendors/{int(vendor_id)}/waivers/new?code={esc(flag.code)}"
        if flag.evidence_id is not None:
            href += f"&amp;evidence_id={int(flag.evidence_id)}"
        return f'<p class="small"><a href="{href}">Accept this risk with a waiver…</a></p>'
    return ""


def _flag_item(number: int, item: Any, vendor_id: int, can_write: bool, as_of: date) -> str:
    flag, about = item.flag, ""
    if item.evidence is not None:
        record = int(item.evidence.record.id)
        about = (
            f'<p class="small">About: <a href="#evidence-{record}">'
            f"{esc(item.evidence.title)} #{record}</a></p>"
        )
    waived = " waived" if flag.waived else ""
    return (
        f'<li class="flag severity-{esc(flag.severity)}{waived}" id="flag-{number}">'
        f"{_flag_head(flag, item.title)}<p>{esc(flag.message)}</p>{_why(item.explanation)}{about}"
        f"{_flag_waiver(item, vendor_id, can_write, as_of)}</li>"
    )


def flag_items(view: Any, *, can_write: bool) -> Markup:
    """The page's flags, each with what it concerns and its waiver, as `<li>` items."""
    vendor_id = view.vendor.id
    items = (
        _flag_item(n, item, vendor_id, can_write, view.as_of)
        for n, item in enumerate(view.flags, 1)
    )
    return Markup("\n".join(items))


def _document_link(e: Any, title: str) -> str:
    if not e.document_sha256:
        return ""
    size = do_filesizeformat(e.document_size)
    return (
        f'<p class="small document-link"><a href="/api/v1/evidence/{int(e.id)}/document" '
        f'download>Download PDF<span class="visually-hidden"> of {title} #{int(e.id)}</span></a>'
        f'<br><span class="muted">{esc(e.document_name)}, {esc(size)}</span></p>'
    )


def _evidence_cells(row: Any, title: str, retracted: bool) -> str:
    e = row.record
    name = f"<del>{title} #{e.id}</del>" if retracted else f"<strong>{title}</strong> #{e.id}"
    flags = "".join(
        f'<br>{badges.severity_badge(f.severity)} <span class="small">'
        f"{esc(labels.rule_title(f.code))}</span>"
        for f in row.flags
    )
    details = evidence_details(e)
    shown = f"<del>{details}</del>" if retracted else details
    return f"<td>{name}{flags}{_document_link(e, title)}</td><td>{shown}</td>"


def _evidence_actions(e: Any, title: str) -> str:
    hidden = f'<span class="visually-hidden"> {title} #{int(e.id)}</span>'
    links = [f'<a href="/evidence/{int(e.id)}/retract">Retract…{hidden}</a>']
    if e.kind in ("soc2_report", "iso27001_certificate"):
        links.insert(0, f'<a href="/evidence/{int(e.id)}/scope">Judge scope…{hidden}</a>')
    return "<br>".join(links)


def _evidence_row(row: Any, can_write: bool, as_of: date, today: date) -> str:
    e, title = row.record, esc(row.title)
    retracted = row.standing == "retracted"
    note = ""
    if retracted:
        note = (
            f'<p class="small">Retracted {when(e.retracted_at, today)} by '
            f"{esc(e.retracted_by)}: {esc(e.retraction_reason)}</p>"
        )
    action = ""
    if can_write:
        action = f"<td>{'' if retracted else _evidence_actions(e, title)}</td>"
    return (
        f'<tr id="evidence-{int(e.id)}" class="standing-{esc(row.standing)}">'
        f"{_evidence_cells(row, title, retracted)}"
        f'<td class="nowrap">{when(e.received_on, as_of)}</td>'
        f"<td>{badges.standing_badge(row.standing)}{note}</td>{action}</tr>"
    )


def evidence_rows(view: Any, *, can_write: bool, today: date) -> Markup:
    """The evidence table's rows: each record, its flags, its details and its standing."""
    rows = (_evidence_row(row, can_write, view.as_of, today) for row in view.evidence)
    return Markup("\n".join(rows))


def _waiver_state(waiver: Any, state: str, today: date) -> str:
    if not waiver.revoked_at:
        return esc(state.capitalize())
    reason = f": {esc(waiver.revoke_reason)}" if waiver.revoke_reason else ""
    on = when(waiver.revoked_at, today)
    return f'{esc(state.capitalize())}<p class="small">by {esc(waiver.revoked_by)} {on}{reason}</p>'


def _waived_document(waiver: Any) -> str:
    """The document a waiver accepts a flag of; a waiver recorded before v2 names none."""
    if waiver.evidence_id is None:
        return ""
    link = f'<a href="#evidence-{int(waiver.evidence_id)}">#{int(waiver.evidence_id)}</a>'
    return f'<br><span class="small">on document {link}</span>'


def _waiver_row(waiver: Any, state: str, can_write: bool, view: Any, today: date) -> str:
    wid, code, action = int(waiver.id), esc(waiver.code), ""
    if can_write:
        hidden = f'<span class="visually-hidden"> waiver #{wid}</span>'
        link = f'<a href="/waivers/{wid}/revoke">Revoke…{hidden}</a>'
        action = f"<td>{'' if waiver.revoked_at else link}</td>"
    return (
        f'<tr id="waiver-{wid}" class="waiver-{esc(state.replace(" ", "-"))}"><td>#{wid}<br>'
        f'<span class="small muted">approved by {esc(waiver.approved_by)}</span></td>'
        f'<td>{esc(labels.rule_title(waiver.code))}<br><code class="code">{code}</code>'
        f"{_waived_document(waiver)}</td>"
        f"<td>{esc(waiver.reason)}</td>"
        f'<td class="nowrap">{waiver.granted_on} to<br>{when(waiver.expires_on, view.as_of)}</td>'
        f"<td>{_waiver_state(waiver, state, today)}</td>{action}</tr>"
    )


def waiver_rows(view: Any, *, can_write: bool, today: date) -> Markup:
    """The waivers table's rows: each waiver, what it accepts, when it runs, its state."""
    rows = (_waiver_row(w, state, can_write, view, today) for w, state in view.waivers)
    return Markup("\n".join(rows))


def _history_item(row: Any, today: date) -> str:
    changes = ""
    if row.changes:
        listed = "".join(
            f"<li>{esc(field.replace('_', ' '))}: {esc(before)} → {esc(after)}</li>"
            for field, before, after in row.changes
        )
        changes = f'<ul class="changes">{listed}</ul>'
    return (
        f'<li><span class="when">{when(row.entry.at, today)}</span> '
        f'<span class="what">{esc(row.summary)}{changes}</span> '
        f'<span class="who muted">by {esc(row.entry.actor)}</span></li>'
    )


def history_items(view: Any, *, today: date) -> Markup:
    """The history's entries, newest first, with the vendor fields each edit changed."""
    return Markup("\n".join(_history_item(row, today) for row in view.history))


# --- the page's body: the sections around the rows above -----------------------------------------

LOG_EVIDENCE = (
    ("soc2_report", "SOC 2 report"),
    ("iso27001_certificate", "ISO 27001 certificate"),
    ("bridge_letter", "Bridge letter"),
    ("soc1_report", "SOC 1 report"),
    ("soc3_report", "SOC 3 report"),
)
AS_OF_HINT = (
    "Pick a future date, such as a contract renewal, to see what the status will be then if "
    "nothing new arrives."
)
ACTIONS_HEAD = '<th scope="col"><span class="visually-hidden">Actions</span></th>'
NO_WAIVERS = "No risk has been accepted for this vendor."
WAIVER_HINT = " Use “Accept this risk with a waiver” on a flag above."


def _page_head(view: Any, can_write: bool) -> str:
    vendor, name = view.vendor, esc(view.vendor.name)
    edit = f'<a class="button" href="/vendors/{int(vendor.id)}/edit">Edit vendor</a>'
    return (
        '<nav class="breadcrumb" aria-label="Breadcrumb"><a href="/vendors">Vendors</a> › '
        f'<span aria-current="page">{name}</span></nav>\n<div class="page-head">'
        f"<h1>{name} {badges.status_badge(view.status.status)}</h1>{edit if can_write else ''}"
        f'</div>\n<dl class="facts vendor-facts">{vendor_facts(view)}</dl>\n'
    )


def _as_of_form(view: Any, today: date, error: str | None) -> str:
    vendor_id, as_of = int(view.vendor.id), view.as_of
    shown_error = f'<p class="field-error" id="as_of-error">{esc(error)}</p>' if error else ""
    described = "as_of-hint as_of-error" if error else "as_of-hint"
    back = f'<a href="/vendors/{vendor_id}">Back to today</a>' if as_of != today else ""
    return (
        f'<form method="get" action="/vendors/{vendor_id}" class="as-of">'
        f'<div class="field{" has-error" if error else ""}">'
        f'<label for="as_of">Evaluate as of</label><p class="hint" id="as_of-hint">{AS_OF_HINT}</p>'
        f'{shown_error}<div class="inline"><input type="date" id="as_of" name="as_of" '
        f'value="{as_of.isoformat()}" aria-describedby="{described}">'
        f'<button type="submit">Re-evaluate</button>{back}</div></div></form>\n'
    )


def _banner_section(view: Any, today: date) -> str:
    status = esc(view.status.status)
    return (
        f'<section class="banner status-{status}" aria-labelledby="banner-h">'
        f"{banner(view, today=today)}</section>\n"
    )


def _log_evidence(vendor_id: int) -> str:
    links = "".join(
        f'<a class="button" href="/vendors/{vendor_id}/evidence/{kind}/new">{words}</a>'
        for kind, words in LOG_EVIDENCE
    )
    return (
        '<nav class="log-evidence" aria-label="Log evidence">'
        f'<span class="label">Log evidence:</span>{links}</nav>\n'
    )


def _section(key: str, heading: str, body: str) -> str:
    return f'<section aria-labelledby="{key}-h"><h2 id="{key}-h">{heading}</h2>{body}</section>\n'


def _table(columns: tuple[str, ...], rows: Markup, can_write: bool, css: str = "") -> str:
    heads = "".join(f'<th scope="col">{column}</th>' for column in columns)
    heads += ACTIONS_HEAD if can_write else ""
    return (
        f'<div class="table-wrap"><table{css}><thead><tr>{heads}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def _flags_section(view: Any, can_write: bool) -> str:
    empty = "" if view.flags else "<p>No flags: the evidence on file meets the requirement.</p>"
    items = flag_items(view, can_write=can_write)
    heading = f'Flags <span class="muted">({len(view.flags)})</span>'
    return _section("flags", heading, f'{empty}<ol class="flags">{items}</ol>')


def _evidence_section(view: Any, can_write: bool, today: date) -> str:
    heading = f'Evidence <span class="muted">({len(view.evidence)})</span>'
    if not view.evidence:
        return _section("evidence", heading, "<p>Nothing on file yet.</p>")
    rows = evidence_rows(view, can_write=can_write, today=today)
    columns = ("Document", "Details", "Received", "Standing")
    return _section("evidence", heading, _table(columns, rows, can_write, ' class="evidence"'))


def _waivers_section(view: Any, can_write: bool, today: date) -> str:
    heading = f'Waivers <span class="muted">({len(view.waivers)})</span>'
    if not view.waivers:
        hint = WAIVER_HINT if can_write and view.flags else ""
        return _section("waivers", heading, f"<p>{NO_WAIVERS}{hint}</p>")
    rows = waiver_rows(view, can_write=can_write, today=today)
    columns = ("Waiver", "Flag", "Reason", "Runs", "State")
    return _section("waivers", heading, _table(columns, rows, can_write))


def page_body(view: Any, *, can_write: bool, today: date, as_of_error: str | None) -> Markup:
    """The vendor page's content: its facts, the as-of form, the status banner, then its
    flags, evidence, waivers and history."""
    history = f'<ul class="timeline">{history_items(view, today=today)}</ul>'
    return Markup(
        _page_head(view, can_write)
        + _as_of_form(view, today, as_of_error)
        + _banner_section(view, today)
        + (_log_evidence(int(view.vendor.id)) if can_write else "")
        + _flags_section(view, can_write)
        + _evidence_section(view, can_write, today)
        + _waivers_section(view, can_write, today)
        + _section("history", "History", history)
    )
