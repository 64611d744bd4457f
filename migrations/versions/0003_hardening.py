"""indexes for the day-close job and the retention job (issue 13)

Open sessions are found by day when the member's day ends; sent alerts are pruned by send time.

Revision ID: hardening
Revises: safety
"""

from collections.abc import Sequence

from alembic import op

revision: str = "hardening"
down_revision: str | None = "safety"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_training_sessions_status_day", ["status", "local_date"])
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_sent_at"), ["sent_at"])


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_sent_at"))
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_training_sessions_status_day")
