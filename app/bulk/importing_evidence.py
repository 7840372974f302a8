"""Importing SOC reports and ISO/IEC 27001 certificates from CSV, keyed by vendor name or
domain: the same rules as the vendor import (every row validated with the API's schemas,
bad rows reported with their line, all or nothing).

Evidence is never updated: a row describing a document already on file (same vendor, kind,
type, period end and auditor; or same certificate number and issue date) is left alone, so
running an import twice creates nothing the second time.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, col, select

from app import clock
from app.bulk.csvfile import CsvRow, CsvTable
from app.bulk.importing import (
    BATCH,
    Importer,
    ImportReport,
    Planned,
    Progress,
    RowError,
    header_errors,
    split_list,
    validation_errors,
    write_batches,
)
from app.bulk.writes import audit_row, columns_of, insert_rows, next_ids, reevaluate
from app.errors import Invalid
from app.evidence.dates import check_document_dates
from app.evidence.kinds import IMPORTABLE_KINDS, KINDS
from app.evidence.schemas import EvidenceCreate
from app.fields import FROM_TEXT
from app.models import AuditEntry, Evidence, Vendor
from app.status.service import batched
from app.vendors.service import name_key

# Each importable kind's columns, in the order of the evidence table's.
_KIND_COLUMNS = {c for name in IMPORTABLE_KINDS for c in KINDS[name].csv_columns}
EVIDENCE_COLUMNS = ("vendor", "kind", *(c for c in Evidence.model_fields if c in _KIND_COLUMNS))
REQUIRED_COLUMNS = ("vendor", "kind")
_evidence = TypeAdapter(EvidenceCreate)


@dataclass
class EvidencePlan:
    """The report, and the records to create with the vendor each belongs to."""

    report: ImportReport
    creates: list[tuple[int, EvidenceCreate]] = field(default_factory=list)
    seen: dict[tuple, int] = field(default_factory=dict)  # document key → line (or -id on file)


def _subservice(cell: str) -> list[dict] | str:
    """`AWS: carve_out; Stripe: inclusive` → organisations; a malformed cell → the reason."""
    orgs = []
    for item in (part.strip() for part in cell.split(";") if part.strip()):
        name, sep, method = item.rpartition(":")
        if not sep or not name.strip():
            return "write each organisation as 'name: carve_out' or 'name: inclusive', ';' between"
        orgs.append({"name": name.strip(), "method": method.strip()})
    return orgs


def _row_data(row: CsvRow, line: int) -> dict | list[RowError]:
    data = {k: v for k, v in row.values.items() if v != "" and k != "vendor"}
    if data.get("kind") not in IMPORTABLE_KINDS:
        kinds = ", ".join(IMPORTABLE_KINDS)
        return [RowError(line, "kind", f"must be one of {kinds}")]
    if "tsc" in data:
        data["tsc"] = split_list(data["tsc"])
    if "subservice_orgs" in data:
        orgs = _subservice(data["subservice_orgs"])
        if isinstance(orgs, str):
            return [RowError(line, "subservice_orgs", orgs)]
        data["subservice_orgs"] = orgs
    return data


def _validate(row: CsvRow, today: date) -> EvidenceCreate | list[RowError]:
    data = _row_data(row, row.line)
    if isinstance(data, list):
        return data
    try:
        evidence = _evidence.validate_python(data, context=FROM_TEXT)
    except ValidationError as exc:
        return validation_errors(row.line, exc, skip=data["kind"])
    try:
        received_on = evidence.received_on or today
        check_document_dates(data=evidence, received_on=received_on, today=today)
    except Invalid as exc:
        return [RowError(row.line, exc.field, exc.message)]
    return evidence


def document_key(vendor_id: int, e: EvidenceCreate | Evidence) -> tuple:
    """What makes two rows the same document (text compared in any case)."""
    values = (getattr(e, name) for name in KINDS[e.kind].same_document)
    return (vendor_id, e.kind, *(v.casefold() if isinstance(v, str) else v for v in values))


def _label(vendor_name: str, e: EvidenceCreate) -> str:
    kind = KINDS[e.kind]
    return f"{vendor_name}: {kind.label} {kind.summary.format_map(dict(e))}"


def _vendors(session: Session) -> tuple[dict[str, tuple[int, str]], dict[str, tuple[int, str]]]:
    rows = session.exec(select(Vendor.id, Vendor.name, Vendor.name_key, Vendor.domain)).all()
    by_name = {key: (vid, name) for vid, name, key, _ in rows}
    by_domain = {domain: (vid, name) for vid, name, _, domain in rows if domain}
    return by_name, by_domain


def _on_file(session: Session, vendor_ids: set[int]) -> dict[tuple, int]:
    """Keys of the live documents of these vendors, to the record's id."""
    keys: dict[tuple, int] = {}
    for chunk in batched(sorted(vendor_ids), BATCH):
        query = select(Evidence).where(
            col(Evidence.vendor_id).in_(chunk),
            col(Evidence.retracted_at).is_(None),
            col(Evidence.kind).in_(IMPORTABLE_KINDS),
        )
        for e in session.exec(query):
            keys[document_key(e.vendor_id, e)] = e.id
    return keys


def plan_evidence(*, session: Session, table: CsvTable, dry_run: bool, today: date) -> EvidencePlan:
    """Validate every row and work out what it would create; writes nothing."""
    errors, _ = header_errors(table, EVIDENCE_COLUMNS, REQUIRED_COLUMNS, frozenset())
    plan = EvidencePlan(ImportReport(rows=len(table.rows), errors=errors, dry_run=dry_run))
    if errors:
        return plan
    by_name, by_domain = _vendors(session)
    valid = []
    for row in table.rows:
        cell = row.values["vendor"]
        vendor = by_domain.get(cell.lower()) or by_name.get(name_key(cell))
        evidence = _validate(row, today)
        if vendor is None:
            reason = f"no vendor named {row.values['vendor']!r} or with that domain"
            plan.report.errors.append(RowError(row.line, "vendor", reason))
        if isinstance(evidence, list):
            plan.report.errors += evidence
        elif vendor is not None:
            valid.append((row.line, vendor, evidence))
    _plan_rows(session, plan, valid)
    return plan


def _plan_rows(session: Session, plan: EvidencePlan, valid: Sequence) -> None:
    on_file = _on_file(session, {vendor[0] for _, vendor, _ in valid})
    for line, (vendor_id, vendor_name), evidence in valid:
        key = document_key(vendor_id, evidence)
        label = _label(vendor_name, evidence)
        if key in on_file:
            plan.report.planned.append(
                Planned(line, "unchanged", f"{label} (on file as evidence #{on_file[key]})")
            )
        elif (first := plan.seen.setdefault(key, line)) != line:
            plan.report.errors.append(RowError(line, None, f"same document as line {first}"))
        else:
            plan.creates.append((vendor_id, evidence))
            plan.report.planned.append(Planned(line, "create", label))


_EVIDENCE_COLUMNS = columns_of(Evidence)


def _evidence_row(vendor_id: int, data: EvidenceCreate, actor: str, today: date, now) -> dict:
    """The evidence row `create_evidence` would add, every column present."""
    row = dict.fromkeys(_EVIDENCE_COLUMNS)
    row.update(data.model_dump(exclude={"received_on"}))
    row.update(vendor_id=vendor_id, received_on=data.received_on or today)
    row.update(created_at=now, created_by=actor)
    return row


def _create_batch(
    session: Session, items: list[tuple[int, EvidenceCreate]], actor: str, today: date
) -> None:
    now = clock.utc_now()
    rows = [_evidence_row(vendor_id, data, actor, today, now) for vendor_id, data in items]
    audit = []
    for row, evidence_id in zip(rows, next_ids(session, Evidence, len(rows)), strict=True):
        row["id"] = evidence_id
        audit.append(
            audit_row(
                entity="evidence",
                entity_id=evidence_id,
                vendor_id=row["vendor_id"],
                action="create",
                actor=actor,
                at=now,
                after=row,
            )  # fmt: skip
        )
    insert_rows(session, Evidence, rows)
    insert_rows(session, AuditEntry, audit)


def apply_evidence(
    *, session: Session, plan: EvidencePlan, actor: str, today: date, progress: Progress | None
) -> None:
    """Write the plan (the caller commits, once) and re-evaluate the vendors concerned."""
    write_batches(plan.creates, lambda chunk: _create_batch(session, chunk, actor, today), progress)
    now = clock.utc_now()
    for chunk in batched(sorted({vendor_id for vendor_id, _ in plan.creates}), BATCH):
        reevaluate(session, chunk, today, now)
    plan.report.applied = True


import_evidence = Importer(plan_evidence, apply_evidence)
