"""Dates a document cannot have (SPEC §2 v2): a document is not received before it exists.

`received_on` defaults to the day a record is logged, so these checks run where that day is
known — the evidence service (API and forms) and the CSV import — not in the schemas, which
check what the body alone shows (a period start before its end, an issue date after it).
"""

from datetime import date

from app.errors import Invalid
from app.evidence.kinds import KINDS
from app.evidence.schemas import BridgeLetterCreate, EvidenceCreate


def check_document_dates(
    *,
    data: EvidenceCreate,
    received_on: date,
    today: date,
    report_period_end: date | None = None,
) -> None:
    """Refuse a date the document cannot have: `Invalid` naming the date and saying why.

    `report_period_end`: for a bridge letter, the period end of the report it vouches for."""
    if received_on > today:
        raise Invalid("received_on", f"must not be after today ({today.isoformat()})")
    received = received_on.isoformat() if data.received_on else f"today, {received_on}"
    for field, why in KINDS[data.kind].not_after_receipt:
        value = getattr(data, field)
        if value is not None and value > received_on:
            raise Invalid(field, f"must not be after received_on ({received}): {why}")
    if report_period_end is not None and isinstance(data, BridgeLetterCreate):
        _check_signed_after_period(data.signed_on, report_period_end)


def _check_signed_after_period(signed_on: date, period_end: date) -> None:
    if signed_on < period_end:
        raise Invalid(
            "signed_on",
            f"must not be before the report's period end ({period_end.isoformat()}): a bridge "
            "letter vouches for the time since the period ended",
        )
