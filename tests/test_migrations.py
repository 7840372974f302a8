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


def test_0005_leaves_existing_documents_unjudged_and_waivers_unbound(tmp_path: Path) -> None:
    url = _empty_database(tmp_path)
    cfg = alembic_config(url)
    command.upgrade(cfg, "0004")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(_V1_VENDOR))
        conn.execute(text(_V1_EVIDENCE))
        conn.execute(text(_V1_WAIVER))
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        judged = conn.execute(text("SELECT scope_covers_services FROM evidence")).all()
        bound = conn.execute(text("SELECT evidence_id FROM waivers")).all()
    engine.dispose()
    assert judged == [(None,)] and bound == [(None,)]


_V1_VENDOR = (
    "INSERT INTO vendors (id, name, name_key, tier, services, created_at, updated_at, version,"
    " status, flags) VALUES (1, 'Acme', 'acme', 'high', 'Payroll', '2026-01-01 00:00:00',"
    " '2026-01-01 00:00:00', 1, 'blocked', '[]')"
)
_V1_EVIDENCE = (
    "INSERT INTO evidence (id, vendor_id, kind, received_on, notes, created_at, created_by,"
    " report_type, period_start, period_end, opinion, auditor) VALUES (1, 1, 'soc2_report',"
    " '2026-05-01', '', '2026-05-01 00:00:00', 'test', 'type2', '2025-04-01', '2026-03-31',"
    " 'qualified', 'Hale')"
)
_V1_WAIVER = (
    "INSERT INTO waivers (id, vendor_id, code, reason, approved_by, granted_on, expires_on,"
    " created_at, created_by) VALUES (1, 1, 'SOC2_OPINION_QUALIFIED', 'r', 'CISO', '2026-05-02',"
    " '2026-11-01', '2026-05-02 00:00:00', 'test')"
)
