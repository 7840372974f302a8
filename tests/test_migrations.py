"""The schema comes from migrations alone, and the models match them."""

from pathlib import Path

from alembic import command
from conftest import PG_URL, _reset_postgres, alembic_config
from sqlalchemy import create_engine, inspect, text

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


def test_vendor_name_keys_are_folded_at_upgrade_and_none_is_lost(tmp_path: Path) -> None:
    url = _empty_database(tmp_path)
    cfg = alembic_config(url)
    command.upgrade(cfg, "0004")
    names = {  # name: its key before revision 0006
        "Acme Cloud": "acme cloud",
        "\uff2eorthwind Payments": "\uff4eorthwind payments",  # a full-width N
        "Zero\u200bWidth": "zero\u200bwidth",
        "ZeroWidth": "zerowidth",  # the key the one above would get: it keeps its own
    }
    engine = create_engine(url)
    with engine.begin() as conn:
        for name, key in names.items():
            conn.execute(
                text(
                    "INSERT INTO vendors (name, name_key, tier, services, created_at, "
                    "updated_at, version, status, flags) VALUES (:name, :key, 'low', '', "
                    "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 1, 'blocked', '[]')"
                ),
                {"name": name, "key": key},
            )
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT name, name_key FROM vendors")).all())
    engine.dispose()
    assert keys == {
        "Acme Cloud": "acme cloud",
        "\uff2eorthwind Payments": "northwind payments",
        "Zero\u200bWidth": "zero\u200bwidth",
        "ZeroWidth": "zerowidth",
    }
