"""`vetted backup`: a consistent copy of a live SQLite database that restores every record."""

from pathlib import Path

import pytest
from conftest import PG_URL, use_database
from factories import soc2_body, vendor_body
from typer.testing import CliRunner

from app.cli import app as cli

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="backs up SQLite; PostgreSQL uses pg_dump")


def test_backup_restores_every_record(analyst, tmp_path: Path, monkeypatch):
    ids = []
    for _ in range(5):
        vendor = analyst.post("/api/v1/vendors", json=vendor_body()).json()
        analyst.post(f"/api/v1/vendors/{vendor['id']}/evidence", json=soc2_body())
        ids.append(vendor["id"])
    target = tmp_path / "backup.db"
    result = CliRunner().invoke(cli, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert not target.with_name("backup.db.partial").exists()

    use_database(f"sqlite:///{target}", monkeypatch)  # "restore": run the app on the copy
    for vendor_id in ids:
        restored = analyst.get(f"/api/v1/vendors/{vendor_id}").json()
        assert restored["status"] == "approved"
        assert len(restored["evidence"]) == 1


def test_backup_refuses_postgres_urls(monkeypatch, tmp_path: Path):
    use_database("postgresql+psycopg://u@localhost/x", monkeypatch)
    result = CliRunner().invoke(cli, ["backup", str(tmp_path / "b.db")])
    assert result.exit_code == 1
    assert "pg_dump" in result.stderr
