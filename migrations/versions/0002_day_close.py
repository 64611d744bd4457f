"""index open sessions by day, for the job that closes them when the member's day ends

Revision ID: day_close
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "day_close"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_training_sessions_status_day", ["status", "local_date"])


def downgrade() -> None:
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_training_sessions_status_day")
