"""Bulk benchmark: import N vendors from CSV, export them as CSV and xlsx, import the export
back, and check the round trip. Prints the time of each step.

    /work/venv/bin/python tests/perf/bench_bulk.py [--n 10000]
        [--url postgresql+psycopg://postgres@127.0.0.1:55432/vetted_bench]

Without --url it uses a fresh SQLite file. A PostgreSQL database given by --url is emptied
first (its public schema is dropped). Not collected by pytest (no test_ prefix).
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from bulk.data import HEADER, to_csv, vendor_rows  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from app import config, db  # noqa: E402
from app.bulk.csvfile import read_csv, unneutralise  # noqa: E402
from app.bulk.exporting import export_vendors  # noqa: E402
from app.bulk.importing import import_vendors  # noqa: E402
from app.models import AuditEntry, Vendor  # noqa: E402

TODAY = date(2026, 6, 15)


def _fresh_database(url: str | None) -> str:
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    else:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    os.environ["VETTED_DATABASE_URL"] = url
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    alembic = Config(str(ROOT / "alembic.ini"))
    alembic.set_main_option("sqlalchemy.url", url)
    command.upgrade(alembic, "head")
    return url


def _timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<34} {time.perf_counter() - start:6.2f} s")
    return result


def _import(csv_text: str, dry_run: bool):
    table = read_csv(io.StringIO(csv_text, newline=""))
    with db.session_scope() as session:
        return import_vendors(
            session=session, table=table, dry_run=dry_run, actor="bench", today=TODAY
        )


def _export(fmt: str) -> bytes:
    with db.session_scope(writes=False) as session:
        return b"".join(export_vendors(session=session, fmt=fmt, today=TODAY).chunks)


def _check_round_trip(rows: list[dict], exported: bytes) -> None:
    back = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"), newline="")))
    assert len(back) == len(rows), (len(back), len(rows))
    for original, row in zip(rows, back, strict=True):
        for column in HEADER:
            assert unneutralise(row[column]) == original[column].strip(), (column, row, original)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--url", help="a PostgreSQL URL (emptied first); default SQLite")
    args = parser.parse_args()
    url = _fresh_database(args.url)
    rows = vendor_rows(args.n)
    source = to_csv(rows)
    print(f"{args.n} vendors on {url.split('://')[0]} ({len(source) / 1e6:.1f} MB of CSV)")
    report = _timed("import --dry-run", lambda: _import(source, True))
    assert report.created == args.n and not report.errors
    report = _timed("import", lambda: _import(source, False))
    assert (report.created, report.applied) == (args.n, True)
    exported = _timed("export --format csv", lambda: _export("csv"))
    workbook = _timed("export --format xlsx", lambda: _export("xlsx"))
    _check_round_trip(rows, exported)
    again = _timed("import the export back", lambda: _import(exported.decode("utf-8-sig"), False))
    assert (again.created, again.updated, again.unchanged) == (0, 0, args.n)
    with db.session_scope(writes=False) as session:
        vendors = session.scalar(select(func.count()).select_from(Vendor))
        audited = session.scalar(select(func.count()).select_from(AuditEntry))
    print(f"round trip ok: {vendors} vendors, {audited} audit entries, export "
          f"{len(exported) / 1e6:.1f} MB CSV / {len(workbook) / 1e6:.1f} MB xlsx")  # fmt: skip


if __name__ == "__main__":
    main()
