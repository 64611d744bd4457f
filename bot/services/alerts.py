"""Coach alerts are recorded here, in the member's transaction, and sent later by a job.

Recording and sending are split so that an alert is never lost when sending fails, and the unique
key (member, kind, day) makes a second alert of the same kind on the same day a no-op.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import insert_for
from bot.db.models import Alert, Member


class AlertKind(StrEnum):
    PAIN_PAUSE = "pain_pause"
    RED_FLAG = "red_flag"
    MISSED_DAYS = "missed_days"
    NOT_IMPROVING = "not_improving"  # pain has stayed amber or above for weeks
    KEEPS_SKIPPING = "keeps_skipping"  # one exercise skipped session after session
    CLINICIAN_NOTE = "clinician_note"  # a tell-your-clinician flag: the programme goes on
    WORSE_WHILE_PAUSED = "worse_paused"  # a pause check-in answered "worse"


async def record_alert(
    session: AsyncSession, member: Member, kind: AlertKind, local_date: date
) -> bool:
    """Queue an alert for the member's coach group; False without a group or for a repeat."""
    if member.coach_group_id is None:
        return False
    statement = (
        insert_for(session)(Alert)
        .values(
            coach_group_id=member.coach_group_id,
            member_id=member.id,
            kind=kind.value,
            local_date=local_date,
        )
        .on_conflict_do_nothing()
    )
    result = await session.execute(statement)
    return result.rowcount == 1
