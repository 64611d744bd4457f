"""Getting coach alerts out: claiming what is waiting for which group, marking it sent, missed days.

A delivery run claims the alerts it will send in one short transaction (`claimed_at`, a lease),
sends them with no transaction open, and marks them sent, or hands them back, in another. Any
number of runs, in this process or others on the same database, may overlap: a claimed alert is
skipped by every other run (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single write lock on
SQLite) until its lease runs out. Only alerts about members who still share with that group are
ever claimed, and the rest are dropped.
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
from bot.services.reminders.claims import lock_for_claim
from bot.timekeeping import local_date

# Enough lines for a coach to take in at once; more wait for the next run.
ALERTS_PER_MESSAGE = 20
# How long claimed alerts stay with the run that claimed them; after that any run may claim them
# again. Far longer than a run takes (one message per group, a few private copies), so a slow run
# is not overtaken; short enough that alerts claimed by a process that died go out within minutes.
# What no lease settles: a crash after Telegram accepted a batch but before it was marked sent
# sends that batch again, once. A lost alert about a member's pain would be worse than a repeat.
ALERT_LEASE = timedelta(minutes=10)


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
    claimed_at: datetime  # this run's claim, to hand back only what is still its own

    @property
    def alert_ids(self) -> list[int]:
        return [alert.alert_id for alert in self.alerts]


def _still_shared() -> ColumnElement[bool]:
    return exists().where(
        Member.id == Alert.member_id,
        Member.coach_group_id == Alert.coach_group_id,
        Member.coach_consent_at.is_not(None),
    )


async def claim_alerts(
    session: AsyncSession, now: datetime, *, lease: timedelta = ALERT_LEASE
) -> list[GroupAlerts]:
    """Claim unsent alerts per active group, oldest first, up to a message's worth per group.

    Alerts claimed by another run are skipped until `lease` has passed since their claim; alerts
    the group may no longer see go. The caller sends after commit, then `mark_sent` or `release`.
    """
    unshared = select(Alert.id).where(Alert.sent_at.is_(None), ~_still_shared())
    # Skipping, like the claim: two runs never wait on each other's rows.
    await session.execute(
        delete(Alert).where(Alert.id.in_(lock_for_claim(session, unshared).scalar_subquery()))
    )
    query = (
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
        .where(
            Alert.sent_at.is_(None),
            or_(Alert.claimed_at.is_(None), Alert.claimed_at <= now - lease),
            CoachGroup.is_active.is_(True),
            _still_shared(),
        )
        .order_by(CoachGroup.id, Alert.id)
    )
    result = await session.execute(lock_for_claim(session, query, Alert))
    by_group: dict[int, tuple[int, str, list[tuple[int, str, date, int]]]] = {}
    for alert_id, kind, day, member_id, group_id, chat_id, title in result:
        entry = by_group.setdefault(group_id, (chat_id, title, []))
        entry[2].append((alert_id, kind, day, member_id))
    batches = []
    for group_id, (chat_id, title, alerts) in by_group.items():
        names = await group_names(session, group_id)
        claimed = [
            PendingAlert(alert_id, AlertKind(kind), names[member_id], day)
            for alert_id, kind, day, member_id in alerts[:ALERTS_PER_MESSAGE]
        ]
        batches.append(GroupAlerts(chat_id, title, claimed, claimed_at=now))
    ids = [alert_id for batch in batches for alert_id in batch.alert_ids]
    if ids:
        await session.execute(update(Alert).where(Alert.id.in_(ids)).values(claimed_at=now))
    return batches


async def mark_sent(session: AsyncSession, alert_ids: Sequence[int], now: datetime) -> None:
    await session.execute(
        update(Alert).where(Alert.id.in_(alert_ids), Alert.sent_at.is_(None)).values(sent_at=now)
    )


async def release(session: AsyncSession, batch: GroupAlerts) -> None:
    """Hand a batch that did not go out back to the next run, unless its lease already ran out
    and another run claimed it since."""
    await session.execute(
        update(Alert)
        .where(
            Alert.id.in_(batch.alert_ids),
            Alert.sent_at.is_(None),
            Alert.claimed_at == batch.claimed_at,
        )
        .values(claimed_at=None)
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
