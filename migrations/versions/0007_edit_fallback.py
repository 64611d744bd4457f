"""an edit that must reach the member is sent anew when Telegram can no longer edit it

A queued edit is made after the handler has finished, so the handler cannot catch Telegram's
"message can't be edited" itself; the row says what to do instead (`bot/pipeline/sending.py`).
Existing rows keep the old behaviour: a refused edit is recorded and nothing else is sent.

Revision ID: edit_fallback
Revises: alert_claims
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "edit_fallback"
down_revision: str | None = "alert_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column(
                "sent_anew_if_uneditable", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("sent_anew_if_uneditable")
