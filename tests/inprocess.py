"""The real application in the test's own process, against the fake Bot API.

Each update goes through the real pipeline, as polling would hand it over: stored in the inbox,
handled in one transaction, its queued replies sent, before `feed` returns. Nothing is paced
(the budget is unlimited), so thousands of presses take seconds, and the test can move
`bot.clock` (the one clock every handler, service and job reads) to any date: a summer morning,
a day change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_application, pipeline_for
from bot.coaching.content import Library
from bot.coaching.screening import Screen
from bot.config import Settings
from bot.context import HipApplication
from bot.db.engine import create_engine, create_sessionmaker
from bot.pipeline.budget import SharedBudget
from bot.pipeline.handling import Outcome
from bot.pipeline.receiving import received
from bot.pipeline.runtime import Pipeline
from bot.scheduling.pacing import SendPacer
from tests.botprocess import FAKE_TOKEN
from tests.fakebotapi import FakeBotAPI

SEND_SECONDS = 30.0


@dataclass
class Harness:
    app: HipApplication
    pipeline: Pipeline
    api: FakeBotAPI
    maker: async_sessionmaker[AsyncSession]
    screen: Screen
    errors: list[BaseException] = field(default_factory=list)
    ids: dict[str, list[int]] = field(default_factory=dict)
    _update_ids: count = field(default_factory=lambda: count(1))

    async def feed(self, payload: dict[str, Any]) -> None:
        raw = {"update_id": next(self._update_ids), **payload}
        await self.pipeline.storing.store([raw])
        item = received(raw, self.app.bot)
        # A failing update is tried again at once here, not after the pipeline's pauses.
        while await self.pipeline.handling.handle(item.update_id, item.chat_key) is Outcome.RETRY:
            pass
        await self.pipeline.sender.drain(SEND_SECONDS)

    async def say(self, user_id: int, words: str) -> None:
        message = self.api._user_message(self.api.user(user_id), None)
        message["text"] = words
        if words.startswith("/"):
            length = len(words.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        await self.feed({"message": message})

    async def press(self, user_id: int, data: str, chat_id: int | None = None) -> None:
        on = next((m for m in reversed(self.api.outbox) if m.chat_id == (chat_id or user_id)), None)
        message = (
            self.api._message_json(on)
            if on is not None
            else {"message_id": 1, "date": 0, "chat": self.api._chat_json(chat_id or user_id)}
        )
        query = {
            "id": str(next(self._update_ids)),
            "from": self.api.user(user_id),
            "chat_instance": "1",
            "data": data,
            "message": message,
        }
        await self.feed({"callback_query": query})


@asynccontextmanager
async def bot_in_process(
    fake_api: FakeBotAPI, database_url: str, library: Library
) -> AsyncIterator[Harness]:
    """The application, initialised on this database; every error it meets is in `errors`."""
    env = {"BOT_TOKEN": FAKE_TOKEN, "TELEGRAM_API_URL": fake_api.url, "DATABASE_URL": database_url}
    unpaced = SharedBudget(SendPacer(100_000, per_chat_interval=0, per_group_interval=0))
    app = build_application(Settings.from_env(env), library, budget=unpaced)
    engine = create_engine(Settings.from_env(env).database_url)
    app.bot_data.engine, app.bot_data.sessionmaker = engine, create_sessionmaker(engine)
    await app.initialize()
    assert library.screen is not None
    errors: list[BaseException] = []

    async def record(update: object, context: Any) -> None:
        errors.append(context.error)

    app.add_error_handler(record)  # before the pipeline's own, which ends the update's handling
    pipeline = pipeline_for(app)
    found = Harness(app, pipeline, fake_api, app.bot_data.sessionmaker, library.screen, errors)
    try:
        yield found
    finally:
        await app.shutdown()
        await engine.dispose()
