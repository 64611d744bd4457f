"""Sends due reminders: claim a small batch, send it concurrently at a steady pace, record results.

One tick drains everything due: it claims a batch just ahead of the sending (so claims are short
lived and another process can take a share), sends with a bounded number of messages in flight,
and writes results every half second in one short transaction. No transaction is open while a
message is on its way, and the event loop never waits on one send before starting the next.

The fan-out sends through its own `Bot`, without a rate limiter hook: it takes its turns from the
application's one pacer itself (`bot/pipeline/budget.py`), as background sends, so members'
replies (which take theirs through the hook) go first and the two together never exceed the
limit; and it must see every 429 the moment it happens, to hold that pacer for everyone. A
limiter that waits out a 429 out of sight while the pacer keeps handing out turns lets the
backlog leave at once when it resumes and provokes the next 429; that cascade was measured with
the fake Bot API (bench/README.md).

Faults: a 429 holds every fan-out send for `retry_after`; a 403 marks the member unreachable; a
network error or 5xx is retried with backoff a few times, then the message is handed back for the
next tick and this tick stops claiming (Telegram is struggling; hammering it helps no one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.db.models import utcnow
from bot.observability.metrics import record_tick
from bot.observability.requests import ObservedRequest
from bot.pipeline import crash_points
from bot.pipeline.budget import retry_after_seconds
from bot.scheduling.pacing import Priority, SendPacer
from bot.services.reminders.claims import CLAIM_LEASE, Claim, DueMessage, claim_due
from bot.services.reminders.deliveries import Delivery, DeliveryResult, record_deliveries
from bot.signed_bot import SigningBot

log = logging.getLogger(__name__)

# Telegram allows about 30 messages a second. A dispatcher with a pacer of its own (tests,
# benchmarks) takes 96% of that; in the application it shares the one budget's pacer instead.
TELEGRAM_MESSAGES_PER_SECOND = 30
FANOUT_SHARE = 0.96
# Messages waiting for their turn or on their way at once: enough to keep the pace with a slow
# Bot API (30/s at 2 s per answer), few enough that a stop or a fault leaves little half-done.
MAX_IN_FLIGHT = 64
# Claim about this many seconds of sending at a time.
CLAIM_AHEAD_SECONDS = 2.0
RETRY_DELAYS = (1.0, 2.0, 4.0)
RESULTS_FLUSH_SECONDS = 0.5

Render = Callable[[DueMessage], tuple[str, InlineKeyboardMarkup | None]]


def fanout_bot(token: str, api_url: str) -> Bot:
    """The fan-out's own bot: same token, Bot API server and button signing, no rate limiter."""
    return SigningBot(
        token,
        base_url=f"{api_url}/bot",
        base_file_url=f"{api_url}/file/bot",
        request=ObservedRequest(connection_pool_size=MAX_IN_FLIGHT),
    )


@dataclass
class TickReport:
    """What one tick did, for logs and tests."""

    sent: int = 0
    missed: int = 0
    settled: int = 0
    handed_back: int = 0
    unreachable: int = 0
    rejected: int = 0

    def add_claim(self, claim: Claim) -> None:
        self.missed += claim.missed
        self.settled += claim.settled

    def add_delivery(self, delivery: Delivery) -> None:
        match delivery.result:
            case DeliveryResult.SENT:
                self.sent += 1
            case DeliveryResult.RETRY_LATER:
                self.handed_back += 1
            case DeliveryResult.UNREACHABLE:
                self.unreachable += 1
            case DeliveryResult.REJECTED:
                self.rejected += 1


class ReminderDispatcher:
    """Claims and sends due reminders and nudges; one tick at a time per process."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        render: Render,
        *,
        grace: timedelta,
        rate: float = TELEGRAM_MESSAGES_PER_SECOND * FANOUT_SHARE,
        pacer: SendPacer | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        clock: Callable[[], datetime] = utcnow,
        keep_going: Callable[[], bool] = lambda: True,
    ) -> None:
        self._bot = bot
        self._sessionmaker = sessionmaker
        self._render = render
        self._grace = grace
        self._pacer = pacer or SendPacer(rate)
        self._batch_size = max(10, math.ceil(self._pacer.rate * CLAIM_AHEAD_SECONDS))
        self._retry_delays = tuple(retry_delays)
        self._clock = clock
        self._keep_going = keep_going
        self._give_up_after = CLAIM_LEASE.total_seconds() / 2
        self._ticking = asyncio.Lock()

    @property
    def busy(self) -> bool:
        return self._ticking.locked()

    async def tick(self) -> TickReport:
        """Send everything due now; returns at once if this process is already sending."""
        if self._ticking.locked():
            return TickReport()
        started = time.monotonic()
        async with self._ticking, contextlib.AsyncExitStack() as bot_open:
            tick = _Tick(asyncio.Semaphore(MAX_IN_FLIGHT), bot_open)
            sending_done = asyncio.Event()
            flusher = asyncio.create_task(self._flush_until(tick, sending_done))
            try:
                await self._claim_and_send(tick)
            finally:
                if tick.sends:
                    await asyncio.gather(*tick.sends)
                # Never cancelled mid-write: a lost write would leave sent reminders claimed.
                sending_done.set()
                await flusher
        if tick.report != TickReport():
            log.info("reminder tick: %s", tick.report)
        record_tick(asdict(tick.report), time.monotonic() - started)
        return tick.report

    async def _claim_and_send(self, tick: _Tick) -> None:
        while tick.telegram_ok and self._keep_going():
            async with self._sessionmaker.begin() as session:
                claim = await claim_due(
                    session, self._clock(), grace=self._grace, limit=self._batch_size
                )
            tick.report.add_claim(claim)
            if claim.touched == 0:
                return
            if claim.messages and not await self._open_bot(tick):
                for message in claim.messages:
                    tick.record(Delivery(message, DeliveryResult.RETRY_LATER, self._clock()))
                return
            claimed_at = time.monotonic()
            for message in claim.messages:
                if not (tick.telegram_ok and self._keep_going()):
                    # Stopping, or Telegram is failing: give the rest back for the next tick now,
                    # rather than leaving them to wait out the lease.
                    tick.record(Delivery(message, DeliveryResult.RETRY_LATER, self._clock()))
                    continue
                await tick.in_flight.acquire()
                task = asyncio.create_task(self._deliver(tick, message, claimed_at))
                tick.sends.add(task)
                task.add_done_callback(tick.sends.discard)

    async def _open_bot(self, tick: _Tick) -> bool:
        """Connect the fan-out bot for this tick (closed when the tick ends); False if Telegram
        cannot be reached."""
        if not tick.bot_opened:
            try:
                await tick.bot_open.enter_async_context(self._bot)
            except TelegramError as error:
                log.warning("cannot reach Telegram for reminders: %s", error)
                tick.telegram_ok = False
                return False
            tick.bot_opened = True
        return True

    async def _deliver(self, tick: _Tick, message: DueMessage, claimed_at: float) -> None:
        try:
            result, message_id = await self._send(tick, message, claimed_at)
        except Exception:
            # A bug in rendering or the like: record it as failed, so one bad message cannot
            # come back first in every tick and hold up everyone else's reminder.
            log.exception("reminder %s to chat %s failed", message.reminder_id, message.chat_id)
            result, message_id = DeliveryResult.REJECTED, None
        finally:
            tick.in_flight.release()
        tick.record(Delivery(message, result, self._clock(), message_id))

    async def _send(
        self, tick: _Tick, message: DueMessage, claimed_at: float
    ) -> tuple[DeliveryResult, int | None]:
        text, keyboard = self._render(message)
        backoff = iter(self._retry_delays)
        # Past this point another tick may already have claimed it again (lease): leave it.
        while time.monotonic() - claimed_at < self._give_up_after:
            await self._pacer.wait_turn(message.chat_id, Priority.BACKGROUND)
            if not self._keep_going():
                return DeliveryResult.RETRY_LATER, None
            try:
                sent = await self._bot.send_message(message.chat_id, text, reply_markup=keyboard)
            except RetryAfter as flood:
                self._pacer.hold(retry_after_seconds(flood))
                log.warning("Telegram asked to slow down: %s", flood)
            except Forbidden:
                log.info("chat %s refused the reminder; member marked unreachable", message.chat_id)
                return DeliveryResult.UNREACHABLE, None
            except BadRequest as error:
                log.error("reminder %s rejected by Telegram: %s", message.reminder_id, error)
                return DeliveryResult.REJECTED, None
            except TelegramError as error:  # network errors, 5xx, timeouts
                delay = next(backoff, None)
                if delay is None:
                    break
                log.warning(
                    "reminder to chat %s: %s; retry in %.1f s", message.chat_id, error, delay
                )
                await asyncio.sleep(delay)
            else:
                crash_points.reached("fanout")
                return DeliveryResult.SENT, sent.message_id
        tick.telegram_ok = False
        return DeliveryResult.RETRY_LATER, None

    async def _flush_until(self, tick: _Tick, sending_done: asyncio.Event) -> None:
        while True:
            # Read before writing: results recorded while this write is on its way (the last
            # sends finishing) get one more round, or they would stay claimed and be sent again.
            finished = sending_done.is_set()
            await self._flush(tick)
            if finished:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sending_done.wait(), RESULTS_FLUSH_SECONDS)

    async def _flush(self, tick: _Tick) -> None:
        if not tick.results:
            return
        batch, tick.results = tick.results, []
        try:
            async with self._sessionmaker.begin() as session:
                await record_deliveries(session, batch)
        except Exception:
            # Keep them for the next write; the claims' lease keeps them from being sent twice.
            log.exception("could not record %d reminder results; will try again", len(batch))
            tick.results = batch + tick.results


@dataclass
class _Tick:
    """One tick's sends in flight, results not yet written, and whether Telegram is answering."""

    in_flight: asyncio.Semaphore
    bot_open: contextlib.AsyncExitStack
    bot_opened: bool = False
    report: TickReport = field(default_factory=TickReport)
    results: list[Delivery] = field(default_factory=list)
    sends: set[asyncio.Task[None]] = field(default_factory=set)
    telegram_ok: bool = True

    def record(self, delivery: Delivery) -> None:
        self.results.append(delivery)
        self.report.add_delivery(delivery)
