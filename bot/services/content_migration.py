"""Stored programmes and open sessions against the content this process loaded.

Content only changes with a restart, so the start-up job (`scheduling/jobs.py`) brings every
stored programme in line once (`coaching.content_changes.reconcile`: renamed ids followed, a
removed rung replaced by the nearest one with a decision), each member in its own short
transaction under the member's row lock; `hipcoach check` lists what still points to nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import ProgrammeState
from bot.coaching.content import Library
from bot.coaching.content_changes import points_to_nothing, reconcile
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Member, TrainingSession
from bot.services.members import programme_state, record_decisions, store_state, today_for
from bot.services.questions import SessionStatus


async def dangling_references(session: AsyncSession, library: Library) -> list[str]:
    """One line per stored programme or open session that names a variation content lacks.

    For `hipcoach check`; empty when everything stored still exists (aliases count).
    """
    lines = []
    programmes = await session.execute(
        select(Member.id, Member.programme).where(Member.programme.is_not(None))
    )
    for member_id, programme in programmes:
        missing = points_to_nothing(ProgrammeState.from_json(programme), library)
        if missing:
            lines.append(f"member {member_id}: programme names {', '.join(missing)}")
    sessions = await session.execute(
        select(TrainingSession.id, TrainingSession.plan).where(
            TrainingSession.status == SessionStatus.IN_PROGRESS.value
        )
    )
    for session_id, plan in sessions:
        missing = sorted(
            {e["variation_id"] for e in plan if not library.has_variation(e["variation_id"])}
        )
        if missing:
            lines.append(f"open session {session_id}: plan names {', '.join(missing)}")
    return lines


async def members_to_reconcile(session: AsyncSession, library: Library) -> list[int]:
    """Members whose stored programme names a renamed or removed variation."""
    result = await session.execute(
        select(Member.id, Member.programme).where(Member.programme.is_not(None))
    )
    return [
        member_id
        for member_id, programme in result
        if _out_of_date(ProgrammeState.from_json(programme), library)
    ]


def _out_of_date(state: ProgrammeState, library: Library) -> bool:
    return reconcile(state, library).state != state


async def dangling_report(database_url: str, library: Library) -> list[str]:
    """`dangling_references` for `hipcoach check`, which has no engine of its own."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await dangling_references(session, library)
    finally:
        await engine.dispose()


async def reconcile_member(
    session: AsyncSession, library: Library, member_id: int, now: datetime, default_zone: str
) -> int:
    """Bring one member's programme and open session in line; the decisions recorded."""
    member = await session.scalar(select(Member).where(Member.id == member_id).with_for_update())
    state = None if member is None else programme_state(member)
    if member is None or state is None:
        return 0
    outcome = reconcile(state, library)
    store_state(member, outcome.state)
    await record_decisions(session, member, outcome.decisions, today_for(member, now, default_zone))
    open_sessions = await session.scalars(
        select(TrainingSession).where(
            TrainingSession.member_id == member.id,
            TrainingSession.status == SessionStatus.IN_PROGRESS.value,
        )
    )
    for training in open_sessions:
        training.plan = [_current(entry, outcome.state) for entry in training.plan]
    return len(outcome.decisions)


def _current(entry: dict[str, Any], state: ProgrammeState) -> dict[str, Any]:
    """A plan entry whose ladder is still prescribed follows the new prescription."""
    prescription = state.prescriptions.get(entry["ladder_id"])
    if prescription is None or prescription.variation_id == entry["variation_id"]:
        return entry
    return prescription.to_json()
