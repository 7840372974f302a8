"""prefill uploads: the PDFs a prefill stored, their owner and age

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 12:00:00.000000

Another branch adds 0005 and 0006; when both are merged this one is re-chained after 0006
(down_revision = "0006"). It only adds a table, so the order does not matter otherwise.
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import app.db  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "prefill_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prefill_uploads")),
    )
    with op.batch_alter_table("prefill_uploads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prefill_uploads_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_prefill_uploads_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("prefill_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prefill_uploads_sha256"))
        batch_op.drop_index(batch_op.f("ix_prefill_uploads_created_at"))

    op.drop_table("prefill_uploads")
