"""/healthz and /metrics on `METRICS_HOST:METRICS_PORT`, served on the bot's own event loop.

/healthz answers 200 when the database answers and, in polling mode, the last getUpdates came back
recently; 503 with the reason otherwise. In webhook mode the age of the last update is shown but
not judged: a quiet group sends nothing for hours, and a health check that fails then would have
the service manager restart a healthy bot in a loop.

/metrics reads the database backlog at scrape time (a handful of counts over indexed columns).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool
from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

from bot.observability.metrics import (
    ALERTS,
    DB_POOL,
    HEARTBEAT,
    INBOX,
    MEMBERS,
    OUTBOX,
    REMINDERS_DUE,
    REMINDERS_OVERDUE,
    Heartbeat,
)
from bot.observability.status import read_backlog

log = logging.getLogger(__name__)

# PTB long-polls with a 10 s timeout, so a healthy bot's getUpdates comes back at least that often;
# three missed polls and a bit is a bot that has stopped hearing Telegram.
POLL_STALE_SECONDS = 45.0
DATABASE_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Health:
    ok: bool
    reason: str


def judge_health(
    heartbeat: Heartbeat, *, polling: bool, database_problem: str | None, now: float
) -> Health:
    """Healthy or not, and why; `now` is monotonic seconds, passed in so tests need no clock."""
    if database_problem is not None:
        return Health(False, f"database: {database_problem}")
    last_update = (
        f"last update {now - heartbeat.last_update:.0f} s ago"
        if heartbeat.last_update is not None
        else "no update yet"
    )
    if not polling:
        return Health(True, f"ok (webhook; {last_update})")
    last_poll = heartbeat.last_poll if heartbeat.last_poll is not None else heartbeat.started
    silent = now - last_poll
    if silent > POLL_STALE_SECONDS:
        return Health(False, f"telegram: no getUpdates answer for {silent:.0f} s")
    return Health(True, f"ok (polling; {last_update})")


async def _database_problem(engine: AsyncEngine) -> str | None:
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return f"no answer within {DATABASE_TIMEOUT_SECONDS:.0f} s"
    except Exception as error:  # any failure is the answer here, reported not raised
        return type(error).__name__
    return None


class _HealthHandler(RequestHandler):
    def initialize(self, engine: AsyncEngine, polling: bool) -> None:
        self._engine = engine
        self._polling = polling

    async def get(self) -> None:
        health = judge_health(
            HEARTBEAT,
            polling=self._polling,
            database_problem=await _database_problem(self._engine),
            now=time.monotonic(),
        )
        self.set_status(200 if health.ok else 503)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(health.reason + "\n")


class _MetricsHandler(RequestHandler):
    def initialize(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self) -> None:
        pool = self._engine.pool
        if isinstance(pool, QueuePool):  # read before this scrape takes a connection
            DB_POOL.labels("in_use").set(pool.checkedout())
            DB_POOL.labels("size").set(pool.size())
        try:
            async with self._engine.connect() as connection:
                backlog = await read_backlog(connection, datetime.now(UTC))
        except Exception:
            # Still serve the process's own metrics; the database gauges keep their last value.
            log.warning("metrics: cannot read the backlog from the database", exc_info=True)
        else:
            MEMBERS.clear()
            for status, count in backlog.members_by_status.items():
                MEMBERS.labels(status).set(count)
            REMINDERS_DUE.set(backlog.reminders_due)
            REMINDERS_OVERDUE.set(backlog.reminders_overdue)
            ALERTS.labels("queued").set(backlog.alerts_unsent)
            ALERTS.labels("sent").set(backlog.alerts_sent)
            INBOX.labels("waiting").set(backlog.updates_waiting)
            INBOX.labels("failed").set(backlog.updates_failed)
            OUTBOX.labels("waiting").set(backlog.replies_waiting)
            OUTBOX.labels("failed").set(backlog.replies_failed)
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(generate_latest())


class MetricsServerError(Exception):
    """The metrics port cannot be opened (in use, or not allowed); the message is one line."""


def start_server(engine: AsyncEngine, *, host: str, port: int, polling: bool) -> HTTPServer:
    """Listen now, on the running event loop; stop it with `stop_server`."""
    application = Application(
        [
            (r"/healthz", _HealthHandler, {"engine": engine, "polling": polling}),
            (r"/metrics", _MetricsHandler, {"engine": engine}),
        ],
        log_function=lambda _handler: None,  # a scrape every 15 s is not worth a log line
    )
    try:
        server = application.listen(port, address=host)
    except OSError as error:
        raise MetricsServerError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    log.info("health and metrics on http://%s:%d/healthz and /metrics", host, port)
    return server


async def stop_server(server: HTTPServer) -> None:
    server.stop()
    await server.close_all_connections()
