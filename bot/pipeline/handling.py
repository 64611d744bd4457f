"""Handles stored updates: many chats at once, each chat's updates one at a time, in order.

For each update one session is opened; the handlers run inside it (`context.session`), their
replies are queued into it (`bot/pipeline/capture.py`), and the inbox row is marked handled in
it: one commit makes all three true together. A crash before the commit leaves the row
unhandled, so it is handled again after a restart; a crash after it leaves nothing to redo.

A handler that raises rolls the whole transaction back; the update is tried again after a pause
(`inbox.RETRY_DELAYS`), and after the last attempt it is marked failed (its error kept for
`hipcoach check` and the log) and the member is told and shown their current question, so the
next thing they type lands on a question they can see.

This is a worker pool over the inbox rather than PTB's `BaseUpdateProcessor`: the processor
decides concurrency for updates already fetched into one process, while the order of a chat
has to hold across processes and restarts, which only the database can keep.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop

from bot import clock
from bot.db.models import InboxUpdate
from bot.observability.logs import CURRENT_UPDATE
from bot.pipeline import crash_points, inbox
from bot.pipeline.capture import PipelineBot, UpdateUnit, current_unit
from bot.pipeline.chat_pool import ChatPool
from bot.pipeline.gate import WriteGate

log = logging.getLogger(__name__)

# How often an idle worker looks for updates another process stored (a webhook on another
# process, a retry coming due); updates this process stores wake it at once.
IDLE_POLL_SECONDS = 0.2

GiveUp = Callable[[Update, Any], Awaitable[None]]


class Outcome(StrEnum):
    HANDLED = "handled"
    RETRY = "retry"
    FAILED = "failed"
    LEFT = "left"  # another worker or process has the chat, or it was handled already


class Handling:
    """The pool of workers over the inbox."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        sessionmaker: async_sessionmaker[AsyncSession],
        gate: WriteGate,
        *,
        concurrency: int,
        give_up: GiveUp,
        after_commit: Callable[[set[int]], None],
    ) -> None:
        self._application = application
        self._bot: PipelineBot = application.bot
        self._sessionmaker = sessionmaker
        self._gate = gate
        self._give_up = give_up
        self._after_commit = after_commit
        self._pool = ChatPool(
            "handling",
            concurrency,
            find=self._find,
            work=self._work,
            idle_poll_seconds=IDLE_POLL_SECONDS,
        )
        application.add_error_handler(_note_failure)

    def offer(self, stored: Iterable[tuple[int, int]]) -> None:
        """(update_id, chat_key) of updates this process has just stored: those whose chat is
        free start at once, without reading the inbox; the rest are found by the next read."""
        self._pool.offer((chat_key, update_id) for update_id, chat_key in stored)

    async def run(self, keep_going: Callable[[], bool]) -> None:
        """Take waiting updates until told to stop, then let the running ones finish."""
        await self._pool.run(keep_going)

    async def _find(self, busy: set[int], limit: int) -> list[tuple[int, object]]:
        async with self._gate.turn(), self._sessionmaker() as session:
            found = await inbox.waiting(session, clock.now(), busy, limit)
        return [(chat_key, update_id) for update_id, chat_key in found]

    async def _work(self, chat_key: int, update_id: object) -> None:
        assert isinstance(update_id, int)
        await self.handle(update_id, chat_key)

    async def handle(self, update_id: int, chat_key: int) -> Outcome:
        """Handle one stored update in one transaction (the unit of work described above)."""
        token = CURRENT_UPDATE.set((update_id, chat_key))  # every log line names the update
        try:
            return await self._handle(update_id, chat_key)
        finally:
            CURRENT_UPDATE.reset(token)

    async def _handle(self, update_id: int, chat_key: int) -> Outcome:
        async with self._gate.turn():
            try:
                async with self._sessionmaker.begin() as session:
                    row = await inbox.take(session, update_id, chat_key)
                    if row is None:
                        return Outcome.LEFT
                    unit = UpdateUnit(session, update_id, chat_key)
                    await self._run_handlers(unit, self._update(row.payload))
                    if unit.error is not None:
                        raise unit.error
                    inbox.mark_handled(row, clock.now())
                    crash_points.reached("handling")
            except Exception as error:
                return await self._failed(update_id, chat_key, error)
        crash_points.reached("handled")
        if unit.chats:
            self._after_commit(unit.chats)
        return Outcome.HANDLED

    def _update(self, payload: str) -> Update:
        update = Update.de_json(json.loads(payload), self._bot)
        self._bot.insert_callback_data(update)
        return update

    async def _run_handlers(self, unit: UpdateUnit, update: Update) -> None:
        token = current_unit.set(unit)
        try:
            await self._application.process_update(update)
        finally:
            current_unit.reset(token)

    async def _failed(self, update_id: int, chat_key: int, error: Exception) -> Outcome:
        log.error("update %s failed", update_id, exc_info=error)
        try:
            async with self._sessionmaker.begin() as session:
                gave_up = await inbox.record_failure(
                    session, update_id, f"{type(error).__name__}: {error}", clock.now()
                )
                told: set[int] = set()
                if gave_up:
                    told = await self._tell_member(session, update_id, chat_key)
        except Exception:
            log.exception("could not record that update %s failed; it stays waiting", update_id)
            return Outcome.RETRY
        if gave_up:
            self._after_commit(told)
            return Outcome.FAILED
        return Outcome.RETRY

    async def _tell_member(self, session: AsyncSession, update_id: int, chat_key: int) -> set[int]:
        """The give-up message, queued with the failed mark; its own failure does not stop
        the update being marked failed (a savepoint keeps the mark)."""
        row = await session.get(InboxUpdate, update_id)
        assert row is not None
        update = self._update(row.payload)
        row.payload = inbox.FORGOTTEN
        unit = UpdateUnit(session, update_id, chat_key)
        token = current_unit.set(unit)
        try:
            async with session.begin_nested():
                context = self._application.context_types.context.from_update(
                    update, self._application
                )
                await self._give_up(update, context)
        except Exception:
            log.exception("could not tell chat %s that update %s failed", chat_key, update_id)
        finally:
            current_unit.reset(token)
        log.error("update %s failed %d times; given up", update_id, inbox.MAX_ATTEMPTS)
        return unit.chats


async def _note_failure(update: object, context: Any) -> None:
    """The last error handler: the update's transaction must roll back, and no other handler
    may run in it."""
    unit = current_unit.get()
    if unit is not None and context.error is not None:
        unit.error = context.error
        raise ApplicationHandlerStop
