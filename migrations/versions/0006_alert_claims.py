"""alerts claimed by the delivery run that sends them (issue 14, item 6)

Several bot processes deliver coach alerts: each claims the alerts it sends (`claimed_at`, a
lease), so no two processes send the same one. Existing rows start unclaimed.

Revision ID: alert_claims
Revises: pipeline
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "alert_claims"
down_revision: str | None = "pipeline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("claimed_at")
