"""Builders of valid request bodies; override any field with keyword arguments."""

from datetime import date
from itertools import count

_seq = count(1)


def vendor_body(**overrides) -> dict:
    """A valid vendor, unique per call."""
    n = next(_seq)
    return {"name": f"Vendor {n}", "domain": f"vendor{n}.example", "tier": "high", **overrides}


def soc2_body(**overrides) -> dict:
    """A clean SOC 2 Type II report for the year ended 2026-03-31."""
    return {
        "kind": "soc2_report",
        "report_type": "type2",
        "period_start": "2025-04-01",
        "period_end": "2026-03-31",
        "opinion": "unqualified",
        "auditor": "Hale & Moss LLP",
        "received_on": "2026-05-01",
        "tsc": ["security", "availability"],
        **overrides,
    }


def iso_body(**overrides) -> dict:
    """A current, accredited ISO/IEC 27001:2022 certificate."""
    return {
        "kind": "iso27001_certificate",
        "standard_version": "2022",
        "certificate_number": "IS 123456",
        "certification_body": "BSI",
        "accreditation_body": "UKAS",
        "issued_on": "2026-01-10",
        "expires_on": "2029-01-09",
        "received_on": "2026-01-20",
        **overrides,
    }


def bridge_body(report_id: int, **overrides) -> dict:
    """A bridge letter for `report_id`, signed 2026-06-01, covering to 2026-08-31."""
    return {
        "kind": "bridge_letter",
        "soc2_report_id": report_id,
        "signed_on": "2026-06-01",
        "covers_until": "2026-08-31",
        "received_on": "2026-06-02",
        **overrides,
    }


def waiver_body(code: str = "EVIDENCE_MISSING", **overrides) -> dict:
    """A waiver granted 2026-06-01 for three months."""
    return {
        "code": code,
        "reason": "Contract signed before onboarding; report due in Q3",
        "approved_by": "Morgan Lee",
        "granted_on": "2026-06-01",
        "expires_on": "2026-09-01",
        **overrides,
    }


def iso(d: date) -> str:
    """A date as the API writes it."""
    return d.isoformat()


def rows(session, model, **where) -> list:
    """The rows of `model` matching the equality filters, by id."""
    from sqlmodel import select

    query = select(model).filter_by(**where).order_by(model.id)
    session.expire_all()
    return list(session.exec(query))


def count(session, model, **where) -> int:
    """How many rows of `model` match the equality filters."""
    return len(rows(session, model, **where))
