"""Benchmark: 10,000 reminders due at once, sent by the real application to a rate-limited Bot API.

    /work/venv/bin/python -m bench.fanout --rate 300               # ~35 s
    /work/venv/bin/python -m bench.fanout --rate 30                # ~6 minutes
    /work/venv/bin/python -m bench.fanout --rate 300 --database-url postgresql+asyncpg://…/empty_db

The fake Bot API (tests/fakebotapi.py) runs in its own process and answers 429 to any message
beyond `--rate` in a sliding second, as Telegram would. The bot side is the application as
`hipcoach run` builds it (handlers, rate limiter, database), polling that server; its reminder
tick job is replaced by one direct `tick()` of the same dispatcher, so the run starts on cue.
Members are spread over 40 time zones; a third of them have 08:00 local, in the zones where the
simulated instant is 08:00, and everyone else has the local time of that instant in their zone,
so all are due together, the worst case (a busy hour, or catching up after downtime).

While the fan-out runs, a member sends /help every 2 s (how long until the bot answers them), and
a probe measures event-loop lag (how late a 10 ms sleep wakes). Printed: achieved rate as a
fraction of the limit, lateness (arrival at the Bot API minus due time), 429s provoked,
duplicates and losses (by chat at the Bot API, and by status in the database).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import platform
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, insert, select

from bot.app import build_application
from bot.coaching.loader import default_content_dir, load_library
from bot.config import Settings
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.models import Member, Reminder
from bot.scheduling.dispatcher import FANOUT_SHARE, ReminderDispatcher, fanout_bot
from handlers.reminder_texts import render
from tests.botprocess import FAKE_TOKEN
from tests.fakebotapi import FakeBotAPI

# 08:00 in Central European (winter) time: the zones of the "third at 08:00".
SIMULATED_DUE = datetime(2026, 1, 14, 7, 0, tzinfo=UTC)
EIGHT_OCLOCK_ZONES = [
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Vienna",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Prague",
    "Europe/Warsaw",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Zurich",
]
OTHER_ZONES = [
    "Europe/London",
    "Europe/Lisbon",
    "Atlantic/Reykjavik",
    "Europe/Helsinki",
    "Europe/Athens",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Jakarta",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "America/Toronto",
]
FIRST_MEMBER_ID = 10_000_000
HELP_USER_ID = 9_000_000
HELP_EVERY_SECONDS = 2.0
LAG_PROBE_SECONDS = 0.01


# ---- the Bot API, in its own process -----------------------------------------------------------


class BenchBotAPI(FakeBotAPI):
    """The fake Bot API, noting when each message arrived and timing a member's /help answers."""

    def __init__(self, token: str, expected: int) -> None:
        super().__init__(token)
        self.expected = expected
        self.arrivals: list[tuple[int, float]] = []
        self.help_latencies: list[float] = []
        self.too_many_at: list[float] = []
        self._help_pushed_at: float | None = None

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        arrived = time.time()
        if chat_id == HELP_USER_ID and self._help_pushed_at is not None:
            self.help_latencies.append(arrived - self._help_pushed_at)
            self._help_pushed_at = None
        else:
            self.arrivals.append((chat_id, arrived))
        return await super()._api_sendMessage(params)

    def _over_rate_limit(self) -> bool:
        over = super()._over_rate_limit()
        if over:
            self.too_many_at.append(time.time())
        return over

    async def _api_benchStats(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "arrivals": self.arrivals,
            "too_many_requests": self.too_many_requests_sent,
            "too_many_at": self.too_many_at,
            "help_latencies": self.help_latencies,
        }

    async def ask_for_help_during_the_fanout(self) -> None:
        member = self.user(HELP_USER_ID, "Helen")
        while len(self.arrivals) < self.expected:
            await asyncio.sleep(HELP_EVERY_SECONDS)
            if self.arrivals and self._help_pushed_at is None:
                self._help_pushed_at = time.time()
                await self.send_text(member, "/help")

    async def _record(self, message: Any) -> dict[str, Any]:
        # Keep memory flat: 10,000 reminders' keyboards and request logs are not needed here.
        self.outbox.clear()
        self.messages.clear()
        self.calls.clear()
        return await super()._record(message)


def _serve(rate: float, expected: int, ready: Any) -> None:
    # Telegram does not stop to collect garbage. A ~100 ms pause here made the requests queued
    # meanwhile arrive together, and the per-second counter then saw a burst the bot never sent
    # (measured: one 429 right after each such pause). Memory stays bounded: see `_record`.
    gc.disable()

    async def main() -> None:
        api = BenchBotAPI(FAKE_TOKEN, expected)
        api.messages_per_second = rate
        ready.put(await api.start())
        await api.ask_for_help_during_the_fanout()
        await asyncio.Event().wait()

    asyncio.run(main())


# ---- the database --------------------------------------------------------------------------


def seed_rows(count: int) -> list[dict[str, Any]]:
    """`count` active members, all due at SIMULATED_DUE; a third at 08:00 local."""
    rows = []
    for n in range(count):
        if n % 3 == 0:
            zone = EIGHT_OCLOCK_ZONES[n // 3 % len(EIGHT_OCLOCK_ZONES)]
        else:
            zone = OTHER_ZONES[n % len(OTHER_ZONES)]
        local = SIMULATED_DUE.astimezone(ZoneInfo(zone))
        rows.append(
            {
                "telegram_user_id": FIRST_MEMBER_ID + n,
                "chat_id": FIRST_MEMBER_ID + n,
                "first_name": f"Member {n}",
                "status": "active",
                "draft": {},
                "equipment": [],
                "is_reachable": True,
                "timezone": zone,
                "reminder_time": local.time().replace(tzinfo=None),
                "next_reminder_at": SIMULATED_DUE,
                "onboarded_at": SIMULATED_DUE - timedelta(days=30),
            }
        )
    return rows


async def prepare_database(url: str, members: int) -> None:
    engine = create_engine(url)
    await upgrade_to_head(engine)
    rows = seed_rows(members)
    async with engine.begin() as connection:
        for start in range(0, len(rows), 1000):
            await connection.execute(insert(Member), rows[start : start + 1000])
    await engine.dispose()


async def reminder_statuses(url: str) -> dict[str, int]:
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        found = await session.execute(
            select(Reminder.status, func.count()).group_by(Reminder.status)
        )
        statuses = dict(found.tuples().all())
    await engine.dispose()
    return statuses


# ---- the run ---------------------------------------------------------------------------------


class LagProbe:
    """How late a short sleep wakes up: the event loop's responsiveness, sampled continuously."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.longest = 0.0
        self.longest_at = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(LAG_PROBE_SECONDS)
            lag = loop.time() - started - LAG_PROBE_SECONDS
            if lag > self.longest:
                self.longest, self.longest_at = lag, time.time()
            self.lags.append(lag)

    def __enter__(self) -> LagProbe:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def fan_out(api_url: str, database_url: str, rate: float) -> dict[str, Any]:
    settings = Settings.from_env(
        {
            "BOT_TOKEN": FAKE_TOKEN,
            "TELEGRAM_API_URL": api_url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
        }
    )
    application = build_application(settings, load_library(default_content_dir()))
    assert application.job_queue is not None
    for job in application.job_queue.get_jobs_by_name("reminder-tick"):
        job.schedule_removal()
    async with application:
        # What run_polling does around the application: post_init opens the database.
        assert application.post_init is not None and application.post_shutdown is not None
        await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling()
        try:
            # The dispatcher's clock reads SIMULATED_DUE now: every member is due this instant.
            shift = SIMULATED_DUE - datetime.now(UTC)
            dispatcher = ReminderDispatcher(
                fanout_bot(FAKE_TOKEN, api_url),
                application.bot_data.sessionmaker,
                render,
                grace=timedelta(hours=settings.reminder_grace_hours),
                rate=rate * FANOUT_SHARE,
                clock=lambda: datetime.now(UTC) + shift,
            )
            started = time.time()
            with LagProbe() as probe:
                report = await dispatcher.tick()
        finally:
            await application.updater.stop()
            await application.stop()
            await application.post_shutdown(application)
    return {
        "due": (SIMULATED_DUE - shift).timestamp(),
        "started": started,
        "report": report,
        "lags": probe.lags,
        "longest_lag_at": probe.longest_at,
    }


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    models = [
        line.split(":", 1)[1].strip()
        for line in (cpuinfo.read_text().splitlines() if cpuinfo.exists() else [])
        if line.startswith("model name")
    ]
    model = models[0] if models else platform.machine()
    return f"{os.cpu_count()} CPUs, {model}, Python {platform.python_version()}"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summarise(run: dict[str, Any], stats: dict[str, Any], members: int, rate: float) -> None:
    arrivals = stats["arrivals"]
    times = [arrived for _, arrived in arrivals]
    per_chat = Counter(chat for chat, _ in arrivals)
    expected = set(range(FIRST_MEMBER_ID, FIRST_MEMBER_ID + members))
    lost = len(expected - set(per_chat))
    duplicated = sum(1 for count in per_chat.values() if count > 1)
    elapsed = max(times) - run["started"]
    ideal = members / rate
    lateness = [arrived - run["due"] for arrived in times]
    lags_ms = [lag * 1000 for lag in run["lags"]]
    help_ms = [latency * 1000 for latency in stats["help_latencies"]]
    lines = {
        "messages at the Bot API": len(arrivals),
        "elapsed (first claim to last arrival)": f"{elapsed:.1f} s (ideal {ideal:.1f} s)",
        "over the ideal": f"{(elapsed / ideal - 1) * 100:.1f} %",
        "achieved rate": f"{members / elapsed:.2f}/s = {members / elapsed / rate:.3f} of {rate:g}",
        "lateness p50 / p99 / max": (
            f"{_percentile(lateness, 0.5):.1f} / {_percentile(lateness, 0.99):.1f} / "
            f"{max(lateness):.1f} s"
        ),
        "429 answers provoked": stats["too_many_requests"],
        "429s at (s after the start)": [
            round(at - run["started"], 1) for at in stats["too_many_at"]
        ],
        "duplicates / losses (Bot API)": f"{duplicated} / {lost}",
        "reminder rows by status": run["statuses"],
        "event-loop lag p50 / p99 / max": (
            f"{statistics.median(lags_ms):.1f} / {_percentile(lags_ms, 0.99):.1f} / "
            f"{max(lags_ms):.1f} ms ({len(lags_ms)} samples; the longest "
            f"{run['longest_lag_at'] - run['started']:.1f} s after the start)"
        ),
        "member's /help answered in p50 / max": (
            f"{statistics.median(help_ms):.0f} / {max(help_ms):.0f} ms ({len(help_ms)} asked)"
            if help_ms
            else "not measured"
        ),
        "tick report": run["report"],
    }
    for name, value in lines.items():
        print(f"{name:40} {value}")


async def main(rate: float, members: int, database_url: str | None) -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'fanout.db'}"
        await prepare_database(url, members)
        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        server = context.Process(target=_serve, args=(rate, members, ready), daemon=True)
        server.start()
        try:
            api_url = ready.get(timeout=30)
            run = await fan_out(api_url, url, rate)
            async with httpx.AsyncClient() as client:
                answer = await client.get(f"{api_url}/bot{FAKE_TOKEN}/benchStats", timeout=60)
            stats = answer.json()["result"]
        finally:
            server.terminate()
        run["statuses"] = await reminder_statuses(url)
    summarise(run, stats, members, rate)
    print(json.dumps({"rate": rate, "members": members, "database": url.split(":")[0]}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=30, help="Bot API messages per second")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temp dir)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rate, arguments.members, arguments.database_url))
