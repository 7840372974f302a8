"""`vetted digest preview|send`: the weekly expiry digest from the command line or cron."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from app.cli_options import as_of_option, today
from app.config import get_settings
from app.db import session_scope
from app.digest.build import MAX_ROWS, Digest, for_owner
from app.digest.job import NotConfigured, RunReport, collect, refresh_statuses, send_digest
from app.digest.render import render_html, render_text, to_json

digest_app = typer.Typer(help="The weekly expiry digest.", no_args_is_help=True)


class Format(StrEnum):
    text = "text"
    html = "html"
    json = "json"


AsOf = Annotated[
    date | None, as_of_option("The digest for the week of this date (YYYY-MM-DD); default today")
]


def _progress(done: int) -> None:
    typer.echo(f"evaluated {done} vendors…", err=True)


def _gather(day: date, *, limit: int | None, owners: bool) -> Digest:
    refresh_statuses(today=today())
    with session_scope(writes=False) as session:
        return collect(
            session=session,
            as_of=day,
            base_url=get_settings().base_url,
            progress=_progress,
            limit=limit,
            owners=owners,
        )


@digest_app.command("preview")
def preview(
    as_of: AsOf = None,
    format: Annotated[Format, typer.Option("--format", help="text, html or json")] = Format.text,
    owner: Annotated[
        str | None, typer.Option(help="Show the digest this vendor owner would get")
    ] = None,
) -> None:
    """Print the digest for a week without sending it (JSON: every row of each section)."""
    limit = None if format is Format.json else MAX_ROWS
    digest = _gather(as_of or today(), limit=limit, owners=bool(owner))
    if owner:
        digest = for_owner(digest, owner)
    if format is Format.json:
        typer.echo(json.dumps(to_json(digest), indent=2, ensure_ascii=False))
    else:
        typer.echo(render_html(digest) if format is Format.html else render_text(digest), nl=False)


@digest_app.command("send")
def send(
    as_of: AsOf = None,
    force: Annotated[
        bool, typer.Option("--force", help="Send even if this week's digest went out already")
    ] = False,
) -> None:
    """Send the week's digest to every recipient that has not had it yet (for cron)."""
    settings = get_settings()
    try:
        report = send_digest(
            as_of=as_of or today(),
            settings=settings,
            today=today(),
            force=force,
            progress=_progress,
        )
    except NotConfigured as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=1) from exc
    _print(report)
    if report.failed:
        raise typer.Exit(code=1)


def _print(report: RunReport) -> None:
    for o in report.outcomes:
        line = f"{o.state:<7} {o.recipient}: {o.detail}"
        typer.echo(line, err=o.state == "failed")
    sent, skipped, failed = report.count("sent"), report.count("skipped"), len(report.failed)
    if not report.outcomes:
        typer.echo(f"week {report.week}: nobody to send to (no vendor owner has anything)")
    elif failed:
        causes = "; ".join(dict.fromkeys(o.detail for o in report.failed))
        typer.secho(
            f"error: week {report.week}: {failed} digest(s) not sent ({causes}); "
            "none of them is recorded as sent, so the next run sends them",
            err=True,
            fg=typer.colors.RED,
        )
    elif sent == 0:
        typer.echo(
            f"week {report.week}: nothing sent, the digest went out already to all "
            f"{skipped} recipient(s); use --force to send it again"
        )
    else:
        typer.echo(f"week {report.week}: sent {sent}, skipped {skipped}")
