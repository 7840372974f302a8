"""The schema comes from migrations alone, and the models match them."""

from datetime import UTC
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


def test_rules_v2_restates_stored_statuses_and_the_digest_names_them(
    tmp_path: Path, monkeypatch
) -> None:
    """A critical vendor approved by the first edition (its report's scope never judged) is
    conditional once `vetted migrate` has run, and the digest says so, with the reason."""
    from datetime import date, datetime

    from conftest import use_database
    from sqlalchemy import MetaData, insert
    from sqlmodel import Session

    from app import cli, clock, db
    from app.digest.job import collect

    today = date(2026, 12, 6)
    monkeypatch.setattr(clock, "today", lambda *_: today)
    url = _empty_database(tmp_path)
    command.upgrade(alembic_config(url), "0005")
    engine = create_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(tables.tables["vendors"]).values(
                id=1,
                name="Northwind",
                name_key="northwind",
                tier="critical",
                services="Cards",
                created_at=now,
                updated_at=now,
                version=1,
                status="approved",
                status_on=date(2026, 12, 1),
                next_review_on=date(2027, 3, 1),
                flags=[],
            )
        )
        conn.execute(
            insert(tables.tables["evidence"]).values(
                id=1,
                vendor_id=1,
                kind="soc2_report",
                received_on=date(2026, 11, 1),
                notes="",
                created_at=now,
                created_by="seed",
                report_type="type2",
                period_start=date(2025, 10, 1),
                period_end=date(2026, 9, 30),
                opinion="unqualified",
                auditor="Hale & Moss LLP",
                tsc=["security", "availability"],
                exceptions_noted=0,
                cuecs=False,
            )
        )
    engine.dispose()
    use_database(url, monkeypatch)
    cli.migrate()
    with Session(db.get_engine()) as session:
        digest = collect(session=session, as_of=today, base_url="https://vetted.example")
    (row,) = digest.worsened
    assert (row.vendor.id, row.before, row.after) == (1, "approved", "conditional")
    assert row.reasons == ("SCOPE_UNCONFIRMED",)
    db.get_engine().dispose()


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


def test_vendor_name_keys_are_folded_at_upgrade_and_none_is_lost(tmp_path: Path) -> None:
    url = _empty_database(tmp_path)
    cfg = alembic_config(url)
    command.upgrade(cfg, "0004")
    names = {  # name: its key before revision 0008
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


def test_0010_makes_existing_vendors_active_with_a_first_review_in_90_days(
    tmp_path: Path, monkeypatch
) -> None:
    """Vendors that exist when reviews arrive become active, their first review due 90 days
    after the migration day; no review is invented for them."""
    from datetime import date, datetime

    from sqlalchemy import MetaData, insert

    from app import clock

    today = date(2026, 12, 6)
    monkeypatch.setattr(clock, "today", lambda *_: today)
    url = _empty_database(tmp_path)
    command.upgrade(alembic_config(url), "0009")
    engine = create_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(tables.tables["vendors"]).values(
                id=1,
                name="Northwind",
                name_key="northwind",
                tier="low",
                services="",
                created_at=now,
                updated_at=now,
                version=1,
                status="approved",
                status_on=date(2026, 12, 1),
                next_review_on=date(2027, 3, 1),
                flags=[],
            )  # fmt: skip
        )
    engine.dispose()
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM vendors")).mappings().one()
        reviews = conn.execute(text("SELECT count(*) FROM vendor_reviews")).scalar_one()
    engine.dispose()
    assert row["lifecycle"] == "active"
    assert str(row["review_due_on"]) == str(row["first_review_due_on"]) == "2027-03-06"
    assert (row["notice_days"], bool(row["auto_renews"]), row["renewal_term_months"]) == (
        0,
        False,
        12,
    )
    assert str(row["refresh_on"]) == "2027-03-01"  # the stored status's own next review
    assert row["contract_end_on"] is None and reviews == 0
