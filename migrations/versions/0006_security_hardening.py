"""security hardening (issue 14): server-side web sessions; login failures counted per client

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-06 16:00:14.452104

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import app.db  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    _create_web_sessions()
    _login_failures_per_client()


def downgrade() -> None:
    """Downgrade schema."""
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
