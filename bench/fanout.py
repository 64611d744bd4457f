"""Benchmark: 10,000 reminders due at once, sent by the real application to a rate-limited Bot API.

    /work/venv/bin/python -m bench.fanout --rate 300               # ~35 s
    /work/venv/bin/python -m bench.fanout --rate 30                # ~6 minutes
    /work/venv/bin/python -m bench.fanout --rate 300 --database-url postgresql+asyncpg://…/empty_db

The fake Bot API (tests/fakebotapi.py) runs in its own process and answers 429 to any message
beyond `--rate` in a sliding second, as Telegram would. The bot side is the application as
`hipcoach run` starts it (`bot.app.start`: the update pipeline and its one budget, the database),
polling that server; its reminder tick job is replaced by one direct `tick()` of a dispatcher
built as `bot/scheduling/jobs.py` builds it, on the budget's pacer, so the run starts on cue.
Members are spread over 40 time zones; a third of them have 08:00 local, in the zones where the
simulated instant is 08:00, and everyone else has the local time of that instant in their zone,
so all are due together, the worst case (a busy hour, or catching up after downtime).

While the fan-out runs, a member sends /help every 2 s (how long until the bot answers them;
`bench/fanout_with_members.py` has 200 of them), and a probe measures event-loop lag (how late a
10 ms sleep wakes). Printed: achieved rate as a fraction of the limit, lateness (arrival at the
Bot API minus due time), 429s provoked, duplicates and losses (by chat at the Bot API, and by
status in the database).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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

from bot import app
from bot.app import build_application
from bot.coaching.loader import default_content_dir, load_library
from bot.config import Settings
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.models import Member, Reminder
from bot.scheduling.dispatcher import ReminderDispatcher, fanout_bot
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
# After the fan-out, how long the members' answers in flight may take before the bot stops.
DRAIN_SECONDS = 10.0


# ---- the Bot API, in its own process -----------------------------------------------------------


class BenchBotAPI(FakeBotAPI):
    """The fake Bot API, noting when each message arrived, with members writing to the bot.

    Each of `members` members (chats from HELP_USER_ID on) sends /help every `every` seconds
    once the first reminder has arrived, their first messages spread evenly over one interval,
    and waits for the answer as a person would: a member whose last /help is still unanswered
    when their next turn comes skips it (counted). A reply's latency runs from the member's
    update being queued here to the bot's message arriving here.
    """

    def __init__(self, token: str, members: int = 1, every: float = HELP_EVERY_SECONDS) -> None:
        super().__init__(token)
        self.members = [self.user(HELP_USER_ID + n, f"Helen {n}") for n in range(members)]
        self.every = every
        self.arrivals: list[tuple[int, float]] = []
        self.replies: list[tuple[int, float, float]] = []  # chat, arrival, latency
        self.sent_at: list[float] = []  # every message accepted, reminders and replies
        self.too_many_at: list[float] = []
        self.asked = 0
        self.skipped = 0
        self._pushed_at: dict[int, float] = {}
        self._fanout_started = asyncio.Event()
        self._fanout_done = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        arrived = time.time()
        self.sent_at.append(arrived)
        pushed = self._pushed_at.pop(chat_id, None)
        if pushed is not None:
            self.replies.append((chat_id, arrived, arrived - pushed))
        elif chat_id >= FIRST_MEMBER_ID:
            self.arrivals.append((chat_id, arrived))
            self._fanout_started.set()
        return await super()._api_sendMessage(params)

    def _over_rate_limit(self) -> bool:
        over = super()._over_rate_limit()
        if over:
            self.too_many_at.append(time.time())
        return over

    async def _api_benchStats(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "polling": self.polling.is_set(),
            "arrivals": self.arrivals,
            "replies": self.replies,
            "sent_at": self.sent_at,
            "asked": self.asked,
            "skipped": self.skipped,
            "unanswered": len(self._pushed_at),
            "too_many_requests": self.too_many_requests_sent,
            "too_many_at": self.too_many_at,
        }

    async def _api_benchPolling(self, params: dict[str, Any]) -> dict[str, Any]:
        """Returns once the bot polls (its leader is up: it polls, sends and runs the jobs)."""
        await self.polling.wait()
        return {}

    async def _api_benchDone(self, params: dict[str, Any]) -> dict[str, Any]:
        """The fan-out is over: the members stop writing; returns once those waiting have their
        answer (or after DRAIN_SECONDS)."""
        self._fanout_done.set()
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: not self._pushed_at), DRAIN_SECONDS
                )
        return {"waiting": len(self._pushed_at)}

    def start_members(self) -> None:
        for n, member in enumerate(self.members):
            offset = self.every * n / len(self.members)
            self._tasks.append(asyncio.create_task(self._write(member, offset)))

    async def _write(self, member: dict[str, Any], offset: float) -> None:
        await self._fanout_started.wait()
        loop = asyncio.get_running_loop()
        turn = loop.time() + offset
        while True:
            # Turns on a fixed schedule, so a slow answer does not slow the member's pace.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._fanout_done.wait(), max(0.0, turn - loop.time()))
            if self._fanout_done.is_set():
                return
            turn += self.every
            if member["id"] in self._pushed_at:
                self.skipped += 1
                continue
            self.asked += 1
            self._pushed_at[member["id"]] = time.time()
            await self.send_text(member, "/help")

    async def _record(self, message: Any) -> dict[str, Any]:
        # Keep memory flat: 10,000 reminders' keyboards and request logs are not needed here.
        self.outbox.clear()
        self.messages.clear()
        self.calls.clear()
        return await super()._record(message)


def _serve(rate: float, members: int, every: float, ready: Any) -> None:
    # Telegram does not stop to collect garbage. A ~100 ms pause here made the requests queued
    # meanwhile arrive together, and the per-second counter then saw a burst the bot never sent
    # (measured: one 429 right after each such pause). Memory stays bounded: see `_record`.
    gc.disable()

    async def main() -> None:
        api = BenchBotAPI(FAKE_TOKEN, members, every)
        api.messages_per_second = rate
        ready.put(await api.start())
        api.start_members()
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
    """The application as `hipcoach run` starts it (pipeline, one budget), plus one tick."""
    settings = Settings.from_env(
        {
            "BOT_TOKEN": FAKE_TOKEN,
            "TELEGRAM_API_URL": api_url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            "SEND_RATE": str(rate),
        }
    )
    application = build_application(settings, load_library(default_content_dir()))
    assert application.job_queue is not None
    # The tick is run on cue below. Retention (a minute after start-up) would delete the
    # reminder rows of the simulated day, months ago by the real clock, before they are counted.
    for name in ("reminder-tick", "retention"):
        for job in application.job_queue.get_jobs_by_name(name):
            job.schedule_removal()
    root = f"{api_url}/bot{FAKE_TOKEN}"
    async with httpx.AsyncClient(timeout=60) as client:

        async def stats() -> dict[str, Any]:
            return (await client.get(f"{root}/benchStats")).json()["result"]

        pipeline = None
        try:
            pipeline = await app.start(application)
            await client.get(f"{root}/benchPolling")  # the leader polls, sends and runs jobs
            # The dispatcher's clock reads SIMULATED_DUE now: every member is due this instant.
            shift = SIMULATED_DUE - datetime.now(UTC)
            # As `bot/scheduling/jobs.py` builds it: its turns come from the one budget's pacer,
            # as background sends, so the members' replies (the outbox) go first.
            dispatcher = ReminderDispatcher(
                fanout_bot(FAKE_TOKEN, api_url),
                application.bot_data.sessionmaker,
                render,
                grace=timedelta(hours=settings.reminder_grace_hours),
                pacer=application.bot_data.budget.pacer,
                clock=lambda: datetime.now(UTC) + shift,
                keep_going=lambda: application.running,
            )
            started = time.time()
            with LagProbe() as probe:
                report = await dispatcher.tick()
            finished = time.time()
            await client.get(f"{root}/benchDone")  # returns once the members are answered
        finally:
            await app.stop(application, pipeline)
        final = await stats()
    return {
        "due": (SIMULATED_DUE - shift).timestamp(),
        "started": started,
        "finished": finished,
        "report": report,
        "lags": probe.lags,
        "longest_lag_at": probe.longest_at,
        "stats": final,
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


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def duplicates_and_losses(arrivals: list[tuple[int, float]], reminders: int) -> tuple[int, int]:
    """Chats that got more than one reminder, and chats that got none."""
    per_chat = Counter(chat for chat, _ in arrivals)
    expected = set(range(FIRST_MEMBER_ID, FIRST_MEMBER_ID + reminders))
    return sum(1 for count in per_chat.values() if count > 1), len(expected - set(per_chat))


def summarise(run: dict[str, Any], members: int, rate: float) -> None:
    stats = run["stats"]
    arrivals = stats["arrivals"]
    times = [arrived for _, arrived in arrivals]
    duplicated, lost = duplicates_and_losses(arrivals, members)
    elapsed = max(times) - run["started"]
    ideal = members / rate
    lateness = [arrived - run["due"] for arrived in times]
    lags_ms = [lag * 1000 for lag in run["lags"]]
    help_ms = [latency * 1000 for *_, latency in stats["replies"]]
    lines = {
        "messages at the Bot API": len(arrivals),
        "elapsed (first claim to last arrival)": f"{elapsed:.1f} s (ideal {ideal:.1f} s)",
        "over the ideal": f"{(elapsed / ideal - 1) * 100:.1f} %",
        "achieved rate": f"{members / elapsed:.2f}/s = {members / elapsed / rate:.3f} of {rate:g}",
        "lateness p50 / p99 / max": (
            f"{percentile(lateness, 0.5):.1f} / {percentile(lateness, 0.99):.1f} / "
            f"{max(lateness):.1f} s"
        ),
        "429 answers provoked": stats["too_many_requests"],
        "429s at (s after the start)": [
            round(at - run["started"], 1) for at in stats["too_many_at"]
        ],
        "duplicates / losses (Bot API)": f"{duplicated} / {lost}",
        "reminder rows by status": run["statuses"],
        "event-loop lag p50 / p99 / max": (
            f"{statistics.median(lags_ms):.1f} / {percentile(lags_ms, 0.99):.1f} / "
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


async def run_bench(
    rate: float,
    reminders: int,
    database_url: str | None,
    members: int = 1,
    every: float = HELP_EVERY_SECONDS,
) -> dict[str, Any]:
    """Seed `reminders` due members, start the Bot API (with `members` writing every `every`
    seconds) in its own process, fan out; what happened, as the Bot API and the database saw it."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'fanout.db'}"
        await prepare_database(url, reminders)
        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        server = context.Process(target=_serve, args=(rate, members, every, ready), daemon=True)
        server.start()
        try:
            run = await fan_out(ready.get(timeout=30), url, rate)
        finally:
            server.terminate()
        run["statuses"] = await reminder_statuses(url)
    run["database"] = url.split(":")[0]
    return run


async def main(rate: float, members: int, database_url: str | None) -> None:
    print(machine())
    run = await run_bench(rate, members, database_url)
    summarise(run, members, rate)
    print(json.dumps({"rate": rate, "members": members, "database": run["database"]}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=30, help="Bot API messages per second")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temp dir)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rate, arguments.members, arguments.database_url))
