"""The Prometheus metrics, defined once; the rest of the bot only increments them.

Names follow Prometheus conventions (`_total` counters, `_seconds` histograms). Numbers that live
in the database (members, due reminders, unsent alerts) are read when /metrics is scraped
(`bot/observability/server.py`), so they are right whichever process did the work.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram

UPDATES_RECEIVED = Counter(
    "hipcoach_updates_received_total", "Updates taken from Telegram, by type.", ["type"]
)
UPDATES_HANDLED = Counter(
    "hipcoach_updates_handled_total", "Updates handled without an error, by type.", ["type"]
)
UPDATES_FAILED = Counter(
    "hipcoach_updates_failed_total", "Updates whose handler raised, by type.", ["type"]
)
UPDATE_SECONDS = Histogram(
    "hipcoach_update_handling_seconds",
    "Time from taking an update to finishing its blocking handlers, by type.",
    ["type"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TELEGRAM_REQUESTS = Counter(
    "hipcoach_telegram_requests_total",
    "Bot API calls by method and result (ok, 429, 403, 4xx, 5xx, network).",
    ["method", "result"],
)
REMINDERS = Counter(
    "hipcoach_reminders_total",
    "Reminders and nudges by outcome (sent, missed, settled, handed_back, unreachable, rejected).",
    ["outcome"],
)
REMINDER_TICK_SECONDS = Histogram(
    "hipcoach_reminder_tick_seconds",
    "Duration of one reminder tick: claiming, sending and recording everything due.",
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900),
)
MEMBERS = Gauge("hipcoach_members", "Members by status (read at scrape).", ["status"])
REMINDERS_DUE = Gauge("hipcoach_reminders_due", "Reminders due and not sent (read at scrape).")
REMINDERS_OVERDUE = Gauge(
    "hipcoach_reminders_overdue", "Reminders unsent 15 minutes after their time (read at scrape)."
)
ALERTS = Gauge(
    "hipcoach_alerts", "Coach alerts by state, queued or sent (read at scrape).", ["state"]
)
INBOX = Gauge(
    "hipcoach_inbox_updates",
    "Updates waiting to be handled, or given up (read at scrape).",
    ["state"],
)
OUTBOX = Gauge(
    "hipcoach_outbox_calls", "Replies waiting to be sent, or refused (read at scrape).", ["state"]
)
DB_POOL = Gauge(
    "hipcoach_db_pool_connections", "Database pool connections by state (in_use, size).", ["state"]
)


@dataclass
class Heartbeat:
    """When the bot last heard from Telegram, for /healthz (monotonic seconds)."""

    started: float
    last_poll: float | None = None
    last_update: float | None = None

    def polled(self) -> None:
        self.last_poll = time.monotonic()

    def received(self) -> None:
        self.last_update = time.monotonic()


HEARTBEAT = Heartbeat(started=time.monotonic())


def record_tick(outcomes: Mapping[str, int], seconds: float) -> None:
    """One reminder tick: its duration, and how many reminders ended which way."""
    REMINDER_TICK_SECONDS.observe(seconds)
    for outcome, count in outcomes.items():
        if count:
            REMINDERS.labels(outcome).inc(count)
