"""security hardening (issue 14): server-side web sessions; login failures counted per client;
vendor name keys folded with NFKC, invisible characters left out; refused digest deliveries
recorded

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 16:00:14.452104

"""

import logging
import unicodedata
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import app.db  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    _create_web_sessions()
    _login_failures_per_client()
    _rekey_vendor_names(_name_key)
    with op.batch_alter_table("digest_deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_at", app.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True)
        )


def downgrade() -> None:
    """Downgrade schema."""
    # A refused delivery was never sent: without the columns that say so, it must not look
    # like a claim still being sent.
    op.execute("DELETE FROM digest_deliveries WHERE sent_at IS NULL AND failed_at IS NOT NULL")
    with op.batch_alter_table("digest_deliveries", schema=None) as batch_op:
        batch_op.drop_column("error")
        batch_op.drop_column("failed_at")
    _rekey_vendor_names(_name_key_0005)
    _login_failures_per_account()
    _drop_web_sessions()


def _create_web_sessions() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("id_hash", name=op.f("uq_web_sessions_id_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_sessions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)


def _drop_web_sessions() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_web_sessions_expires_at"))
    op.drop_table("web_sessions")


def _login_failures_per_client() -> None:
    # The rows are a 15-minute window of counts, with no client address to give them.
    op.execute("DELETE FROM login_failures")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        )
        batch_op.drop_index(batch_op.f("ix_login_failures_account_at"))
        batch_op.create_index(
            "ix_login_failures_account_client_at", ["account", "client", "at"], unique=False
        )
        batch_op.create_index("ix_login_failures_client_at", ["client", "at"], unique=False)


def _login_failures_per_account() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_client_at")
        batch_op.drop_index("ix_login_failures_account_client_at")
        batch_op.create_index(
            batch_op.f("ix_login_failures_account_at"), ["account", "at"], unique=False
        )
        batch_op.drop_column("client")


# Frozen copies of app.vendors.service.name_key, as it was and as it is from this revision.
_INVISIBLE = frozenset(
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _name_key(name: str) -> str:
    visible = "".join(char for char in name if char not in _INVISIBLE)
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", visible).casefold())
    return " ".join(folded.split())


def _name_key_0005(name: str) -> str:
    return " ".join(name.split()).casefold()


def _rekey_vendor_names(key) -> None:
    """Give every vendor its name's key; where two vendors' names now have the same key, the
    later keeps its old one (and is named in the log), so that no vendor is lost."""
    vendors = sa.table("vendors", sa.column("id"), sa.column("name"), sa.column("name_key"))
    bind = op.get_bind()
    rows = bind.execute(sa.select(vendors).order_by(vendors.c.id)).all()
    taken = {row.name_key for row in rows}
    for row in rows:
        new = key(row.name)
        if new == row.name_key:
            continue
        if new in taken:
            logging.getLogger("alembic").warning(
                "vendor %s (%r) keeps name key %r: %r is another vendor's", row.id, row.name,
                row.name_key, new,
            )  # fmt: skip
            continue
        taken.discard(row.name_key)
        taken.add(new)
        bind.execute(vendors.update().where(vendors.c.id == row.id).values(name_key=new))
