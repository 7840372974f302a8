"""Fill a database with N realistic vendors for the benchmark (and the scale tests).

Every tier, every evidence kind and a spread of dates around `today`, so that every status
and most flags occur. Two worker processes generate batches of vendors; the writer inserts
them in one transaction (SQLite: one prepared INSERT per table and batch; PostgreSQL: COPY).
Each vendor's status is evaluated before its row is written, with the same
app.status.service functions the app uses, so every stored status is exactly what
`evaluate` gives on `today`.

    python -m tests.perf.generate --url sqlite:////tmp/bench.db --n 100000 --migrate
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from app import clock
from app.models import AuditEntry, Evidence, StatusChange, Vendor, Waiver
from app.rules.dates import add_months
from app.rules.engine import evaluate
from app.status.service import (
    build_case,
    calendar_columns,
    current_policy,
    evidence_expiry,
    flag_dict,
    review_due_of,
)

ACTOR = "generator"
BATCH = 5_000
MAX_EVIDENCE = 10  # per vendor: 5 SOC 2 reports, a bridge letter, 2 certificates at most
TIERS = (("critical", 0.06), ("high", 0.22), ("medium", 0.40), ("low", 0.32))
REGIONS = ("us", "eu", "uk", "apac", "other", None)
DATA_ACCESS = ("none", "internal", "confidential", "personal", None)
REQUIREMENTS = ("soc2_type2", "soc2", "iso27001", "soc2_or_iso27001", "none")
CRITERIA = ("security", "availability", "processing_integrity", "confidentiality", "privacy")
PREFIXES = (
    "Acme", "Northwind", "Bluepeak", "Cobalt", "Granite", "Helix", "Juniper", "Kestrel",
    "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer", "Quartz", "Redwood", "Summit",
)  # fmt: skip
SUFFIXES = (
    "Cloud", "Payments", "Analytics", "Logistics", "Security", "Data", "Health", "Systems",
    "Software", "Networks", "Labs", "Partners", "Hosting", "Identity", "Messaging", "Print",
)  # fmt: skip
AUDITORS = ("Hale & Moss LLP", "Brightline CPA", "Carver Yates LLP", "Northgate Assurance")
CERT_BODIES = ("BSI", "DNV", "Bureau Veritas", "SGS", "Schellman", "A-LIGN")
ACCREDITED = ("UKAS", "ANAB", "DAkkS", "COFRAC", "JAS-ANZ", "UKAS (UK)", "ENAC", "RvA")
UNACCREDITED = (None, "N/A", "International Accreditation Council", "UKIAF")
CERTIFICATE_STATUSES = (("active", 0.97), ("suspended", 0.02), ("withdrawn", 0.01))
OPINIONS = (("unqualified", 0.92), ("qualified", 0.05), ("adverse", 0.02), ("disclaimer", 0.01))
WAIVER_REASONS = ("Contract signed before onboarding", "Replacement report due next quarter")


@dataclass
class Batch:
    """Rows waiting to be written, one list per table."""

    vendors: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    waivers: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    audit: list[dict] = field(default_factory=list)


@dataclass
class Ids:
    """The next free id of each table (ids are assigned here so flags can name evidence)."""

    vendor: int
    evidence: int
    waiver: int

    def take(self, name: str) -> int:
        value = getattr(self, name)
        setattr(self, name, value + 1)
        return value


@dataclass(frozen=True)
class Stats:
    vendors: int
    evidence: int
    waivers: int
    seconds: float
    by_status: dict[str, int]


def _blank(model) -> dict:
    return {c.name: None for c in model.__table__.columns}


EVIDENCE_BLANK = _blank(Evidence)


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def _instant(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


# --- one vendor ------------------------------------------------------------------------------


def vendor_row(rng: random.Random, vendor_id: int, today: date) -> dict:
    """A vendor of a random tier with the fields a TPRM team fills in."""
    a, b = rng.choice(PREFIXES), rng.choice(SUFFIXES)
    name = f"{a} {b} {vendor_id}"
    created = _instant(today - _days(rng, 0, 2000))
    sensitive = rng.random()
    return {
        "id": vendor_id,
        "name": name,
        "name_key": name.casefold(),
        "domain": f"{a.lower()}{b.lower()}{vendor_id}.example" if rng.random() < 0.9 else None,
        "tier": _weighted(rng, TIERS),
        "region": rng.choice(REGIONS),
        "services": f"{b} services",
        "data_access": DATA_ACCESS[min(int(sensitive * 5), 4)],
        "owner_email": f"owner{rng.randint(1, 250)}@bank.example",
        "requirement": rng.choice(REQUIREMENTS) if rng.random() < 0.03 else None,
        "required_tsc": _own_tsc(rng),
        "created_at": created,
        "updated_at": created,
        "version": 1,
        **lifecycle_and_contract(random.Random(vendor_id), created.date(), today),
    }


LIFECYCLES = (("active", 0.94), ("onboarding", 0.03), ("offboarding", 0.01), ("archived", 0.02))


def lifecycle_and_contract(rng: random.Random, created: date, today: date) -> dict:
    """SPEC §12 fields of a generated vendor, drawn from their own generator (seeded by the
    vendor's id) so the evidence and statuses stay those of the same seed without them.

    Most vendors are active, a few in onboarding, offboarding or archived. Seven in ten have a
    contract: ending between 60 days ago and three years on, half renewing themselves (from
    an end up to three years ago), with 30, 60 or 90 days' notice. No review is on file; the
    first one falls due between 60 days ago and a year on, so about one vendor in five has a
    review overdue or due within 30 days and one in eight a renewal decision within 90 days
    (a passed notice included)."""
    lifecycle = _weighted(rng, LIFECYCLES)
    fields = {
        "lifecycle": lifecycle,
        "contract_end_on": None,
        "notice_days": 0,
        "auto_renews": False,
        "renewal_term_months": 12,
        "first_review_due_on": today + _days(rng, -60, 365),
        "archived_at": None,
        "archived_by": None,
        "archive_reason": None,
        "offboarding_checks": None,
    }
    if rng.random() < 0.7:
        auto = rng.random() < 0.5
        end = today + (_days(rng, -1095, 1095) if auto else _days(rng, -60, 1095))
        fields |= {
            "contract_end_on": max(end, created + timedelta(days=30)),
            "notice_days": rng.choice((30, 60, 90)),
            "auto_renews": auto,
            "renewal_term_months": rng.choice((12, 12, 24)),
        }
    if lifecycle == "archived":
        fields |= {
            "archived_at": _instant(today - _days(rng, 1, 300)),
            "archived_by": ACTOR,
            "archive_reason": "Contract ended",
            "offboarding_checks": {"data_returned_or_deleted": "yes", "access_removed": "yes"},
        }
    return fields


def _own_tsc(rng: random.Random) -> list[str] | None:
    if rng.random() >= 0.02:
        return None
    return sorted({"security", *rng.sample(CRITERIA, 2)})


def _evidence(ids: Ids, vendor: dict, kind: str, received_on: date, **fields) -> dict:
    return {
        **EVIDENCE_BLANK,
        "id": ids.take("evidence"),
        "vendor_id": vendor["id"],
        "kind": kind,
        "received_on": received_on,
        "notes": "",
        "created_at": _instant(received_on),
        "created_by": ACTOR,
        **fields,
    }


def _received(rng: random.Random, issued: date, today: date) -> date:
    return min(issued + _days(rng, 1, 25), today)


def soc_report(rng: random.Random, ids: Ids, vendor: dict, kind: str, period_end: date, today):
    """A SOC 1/2/3 report for the period ending `period_end` (never issued after today)."""
    type1 = kind != "soc3_report" and rng.random() < 0.07
    months = 12 if rng.random() < 0.9 else rng.choice((2, 5))
    start = add_months(period_end + timedelta(days=1), -months) if not type1 else None
    issued = min(period_end + _days(rng, 20, 60), today)
    fields = {
        "report_type": None if kind == "soc3_report" else ("type1" if type1 else "type2"),
        "period_start": start if kind != "soc3_report" else None,
        "period_end": period_end,
        "opinion": _weighted(rng, OPINIONS),
        "auditor": rng.choice(AUDITORS),
        "issued_on": issued,
        "system": "Production platform",
    }
    if kind == "soc2_report":
        fields |= _soc2_fields(rng, vendor)
    return _evidence(ids, vendor, kind, _received(rng, issued, today), **fields)


def _soc2_fields(rng: random.Random, vendor: dict) -> dict:
    tsc = {"security"}
    if vendor["tier"] == "critical" and rng.random() < 0.85 or rng.random() < 0.3:
        tsc.add("availability")
    if vendor["data_access"] in ("confidential", "personal") and rng.random() < 0.8:
        tsc.add("confidentiality")
    orgs = []
    if rng.random() < 0.5:
        orgs = [{"name": "Hyperscale Cloud", "method": rng.choice(("carve_out", "inclusive"))}]
    return {
        "tsc": sorted(tsc),
        "exceptions_noted": rng.randint(1, 4) if rng.random() < 0.15 else 0,
        "subservice_orgs": orgs,
        "cuecs": rng.random() < 0.6,
    }


def iso_history(rng: random.Random, ids: Ids, vendor: dict, today: date) -> list[dict]:
    """The current ISO certificate and, often, the one it renewed."""
    issued = today - _days(rng, 0, 1150)
    rows = [iso_certificate(rng, ids, vendor, issued, today)]
    if rng.random() < 0.7:
        rows.insert(0, iso_certificate(rng, ids, vendor, add_months(issued, -36), today))
    return rows


def iso_certificate(rng: random.Random, ids: Ids, vendor: dict, issued: date, today: date):
    """An ISO/IEC 27001 certificate issued on `issued`."""
    expires = add_months(issued, 36) - timedelta(days=1)
    if rng.random() < 0.04:
        expires = add_months(expires, 6)
    audits = [add_months(issued, 12 * k) for k in (1, 2) if add_months(issued, 12 * k) <= today]
    return _evidence(
        ids,
        vendor,
        "iso27001_certificate",
        _received(rng, issued, today),
        standard_version="2013" if rng.random() < 0.08 else "2022",
        certificate_number=f"IS {rng.randint(100000, 999999)}",
        certification_body=rng.choice(CERT_BODIES),
        accreditation_body=rng.choice(UNACCREDITED if rng.random() < 0.03 else ACCREDITED),
        issued_on=issued,
        expires_on=expires,
        last_surveillance_on=audits[-1] if audits and rng.random() < 0.85 else None,
        scope="Information security management system for the hosted service",
        certificate_status=_weighted(rng, CERTIFICATE_STATUSES),
    )


def bridge_letter(rng: random.Random, ids: Ids, vendor: dict, report: dict, today: date):
    """A bridge letter for `report`, signed recently; one in twenty vouches too far."""
    signed = max(today - _days(rng, 0, 60), report["period_end"] + timedelta(days=1))
    covers = signed + _days(rng, 30, 90)
    if rng.random() < 0.05:
        covers = add_months(signed, 4)
    return _evidence(
        ids,
        vendor,
        "bridge_letter",
        min(signed + timedelta(days=1), today),
        soc2_report_id=report["id"],
        signed_on=signed,
        covers_until=covers,
    )


def soc2_history(rng: random.Random, ids: Ids, vendor: dict, today: date) -> list[dict]:
    """The current SOC 2 report, often its predecessor, and for critical vendors a bridge."""
    period_end = today - _days(rng, 20, 520)
    years = rng.choices((1, 2, 3, 4, 5), (0.12, 0.2, 0.25, 0.23, 0.2))[0]
    rows = [
        soc_report(rng, ids, vendor, "soc2_report", add_months(period_end, -12 * k), today)
        for k in reversed(range(years))
    ]
    late = today > add_months(period_end, 3)
    chance = {"critical": 0.6, "high": 0.25}.get(vendor["tier"], 0.05)
    if late and rng.random() < chance:
        rows.append(bridge_letter(rng, ids, vendor, rows[-1], today))
    return rows


def evidence_for(rng: random.Random, ids: Ids, vendor: dict, today: date) -> list[dict]:
    """What the vendor supplied: by tier, with gaps, substitutes and volunteered extras."""
    roll = rng.random()
    if vendor["tier"] == "low" and roll < 0.25:
        return []
    if roll < 0.05:
        return []
    if roll < 0.08:
        kind = rng.choice(("soc1_report", "soc3_report"))
        return [soc_report(rng, ids, vendor, kind, today - _days(rng, 20, 400), today)]
    rows = []
    wants_iso = vendor["tier"] == "medium" and roll < 0.6 or roll > 0.8
    if not (vendor["tier"] == "medium" and roll < 0.5) and roll < 0.97:
        rows += soc2_history(rng, ids, vendor, today)
    if wants_iso or not rows:
        rows += iso_history(rng, ids, vendor, today)
    if rng.random() < 0.01:
        rows[-1] |= _retracted(rows[-1])
    return rows


def _retracted(row: dict) -> dict:
    return {
        "retracted_at": row["created_at"] + timedelta(days=2),
        "retracted_by": ACTOR,
        "retraction_reason": "Uploaded against the wrong vendor",
    }


def waiver_for(rng: random.Random, ids: Ids, vendor: dict, code: str, today: date) -> dict:
    """A risk acceptance for `code`, some lapsed, some revoked."""
    granted = today - _days(rng, 0, 300)
    expires = min(add_months(granted, 12), granted + _days(rng, 30, 365))
    revoked = _instant(granted + timedelta(days=10)) if rng.random() < 0.1 else None
    return {
        **_blank(Waiver),
        "id": ids.take("waiver"),
        "vendor_id": vendor["id"],
        "code": code,
        "reason": rng.choice(WAIVER_REASONS),
        "approved_by": "Morgan Lee",
        "granted_on": granted,
        "expires_on": expires,
        "created_at": _instant(granted),
        "created_by": ACTOR,
        "revoked_at": revoked,
        "revoked_by": ACTOR if revoked else None,
        "revoke_reason": "Vendor sent the report" if revoked else None,
    }


# --- materialised status ----------------------------------------------------------------------


def assess_rows(vendor: dict, evidence: list[dict], waivers: list[dict], today: date):
    """The case and its assessment, through the app's own row → facts functions."""
    case = build_case(
        SimpleNamespace(**vendor),
        [SimpleNamespace(**e) for e in evidence],
        [SimpleNamespace(**w) for w in waivers],
    )
    return case, evaluate(case, current_policy(), as_of=today)


def materialised(vendor: dict, evidence: list[dict], waivers: list[dict], today: date) -> dict:
    """The vendor row with its stored assessment for `today` (as store_assessment writes it)."""
    case, assessment = assess_rows(vendor, evidence, waivers, today)
    row = SimpleNamespace(**vendor)
    return vendor | {
        "status": assessment.status,
        "status_on": today,
        "next_review_on": assessment.next_review_on,
        "flags": [flag_dict(f) for f in assessment.flags],
        "evidence_expires_on": evidence_expiry(case, today=today),
        "review_due_on": review_due_of(row, None),
        **calendar_columns(row, case, assessment, today),
    }


def _waivers(rng, ids: Ids, vendor: dict, evidence: list[dict], today: date) -> list[dict]:
    if rng.random() >= 0.05:
        return []
    _, assessment = assess_rows(vendor, evidence, [], today)
    codes = [f.code for f in assessment.flags if f.severity in ("block", "high")]
    return [waiver_for(rng, ids, vendor, rng.choice(codes), today)] if codes else []


def _history(rng, vendor: dict, evidence: list[dict], today: date) -> tuple[list, list]:
    created = vendor["created_at"]
    vid, status = vendor["id"], vendor["status"]
    changes = [_change(vid, created.date(), None, status)]
    if status != "approved" and rng.random() < 0.05:  # worsened this week: the digest lists it
        changes.append(_change(vid, today - _days(rng, 0, 6), "approved", status))
    audit = [_audit(vid, "vendor", vid, created, {"name": vendor["name"]})]
    for e in evidence:
        audit.append(_audit(vid, "evidence", e["id"], e["created_at"], {"kind": e["kind"]}))
    return changes, audit


def _change(vendor_id: int, day: date, before: str | None, after: str) -> dict:
    return {
        "vendor_id": vendor_id,
        "changed_on": day,
        "changed_at": _instant(day),
        "before": before,
        "after": after,
    }


def _audit(vendor_id: int, entity: str, entity_id: int, at: datetime, after: dict) -> dict:
    return {
        "at": at,
        "actor": ACTOR,
        "entity": entity,
        "entity_id": entity_id,
        "action": "create",
        "vendor_id": vendor_id,
        "before": None,
        "after": after,
    }


def add_vendor(rng: random.Random, ids: Ids, batch: Batch, today: date) -> None:
    """One vendor with its evidence, waivers, status history and audit entries."""
    vendor = vendor_row(rng, ids.take("vendor"), today)
    evidence = evidence_for(rng, ids, vendor, today)
    waivers = _waivers(rng, ids, vendor, evidence, today)
    vendor = materialised(vendor, evidence, waivers, today)
    changes, audit = _history(rng, vendor, evidence, today)
    batch.vendors.append(vendor)
    batch.evidence += evidence
    batch.waivers += waivers
    batch.changes += changes
    batch.audit += audit


# --- writing -----------------------------------------------------------------------------------


def _next_ids(conn) -> Ids:
    def next_id(model) -> int:
        return (conn.execute(select(func.max(model.id))).scalar() or 0) + 1

    return Ids(vendor=next_id(Vendor), evidence=next_id(Evidence), waiver=next_id(Waiver))


@dataclass
class Tables:
    """A generated batch as the writer wants it: per table, its columns and value tuples."""

    rows: list[tuple[str, list[str], list[tuple]]]
    counts: dict[str, int]


def as_tables(batch: Batch, dialect: str) -> Tables:
    """Convert a batch's values for the driver (done in the worker, not by the writer)."""
    convert = (PG_VALUES if dialect == "postgresql" else SQLITE_VALUES).get
    rows = []
    for model, dicts in _in_order(batch):
        if dicts:
            columns = list(dicts[0])
            values = [
                tuple(v if (f := convert(type(v))) is None else f(v) for v in map(d.get, columns))
                for d in dicts
            ]
            rows.append((model.__tablename__, columns, values))
    counts = {"vendors": len(batch.vendors), "evidence": len(batch.evidence)}
    counts["waivers"] = len(batch.waivers)
    for v in batch.vendors:
        counts[v["status"]] = counts.get(v["status"], 0) + 1
    return Tables(rows, counts)


def _in_order(batch: Batch):
    """Parents first (bridge letters point at earlier evidence ids)."""
    yield Vendor, batch.vendors
    yield Evidence, batch.evidence
    yield Waiver, batch.waivers
    yield StatusChange, batch.changes
    yield AuditEntry, batch.audit


def write(conn, tables: Tables) -> None:
    """Insert a converted batch: COPY on PostgreSQL, one prepared INSERT on SQLite."""
    insert = _copy if conn.dialect.name == "postgresql" else _executemany
    for table, columns, values in tables.rows:
        insert(conn, table, columns, values)


def _sqlite_datetime(value: datetime) -> str:  # as SQLAlchemy's SQLite DATETIME stores UTC
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


SQLITE_VALUES = {
    datetime: _sqlite_datetime,
    date: date.isoformat,
    list: json.dumps,
    dict: json.dumps,
    bool: int,
}
PG_VALUES = {list: json.dumps, dict: json.dumps}


def _executemany(conn, table: str, columns: list[str], values: list[tuple]) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)


def _copy(conn, table: str, columns: list[str], values: list[tuple]) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def _reset_sequences(conn) -> None:
    for table in ("vendors", "evidence", "waivers", "status_changes", "audit_log"):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 1))"
            )
        )


def _analyze(engine: Engine) -> None:
    """Fresh planner statistics (and, on PostgreSQL, the visibility map for index-only scans)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


@dataclass(frozen=True)
class Chunk:
    """One batch of vendors to generate, with its own seed and id blocks (ids may skip)."""

    seed: str
    size: int
    ids: Ids
    today: date
    dialect: str


def make_chunk(chunk: Chunk) -> Tables:
    """The rows of one chunk, ready for the driver (runs in a worker process)."""
    rng, ids, batch = random.Random(chunk.seed), replace(chunk.ids), Batch()
    for _ in range(chunk.size):
        add_vendor(rng, ids, batch, chunk.today)
    return as_tables(batch, chunk.dialect)


def chunks(first: Ids, n: int, *, today: date, seed: int, size: int, dialect: str):
    """`n` vendors in chunks of `size`; each chunk owns a block of evidence and waiver ids."""
    for index, start in enumerate(range(0, n, size)):
        block = Ids(
            vendor=first.vendor + start,
            evidence=first.evidence + start * MAX_EVIDENCE,
            waiver=first.waiver + start,
        )
        yield Chunk(f"{seed}:{index}", min(size, n - start), block, today, dialect)


def _pool(workers: int):
    """Worker processes (spawned: they inherit no database connection); 0 runs in-process."""
    if workers == 0:
        return nullcontext()
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def generate(
    engine: Engine, n: int, *, today: date, seed: int = 1, batch: int = BATCH, workers: int = 2
) -> Stats:
    """Add `n` vendors (with evidence, waivers, history) in one transaction; return counts."""
    started = time.perf_counter()
    counts: Counter[str] = Counter()
    with _pool(workers) as pool, engine.begin() as conn:
        todo = chunks(
            _next_ids(conn), n, today=today, seed=seed, size=batch, dialect=engine.dialect.name
        )
        for tables in (pool.map if pool else map)(make_chunk, todo):
            write(conn, tables)
            counts.update(tables.counts)
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn)
    _analyze(engine)
    by_status = {s: counts[s] for s in ("approved", "conditional", "blocked")}
    return Stats(
        vendors=counts["vendors"],
        evidence=counts["evidence"],
        waivers=counts["waivers"],
        seconds=time.perf_counter() - started,
        by_status=by_status,
    )


def bench_engine(url: str) -> Engine:
    """A plain engine for bulk work (no app pool or pragmas needed)."""
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": 60})
    event.listen(engine, "connect", _big_cache)
    return engine


def _big_cache(dbapi_connection, _record) -> None:
    """Keep the whole transaction's pages in memory (a small cache spills them repeatedly)."""
    dbapi_connection.execute("PRAGMA cache_size=-1000000")


def migrate(url: str) -> None:
    """Bring the database at `url` to the latest schema."""
    from alembic import command
    from alembic.config import Config

    from app.config import ROOT

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "head")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of the database to fill")
    parser.add_argument("--n", type=int, default=100_000, help="how many vendors to add")
    parser.add_argument("--today", type=date.fromisoformat, default=clock.today())
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--migrate", action="store_true", help="run the migrations first")
    args = parser.parse_args()
    if args.migrate:
        migrate(args.url)
    stats = generate(bench_engine(args.url), args.n, today=args.today, seed=args.seed)
    print(
        f"{stats.vendors} vendors, {stats.evidence} evidence, {stats.waivers} waivers "
        f"in {stats.seconds:.1f}s; statuses {stats.by_status}"
    )


if __name__ == "__main__":
    main()
