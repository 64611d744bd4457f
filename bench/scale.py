"""Benchmark: 100,000 enrolled members, the tick design against one APScheduler job per member.

    /work/venv/bin/python -m bench.scale                       # SQLite (temp) and PostgreSQL
    /work/venv/bin/python -m bench.scale --members 20000 --no-postgres

Members are spread over 40 time zones, a third at 08:00 local and the rest every 15 minutes from
06:00 to 21:45; the peak instant is 08:00 in Central Europe, when 13 of the zones' third is due.

This design (a tick job claiming from `members.next_reminder_at`), on SQLite and PostgreSQL:
- one tick's claim at the peak: `claim_due` for one batch (the due query, row locks, the day's
  rows, moving members on), in a transaction rolled back so every repeat sees the same state;
- an idle tick (nothing due), which is what the 30-second tick costs almost all day;
- scheduler start-up and memory: the JobQueue with its two jobs, started.

The naive design (`JobQueue.run_daily` per member), in the same process:
- start-up: reading the members, adding 100,000 jobs and starting the scheduler;
- memory of the jobs (tracemalloc: Python allocations while adding and starting);
- a burst: `--burst` jobs due at the same second with PTB's defaults: how many actually ran, and
  how long the event loop was blocked while APScheduler dispatched them.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bench.fanout import EIGHT_OCLOCK_ZONES, OTHER_ZONES, SIMULATED_DUE, machine
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.models import Member
from bot.scheduling.jobs import schedule_jobs
from bot.services.reminders.claims import claim_due
from bot.timekeeping import next_reminder_at
from handlers.reminder_texts import render
from tests.botprocess import FAKE_TOKEN
from tests.databases import PostgresFactory, admin_url

PEAK = SIMULATED_DUE
BATCH = 58  # what the dispatcher claims at a time at 29 messages a second
REPEATS = 30


def member_rows(count: int) -> list[dict[str, Any]]:
    """Members whose next reminder was set just before the peak, as the previous tick left it."""
    rows = []
    for n in range(count):
        if n % 3 == 0:
            zone = EIGHT_OCLOCK_ZONES[n // 3 % len(EIGHT_OCLOCK_ZONES)]
            at = clock_time(8, 0)
        else:
            zone = OTHER_ZONES[n % len(OTHER_ZONES)]
            slot = n % 64  # 06:00 … 21:45
            at = clock_time(6 + slot // 4, 15 * (slot % 4))
        rows.append(
            {
                "telegram_user_id": 20_000_000 + n,
                "chat_id": 20_000_000 + n,
                "first_name": f"Member {n}",
                "status": "active",
                "draft": {},
                "equipment": [],
                "is_reachable": True,
                "timezone": zone,
                "reminder_time": at,
                "next_reminder_at": next_reminder_at(
                    at, ZoneInfo(zone), after=PEAK - timedelta(seconds=30)
                ),
            }
        )
    return rows


async def seed(engine: AsyncEngine, rows: list[dict[str, Any]]) -> None:
    await upgrade_to_head(engine)
    async with engine.begin() as connection:
        for start in range(0, len(rows), 2000):
            await connection.execute(insert(Member), rows[start : start + 2000])
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


async def timed(action: Callable[[], Awaitable[Any]], repeats: int = REPEATS) -> float:
    """Median seconds of `action` after one warm-up."""
    await action()
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        await action()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


async def measure_ticks(url: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    engine = create_engine(url)
    await seed(engine, rows)
    sessionmaker = create_sessionmaker(engine)
    due = sum(1 for row in rows if row["next_reminder_at"] <= PEAK)

    async def claim_at(now: datetime) -> int:
        async with sessionmaker() as session:
            claim = await claim_due(session, now, grace=timedelta(hours=3), limit=BATCH)
            await session.rollback()
        return len(claim.messages)

    async def due_query() -> None:
        async with sessionmaker() as session:
            await session.execute(
                select(Member.id)
                .where(Member.next_reminder_at <= PEAK)
                .order_by(Member.next_reminder_at)
                .limit(BATCH)
            )

    assert await claim_at(PEAK) == BATCH
    assert await claim_at(PEAK - timedelta(seconds=10)) == 0
    result = {
        "due at the peak": due,
        "peak claim (batch of 58)": await timed(lambda: claim_at(PEAK)),
        "idle tick (nothing due)": await timed(lambda: claim_at(PEAK - timedelta(seconds=10))),
        "bare due query (LIMIT 58)": await timed(due_query),
    }
    async with engine.connect() as connection:
        explain = "EXPLAIN" if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN"
        plan = await connection.execute(
            text(
                f"{explain} SELECT id FROM members WHERE next_reminder_at <= :now "
                "ORDER BY next_reminder_at LIMIT 58"
            ),
            {"now": PEAK if engine.dialect.name == "postgresql" else PEAK.isoformat(" ")},
        )
        result["plan"] = " | ".join(str(row[-1]) for row in plan)
    await engine.dispose()
    return result


def _application() -> Application[Any, Any, Any, Any, Any, Any]:
    return (
        ApplicationBuilder()
        .token(FAKE_TOKEN)
        .defaults(Defaults(tzinfo=UTC))
        .context_types(ContextTypes())
        .build()
    )


async def _do_nothing(context: Any) -> None:
    return None


async def start_up_and_memory(
    register: Callable[[Application[Any, Any, Any, Any, Any, Any]], Awaitable[None]],
) -> tuple[float, int]:
    """Seconds and bytes (Python allocations still held) to register the jobs and start."""
    application = _application()
    assert application.job_queue is not None
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    started = time.perf_counter()
    await register(application)
    await application.job_queue.start()
    elapsed = time.perf_counter() - started
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    held = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    await application.job_queue.stop(wait=False)
    return elapsed, held


class _MissedRuns(logging.Handler):
    """Counts APScheduler's "Run time of job … was missed" warnings instead of printing them."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += "was missed by" in record.getMessage()


async def naive_burst(count: int) -> tuple[int, int, float]:
    """`count` run_daily jobs due in the same second: how many ran, how many were skipped as
    missed, and the event loop's longest stall."""
    executor_log = logging.getLogger("apscheduler.executors.default")
    missed = _MissedRuns()
    executor_log.addHandler(missed)
    executor_log.propagate = False
    application = _application()
    job_queue = application.job_queue
    assert job_queue is not None
    ran = 0

    async def count_run(context: Any) -> None:
        nonlocal ran
        ran += 1

    await job_queue.start()
    due = datetime.now(UTC) + timedelta(seconds=3)
    for n in range(count):
        job_queue.run_daily(count_run, time=due.timetz(), name=f"reminder-{n}")
    loop = asyncio.get_running_loop()
    longest = 0.0
    deadline = loop.time() + max(10.0, (due - datetime.now(UTC)).total_seconds() + 8)
    while loop.time() < deadline:
        started = loop.time()
        await asyncio.sleep(0.01)
        longest = max(longest, loop.time() - started - 0.01)
    await job_queue.stop(wait=False)
    executor_log.removeHandler(missed)
    return ran, missed.count, longest


async def main(members: int, use_postgres: bool, burst: int) -> None:
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    print(machine(), datetime.now(UTC).date())
    rows = member_rows(members)
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await measure_ticks(f"sqlite+aiosqlite:///{Path(folder) / 'scale.db'}", rows)
    print("SQLite:", _ms(sqlite))
    postgres = None
    if use_postgres:
        factory = PostgresFactory(admin_url())
        try:
            postgres = await measure_ticks(await factory.fresh(), rows)
        finally:
            await factory.close()
        print("PostgreSQL:", _ms(postgres))

    async def ours(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        schedule_jobs(application, render)  # type: ignore[arg-type]
        # The tick is due at start; with no database here it is cancelled on stop: not news.
        logging.getLogger("apscheduler.executors.default").setLevel(logging.CRITICAL)

    async def naive(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        assert application.job_queue is not None
        for row in rows:  # as read from the database at start-up
            at = row["reminder_time"].replace(tzinfo=ZoneInfo(row["timezone"]))
            application.job_queue.run_daily(
                _do_nothing,
                time=at,
                name=f"reminder-{row['telegram_user_id']}",
                data=row["chat_id"],
            )

    our_time, our_bytes = await start_up_and_memory(ours)
    naive_time, naive_bytes = await start_up_and_memory(naive)
    print(f"ours:  start {our_time * 1000:.2f} ms, memory {our_bytes / 1024:.1f} KiB")
    print(
        f"naive: start {naive_time:.2f} s, memory {naive_bytes / 2**20:.1f} MiB "
        f"({naive_bytes / members / 1024:.2f} KiB per job)"
    )
    print(
        f"ratios naive/ours: start-up {naive_time / our_time:.0f}x, "
        f"memory {naive_bytes / our_bytes:.0f}x"
    )
    ran, skipped, stall = await naive_burst(burst)
    print(
        f"naive burst: of {burst} jobs due in the same second {ran} ran, {skipped} were skipped "
        f"as missed; the event loop stalled {stall * 1000:.0f} ms"
    )


def _ms(result: dict[str, Any]) -> dict[str, Any]:
    return {k: (f"{v * 1000:.2f} ms" if isinstance(v, float) else v) for k, v in result.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=15_000)
    parser.add_argument("--no-postgres", action="store_true")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.members, not arguments.no_postgres, arguments.burst))
