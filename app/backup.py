"""Consistent copies of a live SQLite database (PostgreSQL: use pg_dump, see the README)."""

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupUnsupported(Exception):
    """The configured database is not a SQLite file."""


def sqlite_path(database_url: str) -> Path:
    """The file behind a SQLite URL; other databases are refused."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupUnsupported(
            "vetted backup copies SQLite files; for PostgreSQL use pg_dump (see the README)"
        )
    return Path(url.database)


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the live database to `target` with SQLite's online backup API; returns its size.

    Readers and writers carry on meanwhile: the copy is one consistent snapshot. The copy is
    written beside the target and renamed into place, so a failed backup leaves no half file.
    """
    source_path = sqlite_path(database_url)
    if not source_path.exists():
        raise FileNotFoundError(f"no database at {source_path}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # as_uri() escapes "#", "?" and "%", which would otherwise cut the path short and open
    # (and create) some other, empty database.
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # a self-contained single file
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"the copy failed its integrity check: {verdict}")
    partial.replace(target)
    return target.stat().st_size
