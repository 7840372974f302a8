"""Importing vendors from CSV: validate every row with the API's schema, plan what would be
created or updated, and apply the plan in the caller's transaction — all of it or nothing.

A row updates the vendor with the same name (any case) or domain; columns left out of the
file leave those fields alone, an empty cell clears an optional field. Every created or
updated vendor gets an audit entry and its materialised status, evaluated in batches.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, update
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from app import clock
from app.bulk.csvfile import CsvRow, CsvTable
from app.bulk.exporting import EXPORT_COLUMNS, IMPORT_COLUMNS, LIST_COLUMNS
from app.bulk.writes import (
    audit_row,
    columns_of,
    insert_rows,
    jsonable,
    next_ids,
    reevaluate,
    status_change,
    status_columns,
)
from app.errors import Conflict
from app.fields import FROM_TEXT
from app.models import AuditEntry, StatusChange, Vendor
from app.rules.engine import evaluate
from app.status.service import batched, build_case, current_policy
from app.vendors.schemas import VendorCreate
from app.vendors.service import check_lifecycle, name_key, reset_scope_judgements

VENDOR_COLUMNS = IMPORT_COLUMNS
# The export's status columns are accepted and ignored, so that an export imports back.
EXPORT_ONLY_COLUMNS = frozenset(EXPORT_COLUMNS) - frozenset(IMPORT_COLUMNS)
REQUIRED_COLUMNS = ("name", "tier")
BATCH = 500
_VENDORS = Vendor.__table__
Progress = Callable[[int], None]


@dataclass(frozen=True)
class RowError:
    """A bad row: its line in the file, the column at fault (when one is) and why."""

    line: int
    field: str | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field + ': ' if self.field else ''}{self.reason}"


@dataclass(frozen=True)
class Planned:
    """What one good row does: create, update (naming the fields) or nothing."""

    line: int
    action: str  # create | update | unchanged
    name: str
    changes: tuple[str, ...] = ()


@dataclass
class ImportReport:
    """The outcome of an import or a dry run; `applied` is true only when it was written."""

    rows: int = 0
    planned: list[Planned] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    applied: bool = False

    def count(self, action: str) -> int:
        """How many rows plan `action`."""
        return sum(1 for p in self.planned if p.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


def validation_errors(line: int, exc: ValidationError, skip: str | None = None) -> list[RowError]:
    """One RowError per pydantic error, naming the column (`skip`: a union's tag in the loc)."""
    errors = []
    for error in exc.errors():
        loc = [str(p) for p in error["loc"] if not isinstance(p, int) and p != skip]
        message = error["msg"].removeprefix("Value error, ")
        errors.append(RowError(line=line, field=loc[0] if loc else None, reason=message))
    return errors


def header_errors(
    table: CsvTable, known: Sequence[str], required: Sequence[str], ignored: frozenset[str]
) -> tuple[list[RowError], list[str]]:
    """Problems with the file's shape and columns, and the columns that will be ignored."""
    errors = [RowError(line, column, reason) for line, column, reason in table.problems]
    for column in required:
        if table.columns and column not in table.columns:
            errors.append(RowError(1, column, "required column is missing"))
    unknown = [c for c in table.columns if c not in known and c not in ignored]
    errors += [RowError(1, c, f"unknown column; expected {', '.join(known)}") for c in unknown]
    return errors, [c for c in table.columns if c in ignored]


def write_batches(items: Sequence, write: Callable[[list], None], progress: Progress | None):
    """`write` the items a batch at a time, telling `progress` how many after each batch."""
    for chunk in batched(items, BATCH):
        write(chunk)
        if progress:
            progress(len(chunk))


@dataclass(frozen=True)
class Importer:
    """How one kind of CSV file is imported: planned (validated, writing nothing), then
    applied in the caller's transaction. Both take the day the import runs as `today`."""

    plan: Callable[..., Any]  # (session, table, dry_run, today) → a plan with its `report`
    apply: Callable[..., None]  # (session, plan, actor, today, progress)

    def __call__(
        self,
        *,
        session: Session,
        table: CsvTable,
        dry_run: bool,
        actor: str,
        today: date,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Validate and plan every row; unless it is a dry run or a row is bad, write them all.

        Flushes, never commits: commit once after a report with `applied` true, or roll back."""
        plan = self.plan(session=session, table=table, dry_run=dry_run, today=today)
        if not dry_run and not plan.report.errors:
            self.apply(session=session, plan=plan, actor=actor, today=today, progress=progress)
        return plan.report


def split_list(cell: str) -> list[str] | None:
    """`security; availability` (or commas) → a list; an empty cell → None."""
    items = [part.strip() for part in cell.replace(",", ";").split(";") if part.strip()]
    return items or None


# --- planning ------------------------------------------------------------------------------


@dataclass
class _Index:
    """Who exists already, and what the file has claimed so far."""

    by_name: dict[str, int]
    by_domain: dict[str, int]
    names: dict[str, int] = field(default_factory=dict)  # name key → line
    domains: dict[str, int] = field(default_factory=dict)  # domain → line
    targets: dict[int, int] = field(default_factory=dict)  # vendor id → line


def _index(session: Session) -> _Index:
    rows = session.exec(select(Vendor.id, Vendor.name_key, Vendor.domain)).all()
    return _Index(
        by_name={key: vid for vid, key, _ in rows},
        by_domain={domain: vid for vid, _, domain in rows if domain},
    )


# Columns whose blank cell means the field's default (a number or a yes/no).
DEFAULTED_COLUMNS = frozenset({"notice_days", "auto_renews", "renewal_term_months"})


def _vendor_row(row: CsvRow, columns: Sequence[str]) -> VendorCreate | list[RowError]:
    data: dict = {c: row.values.get(c, "") for c in columns if c in VENDOR_COLUMNS}
    for column in LIST_COLUMNS.intersection(data):
        data[column] = split_list(data[column])
    for column in DEFAULTED_COLUMNS.intersection(data):
        if not data[column].strip():  # blank: the field's default
            del data[column]
    try:
        return VendorCreate.model_validate(data, context=FROM_TEXT)
    except ValidationError as exc:
        return validation_errors(row.line, exc)


def _duplicates(line: int, data: VendorCreate, index: _Index) -> list[RowError]:
    errors = []
    first = index.names.setdefault(name_key(data.name), line)
    if first != line:
        errors.append(RowError(line, "name", f"same name as line {first} (names ignore case)"))
    if data.domain:
        first = index.domains.setdefault(data.domain, line)
        if first != line:
            errors.append(RowError(line, "domain", f"same domain as line {first}"))
    return errors


def _target(line: int, data: VendorCreate, index: _Index) -> int | None | RowError:
    by_name = index.by_name.get(name_key(data.name))
    by_domain = index.by_domain.get(data.domain) if data.domain else None
    if by_name and by_domain and by_name != by_domain:
        return RowError(
            line,
            "domain",
            f"the name is vendor #{by_name}'s but the domain is vendor #{by_domain}'s",
        )
    target = by_name or by_domain
    if target is not None:
        first = index.targets.setdefault(target, line)
        if first != line:
            return RowError(line, "name", f"updates the same vendor as line {first}")
    return target


@dataclass
class VendorPlan:
    """The report, and for the good rows: what to create and what to change where."""

    report: ImportReport
    creates: list[VendorCreate] = field(default_factory=list)
    updates: list[tuple[dict, dict]] = field(default_factory=list)  # (row as read, changes)


def plan_vendors(
    *, session: Session, table: CsvTable, dry_run: bool, today: date | None = None
) -> VendorPlan:
    """Validate every row and work out what each one would do; writes nothing (a vendor row
    does not depend on `today`, which every importer's plan is given)."""
    known = frozenset(VENDOR_COLUMNS)
    errors, ignored = header_errors(table, VENDOR_COLUMNS, REQUIRED_COLUMNS, EXPORT_ONLY_COLUMNS)
    plan = VendorPlan(ImportReport(rows=len(table.rows), errors=errors, dry_run=dry_run))
    plan.report.ignored_columns = ignored
    if errors:
        return plan
    index, targets = _index(session), []
    for row in table.rows:
        _plan_row(plan, row, table.columns, index, targets)
    _plan_updates(session, plan, targets, [c for c in table.columns if c in known])
    plan.report.planned.sort(key=lambda p: p.line)
    return plan


def _plan_row(plan: VendorPlan, row: CsvRow, columns, index: _Index, targets: list) -> None:
    data = _vendor_row(row, columns)
    if isinstance(data, list):
        plan.report.errors += data
        return
    duplicates = _duplicates(row.line, data, index)
    target = _target(row.line, data, index)
    if duplicates or isinstance(target, RowError):
        plan.report.errors += duplicates + ([target] if isinstance(target, RowError) else [])
    elif target is None and (error := _lifecycle_error(row.line, None, data.lifecycle)):
        plan.report.errors.append(error)
    elif target is None:
        plan.creates.append(data)
        plan.report.planned.append(Planned(row.line, "create", data.name))
    else:
        targets.append((target, row.line, data))


def _lifecycle_error(line: int, current: str | None, wanted: str | None) -> RowError | None:
    """The row's lifecycle refused as the vendor service refuses it (check_lifecycle)."""
    try:
        check_lifecycle(current, wanted)
    except Conflict as exc:
        return RowError(line, "lifecycle", str(exc))
    return None


def _rows_by_id(session: Session, ids: list[int]) -> dict[int, dict]:
    query = core_select(_VENDORS).where(_VENDORS.c.id.in_(ids))
    return {row.id: row._asdict() for row in session.connection().execute(query)}


def _plan_updates(session: Session, plan: VendorPlan, targets: list, columns: list) -> None:
    for chunk in batched(targets, BATCH):
        vendors = _rows_by_id(session, [target for target, _, _ in chunk])
        for target, line, data in chunk:
            vendor = vendors[target]
            changes = {c: getattr(data, c) for c in columns if getattr(data, c) != vendor[c]}
            if changes.get("lifecycle") is None:  # blank: unchanged
                changes.pop("lifecycle", None)
            if error := _lifecycle_error(line, vendor["lifecycle"], changes.get("lifecycle")):
                plan.report.errors.append(error)
                continue
            action = "update" if changes else "unchanged"
            plan.report.planned.append(Planned(line, action, data.name, tuple(changes)))
            if changes:
                plan.updates.append((vendor, changes))


# --- applying ------------------------------------------------------------------------------

_VENDOR_COLUMNS = columns_of(Vendor)


def _new_vendor(data: VendorCreate, policy, today: date, now: datetime) -> dict:
    """A vendor row with its first assessment (it has no evidence or waivers yet)."""
    row = {**data.model_dump(), "name_key": name_key(data.name), "created_at": now}
    row.update(updated_at=now, version=1, lifecycle=data.lifecycle or "onboarding")
    row.update(first_review_due_on=today, review_due_on=today)
    vendor = SimpleNamespace(**row)
    case = build_case(vendor, (), ())
    row.update(status_columns(vendor, case, evaluate(case, policy, as_of=today), today))
    return row


def _create_batch(session: Session, items: list[VendorCreate], actor: str, today: date) -> None:
    policy, now = current_policy(), clock.utc_now()
    rows = [_new_vendor(data, policy, today, now) for data in items]
    changes, audit = [], []
    for row, vendor_id in zip(rows, next_ids(session, Vendor, len(rows)), strict=True):
        row["id"] = vendor_id
        changes.append(status_change(vendor_id, None, row["status"], today, now))
        after = {c: row.get(c) for c in _VENDOR_COLUMNS}
        audit.append(_audit("create", actor, now, after))
    insert_rows(session, Vendor, rows)
    insert_rows(session, StatusChange, changes)
    insert_rows(session, AuditEntry, audit)


def _audit(action: str, actor: str, now: datetime, after: dict, before: dict | None = None):
    vendor_id = after["id"]
    return audit_row(
        entity="vendor", entity_id=vendor_id, vendor_id=vendor_id, action=action, actor=actor,
        at=now, after=after, before=before,
    )  # fmt: skip


def _write_changes(session: Session, items: list[tuple[dict, dict]], now: datetime) -> None:
    """The changes as the vendor service applies them (new name key, version bump), each
    guarded by the version read while planning."""
    params = [
        {**changes, "name_key": name_key(changes.get("name", before["name"])), "updated_at": now,
         "version": before["version"] + 1, "vendor_id": before["id"], "read": before["version"]}
        for before, changes in items
    ]  # fmt: skip
    statement = update(_VENDORS).where(
        _VENDORS.c.id == bindparam("vendor_id"), _VENDORS.c.version == bindparam("read")
    )
    for group in _same_columns(params):
        if session.connection().execute(statement, group).rowcount != len(group):
            raise Conflict("a vendor changed while the file was imported; import it again")


def _update_batch(
    session: Session, items: list[tuple[dict, dict]], actor: str, today: date
) -> None:
    """Change, re-evaluate and audit a batch of vendors (values before and after)."""
    now = clock.utc_now()
    _write_changes(session, items, now)
    new_services = [before["id"] for before, changes in items if "services" in changes]
    if new_services:
        reset_scope_judgements(session=session, vendor_ids=new_services, actor=actor)
    ids = [before["id"] for before, _ in items]
    reevaluate(session, ids, today, now)
    after = _rows_by_id(session, ids)
    audit = [_audit("update", actor, now, after[b["id"]], jsonable(b)) for b, _ in items]
    insert_rows(session, AuditEntry, audit)


def _same_columns(params: list[dict]) -> list[list[dict]]:
    """Parameter sets grouped by the columns they set (one executemany per group)."""
    groups: dict[tuple, list[dict]] = {}
    for p in params:
        groups.setdefault(tuple(sorted(p)), []).append(p)
    return list(groups.values())


def apply_vendors(
    *, session: Session, plan: VendorPlan, actor: str, today: date, progress: Progress | None
) -> None:
    """Write the plan (the caller commits, once): creates, then updates, in batches."""
    write_batches(plan.creates, lambda chunk: _create_batch(session, chunk, actor, today), progress)
    write_batches(plan.updates, lambda chunk: _update_batch(session, chunk, actor, today), progress)
    plan.report.applied = True


import_vendors = Importer(plan_vendors, apply_vendors)
