"""the vendor list's and the dashboard's indexes

The list's filters and counts, and the dashboard's needs attention and in onboarding, read
index ranges in the order they show (measured by tests/perf/run.py, targets 2 and 6).

Every list and dashboard read leaves archived vendors out (`lifecycle != 'archived'`), so the
counts behind the status, review-due and decision filters read each matching vendor's row
unless the index they range over holds the lifecycle too. Three indexes replace (status, id),
(review_due_on) and (decision_on): the same leading columns and order, with `lifecycle` added
so the counts are index-only. The dashboard lists needing attention by status, tier, name and
in onboarding by lifecycle, status, name: (status, tier, name_key) and (lifecycle, status,
name_key), the latter replacing (lifecycle).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 00:00:00

"""

from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NEW = {
    "ix_vendors_status_id_lifecycle": ["status", "id", "lifecycle"],
    "ix_vendors_review_due_on_id_lifecycle": ["review_due_on", "id", "lifecycle"],
    "ix_vendors_decision_on_id_lifecycle": ["decision_on", "id", "lifecycle"],
    "ix_vendors_status_tier_name_key": ["status", "tier", "name_key"],
    "ix_vendors_lifecycle_status_name_key": ["lifecycle", "status", "name_key"],
}
OLD = {
    "ix_vendors_status_id": ["status", "id"],
    "ix_vendors_review_due_on": ["review_due_on"],
    "ix_vendors_decision_on": ["decision_on"],
    "ix_vendors_lifecycle": ["lifecycle"],
}


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        for name, columns in NEW.items():
            batch_op.create_index(name, columns, unique=False)
        for name in OLD:
            batch_op.drop_index(name)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        for name, columns in OLD.items():
            batch_op.create_index(name, columns, unique=False)
        for name in NEW:
            batch_op.drop_index(name)
