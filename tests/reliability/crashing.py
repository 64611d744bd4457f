"""Members mid-session while the bot is killed and restarted, and the checks made afterwards.

A `Member` types its session's answers (reps, holds, pain) as fast as the bot asks, and after
each answer waits for the bot's next question, across any number of crashes and restarts: a
member never types anything twice. The checks read what a member would notice (the fake Bot
API's record of what was sent) and what the bot kept (the database):

- every answer recorded once, with the value typed (a doubled pain answer would land on the
  next reps question, a doubled "all" would get "Please send a number"), the session finished;
- every update in the inbox handled, none failed;
- every answer got exactly one reply, in order; a reply sent twice only where the process died
  after Telegram accepted it and before the outbox marked it sent (`Death.window`, read from the
  database right after each death: the documented repeat window).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.db.models import (
    ExerciseResultRow,
    InboxUpdate,
    OutboxMessage,
    Reminder,
    TrainingSession,
)
from bot.db.models import Member as MemberRow
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.reminder_data import add_member, fresh_programme, midday_zone

Maker = async_sessionmaker[AsyncSession]
# What a member answers, by the question's words; "Exercises done" ends the session.
ANSWERS = {
    "Do you have any of these now?": "no",  # the weekly safety check before the session
    "how many reps did you do": "all",
    "did you manage the full holds": "yes",
    "pain in your back or leg, right now": None,  # the member's pain for this exercise
}
FINISHED = "Exercises done"
# A member waits this long for the bot's next question: through several restarts.
REPLY_TIMEOUT = 90.0
FIRST_MEMBER_ID = 5101


def is_question(message: SentMessage) -> bool:
    return message.method == "sendMessage" and (
        FINISHED in message.body or any(words in message.body for words in ANSWERS)
    )


@dataclass
class Member:
    """One member in a private chat, answering as soon as asked; `send` types for it."""

    api: FakeBotAPI
    user_id: int
    pains: list[int]
    send: Callable[[dict, str], Awaitable[object]]
    typed: list[str] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)  # the questions, as the member saw them
    finished: str | None = None

    async def run(self) -> None:
        user = self.api.user(self.user_id, f"M{self.user_id}")
        pains = iter(self.pains)
        last: str | None = None
        text = "/today"
        while True:
            since = self.api.cursor()
            self.typed.append(text)
            await self.send(user, text)
            question = await self.api.wait_for_message(
                self.user_id,
                since=since,
                # A repeat of the question just answered (the repeat window) is not the reply.
                match=lambda m, last=last: is_question(m) and m.body != last,
                timeout=REPLY_TIMEOUT,
            )
            if FINISHED in question.body:
                self.finished = question.body
                return
            self.answered.append(question.body)
            last = question.body
            words = next(answer for key, answer in ANSWERS.items() if key in question.body)
            if words is None:
                pain = next(pains, None)
                assert pain is not None, (
                    f"member {self.user_id} asked for pain a fourth time; got "
                    f"{[m.body[:60] for m in self.api.sent_to(self.user_id)]}"
                )
                words = str(pain)
            text = words


class Crew:
    """The members answering; topped up between runs so several are always mid-session."""

    def __init__(
        self,
        api: FakeBotAPI,
        maker: Maker,
        library: Library,
        rng: random.Random,
        send: Callable[[dict, str], Awaitable[object]],
    ) -> None:
        self.api, self.maker, self.library, self.rng, self.send = api, maker, library, rng, send
        self.members: list[Member] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def top_up(self, active: int) -> None:
        """Enrol new members (while the bot is down) until `active` are mid-session."""
        missing = active - sum(1 for task in self.tasks if not task.done())
        if missing <= 0:
            return
        first = FIRST_MEMBER_ID + len(self.members)
        ids = range(first, first + missing)
        await seed_session_members(self.maker, self.library, ids)
        for user_id in ids:
            pains = [self.rng.randint(0, 2) for _ in range(3)]
            member = Member(self.api, user_id, pains, self.send)
            self.members.append(member)
            self.tasks.append(asyncio.create_task(member.run()))

    def all_done(self) -> asyncio.Task[object]:
        """Done when every member has finished (cancelling it leaves the members be)."""
        return asyncio.create_task(asyncio.wait(self.tasks))

    def raise_failures(self) -> None:
        for task in self.tasks:
            if task.done():
                task.result()

    async def cancel(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def midday() -> tuple[str, datetime]:
    now = datetime.now(UTC)
    return midday_zone(now), now


async def seed_session_members(maker: Maker, library: Library, ids: range) -> None:
    """Enrolled members with a programme and no reminder due: `/today` opens their session."""
    zone, now = midday()
    today = now.astimezone(ZoneInfo(zone)).date()
    async with maker.begin() as session:
        for user_id in ids:
            programme = fresh_programme(library, today)
            await add_member(session, user_id, zone=zone, next_at=None, programme=programme)


async def seed_due_reminders(maker: Maker, ids: range) -> None:
    """Members whose reminder is due now: the bot's start-up tick fans them out."""
    zone, now = midday()
    due = now - timedelta(minutes=1)
    async with maker.begin() as session:
        for user_id in ids:
            at = due.astimezone(ZoneInfo(zone)).time().replace(second=0, microsecond=0)
            await add_member(session, user_id, zone=zone, at=at, next_at=due)


async def age_reminder_claims(maker: Maker) -> int:
    """Time passing while the bot is down: claims left by a crash outlive their lease."""
    async with maker.begin() as session:
        result = await session.execute(
            update(Reminder)
            .where(Reminder.status == "claimed")
            .values(claimed_at=datetime.now(UTC) - timedelta(hours=1))
        )
        return result.rowcount or 0  # type: ignore[attr-defined]


@dataclass
class Death:
    """One death of the bot: where, which messages it sent before, what was in the window."""

    point: str  # a crash point, or "kill -9"
    n: int
    start: int  # the fake's outbox position when this run started
    cut: int  # … and when the process was dead
    window: list[tuple[int, str]] = field(default_factory=list)  # (chat, text) sent, not marked
    reminder_window: list[int] = field(default_factory=list)  # chats: reminder sent, not recorded


async def record_death(
    api: FakeBotAPI, maker: Maker, point: str, n: int, start: int, deaths: list[Death]
) -> Death:
    """Read the repeat window from the database while the process is dead (before a restart)."""
    death = Death(point, n, start, api.cursor())
    sent_this_run = {
        (m.chat_id, m.body) for m in api.outbox[start : death.cut] if m.method == "sendMessage"
    }
    async with maker() as session:
        waiting = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.state.not_in(["sent", "failed"]))
        )
        for row in waiting:
            text = json.loads(row.params).get("text", "")
            if row.method == "sendMessage" and (row.chat_key, text) in sent_this_run:
                death.window.append((row.chat_key, text))
        claimed = await session.scalars(
            select(MemberRow.chat_id)
            .join(Reminder, Reminder.member_id == MemberRow.id)
            .where(Reminder.status == "claimed")
        )
        chats_this_run = {chat for chat, _ in sent_this_run}
        death.reminder_window = [chat for chat in claimed if chat in chats_this_run]
    deaths.append(death)
    return death


async def settled(maker: Maker, timeout: float = 60.0) -> None:
    """Wait until no update, reply or reminder is left (there is no event for it: poll)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with maker() as session:
            left = 0
            for model, waiting in (
                (InboxUpdate, InboxUpdate.state.not_in(["handled", "failed"])),
                (OutboxMessage, OutboxMessage.state.not_in(["sent", "failed"])),
                (Reminder, Reminder.status.in_(["pending", "claimed"])),
            ):
                query = select(func.count()).select_from(model).where(waiting)
                left += await session.scalar(query) or 0
        if not left:
            return
        assert loop.time() < deadline, f"{left} updates or replies still waiting"
        await asyncio.sleep(0.05)


async def check_answers(maker: Maker, crew: list[Member], note: str) -> None:
    """Every answer recorded once, with its value; every update handled, none failed."""
    for member in crew:
        assert member.finished is not None, f"{note}: {member.user_id} never finished"
    async with maker() as session:
        states = dict(
            (
                await session.execute(
                    select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state)
                )
            ).all()
        )
        for member in crew:
            trainings = (
                await session.scalars(
                    select(TrainingSession)
                    .join(MemberRow, MemberRow.id == TrainingSession.member_id)
                    .where(MemberRow.telegram_user_id == member.user_id)
                )
            ).all()
            assert [t.status for t in trainings] == ["finished"], (note, member.user_id)
            results = (
                await session.scalars(
                    select(ExerciseResultRow)
                    .where(ExerciseResultRow.session_id == trainings[0].id)
                    .order_by(ExerciseResultRow.position)
                )
            ).all()
            recorded = [(r.reps_done or r.hold_completed is True, r.pain) for r in results]
            expected = [
                (r.prescribed_reps or True, pain)
                for r, pain in zip(results, member.pains, strict=False)
            ]
            assert len(results) == len(member.pains), f"{note}: {member.user_id} {recorded}"
            assert recorded == expected, f"{note}: member {member.user_id} {recorded} != {expected}"
    typed = sum(len(member.typed) for member in crew)
    assert states == {"handled": typed}, f"{note}: inbox {states}, members typed {typed}"


@dataclass
class Duplicates:
    replies: dict[str, int] = field(default_factory=dict)  # by the point of the death after it
    reminders: dict[str, int] = field(default_factory=dict)


def _death_between(deaths: list[Death], first: int, second: int) -> Death | None:
    return next((d for d in deaths if first < d.cut <= second), None)


def check_replies(
    api: FakeBotAPI, crew: list[Member], deaths: list[Death], note: str
) -> Duplicates:
    """Each answer got one reply, in order; a repeat only as the window at a death predicts."""
    found = Duplicates()
    seen_windows: dict[int, int] = {}
    for member in crew:
        sent = [
            (index, m)
            for index, m in enumerate(api.outbox)
            if m.chat_id == member.user_id and m.method == "sendMessage"
        ]
        kept: list[tuple[int, SentMessage]] = []
        previous = -1  # where the last copy of the latest kept message is
        for index, message in sent:
            if kept and (kept[-1][1].body, kept[-1][1].reply_markup) == (
                message.body,
                message.reply_markup,
            ):
                death = _death_between(deaths, previous, index)
                assert death is not None, f"{note}: {message.body[:50]!r} repeated, no death"
                assert (member.user_id, message.body) in death.window, (
                    f"{note}: {message.body[:50]!r} repeated after {death.point}:{death.n}, "
                    f"which was not in the window {[(c, t[:40]) for c, t in death.window]}"
                )
                seen_windows[id(death)] = seen_windows.get(id(death), 0) + 1
                found.replies[death.point] = found.replies.get(death.point, 0) + 1
            else:
                kept.append((index, message))
            previous = index
        bodies = [m.body for _, m in kept]
        repeated = {body[:50] for body in bodies if bodies.count(body) > 1}
        assert not repeated, f"{note}: member {member.user_id} got {repeated} more than once"
        assert not [b for b in bodies if "went wrong" in b or "Please send" in b], (note, bodies)
        questions = [m.body for _, m in kept if is_question(m)]
        assert questions == [*member.answered, member.finished], (
            f"{note}: member {member.user_id}'s questions, in order, {questions}"
        )
    for death in deaths:
        # Every message in a window was sent again after the restart (none lost, none extra).
        assert seen_windows.get(id(death), 0) == len(death.window), (
            f"{note}: window at {death.point}:{death.n} {[(c, t[:40]) for c, t in death.window]}, "
            f"repeats seen {seen_windows.get(id(death), 0)}"
        )
    return found


async def check_reminders(
    api: FakeBotAPI, maker: Maker, ids: list[int], deaths: list[Death], note: str, found: Duplicates
) -> None:
    """Every due reminder arrived; twice only if it was in the fan-out's window at a death."""
    async with maker() as session:
        rows = (
            await session.execute(
                select(MemberRow.chat_id, Reminder.status, Reminder.claimed_at, Reminder.sent_at)
                .join(Reminder, Reminder.member_id == MemberRow.id)
                .where(MemberRow.chat_id.in_(ids))
            )
        ).all()
    note = f"{note}, reminders {[tuple(row) for row in rows]}"
    for chat in ids:
        got = [i for i, m in enumerate(api.outbox) if m.chat_id == chat]
        assert got, f"{note}: reminder to {chat} never sent"
        assert len(got) <= 2, f"{note}: reminder to {chat} sent {len(got)} times"
        if len(got) == 2:
            death = _death_between(deaths, got[0], got[1])
            assert death is not None and chat in death.reminder_window, (
                f"{note}: reminder to {chat} sent twice outside the fan-out window"
            )
            found.reminders[death.point] = found.reminders.get(death.point, 0) + 1
