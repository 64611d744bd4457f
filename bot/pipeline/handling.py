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

import asyncio
import contextlib
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
        self._concurrency = concurrency
        self._give_up = give_up
        self._after_commit = after_commit
        self._busy: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._running = False
        # Offered while busy: when that chat is free, the next read finds what it still has.
        self._held_back: set[int] = set()
        application.add_error_handler(_note_failure)

    def offer(self, stored: Iterable[tuple[int, int]]) -> None:
        """Updates this process has just stored: those whose chat is free start at once,
        without reading the inbox; the rest are found by the next read."""
        if not self._running:
            return
        for update_id, chat_key in stored:
            if chat_key in self._busy:
                self._held_back.add(chat_key)  # read again once the chat is free
            elif len(self._tasks) >= self._concurrency:
                self._wake.set()
            else:
                self._start(update_id, chat_key)

    async def run(self, keep_going: Callable[[], bool]) -> None:
        """Take waiting updates until told to stop, then let the running ones finish."""
        self._running = True
        try:
            while keep_going():
                self._wake.clear()
                started = 0
                if len(self._tasks) < self._concurrency:
                    started = await self._start_waiting()
                if not started:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)
        finally:
            self._running = False
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _start_waiting(self) -> int:
        try:
            async with self._gate.turn(), self._sessionmaker() as session:
                found = await inbox.waiting(
                    session, clock.now(), self._busy, self._concurrency - len(self._tasks)
                )
        except Exception:
            log.exception("cannot read the inbox; trying again shortly")
            return 0
        for update_id, chat_key in found:
            self._start(update_id, chat_key)
        return len(found)

    def _saturated(self) -> bool:
        """All workers were busy just now: what arrived meanwhile waits for a read."""
        return len(self._tasks) >= self._concurrency - 1

    def _start(self, update_id: int, chat_key: int) -> None:
        if chat_key in self._busy:  # offered while a read was on its way: one task a chat
            self._held_back.add(chat_key)
            return
        self._busy.add(chat_key)
        task = asyncio.create_task(self._handle_in_turn(update_id, chat_key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle_in_turn(self, update_id: int, chat_key: int) -> None:
        try:
            await self.handle(update_id, chat_key)
        finally:
            self._busy.discard(chat_key)
            if chat_key in self._held_back or self._saturated():
                self._held_back.discard(chat_key)
                self._wake.set()

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
