"""`vetted …`: the admin's command line."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlmodel import select

from app.auth.roles import Role
from app.bulk.cli import export_command, import_app
from app.cli_options import as_of_option, today
from app.config import ROOT, get_settings
from app.db import session_scope
from app.digest.cli import digest_app
from app.errors import DomainError
from app.portal.cli import request_app
from app.security import MAX_HEAD_BYTES

app = typer.Typer(help="Vetted: vendor due-diligence tracker.", no_args_is_help=True)
user_app = typer.Typer(help="Web users.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for procurement systems.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(digest_app, name="digest")
app.add_typer(import_app, name="import")
app.add_typer(request_app, name="request")
app.command("export")(export_command)

CLI_ACTOR = "cli"
DEMO_PASSWORD = "vetted-demo-2026"
DEMO_USERS = (
    ("analyst@vetted.example", Role.analyst),
    ("reader@vetted.example", Role.reader),
    ("admin@vetted.example", Role.admin),
)
AsOf = Annotated[date | None, as_of_option("Evaluate on this date (YYYY-MM-DD); default today")]


@app.callback()
def _settings_hold() -> None:
    """Refuse to run on settings that do not hold, naming each, never echoing its value."""
    try:
        get_settings()
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            typer.secho(f"error: {_setting_error(error)}", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=2) from None


def _setting_error(error: dict) -> str:
    message = error["msg"].removeprefix("Value error, ")
    return f"VETTED_{str(error['loc'][0]).upper()}: {message}" if error["loc"] else message


def _fail(exc: DomainError) -> None:
    typer.secho(f"error: {exc.detail}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code=1)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (alembic upgrade head)."""
    from alembic import command
    from alembic.config import Config

    from app.status.daily import refresh_all_due

    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")
    typer.echo("database is at the latest schema")
    # A migration may make stored statuses lapse (new rules): store today's at once.
    if restated := refresh_all_due(today=today()):
        typer.echo(f"re-evaluated {restated} vendors whose stored status had lapsed")


@app.command()
def seed() -> None:
    """Load the demo vendors of seed/demo.toml (those not there yet)."""
    from app.seed import load_demo

    with session_scope() as session:
        created = load_demo(session=session, today=today())
    typer.echo(f"created {len(created)} demo vendors" if created else "demo data already there")


def _show_demo_portal_links() -> None:
    from app.seed import demo_portal_links

    with session_scope(writes=False) as session:
        for vendor, url in demo_portal_links(session=session, today=today()):
            typer.echo(f"demo vendor portal ({vendor}): {url}")


def _ensure_demo_users() -> None:
    from app.auth.users import create_user
    from app.models import User

    with session_scope() as session:
        for email, role in DEMO_USERS:
            if session.exec(select(User).where(User.email == email)).first() is None:
                create_user(
                    session=session, email=email, password=DEMO_PASSWORD, role=role, actor=CLI_ACTOR
                )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    demo: Annotated[bool, typer.Option(help="Migrate, load the demo data and demo users")] = False,
) -> None:
    """Serve the web pages and the API."""
    import uvicorn

    if demo and get_settings().env == "production":
        raise typer.BadParameter(
            "the demo users' password is published: not with VETTED_ENV=production",
            param_hint="--demo",
        )
    if demo:
        migrate()
        seed()
        _ensure_demo_users()
        emails = ", ".join(email for email, _ in DEMO_USERS)
        typer.echo(f"demo users: {emails} — password {DEMO_PASSWORD}")
        _show_demo_portal_links()
    typer.echo(f"Vetted on http://{host}:{port}  (API docs at /docs)")
    proxies = [str(network) for network in get_settings().trusted_proxies]
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # X-Forwarded-For/-Proto only from VETTED_TRUSTED_PROXIES (app.auth.client reads the
        # same list): uvicorn's own default would believe them from any local process.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) or None,
        server_header=False,  # no "server: uvicorn": say nothing that helps pick an exploit
        http="h11",  # the one parser uvicorn bounds: httptools reads a head of any size
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,  # a longer head: 400, connection closed
    )


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="The user's e-mail address (their login)")],
    role: Annotated[Role, typer.Option(help="reader, analyst or admin")] = Role.analyst,
    password: Annotated[str | None, typer.Option(help="Omit to be prompted")] = None,
) -> None:
    """Create a web user."""
    from app.auth.users import create_user

    password = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _as_cli(create_user, email=email, password=password, role=role)
    typer.echo(f"created {user.role} {user.email}")


@user_app.command("set-password")
def user_set_password(
    email: Annotated[str, typer.Argument(help="The user's e-mail address")],
    password: Annotated[str | None, typer.Option(help="Omit to be prompted")] = None,
) -> None:
    """Give a user a new password; every session they have open ends."""
    from app.auth.users import set_password

    password = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    _user_change(set_password, email, "new password for {email}", password=password)


@user_app.command("set-role")
def user_set_role(
    email: Annotated[str, typer.Argument(help="The user's e-mail address")],
    role: Annotated[Role, typer.Argument(help="reader, analyst or admin")],
) -> None:
    """Give a user another role; every session they have open ends."""
    from app.auth.users import set_role

    _user_change(set_role, email, "{email} is now " + role.value, role=role)


@user_app.command("deactivate")
def user_deactivate(
    email: Annotated[str, typer.Argument(help="The user's e-mail address")],
) -> None:
    """Stop a user logging in; every session they have open ends."""
    from app.auth.users import set_active

    _user_change(set_active, email, "deactivated {email}", active=False)


def _as_cli(service, **values):
    """Run a service in one transaction as the CLI; a refusal is printed and exits 1."""
    try:
        with session_scope() as session:
            return service(session=session, actor=CLI_ACTOR, **values)
    except DomainError as exc:
        _fail(exc)


def _user_change(change, email: str, done: str, **values) -> None:
    email = email.strip().lower()
    ended = _as_cli(change, email=email, **values)
    typer.echo(f"{done.format(email=email)}; {ended} open session(s) ended")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'coupa'")],
    role: Annotated[Role, typer.Option(help="reader, analyst or admin")] = Role.reader,
) -> None:
    """Create an API token; it is printed once, alone on the last line."""
    from app.auth.tokens import create_token

    try:
        with session_scope() as session:
            _, plaintext = create_token(session=session, name=name, role=role, actor=CLI_ACTOR)
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"created {role.value} token {name!r}; store it now, it is not shown again:")
    typer.echo(plaintext)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name")]) -> None:
    """Revoke an API token; it stops working at once."""
    from app.auth.tokens import revoke_token

    try:
        with session_scope() as session:
            revoke_token(session=session, name=name, actor=CLI_ACTOR)
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"revoked token {name!r}")


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="Where to write the copy", dir_okay=False)],
) -> None:
    """Copy the live SQLite database consistently (PostgreSQL: use pg_dump)."""
    from app.backup import BackupUnsupported, backup_sqlite

    try:
        size = backup_sqlite(get_settings().database_url.get_secret_value(), path)
    except (BackupUnsupported, FileNotFoundError, RuntimeError) as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=1) from exc
    typer.echo(f"backed up to {path} ({size:,} bytes)")


@app.command()
def evaluate(as_of: AsOf = None) -> None:
    """Print every vendor's status and flags as of a date."""
    from app.status.bulk import map_assessments
    from app.status.service import batched

    day = as_of or today()
    typer.echo(f"{'id':>6}  {'vendor':<32} {'tier':<8} {'status':<11} {'next review':<11}  flags")
    # Streamed in id order and evaluated on every core; printed a thousand lines at a time.
    for lines in batched(map_assessments(_status_line, as_of=day), 1000):
        typer.echo("\n".join(lines))


def _status_line(vendor, assessment) -> str:
    codes = ", ".join(_flag_label(f) for f in assessment.flags) or "—"
    review = assessment.next_review_on.isoformat() if assessment.next_review_on else "—"
    return (
        f"{vendor.id:>6}  {vendor.name[:32]:<32} {vendor.tier:<8} "
        f"{assessment.status:<11} {review:<11}  {codes}"
    )


@app.command()
def refresh(
    as_of: AsOf = None,
    force: Annotated[
        bool, typer.Option(help="Run even if a process has already done this day's pass")
    ] = False,
) -> None:
    """Re-evaluate the vendors whose stored status has lapsed: the daily pass, for cron."""
    from app.main import DAILY_JOBS
    from app.status.daily import claimed_by, run_daily

    day = as_of or today()
    processed = run_daily(day=day, force=force, jobs=DAILY_JOBS)
    if processed is None:
        run = claimed_by(day)
        who = run.claimed_by if run else "another process"
        typer.echo(f"the pass for {day} was already run by {who}; --force runs it again")
        return
    typer.echo(f"re-evaluated {processed} vendors whose stored status had lapsed on {day}")


def _flag_label(flag) -> str:
    label = f"{flag.code}({flag.severity})"
    return label + "[waived]" if flag.waived else label
