"""The database failing under a handler: the update is tried again and nothing is half-written.

PostgreSQL: the bot's backends are terminated (`pg_terminate_backend`, as a failover or an admin
would) while a member's answer is being handled, after the handler's writes reached the database
but before the commit. SQLite: another connection holds the write lock. Either way the member's
answer is recorded once and they get the next question once. And SQLite refuses a second
`hipcoach run` on the same file at start-up, with one line that says why.

The bot runs in this process (`tests.inprocess`) so the fault can be placed inside the handler.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.config import sqlite_path
from bot.db.models import ExerciseResultRow, InboxUpdate, OutboxMessage
from bot.pipeline.capture import PipelineBot, current_unit
from bot.pipeline.handling import Outcome
from bot.pipeline.receiving import received
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.inprocess import SEND_SECONDS, Harness, bot_in_process
from tests.member_chat import MemberChat, snapshot

pytestmark = pytest.mark.e2e

Maker = async_sessionmaker[AsyncSession]
ZOE = 8801
TERMINATE = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


async def enrolled_mid_session(harness: Harness) -> None:
    """Zoe onboarded, today's session started, the first exercise's reps answered: she is
    being asked about pain."""
    asked = sum(1 for item in harness.screen.items if item.only_if is None)
    for words in ["/start", "yes", *["no"] * asked, "3", "2", "none", "07:30", "UTC", "yes"]:
        await harness.say(ZOE, words)
    await harness.say(ZOE, "/today")
    await harness.say(ZOE, "all")
    assert "right now" in harness.api.outbox[-1].body


def typed(harness: Harness, words: str) -> dict[str, Any]:
    message = harness.api._user_message(harness.api.user(ZOE), None)
    message["text"] = words
    return {"update_id": next(harness._update_ids), "message": message}


async def results(maker: Maker) -> list[tuple[int, int | None, int | None]]:
    """Each exercise's answers so far: (position, reps, pain)."""
    async with maker() as session:
        rows = await session.scalars(select(ExerciseResultRow).order_by(ExerciseResultRow.id))
        return [(row.position, row.reps_done, row.pain) for row in rows]


def with_pain(recorded: list[tuple[int, int | None, int | None]], pain: int) -> list[Any]:
    """The answers after the pain of the exercise being asked about: that one answer added."""
    *done, (position, reps, _) = recorded
    return [*done, (position, reps, pain)]


def assert_next_exercise_once(replies: list[str]) -> None:
    """The next exercise, then its first question: each exactly once."""
    assert len(replies) == 2, replies
    assert replies[0].startswith("Exercise 2 of") and "how many reps" in replies[1]


async def unsent_or_queued_for(maker: Maker, update_id: int) -> int:
    async with maker() as session:
        return (
            await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.update_id == update_id)
            )
            or 0
        )


async def inbox_row(maker: Maker, update_id: int) -> InboxUpdate:
    async with maker() as session:
        row = await session.get(InboxUpdate, update_id)
        assert row is not None
        return row


@pytest.fixture
async def harness(
    fake_api: FakeBotAPI, database_url: str, library: Library
) -> AsyncIterator[Harness]:
    async with bot_in_process(fake_api, database_url, library) as found:
        yield found


async def test_a_terminated_backend_mid_answer_is_retried_and_recorded_once(
    harness: Harness, database_url: str, sessionmaker: Maker, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("pg_terminate_backend is PostgreSQL's; SQLite's fault is the busy lock below")
    await enrolled_mid_session(harness)
    before, recorded = await snapshot(sessionmaker, ZOE), await results(sessionmaker)
    original = PipelineBot._do_post
    terminated: list[int] = []

    async def terminate_first_reply(self: PipelineBot, endpoint: str, data: Any, **kw: Any) -> Any:
        unit = current_unit.get()
        if unit is not None and endpoint == "sendMessage" and not terminated:
            terminated.append(len(terminated))
            await unit.session.flush()  # the answer is in the database, not yet committed
            async with sessionmaker() as other:
                await other.execute(text(TERMINATE))
        return await original(self, endpoint, data, **kw)

    monkeypatch.setattr(PipelineBot, "_do_post", terminate_first_reply)
    update = typed(harness, "3")  # her pain after the first exercise
    update_id = update["update_id"]
    since = harness.api.cursor()
    await harness.pipeline.storing.store([update])
    item = received(update, harness.app.bot)

    assert await harness.pipeline.handling.handle(update_id, item.chat_key) is Outcome.RETRY
    assert terminated
    assert await snapshot(sessionmaker, ZOE) == before  # nothing of the answer was kept
    assert await results(sessionmaker) == recorded
    assert await unsent_or_queued_for(sessionmaker, update_id) == 0
    assert (await inbox_row(sessionmaker, update_id)).attempts == 1

    assert await harness.pipeline.handling.handle(update_id, item.chat_key) is Outcome.HANDLED
    await harness.pipeline.sender.drain(SEND_SECONDS)
    assert await results(sessionmaker) == with_pain(recorded, 3)
    replies = [m.body for m in harness.api.sent_to(ZOE, since)]
    assert_next_exercise_once(replies)
    assert (await inbox_row(sessionmaker, update_id)).state == "handled"


@pytest.mark.parametrize("held", ["past the busy timeout", "within the busy timeout"])
async def test_sqlite_busy_the_answer_waits_for_the_lock_and_is_recorded_once(
    held: str,
    fake_api: FakeBotAPI,
    database_url: str,
    library: Library,
    sessionmaker: Maker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's one writer; PostgreSQL's fault is the terminated backend above")
    past = held == "past the busy timeout"
    if past:  # the bot gives up waiting for the lock after 0.2 s instead of 10 s
        monkeypatch.setattr("bot.db.engine.SQLITE_BUSY_TIMEOUT_MS", 200)
    async with bot_in_process(fake_api, database_url, library) as harness:
        await enrolled_mid_session(harness)
        before, recorded = await snapshot(sessionmaker, ZOE), await results(sessionmaker)
        update = typed(harness, "3")
        update_id = update["update_id"]
        since = harness.api.cursor()
        await harness.pipeline.storing.store([update])
        item = received(update, harness.app.bot)
        path = sqlite_path(database_url)
        assert path is not None
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")  # another writer: a backup, a migration, an admin
        try:
            handling = asyncio.create_task(
                harness.pipeline.handling.handle(update_id, item.chat_key)
            )
            if past:
                assert await handling is Outcome.RETRY
            else:
                await asyncio.sleep(0.3)  # the lock is held for a while, then let go
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        if past:  # (read once the lock is free: on SQLite every transaction takes it)
            assert await snapshot(sessionmaker, ZOE) == before
            assert await results(sessionmaker) == recorded
            assert await unsent_or_queued_for(sessionmaker, update_id) == 0
            handling = asyncio.create_task(
                harness.pipeline.handling.handle(update_id, item.chat_key)
            )
        assert await handling is Outcome.HANDLED
        await harness.pipeline.sender.drain(SEND_SECONDS)
        assert await results(sessionmaker) == with_pain(recorded, 3)
        replies = [m.body for m in harness.api.sent_to(ZOE, since)]
        assert_next_exercise_once(replies)
        row = await inbox_row(sessionmaker, update_id)
        assert row.state == "handled"


async def test_a_second_process_on_one_sqlite_file_is_refused_with_a_clear_message(
    fake_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL takes several processes (test_two_processes.py)")
    bot = BotProcess(fake_api, database_url, tmp_path)
    await bot.start()
    try:
        await refused_beside(bot, fake_api, tmp_path)
    finally:
        await bot.stop()


async def refused_beside(bot: BotProcess, fake_api: FakeBotAPI, tmp_path: Path) -> None:
    second = tmp_path / "second"
    second.mkdir()
    refused = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=second,
        env=bot.environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(refused.communicate(), 60.0)
    assert refused.returncode == 2
    [line] = err.decode().strip().splitlines()[-1:]
    assert line.startswith("hipcoach: DATABASE_URL: another hipcoach is already running on")
    assert "Traceback" not in err.decode()
    # The first one carries on, alone.
    await MemberChat(fake_api, 8802).say("/help", "/today")
    assert fake_api.overlapping_polls == 0
