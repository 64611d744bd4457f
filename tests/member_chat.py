"""A member's private chat with the real bot, for the onboarding, session and settings tests.

`MemberChat` types and taps as a member would and waits for the bot's answer; `onboard()` takes a
new member through onboarding in one call so later tests start from an enrolled member;
`snapshot()` reads every row the bot keeps about a member, to prove bad input changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import (
    Alert,
    Checkin,
    DecisionRow,
    ExerciseResultRow,
    Member,
    OutboxMessage,
    TrainingSession,
)
from tests.fakebotapi import FakeBotAPI, SentMessage

Match = str | Callable[[SentMessage], bool]


async def replies_settled(maker: async_sessionmaker[AsyncSession], timeout: float = 10.0) -> None:
    """Wait until every reply the bot queued is sent and marked so in the outbox.

    A test that kills the bot the instant a reply arrives hits the one window in which that
    reply is sent again after the restart (docs/architecture.md); waiting here first tests
    the restart itself. The outbox has no event to await, so it is read every 20 ms.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with maker() as session:
            waiting = await session.scalar(
                select(func.count()).where(OutboxMessage.state == "pending")
            )
        if not waiting:
            return
        if loop.time() > deadline:
            raise AssertionError(f"{waiting} replies still unsent after {timeout} s")
        await asyncio.sleep(0.02)


def noon_offset(now: datetime | None = None) -> str:
    """A UTC offset, as a member would type it, where it is about noon: no day rolls over."""
    hour = (now or datetime.now(UTC)).astimezone(UTC).hour
    return f"UTC{12 - hour:+d}"


class MemberChat:
    def __init__(self, api: FakeBotAPI, user_id: int, first_name: str = "Alex") -> None:
        self.api = api
        self.user = api.user(user_id, first_name)
        self.chat_id = user_id

    async def say(self, text: str, expect: Match, *, edited: bool = False) -> SentMessage:
        """Type `text` and wait for the bot's message that contains `expect`."""
        since = self.api.cursor()
        await self.api.send_text(self.user, text, edited=edited)
        return await self.api.wait_for_message(self.chat_id, since=since, match=expect)

    async def tap(
        self, label: str | None = None, expect: Match | None = None, *, data: str | None = None
    ) -> SentMessage:
        """Tap a button of the latest question (found by label or callback data)."""
        return await self.tap_on(self.question(), label, expect, data=data)

    async def tap_on(
        self,
        message: SentMessage,
        label: str | None,
        expect: Match | None,
        *,
        data: str | None = None,
    ) -> SentMessage:
        since = self.api.cursor()
        await self.api.press(self.user, message, label, data=data)
        return await self.api.wait_for_message(self.chat_id, since=since, match=expect)

    def question(self) -> SentMessage:
        """The latest message to this member that still has buttons, as it looks now."""
        for sent in reversed(self.api.outbox):
            current = self.api.messages[(sent.chat_id, sent.message_id)]
            if current.chat_id == self.chat_id and current.buttons():
                return current
        raise AssertionError("no message with buttons")

    def sent(self, since: int = 0) -> list[SentMessage]:
        return [m for m in self.api.sent_to(self.chat_id, since) if m.method == "sendMessage"]

    async def barrier(self) -> None:
        """Wait until every update sent so far is handled (the bot handles one at a time)."""
        await self.say("/help", expect="this message")


async def onboard(
    chat: MemberChat,
    *,
    pain: str = "3",
    activity: str = "2",
    equipment: str = "none",
    at: str = "07:30",
    zone: str | None = None,
    code: str | None = None,
) -> SentMessage:
    """Onboarding by typed answers; returns the plan summary with its Start button."""
    await chat.say(f"/start {code}" if code else "/start", expect="Is that OK?")
    await chat.say("yes", expect="Safety check 1/")
    await clear_screen(chat)
    await chat.say(pain, expect="How active")
    await chat.say(activity, expect="Which of these do you have")
    await chat.say(equipment, expect="daily reminder")
    await chat.say(at, expect="Which time zone")
    reply = await chat.say(zone or noon_offset(), expect=_asks("is that right?", "Which is yours"))
    if "Which is yours" in reply.body:  # a typed offset: the first real zone offered
        await chat.tap(reply.buttons()[0]["text"], expect="is that right?")
    return await chat.say("yes", expect="You're all set")


def _asks(*needles: str) -> Callable[[SentMessage], bool]:
    return lambda message: any(needle in message.body for needle in needles)


async def clear_screen(chat: MemberChat) -> SentMessage:
    """Answer no to every remaining safety-check question; returns the baseline pain question."""
    while True:
        reply = await chat.say("no", expect=_asks("Safety check", "How much pain"))
        if "How much pain" in reply.body:
            return reply


async def snapshot(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: int
) -> dict[str, list[Any]]:
    """Every row the bot keeps about this member, as plain values, to compare before and after."""
    async with sessionmaker() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == user_id))
        if member is None:
            return {}
        trainings = (
            await session.scalars(
                select(TrainingSession)
                .where(TrainingSession.member_id == member.id)
                .order_by(TrainingSession.id)
            )
        ).all()
        rows: dict[str, list[Any]] = {
            "member": [_values(member)],
            "sessions": [_values(row) for row in trainings],
        }
        for name, model, key in (
            ("decisions", DecisionRow, DecisionRow.member_id),
            ("alerts", Alert, Alert.member_id),
            ("checkins", Checkin, Checkin.member_id),
        ):
            found = await session.scalars(select(model).where(key == member.id))
            rows[name] = [_values(row) for row in found]
        results = await session.scalars(
            select(ExerciseResultRow)
            .where(ExerciseResultRow.session_id.in_([t.id for t in trainings]))
            .order_by(ExerciseResultRow.id)
        )
        rows["results"] = [_values(row) for row in results]
        return rows


def _values(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


async def member_row(sessionmaker: async_sessionmaker[AsyncSession], user_id: int) -> Member:
    async with sessionmaker() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == user_id))
        assert member is not None
        return member


async def keep_only(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: int, ladders: set[str]
) -> None:
    """Trim the member's programme to these exercises, so a test knows what today holds."""
    async with sessionmaker.begin() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == user_id))
        assert member is not None and member.programme is not None
        programme = dict(member.programme)
        programme["prescriptions"] = {
            ladder: prescription
            for ladder, prescription in programme["prescriptions"].items()
            if ladder in ladders
        }
        member.programme = programme


def has_buttons(message: SentMessage) -> bool:
    return message.method == "sendMessage" and bool(message.buttons())
