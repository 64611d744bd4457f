"""Nobody left alone while paused: check-ins some days after a pain or red-flag pause.

The pause is noted on the member row (`paused_at`) and the next check-in is an indexed due
instant (`pause_checkin_due_at`) at the member's reminder time, claimed the way reminders are
(`lock_for_claim`: `FOR UPDATE SKIP LOCKED` on PostgreSQL), so each check-in goes out once even
with several bot processes. After the last one (`pause_checkin_days` in red_flags.yaml) nothing
more is scheduled; a resume clears it all (`store_state`), a new pause starts again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import Status
from bot.db.models import Member
from bot.services import preferences
from bot.services.alerts import AlertKind, record_alert
from bot.services.members import Flow, Reply, find_member, group_title, today_for
from bot.services.questions import MovedOn, current_question, start_symptom_check
from bot.services.reminders.claims import lock_for_claim
from bot.timekeeping import local_date, local_instant

PAUSED = (Status.PAUSED_PAIN.value, Status.STOPPED_RED_FLAG.value)
ANSWERS = ("resume", "keep", "worse")


@dataclass(frozen=True)
class PauseCheckinDue:
    """One check-in to send, after the claiming transaction has committed."""

    chat_id: int
    first_name: str
    number: int  # 1-based: which check-in of this pause
    last: bool


@dataclass(frozen=True)
class KeepPausing:
    last: bool  # no more check-ins after this one


@dataclass(frozen=True)
class WorseWhilePaused:
    """'It's worse': the urgent advice, the coach told, then the urgent items one by one."""

    coach_group: str | None


def arm(member: Member, flow: Flow, now: datetime) -> None:
    """The pause starts now: the first check-in at the member's reminder time N days on."""
    member.paused_at = now
    member.pause_checkins_sent = 0
    member.pause_checkin_due_at = _due(member, flow, now, 0)


def _due(member: Member, flow: Flow, paused_at: datetime, sent: int) -> datetime | None:
    days = flow.screen.pause_checkin_days
    if sent >= len(days):
        return None
    if member.reminder_time is None or member.timezone is None:  # stopped during onboarding
        return paused_at + timedelta(days=days[sent])
    zone = ZoneInfo(member.timezone)
    day = local_date(paused_at, zone) + timedelta(days=days[sent])
    return local_instant(day, member.reminder_time, zone)


async def claim_due(
    session: AsyncSession, flow: Flow, now: datetime, *, limit: int = 100
) -> list[PauseCheckinDue]:
    """Arm pauses not yet noted (a pause made elsewhere), then claim the check-ins due."""
    unarmed = select(Member).where(Member.status.in_(PAUSED), Member.paused_at.is_(None))
    for member in (await session.scalars(lock_for_claim(session, unarmed.limit(limit)))).all():
        arm(member, flow, now)
    due = (
        select(Member)
        .where(Member.pause_checkin_due_at <= now, Member.status.in_(PAUSED))
        .order_by(Member.pause_checkin_due_at)
        .limit(limit)
    )
    claimed: list[PauseCheckinDue] = []
    for member in (await session.scalars(lock_for_claim(session, due))).all():
        member.pause_checkins_sent += 1
        assert member.paused_at is not None
        member.pause_checkin_due_at = _due(
            member, flow, member.paused_at, member.pause_checkins_sent
        )
        if member.is_reachable:
            last = member.pause_checkin_due_at is None
            claimed.append(
                PauseCheckinDue(member.chat_id, member.first_name, member.pause_checkins_sent, last)
            )
    return claimed


async def answer(
    session: AsyncSession, flow: Flow, user_id: int, number: int, choice: str, now: datetime
) -> list[Reply]:
    """A check-in button: resume (the resume check), keep pausing, or it's worse."""
    member = await find_member(session, user_id)
    if member is None or member.status not in PAUSED or number != member.pause_checkins_sent:
        return [MovedOn(), *await current_question(session, flow, member, now)]
    if choice == "resume":
        return await preferences.start_resume(session, flow, user_id, now)
    last = member.pause_checkin_due_at is None
    if choice == "keep":
        return [KeepPausing(last)]
    day = today_for(member, now, flow.default_zone)
    await record_alert(session, member, AlertKind.WORSE_WHILE_PAUSED, day)
    worse = WorseWhilePaused(await group_title(session, member))
    items = [item.id for item in flow.screen.short_form()]
    return [worse, *start_symptom_check(member, flow, items)]
