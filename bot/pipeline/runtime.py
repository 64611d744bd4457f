"""Starts and stops the pipeline's parts in one process: workers everywhere, leader duties
(polling, the scheduled jobs, sending) on the leader only. `bot.app.run` and the playground
both run the bot through it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from bot.config import sqlite_path
from bot.pipeline.gate import WriteGate
from bot.pipeline.handling import Handling
from bot.pipeline.leadership import Leadership, SqliteLock
from bot.pipeline.receiving import ALLOWED_UPDATES, Storing, poll, webhook_app
from bot.pipeline.sending import OutboxSender

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 64
# On stop, replies still queued get this long; any left are sent after the next start.
DRAIN_SECONDS = 5.0


@dataclass(frozen=True)
class Webhook:
    url: str
    path: str
    port: int
    secret: str | None
    listen: str = "0.0.0.0"  # a webhook must accept Telegram's connections


class Pipeline:
    """One process's share of the work; `start`, then `stop` (which lets handling finish)."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        *,
        give_up: Callable[[Update, Any], Awaitable[None]],
        concurrency: int = DEFAULT_CONCURRENCY,
        polling: bool = True,
        webhook: Webhook | None = None,
    ) -> None:
        data = application.bot_data
        self._application = application
        self._engine = data.engine
        self._polling = polling and webhook is None
        self._webhook = webhook
        gate = WriteGate(data.engine)
        self.sender = OutboxSender(application.bot, data.sessionmaker, gate)
        self.handling = Handling(
            application,
            data.sessionmaker,
            gate,
            concurrency=concurrency,
            give_up=give_up,
            after_commit=self.sender.offer,
        )
        self.storing = Storing(application.bot, data.sessionmaker, gate, self.handling.offer)
        self.leadership = Leadership(data.engine, self._lead, self._step_down)
        self._running = False
        self._leading = False
        self._tasks: list[asyncio.Task[None]] = []
        self._duties: list[asyncio.Task[None]] = []
        self._server: HTTPServer | None = None
        self._sqlite_lock: SqliteLock | None = None

    async def start(self) -> None:
        """Before `application.start()`: the jobs must start paused (the leader resumes them)."""
        path = sqlite_path(str(self._engine.url))
        if self._engine.dialect.name == "sqlite" and path is not None:
            self._sqlite_lock = SqliteLock(path)
            self._sqlite_lock.acquire()
        job_queue = self._application.job_queue
        if job_queue is not None and not job_queue.scheduler.running:
            job_queue.scheduler.start(paused=True)
        self._running = True
        if self._webhook is not None:
            await self._listen(self._webhook)
        self._tasks = [
            asyncio.create_task(self.handling.run(lambda: self._running), name="handling"),
            asyncio.create_task(self.leadership.run(lambda: self._running), name="leadership"),
        ]

    async def stop(self) -> None:
        """Stop taking updates, let the handlers in progress commit, send what they queued,
        step down, and only then give up the leader lock."""
        self._running = False
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
        for task in self._duties:
            if task.get_name() == "polling":
                task.cancel()  # a long poll in flight: what it fetched was not confirmed
        handling, leadership = self._tasks or (None, None)
        if handling is not None:
            with contextlib.suppress(Exception):
                await handling
        if self._leading:
            await self.sender.drain(DRAIN_SECONDS)
        await self._step_down()
        if leadership is not None:
            leadership.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await leadership
        if self._sqlite_lock is not None:
            self._sqlite_lock.release()

    async def _listen(self, webhook: Webhook) -> None:
        self._server = HTTPServer(webhook_app(self.storing, webhook.path, webhook.secret))
        self._server.listen(webhook.port, address=webhook.listen)
        await self._application.bot.set_webhook(
            webhook.url, secret_token=webhook.secret, allowed_updates=ALLOWED_UPDATES
        )

    async def _lead(self) -> None:
        self._leading = True
        keep_going = lambda: self._leading  # noqa: E731
        self._duties = [asyncio.create_task(self.sender.run(keep_going), name="sending")]
        if self._polling:
            taking = lambda: self._leading and self._running  # noqa: E731
            self._duties.append(asyncio.create_task(poll(self.storing, taking), name="polling"))
        job_queue = self._application.job_queue
        if job_queue is not None:
            job_queue.scheduler.resume()

    async def _step_down(self) -> None:
        self._leading = False
        job_queue = self._application.job_queue
        if job_queue is not None and job_queue.scheduler.running:
            job_queue.scheduler.pause()
        duties, self._duties = self._duties, []
        for task in duties:
            if task.get_name() == "polling":
                task.cancel()
        for task in duties:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
