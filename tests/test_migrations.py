"""The schema comes from migrations alone, and the models match them."""

from pathlib import Path

from alembic import command
from conftest import PG_URL, _reset_postgres, alembic_config
from sqlalchemy import create_engine, inspect

EXPECTED_TABLES = {"vendors", "evidence", "waivers", "users", "api_tokens", "audit_log"}


def _empty_database(tmp_path: Path) -> str:
    if PG_URL:
        _reset_postgres(PG_URL)
        return PG_URL
    return f"sqlite:///{tmp_path / 'empty.db'}"


def test_upgrade_head_then_check_finds_no_difference(tmp_path: Path) -> None:
    url = _empty_database(tmp_path)
    cfg = alembic_config(url)
    command.upgrade(cfg, "head")
    command.check(cfg)  # raises when a model changed without a migration
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) >= EXPECTED_TABLES
    engine.dispose()


def test_downgrade_to_base_and_up_again(tmp_path: Path) -> None:
    url = _empty_database(tmp_path)
    cfg = alembic_config(url)
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    engine = create_engine(url)
    assert not EXPECTED_TABLES & set(inspect(engine).get_table_names())
    engine.dispose()
    command.upgrade(cfg, "head")
