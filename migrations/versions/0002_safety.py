"""safety at every moment: red-flag level, pause check-ins, weekly re-screen, skip reasons

Revision ID: safety
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "safety"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("red_flag_urgency", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("pause_checkin_due_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("pause_checkins_sent", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("screened_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(
            batch.f("ix_members_pause_checkin_due_at"), ["pause_checkin_due_at"], unique=False
        )
    with op.batch_alter_table("exercise_results") as batch:
        batch.add_column(sa.Column("skip_reason", sa.String(length=16), nullable=True))
    with op.batch_alter_table("training_sessions") as batch:
        batch.add_column(sa.Column("stop_reason", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("training_sessions") as batch:
        batch.drop_column("stop_reason")
    with op.batch_alter_table("exercise_results") as batch:
        batch.drop_column("skip_reason")
    with op.batch_alter_table("members") as batch:
        batch.drop_index(batch.f("ix_members_pause_checkin_due_at"))
        batch.drop_column("screened_at")
        batch.drop_column("pause_checkins_sent")
        batch.drop_column("pause_checkin_due_at")
        batch.drop_column("paused_at")
        batch.drop_column("red_flag_urgency")
