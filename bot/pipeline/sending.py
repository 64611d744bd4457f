"""Sends the outbox: each chat's calls in order, one at a time, every call paced by the budget.

Runs on the leader process only, so one budget covers the whole bot. A call is marked sent with
Telegram's message id in a short transaction the moment Telegram accepts it; a crash between the
two is the one window in which a reply can be sent twice (a few milliseconds: one local write).
A call whose request timed out cannot be known to have arrived and is made again, so a timeout
widens that window to the timeout itself; Telegram's own answer is what closes it.

Faults: a 400 (message not modified, too old to edit) or 403 (the member blocked the bot) marks
the call failed and moves on; a 403 also marks the member unreachable. An edit queued to be said
anew (`capture.or_sent_anew`) that Telegram can no longer make is sent as a new message instead,
as the same outbox row; "not modified" means the member already sees it, so nothing is sent.
A network error or 5xx makes the chat's calls wait (1 s, doubling to 60 s) in order; after
`GIVE_UP_AFTER` they fail.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot import clock
from bot.observability.logs import CURRENT_UPDATE
from bot.pipeline import crash_points, outbox
from bot.pipeline.budget import retry_after_seconds, sending_priority
from bot.pipeline.capture import PipelineBot
from bot.pipeline.chat_pool import ChatPool
from bot.pipeline.gate import WriteGate
from bot.scheduling.pacing import Priority
from bot.services.reminders.reachability import mark_unreachable

log = logging.getLogger(__name__)

# Chats being sent to at once: each waits for its turn from the budget, so this only bounds
# what is in memory; 64 keeps 30/s with a Bot API that answers in 2 s.
MAX_CHATS_IN_FLIGHT = 64
IDLE_POLL_SECONDS = 0.1  # for rows another process queued; this one's wake the sender at once
RETRY_FIRST = 1.0
RETRY_MAX = 60.0
GIVE_UP_AFTER = timedelta(hours=1)


class OutboxSender:
    def __init__(
        self,
        bot: PipelineBot,
        sessionmaker: async_sessionmaker[AsyncSession],
        gate: WriteGate,
    ) -> None:
        self._bot = bot
        self._sessionmaker = sessionmaker
        self._gate = gate
        self._pool = ChatPool(
            "sending",
            MAX_CHATS_IN_FLIGHT,
            find=self._find,
            work=self._work,
            idle_poll_seconds=IDLE_POLL_SECONDS,
        )

    def offer(self, chats: Iterable[int]) -> None:
        """Chats whose calls this process has just committed: those not being sent to start
        at once, without reading the outbox. A process that does not send (not the leader)
        leaves them to the leader's next read."""
        self._pool.offer((chat_key, None) for chat_key in chats)

    async def run(self, keep_going: Callable[[], bool]) -> None:
        await self._pool.run(keep_going)

    async def drain(self, seconds: float) -> None:
        """Send everything due now, for at most `seconds` (on stop, and in the test harness)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            found = await self._find(self._pool.busy, MAX_CHATS_IN_FLIGHT)
            if not found:
                return
            sends = asyncio.gather(*(self._pool.in_turn(chat, None) for chat, _ in found))
            try:
                await asyncio.wait_for(sends, max(0.0, deadline - loop.time()))
            except TimeoutError:
                log.warning("stopped with replies still queued; they go after the next start")
                return

    async def _find(self, busy: set[int], limit: int) -> list[tuple[int, object]]:
        async with self._gate.turn(), self._sessionmaker() as session:
            chats = await outbox.chats_waiting(session, clock.now(), busy, limit)
        return [(chat_key, None) for chat_key in chats]

    async def _work(self, chat_key: int, _: object) -> None:
        await self.send_chat(chat_key)

    async def send_chat(self, chat_key: int) -> None:
        """Send the chat's due calls in order; stop at one that has to wait."""
        token = sending_priority.set(Priority.REPLY)
        try:
            while True:
                async with self._gate.turn(), self._sessionmaker() as session:
                    calls = await outbox.due_calls(session, chat_key, clock.now())
                if not calls:
                    return
                for call in calls:
                    if not await self._make(call):
                        return
        finally:
            sending_priority.reset(token)

    async def _make(self, call: outbox.Call) -> bool:
        """Make the call and record what became of it; False when the chat has to wait."""
        token = CURRENT_UPDATE.set((call.update_id, call.chat_key) if call.update_id else None)
        try:
            return await self._make_now(call)
        finally:
            CURRENT_UPDATE.reset(token)

    async def _make_now(self, call: outbox.Call) -> bool:
        try:
            crash_points.reached("sending")
            result = await self._bot.deliver(call.method, call.data)
        except Forbidden as error:
            await self._record(outbox.mark_failed, call.id, error.message, clock.now())
            if call.chat_key > 0:
                await self._record(mark_unreachable, call.chat_key)
            log.info("chat %s refused %s: %s", call.chat_key, call.method, error.message)
            return True
        except BadRequest as error:
            instead = call.as_new_message()
            if instead is not None and "not modified" not in error.message:
                log.info("%s to chat %s refused (%s): said anew", call.method, call.chat_key, error)
                return await self._make_now(replace(call, method=instead[0], data=instead[1]))
            await self._record(outbox.mark_failed, call.id, error.message, clock.now())
            level = logging.INFO if call.method.startswith("edit") else logging.ERROR
            log.log(level, "%s to chat %s refused: %s", call.method, call.chat_key, error.message)
            return True
        except (RetryAfter, TelegramError) as error:
            return await self._wait(call, error)
        message_id = result.get("message_id") if isinstance(result, dict) else None
        crash_points.reached("sent")  # Telegram has it, the outbox not yet: the repeat window
        await self._record(outbox.mark_sent, call.id, message_id, clock.now())
        return True

    async def _wait(self, call: outbox.Call, error: TelegramError) -> bool:
        now = clock.now()
        if now - call.created_at > GIVE_UP_AFTER:
            await self._record(outbox.mark_failed, call.id, f"gave up: {error}", now)
            log.error("%s to chat %s given up after an hour: %s", call.method, call.chat_key, error)
            return True
        if isinstance(error, RetryAfter):
            delay = retry_after_seconds(error)
        else:
            delay = min(RETRY_MAX, RETRY_FIRST * 2**call.attempts)
        log.warning("%s to chat %s: %s; again in %.0f s", call.method, call.chat_key, error, delay)
        await self._record(outbox.retry_later, call.id, str(error), now + timedelta(seconds=delay))
        return False

    async def _record(self, write: Callable[..., object], *args: object) -> None:
        """One short transaction; retried, since a lost "sent" mark means a repeated reply."""
        for pause in (0.0, 0.1, 0.5, 2.0, 5.0):
            await asyncio.sleep(pause)
            try:
                async with self._gate.turn(), self._sessionmaker.begin() as session:
                    await write(session, *args)  # type: ignore[misc]
                return
            except Exception:
                log.exception("could not record an outbox result; trying again")
        log.error("outbox result not recorded: %s%r", getattr(write, "__name__", write), args)
