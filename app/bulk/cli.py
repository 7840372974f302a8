"""`vetted import vendors|evidence PATH [--dry-run]` and `vetted export --format csv|xlsx`."""

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app import clock
from app.bulk.csvfile import CsvTable, read_csv
from app.bulk.exporting import MEDIA_TYPES, export_vendors
from app.bulk.importing import Importer, ImportReport, import_vendors
from app.bulk.importing_evidence import import_evidence
from app.config import get_settings
from app.db import session_scope
from app.errors import Conflict
from app.models import Vendor

CLI_ACTOR = "cli"
import_app = typer.Typer(
    help="Import vendors or evidence from CSV (all rows or none).", no_args_is_help=True
)
CsvPath = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file")
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would happen; write nothing")]
Show = Annotated[
    int | None,
    typer.Option(help="How many planned rows to list; default 50 on a dry run, else none"),
]


def _read(path: Path) -> CsvTable:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return read_csv(handle)


def _print_report(report: ImportReport, show: int) -> None:
    for error in report.errors:
        typer.secho(f"  {error}", err=True, fg=typer.colors.RED)
    if report.ignored_columns:
        typer.echo(f"ignored columns (export only): {', '.join(report.ignored_columns)}")
    verb = "would " if report.dry_run else ""
    changes = [p for p in report.planned if p.action != "unchanged"]
    show = (50 if report.dry_run else 0) if show is None else show
    for planned in changes[:show]:
        detail = f" ({', '.join(planned.changes)})" if planned.changes else ""
        typer.echo(f"  {verb}{planned.action:<7} line {planned.line}: {planned.name}{detail}")
    if show and len(changes) > show:
        typer.echo(f"  … and {len(changes) - show} more (--show N to list them)")


def _summary(report: ImportReport, seconds: float) -> str:
    counts = f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    if report.errors:
        bad = len({e.line for e in report.errors})
        return f"nothing imported: {bad} bad row(s) out of {report.rows}; fix them and retry"
    if report.dry_run:
        return f"dry run, nothing written: {report.rows} rows — would be {counts}"
    return f"imported {report.rows} rows in {seconds:.1f} s: {counts}"


def _run(path: Path, dry_run: bool, show: int | None, importer: Importer) -> None:
    started, today = time.perf_counter(), clock.today(get_settings().timezone)
    table = _read(path)
    try:
        with session_scope(writes=not dry_run) as session:
            plan = importer.plan(session=session, table=table, dry_run=dry_run, today=today)
            report = plan.report
            if not dry_run and not report.errors:
                _apply_with_bar(session, plan, importer.apply, today)
    except (IntegrityError, Conflict) as exc:
        detail = exc.orig if isinstance(exc, IntegrityError) else exc.detail
        typer.secho(f"nothing imported: a concurrent change conflicts ({detail})", err=True)
        raise typer.Exit(code=1) from exc
    _print_report(report, show)
    typer.secho(_summary(report, time.perf_counter() - started), err=bool(report.errors))
    if report.errors:
        raise typer.Exit(code=1)


def _apply_with_bar(session, plan, apply_fn: Callable, today) -> None:
    total = len(plan.creates) + len(getattr(plan, "updates", ()))
    with typer.progressbar(length=total, label="importing", file=sys.stderr) as bar:
        apply_fn(session=session, plan=plan, actor=CLI_ACTOR, today=today, progress=bar.update)


@import_app.command("vendors")
def import_vendors_command(path: CsvPath, dry_run: DryRun = False, show: Show = None) -> None:
    """Create or update vendors from CSV: name, domain, tier, region, services, data_access,
    owner_email, requirement (and required_tsc). A vendor with the same name (any case) or
    domain is updated; columns left out are left alone."""
    _run(path, dry_run, show, import_vendors)


@import_app.command("evidence")
def import_evidence_command(path: CsvPath, dry_run: DryRun = False, show: Show = None) -> None:
    """Log SOC reports and ISO/IEC 27001 certificates from CSV: vendor (name or domain), kind,
    and the fields of that kind as the API names them (tsc and subservice_orgs `;`-separated,
    e.g. `AWS: carve_out; Stripe: inclusive`; scope_covers_services yes, partly or no, blank for
    not judged). Documents already on file are skipped."""
    _run(path, dry_run, show, import_evidence)


def export_command(
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default vendors-DATE.EXT")
    ] = None,
) -> None:
    """Export every vendor with its status, flags, next review, current report and certificate."""
    if fmt not in MEDIA_TYPES:
        raise typer.BadParameter("must be csv or xlsx", param_hint="--format")
    today, started = clock.today(get_settings().timezone), time.perf_counter()
    with session_scope(writes=False) as session:
        total = session.exec(select(func.count()).select_from(Vendor)).one()
        with typer.progressbar(length=total, label="exporting", file=sys.stderr) as bar:
            export = export_vendors(session=session, fmt=fmt, today=today, progress=bar.update)
            target = output or Path(export.filename)
            _write_atomically(target, export.chunks)
    typer.echo(f"wrote {total} vendors to {target} in {time.perf_counter() - started:.1f} s")


def _write_atomically(target: Path, chunks) -> None:
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
