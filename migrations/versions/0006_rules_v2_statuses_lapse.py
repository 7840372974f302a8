"""rules v2: every stored status lapses, to be re-evaluated under the second edition

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 16:10:00

"""

from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Every stored status was worked out by the first edition of the rules: each one lapses
    (its next review is the day it was stored), so `vetted migrate`, the daily pass and the next
    write re-evaluate it under v2. The old status stays on the row, so the change is recorded
    and the digest's "status worsened" section names the vendors v2 blocks."""
    op.execute("UPDATE vendors SET next_review_on = status_on WHERE status_on IS NOT NULL")


def downgrade() -> None:
    """Nothing to undo: a lapsed status is re-evaluated by whichever rules then run."""
