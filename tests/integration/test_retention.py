"""The daily retention job deletes old closed reminders, sent alerts and update ids, in batches,
and keeps a member's history (sessions, results, decisions) until they /delete it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings, SettingsError
from bot.db.models import (
    Alert,
    DecisionRow,
    InboxUpdate,
    OutboxMessage,
    Reminder,
    TrainingSession,
)
from bot.scheduling import jobs
from bot.services import retention
from tests.botprocess import FAKE_TOKEN
from tests.coachdata import add_decision, add_group, add_member, add_session

Maker = async_sessionmaker[AsyncSession]
NOW = datetime.now(UTC)  # the job reads the real clock; every age here is relative to it
OLD, RECENT = NOW - timedelta(days=120), NOW - timedelta(days=30)


def context(maker: Maker) -> SimpleNamespace:
    settings = Settings.from_env({"BOT_TOKEN": FAKE_TOKEN})
    return SimpleNamespace(services=SimpleNamespace(settings=settings, sessionmaker=maker))


async def count(maker: Maker, model: type, *where: object) -> int:
    async with maker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def test_old_closed_reminders_sent_alerts_and_update_ids_go_and_history_stays(
    sessionmaker: Maker,
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        alex = await add_member(session, 1, "Alex", group=group)
        for days, status in ((200, "sent"), (150, "skipped"), (130, "pending"), (10, "sent")):
            due = NOW - timedelta(days=days)
            session.add(
                Reminder(member_id=alex.id, local_date=due.date(), due_at=due, status=status)
            )
        for day, sent in (
            (date(2025, 1, 1), OLD),
            (date(2025, 1, 2), None),
            (date(2025, 1, 3), RECENT),
        ):
            session.add(
                Alert(
                    coach_group_id=group.id,
                    member_id=alex.id,
                    kind="pain_pause",
                    local_date=day,
                    sent_at=sent,
                )
            )
        for update_id in range(1, retention.BATCH_ROWS * 2 + 11):  # three batches' worth
            session.add(handled_update(update_id, NOW - timedelta(days=8)))
        session.add(handled_update(99_999, NOW - timedelta(days=1)))
        # Unhandled, however old: it has not been answered yet.
        session.add(handled_update(99_000, NOW - timedelta(days=30), state="pending"))
        session.add(sent_call(NOW - timedelta(days=8)))
        session.add(sent_call(NOW - timedelta(days=1)))
        session.add(sent_call(NOW - timedelta(days=30), state="pending"))
        await add_session(session, alex, OLD.date(), 3)
        await add_decision(session, alex, OLD.date(), "hold", "Old but theirs.")

    await jobs._prune(context(sessionmaker))

    async with sessionmaker() as session:
        statuses = sorted((await session.scalars(select(Reminder.status))).all())
        alert_days = sorted((await session.scalars(select(Alert.local_date))).all())
        update_ids = sorted((await session.scalars(select(InboxUpdate.update_id))).all())
        calls = sorted((await session.scalars(select(OutboxMessage.created_at))).all())
    assert statuses == ["pending", "sent"]  # the open one, however old, and the recent one
    assert alert_days == [date(2025, 1, 2), date(2025, 1, 3)]  # unsent, and recently sent
    assert update_ids == [99_000, 99_999]
    assert calls == [NOW - timedelta(days=30), NOW - timedelta(days=1)]
    assert await count(sessionmaker, TrainingSession) == 1
    assert await count(sessionmaker, DecisionRow) == 1


def handled_update(update_id: int, received_at: datetime, state: str = "handled") -> InboxUpdate:
    return InboxUpdate(
        update_id=update_id, chat_key=1, payload="{}", state=state, received_at=received_at
    )


def sent_call(created_at: datetime, state: str = "sent") -> OutboxMessage:
    return OutboxMessage(
        chat_key=1, method="sendMessage", params="{}", state=state, created_at=created_at
    )


def test_retention_periods_are_settings_with_safe_bounds() -> None:
    env = {"BOT_TOKEN": FAKE_TOKEN, "RETAIN_REMINDERS_DAYS": "30", "RETAIN_UPDATE_IDS_DAYS": "2"}
    settings = Settings.from_env(env)
    rules = retention.Retention.from_settings(settings)
    assert (rules.reminders, rules.sent_alerts, rules.update_ids) == (
        timedelta(days=30),
        timedelta(days=90),
        timedelta(days=2),
    )


@pytest.mark.parametrize("bad", ["1", "0", "x", "٣٠", "99999"])
def test_a_retention_period_out_of_bounds_stops_start_up_naming_it(bad: str) -> None:
    with pytest.raises(SettingsError, match="RETAIN_ALERTS_DAYS"):
        Settings.from_env({"BOT_TOKEN": FAKE_TOKEN, "RETAIN_ALERTS_DAYS": bad})
