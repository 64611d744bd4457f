"""tips shown after sessions, and the weekly PEG score (issue 12, items 7 and 8)

Revision ID: outcomes
Revises: hardening
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "outcomes"
down_revision: str | None = "hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tips_shown",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("tip_id", sa.String(length=48), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_tips_shown_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips_shown")),
        sa.UniqueConstraint(
            "member_id", "local_date", name=op.f("uq_tips_shown_member_id_local_date")
        ),
    )
    op.create_table(
        "peg_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("enjoyment", sa.Integer(), nullable=True),
        sa.Column("activity", sa.Integer(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_peg_scores_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peg_scores")),
        sa.UniqueConstraint(
            "member_id", "week_start", name=op.f("uq_peg_scores_member_id_week_start")
        ),
    )


def downgrade() -> None:
    op.drop_table("peg_scores")
    op.drop_table("tips_shown")
