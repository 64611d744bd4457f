"""Benchmark: the `/progress` chart for a member with a year of daily sessions.

Target (issue 8): under 300 ms of bot time from the query to the PNG, not growing with history,
and the event loop kept free while the chart is drawn.

    python -m bench.progress_chart                      # SQLite in a temp dir
    python -m bench.progress_chart --database-url postgresql+asyncpg://…/empty_db

The database must be empty (it is migrated and filled here). Per-operation costs are printed as
median and 95th percentile over `--runs` repetitions after one warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.measure import loop_lag_while
from bot.charts.progress import render_progress_chart
from bot.coaching.loader import default_content_dir, load_library
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.models import DecisionRow, ExerciseResultRow, Member, TrainingSession
from bot.services.progress import load_progress

NOW = datetime(2026, 3, 12, 11, 0, tzinfo=UTC)
TODAY = date(2026, 3, 12)
ZONE = "Europe/Berlin"
EXERCISES = (
    ("clamshell", "clamshell", 12, None, True),
    ("side_lying_abduction", "side_lying_leg_raise", 10, None, True),
    ("bridge", "glute_bridge", 10, None, False),
    ("bird_dog", "bird_dog", 8, None, True),
    ("hamstring_stretch", "seated_hamstring_stretch", None, 30, True),
)
YEAR_MEMBER = 1
EIGHT_WEEK_MEMBER = 2


async def seed(sessionmaker: async_sessionmaker[AsyncSession], members: int, days: int) -> None:
    """`members` members with `days` of sessions each; member 2 has only the last 8 weeks."""
    async with sessionmaker.begin() as session:
        for number in range(1, members + 1):
            history_days = 56 if number == EIGHT_WEEK_MEMBER else days
            await _seed_member(session, number, history_days)


async def _seed_member(session: AsyncSession, number: int, days: int) -> None:
    started = TODAY - timedelta(days=days)
    member_id = await session.scalar(
        insert(Member)
        .values(
            telegram_user_id=10_000_000 + number,
            chat_id=10_000_000 + number,
            first_name=f"Member {number}",
            consent_at=NOW - timedelta(days=days + 1),
            status="active",
            programme={"version": 1, "phase": 2},
            baseline_pain=4,
            equipment=["band"],
            onboarded_at=NOW - timedelta(days=days + 1),
            timezone=ZONE,
            reminder_time=clock(7, 30),
        )
        .returning(Member.id)
    )
    sessions = [
        {
            "member_id": member_id,
            "local_date": started + timedelta(days=day),
            "status": "finished",
            "plan": [],
            "position": 5,
            "step": "done",
            "max_pain": (day * 7) % 6,
            "started_at": NOW - timedelta(days=days - day),
            "finished_at": NOW - timedelta(days=days - day),
        }
        for day in range(days + 1)
        # Member 1 never misses a day (a year-long streak, the slowest to count); others do.
        if number == YEAR_MEMBER or day % 9 != 4
    ]
    ids = (
        await session.scalars(insert(TrainingSession).returning(TrainingSession.id), sessions)
    ).all()
    results, decisions = [], []
    for session_id, row in zip(ids, sessions, strict=True):
        for position, (ladder, variation, reps, hold, per_side) in enumerate(EXERCISES):
            results.append(_result(session_id, position, ladder, variation, reps, hold, per_side))
            kind = ("progress", "hold", "hold", "regress", "hold")[(position + row["max_pain"]) % 5]
            decisions.append(
                {
                    "member_id": member_id,
                    "session_id": session_id,
                    "created_at": row["finished_at"],
                    "local_date": row["local_date"],
                    "kind": kind,
                    "ladder_id": ladder,
                    "from_variation": variation,
                    "to_variation": variation,
                    "reason": "You did all the reps with pain at 2/10 or less, so next time 14.",
                }
            )
    await session.execute(insert(ExerciseResultRow), results)
    await session.execute(insert(DecisionRow), decisions)


def _result(
    session_id: int,
    position: int,
    ladder: str,
    variation: str,
    reps: int | None,
    hold: int | None,
    per_side: bool,
) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "position": position,
        "ladder_id": ladder,
        "variation_id": variation,
        "prescribed_sets": 3,
        "prescribed_reps": reps,
        "prescribed_hold_seconds": hold,
        "per_side": per_side,
        "reps_done": reps,
        "hold_completed": None if hold is None else True,
        "pain": position % 4,
        "skipped": False,
        "recorded_at": NOW,
    }


async def timed(runs: int, operation: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds, after one warm-up run."""
    await operation()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await operation()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temp dir)")
    parser.add_argument("--members", type=int, default=100, help="members with a year each")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        engine = create_engine(url)
        await upgrade_to_head(engine)
        sessionmaker = create_sessionmaker(engine)
        started = time.perf_counter()
        await seed(sessionmaker, args.members, args.days)
        seconds = time.perf_counter() - started
        print(f"seeded {args.members} members x {args.days} days in {seconds:.1f} s")
        async with sessionmaker() as session:
            rows = await session.scalar(select(func.count()).select_from(ExerciseResultRow))
        print(f"{engine.dialect.name}, {rows} exercise results; python {platform.python_version()}")

        zones = load_library(default_content_dir()).rules.pain_zones

        async def query(telegram_user_id: int) -> Any:
            async with sessionmaker.begin() as session:
                return await load_progress(session, telegram_user_id, NOW, "UTC")

        year_report = await query(10_000_000 + YEAR_MEMBER)
        print(f"year member: streak {year_report.streak}, {len(year_report.points)} points shown")

        async def render() -> bytes:
            return render_progress_chart(year_report, zones)

        async def whole(telegram_user_id: int) -> bytes:
            report = await query(telegram_user_id)
            return await asyncio.to_thread(render_progress_chart, report, zones)

        cold = time.perf_counter()
        render_progress_chart(year_report, zones)
        print(f"{'first render in the process':44} {(time.perf_counter() - cold) * 1000:7.1f} ms")
        measurements = {
            "load_progress, 8 weeks of history": lambda: query(10_000_000 + EIGHT_WEEK_MEMBER),
            "load_progress, a year of history": lambda: query(10_000_000 + YEAR_MEMBER),
            "render_progress_chart (PNG)": render,
            "/progress total: query + render in thread": lambda: whole(10_000_000 + YEAR_MEMBER),
        }
        print(f"{'operation':44} {'median':>9} {'p95':>9}")
        for name, operation in measurements.items():
            median, p95 = await timed(args.runs, operation)
            print(f"{name:44} {median:7.1f} ms {p95:7.1f} ms")
        lag = await loop_lag_while(whole(10_000_000 + YEAR_MEMBER))
        print(f"{'longest event-loop stall during /progress':44} {lag:7.1f} ms")
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
