"""What the `vetted` commands share: today in the organisation's time zone and `--as-of`."""

from datetime import date

import typer

from app import clock
from app.config import get_settings


def today() -> date:
    """Today in the organisation's time zone (the commands' default day)."""
    return clock.today(get_settings().timezone)


def iso_date(value: str) -> date:
    """A YYYY-MM-DD option value as a date, or a usage error saying so."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def as_of_option(help_text: str):
    """A `--as-of` option read as a date (None: today)."""
    return typer.Option("--as-of", parser=iso_date, metavar="YYYY-MM-DD", help=help_text)
