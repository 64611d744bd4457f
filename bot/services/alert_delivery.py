"""Getting coach alerts out: what is waiting for which group, marking it sent, and missed days.

Alerts are read in one short transaction, sent, and marked sent in another, so no database lock
is held while Telegram is waited on. A send that fails leaves the alert unsent for the next run;
only alerts about members who still share with that group are ever read, and the rest are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import Status
from bot.db.models import Alert, CoachGroup, Member, TrainingSession
from bot.services.alerts import AlertKind, record_alert
from bot.services.dashboard import (
    MISSED_DAYS_ALERT,
    SESSION_DONE,
    days_missed,
    group_names,
    last_active_day,
    latest_session,
    member_zone,
    restart_days,
)
from bot.timekeeping import local_date

# Enough lines for a coach to take in at once; more wait for the next run.
ALERTS_PER_MESSAGE = 20


@dataclass(frozen=True)
class PendingAlert:
    alert_id: int
    kind: AlertKind
    member_name: str
    local_date: date


@dataclass(frozen=True)
class GroupAlerts:
    chat_id: int
    title: str
    alerts: list[PendingAlert]


def _still_shared() -> ColumnElement[bool]:
    return exists().where(
        Member.id == Alert.member_id,
        Member.coach_group_id == Alert.coach_group_id,
        Member.coach_consent_at.is_not(None),
    )


async def pending_alerts(session: AsyncSession) -> list[GroupAlerts]:
    """Unsent alerts per active group, oldest first; alerts the group may no longer see go."""
    await session.execute(delete(Alert).where(Alert.sent_at.is_(None), ~_still_shared()))
    result = await session.execute(
        select(
            Alert.id,
            Alert.kind,
            Alert.local_date,
            Alert.member_id,
            CoachGroup.id,
            CoachGroup.chat_id,
            CoachGroup.title,
        )
        .join(CoachGroup, CoachGroup.id == Alert.coach_group_id)
        .where(Alert.sent_at.is_(None), CoachGroup.is_active.is_(True))
        .order_by(CoachGroup.id, Alert.id)
    )
    by_group: dict[int, tuple[int, str, list[tuple[int, str, date, int]]]] = {}
    for alert_id, kind, day, member_id, group_id, chat_id, title in result:
        entry = by_group.setdefault(group_id, (chat_id, title, []))
        entry[2].append((alert_id, kind, day, member_id))
    batches = []
    for group_id, (chat_id, title, alerts) in by_group.items():
        names = await group_names(session, group_id)
        batches.append(
            GroupAlerts(
                chat_id,
                title,
                [
                    PendingAlert(alert_id, AlertKind(kind), names[member_id], day)
                    for alert_id, kind, day, member_id in alerts[:ALERTS_PER_MESSAGE]
                ],
            )
        )
    return batches


async def mark_sent(session: AsyncSession, alert_ids: Sequence[int], now: datetime) -> None:
    await session.execute(
        update(Alert).where(Alert.id.in_(alert_ids), Alert.sent_at.is_(None)).values(sent_at=now)
    )


async def detect_missed_days(session: AsyncSession, now: datetime) -> int:
    """Queue a MISSED_DAYS alert for each active member whose 3rd day in a row without a session
    has passed in their own time zone; once per run of missed days. Returns how many were queued.
    """
    last_session = latest_session(TrainingSession.local_date, SESSION_DONE)
    # A coarse cut in SQL (a member's day is at most one off the UTC day); the exact test below.
    earliest = now.date() - timedelta(days=MISSED_DAYS_ALERT)
    candidates = (
        await session.execute(
            select(Member.id, Member.onboarded_at, Member.timezone, last_session)
            .join(CoachGroup, CoachGroup.id == Member.coach_group_id)
            .where(
                Member.status == Status.ACTIVE.value,
                Member.coach_consent_at.is_not(None),
                Member.onboarded_at <= now - timedelta(days=MISSED_DAYS_ALERT),
                CoachGroup.is_active.is_(True),
                or_(last_session.is_(None), last_session <= earliest),
            )
        )
    ).all()
    ids = [member_id for member_id, *_ in candidates]
    restarted = await restart_days(session, ids)
    alerted = await _last_missed_days_alerts(session, ids)
    due: dict[int, date] = {}
    for member_id, onboarded_at, timezone, last_day in candidates:
        zone = member_zone(timezone)
        today = local_date(now, zone)
        since = last_active_day(local_date(onboarded_at, zone), last_day, restarted.get(member_id))
        already_told = member_id in alerted and alerted[member_id] > since
        if days_missed(today, since) >= MISSED_DAYS_ALERT and not already_told:
            due[member_id] = today
    queued = 0
    for member in await session.scalars(select(Member).where(Member.id.in_(list(due)))):
        queued += await record_alert(session, member, AlertKind.MISSED_DAYS, due[member.id])
    return queued


async def _last_missed_days_alerts(session: AsyncSession, member_ids: list[int]) -> dict[int, date]:
    if not member_ids:
        return {}
    result = await session.execute(
        select(Alert.member_id, func.max(Alert.local_date))
        .where(Alert.member_id.in_(member_ids), Alert.kind == AlertKind.MISSED_DAYS.value)
        .group_by(Alert.member_id)
    )
    return dict(result.tuples().all())
