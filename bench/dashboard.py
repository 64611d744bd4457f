"""Benchmark: the coach `/dashboard` (table and chart) for a group of 500 members.

Target (issue 7): under 1 second of bot time for the table and the chart of a 500-member group,
with the group aggregated in a few SQL queries (not one per member) and the chart drawn off the
event loop.

    python -m bench.dashboard                      # SQLite in a temp dir
    python -m bench.dashboard --database-url postgresql+asyncpg://…/empty_db

The database must be empty (it is migrated and filled here): the measured group, a 50-member group
to compare with, and other groups' members around them. Per-operation costs are printed as median
and 95th percentile over `--runs` repetitions after one warm-up.
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

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.measure import loop_lag_while
from bot.charts.dashboard import dashboard_png
from bot.coaching import ActivityLevel, start_programme
from bot.coaching.content import Equipment, Library
from bot.coaching.loader import default_content_dir, load_library
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.models import CoachGroup, DecisionRow, Member, TrainingSession
from bot.services import alert_delivery, dashboard
from handlers import coach_texts

NOW = datetime(2026, 3, 12, 11, 0, tzinfo=UTC)
TODAY = date(2026, 3, 12)
NOON = datetime.combine(TODAY, clock(12), UTC)  # the members' own TODAY, wherever they live
HISTORY_DAYS = 120
DECISIONS_PER_SESSION = 5
KINDS = ("progress", "hold", "hold", "regress", "hold")


def stored_programme(library: Library, number: int) -> dict[str, Any]:
    """A programme JSON the size a member's grows to: full per-ladder history and session pains."""
    state = start_programme(
        library,
        baseline_pain=3,
        activity=ActivityLevel.SOME,
        equipment=frozenset(Equipment),
        today=TODAY - timedelta(days=HISTORY_DAYS),
    ).state.to_json()
    state["phase"] = 1 + number % 3
    state["history"] = {
        ladder_id: [
            {"prescription": prescription, "completed": True, "pain": (number + i) % 5}
            for i in range(10)
        ]
        for ladder_id, prescription in state["prescriptions"].items()
    }
    state["session_pains"] = [(number + i) % 6 for i in range(20)]
    return state


async def seed_group(
    sessionmaker: async_sessionmaker[AsyncSession],
    library: Library,
    chat_id: int,
    members: int,
    first_number: int,
) -> int:
    """A group of `members`, each with HISTORY_DAYS of sessions (some missed) and decisions."""
    async with sessionmaker.begin() as session:
        group_id = await session.scalar(
            insert(CoachGroup)
            .values(
                chat_id=chat_id,
                title=f"Group {chat_id}",
                invite_code=f"bench{-chat_id}",
                created_by_user_id=1,
                created_at=NOW,
                is_active=True,
            )
            .returning(CoachGroup.id)
        )
        for number in range(first_number, first_number + members):
            await _seed_member(session, library, group_id, number)
    return group_id


async def _seed_member(session: AsyncSession, library: Library, group_id: int, number: int) -> None:
    joined = NOW - timedelta(days=HISTORY_DAYS + 1)
    member_id = await session.scalar(
        insert(Member)
        .values(
            telegram_user_id=10_000_000 + number,
            chat_id=10_000_000 + number,
            first_name=f"Member {number % 400}",  # some names repeat, as in a real group
            created_at=joined,
            updated_at=joined,
            consent_at=joined,
            status=("active", "active", "active", "paused_pain", "paused_by_member")[number % 5],
            programme=stored_programme(library, number),
            baseline_pain=3,
            activity_level="some",
            equipment=["band"],
            draft={},
            onboarded_at=joined,
            timezone="Europe/Berlin",
            reminder_time=clock(7, 30),
            is_reachable=number % 17 != 0,
            coach_group_id=group_id,
            coach_consent_at=joined,
        )
        .returning(Member.id)
    )
    # Every member misses some days; every 7th stopped training 5 days ago.
    last_day = HISTORY_DAYS - (5 if number % 7 == 0 else 0)
    sessions = [
        {
            "member_id": member_id,
            "local_date": TODAY - timedelta(days=HISTORY_DAYS - day),
            "status": "completed",
            "plan": [],
            "position": 5,
            "step": "done",
            "max_pain": (day * 7 + number) % 8,
            "started_at": NOW - timedelta(days=HISTORY_DAYS - day),
            "finished_at": NOW - timedelta(days=HISTORY_DAYS - day),
        }
        for day in range(last_day + 1)
        if (day + number) % 6 != 0
    ]
    ids = (
        await session.scalars(insert(TrainingSession).returning(TrainingSession.id), sessions)
    ).all()
    decisions = [
        {
            "member_id": member_id,
            "session_id": session_id,
            "created_at": row["finished_at"],
            "local_date": row["local_date"],
            "kind": KINDS[(position + row["max_pain"]) % 5],
            "ladder_id": "clamshell",
            "from_variation": "clamshell",
            "to_variation": "clamshell",
            "reason": "You did all the reps with pain at 2/10 or less, so next time 14.",
        }
        for session_id, row in zip(ids, sessions, strict=True)
        for position in range(DECISIONS_PER_SESSION)
    ]
    await session.execute(insert(DecisionRow), decisions)


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


def count_statements(engine: AsyncEngine) -> list[str]:
    """Every SQL statement the engine runs from now on, to show the dashboard's query count."""
    statements: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    return statements


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temp dir)")
    parser.add_argument("--members", type=int, default=500, help="members of the measured group")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    library = load_library(default_content_dir())

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        engine = create_engine(url)
        await upgrade_to_head(engine)
        sessionmaker = create_sessionmaker(engine)
        started = time.perf_counter()
        big = await seed_group(sessionmaker, library, -1001, args.members, 1)
        small = await seed_group(sessionmaker, library, -1002, 50, 100_000)
        await seed_group(sessionmaker, library, -1003, args.members, 200_000)
        print(f"seeded in {time.perf_counter() - started:.1f} s")
        if engine.dialect.name == "postgresql":
            # Fresh planner statistics, as autovacuum keeps them on a live server.
            async with engine.connect() as connection:
                await connection.execute(text("ANALYZE"))
                await connection.commit()
        async with sessionmaker() as session:
            members = await session.scalar(select(func.count()).select_from(Member))
            sessions = await session.scalar(select(func.count()).select_from(TrainingSession))
            decisions = await session.scalar(select(func.count()).select_from(DecisionRow))
        print(
            f"{engine.dialect.name}: {members} members, {sessions} sessions, {decisions} "
            f"decisions; python {platform.python_version()}, {platform.machine()}"
        )
        await report(args.runs, sessionmaker, engine, library, big, small)
        await engine.dispose()


async def report(
    runs: int,
    sessionmaker: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    library: Library,
    big: int,
    small: int,
) -> None:
    async def rows_of(group_id: int) -> list[dashboard.MemberRow]:
        async with sessionmaker() as session:
            return await dashboard.dashboard_rows(session, group_id, library, NOON)

    rows = await rows_of(big)
    first_page = dashboard.page_of(rows, 0)
    async with sessionmaker() as session:
        chart = await dashboard.chart_data(session, first_page, TODAY)

    async def chart_query() -> None:
        async with sessionmaker() as session:
            await dashboard.chart_data(session, first_page, TODAY)

    async def table_text() -> None:
        coach_texts.dashboard_page("Group", rows, first_page, 0, dashboard.page_count(rows), NOW)

    async def whole_dashboard() -> None:
        """What `/dashboard` costs the bot: queries, the table text, the chart in a thread."""
        async with sessionmaker() as session:
            found = await dashboard.dashboard_rows(session, big, library, NOON)
            page = dashboard.page_of(found, 0)
            data = await dashboard.chart_data(session, page, TODAY)
        coach_texts.dashboard_page("Group", found, page, 0, dashboard.page_count(found), NOW)
        await asyncio.to_thread(dashboard_png, data, library.rules.pain_zones)

    async def csv_export() -> None:
        coach_texts.dashboard_csv(rows)

    async def missed_days() -> None:
        async with sessionmaker() as session:  # rolled back: measured again on the same data
            await alert_delivery.detect_missed_days(session, NOW)

    zones = library.rules.pain_zones
    statements = count_statements(engine)
    await whole_dashboard()
    queries = len(statements)
    measurements = [
        (f"dashboard_rows, {len(rows)}-member group", lambda: rows_of(big)),
        ("dashboard_rows, 50-member group", lambda: rows_of(small)),
        ("chart_data, first page (15 members)", chart_query),
        ("table text, first page", table_text),
        ("chart PNG, first page", lambda: asyncio.to_thread(dashboard_png, chart, zones)),
        (f"whole /dashboard, {len(rows)} members", whole_dashboard),
        (f"CSV of {len(rows)} rows", csv_export),
        ("missed-days detection, all groups", missed_days),
    ]
    results = {}
    for name, operation in measurements:
        results[name] = await timed(runs, operation)
        median, p95 = results[name]
        print(f"{name:<42} median {median:7.1f} ms   p95 {p95:7.1f} ms")
    big_rows = results[f"dashboard_rows, {len(rows)}-member group"][0]
    small_rows = results["dashboard_rows, 50-member group"][0]
    print(f"SQL statements per /dashboard: {queries}")
    print(f"dashboard_rows 500 vs 50 members: x{big_rows / small_rows:.1f}")
    stall = await loop_lag_while(whole_dashboard())
    print(f"longest event-loop stall during /dashboard: {stall:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
