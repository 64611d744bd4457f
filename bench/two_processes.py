"""Benchmark: two `hipcoach run` processes on one PostgreSQL database, sharing one send budget.

    .venv/bin/python -m bench.two_processes                     # 200 members, 600 reminders
    .venv/bin/python -m bench.two_processes --members 50 --reminders 0 --answers 3

The fake Bot API answers every call after `--latency` (100 ms) and refuses messages beyond 30 in
any second with a 429, as Telegram does. Two real bot processes (polling: the leader polls, runs
the jobs and sends; the standby handles inbox rows) serve `--members` members who each answer
the start of onboarding (/start, consent, safety questions: real answers, written to the
database) as fast as the bot asks, while `--reminders` enrolled members' reminders are due at
once (the 08:00 fan-out). Every message the fake accepts is timed on arrival; reported:
the combined send rate per one-second window (and the busiest sliding second), duplicates, 429s,
replies/s, the member's reply latency (update arrival at the fake → reply accepted) and the
fan-out's rate. Production pacing: SEND_RATE 30, SEND_CHAT_INTERVAL 1.0.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select

from bench.fanout import machine
from bot.coaching.loader import default_content_dir, load_library
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import InboxUpdate, OutboxMessage, Reminder
from tests.botprocess import START_TIMEOUT, BotProcess
from tests.databases import PostgresFactory, admin_url
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.member_chat import MemberChat
from tests.reminder_data import add_member, fresh_programme, midday_zone

LEADS = "this process leads"


class SlowBotAPI(FakeBotAPI):
    """Every call answered after the round trip a real Bot API takes."""

    latency = 0.1

    async def _intercept(self, method: str, params: dict[str, Any]) -> web.Response | None:
        await asyncio.sleep(self.latency)
        return await super()._intercept(method, params)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def busiest_second(times: list[float]) -> int:
    """The most messages accepted within any one second (a sliding window)."""
    ordered, start, most = sorted(times), 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def start_standby(bot: BotProcess) -> None:
    log = bot.log_path.open("ab")
    bot._process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=bot.folder,
        env=bot.environment(),
        stdout=log,
        stderr=log,
    )
    log.close()
    deadline = time.monotonic() + START_TIMEOUT
    while "hipcoach started" not in bot.log_path.read_text(errors="replace"):
        assert time.monotonic() < deadline, "the standby did not start"
        await asyncio.sleep(0.05)


async def add_due_reminders(url: str, count: int) -> None:
    library = load_library(default_content_dir())
    engine = create_engine(url)
    now = datetime.now(UTC)
    zone = midday_zone(now)
    local = now.astimezone(ZoneInfo(zone))
    programme = fresh_programme(library, local.date())
    async with create_sessionmaker(engine).begin() as session:
        for n in range(count):
            await add_member(
                session,
                30_000_000 + n,
                zone=zone,
                at=(local - timedelta(minutes=30)).time().replace(second=0, microsecond=0),
                next_at=now - timedelta(minutes=30),
                programme=programme,
            )
    await engine.dispose()


async def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    found = {}
    async with create_sessionmaker(engine)() as session:
        for name, statement in {
            "updates handled": select(func.count())
            .select_from(InboxUpdate)
            .where(InboxUpdate.state == "handled"),
            "updates not handled": select(func.count())
            .select_from(InboxUpdate)
            .where(InboxUpdate.state != "handled"),
            "outbox sent": select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.state == "sent", OutboxMessage.method == "sendMessage"),
            "reminders sent": select(func.count())
            .select_from(Reminder)
            .where(Reminder.status == "sent"),
        }.items():
            found[name] = await session.scalar(statement) or 0
    await engine.dispose()
    return found


def answers(asked: int) -> list[tuple[str, str]]:
    """What a member types at the start of onboarding, and a piece of the question it brings."""
    steps = [("/start", "Is that OK?"), ("yes", "Safety check 1/")]
    steps += [("no", f"Safety check {n}/") for n in range(2, asked + 1)]
    return steps


async def run(members: int, reminders: int, asked: int, latency: float) -> dict[str, Any]:
    factory = PostgresFactory(admin_url())
    problem = await factory.reachable()
    if problem is not None:
        raise SystemExit(f"PostgreSQL at {admin_url()} is unreachable: {problem}")
    folder = Path(tempfile.mkdtemp(prefix="bench-two-"))
    api = SlowBotAPI("123456789:AAFakeTokenForTestsOnly_abcdefghijklmn")
    api.latency = latency
    api.messages_per_second = 30
    arrivals: dict[int, float] = {}
    accepted: list[tuple[float, SentMessage]] = []

    def arrived(message: SentMessage) -> None:
        now = time.monotonic()
        arrivals[id(message)] = now
        accepted.append((now, message))

    api.listeners.append(arrived)
    await api.start()
    bots: list[BotProcess] = []
    try:
        url = await factory.fresh()
        await add_due_reminders(url, reminders)
        for name in ("a", "b"):
            (folder / name).mkdir()
            bots.append(
                BotProcess(
                    api,
                    url,
                    folder / name,
                    extra_env={"TELEGRAM_API_URL": api.url_for(name), "SEND_CHAT_INTERVAL": "1.0"},
                )
            )
        began = time.monotonic()
        await bots[0].start()
        await start_standby(bots[1])
        assert LEADS in bots[0].log_path.read_text() and LEADS not in bots[1].log_path.read_text()
        latencies: list[float] = []
        steps = answers(asked)

        async def member(user_id: int) -> None:
            chat = MemberChat(api, user_id, f"M{user_id}")
            for text, expect in steps:
                since = api.cursor()
                sent_at = time.monotonic()
                await api.send_text(chat.user, text)
                reply = await api.wait_for_message(user_id, since=since, match=expect, timeout=300)
                latencies.append(arrivals[id(reply)] - sent_at)

        talking = time.monotonic()
        await asyncio.gather(*(member(40_000_000 + n) for n in range(members)))
        talked = time.monotonic()
        deadline = time.monotonic() + 300
        while sum(1 for _, m in accepted if m.chat_id >= 30_000_000 and m.chat_id < 40_000_000) < (
            reminders
        ):
            assert time.monotonic() < deadline, "the reminders never all arrived"
            await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)  # anything repeated late would arrive now
        database = await counts(url)
    finally:
        for bot in bots:
            with contextlib.suppress(Exception):
                await bot.stop()
        await api.close()
        await factory.close()
    times = [at for at, _ in accepted]
    windows = collections.Counter(int(at - began) for at in times)
    bodies = collections.Counter((m.chat_id, m.body) for _, m in accepted)
    replies = [m for _, m in accepted if m.chat_id >= 40_000_000]
    reminder_times = [at for at, m in accepted if 30_000_000 <= m.chat_id < 40_000_000]
    senders = collections.Counter(who for who, method in api.calls_by if method == "sendMessage")
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "machine": machine(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "members": members,
        "answers each": len(steps),
        "reminders": reminders,
        "latency ms": round(latency * 1000),
        "messages accepted": len(accepted),
        "max per 1 s window": max(windows.values()),
        "busiest sliding second": busiest_second(times),
        "429s": api.too_many_requests_sent,
        "duplicates (same text twice to a chat)": sum(n - 1 for n in bodies.values() if n > 1),
        "accepted minus recorded sends": len(accepted)
        - database["outbox sent"]
        - database["reminders sent"],
        "sendMessage calls by process": dict(senders),
        "polls by process": dict(collections.Counter(api.pollers)),
        "overlapping polls": api.overlapping_polls,
        "replies": len(replies),
        "replies/s (first answer to last reply)": round(len(replies) / (talked - talking), 1),
        "reply latency p50 ms": round(percentile(latencies, 0.5) * 1000),
        "reply latency p95 ms": round(percentile(latencies, 0.95) * 1000),
        "reply latency max ms": round(max(latencies) * 1000),
        "fan-out msgs/s": round(
            len(reminder_times) / max(1e-9, max(reminder_times) - min(reminder_times)), 1
        )
        if len(reminder_times) > 1
        else None,
        "overall msgs/s (first to last accepted)": round(
            len(times) / max(1e-9, max(times) - min(times)), 1
        ),
        **database,
        "per-second counts": [windows.get(second, 0) for second in range(max(windows) + 1)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--reminders", type=int, default=600)
    parser.add_argument("--answers", type=int, default=5, help="answers per member (2 to 6)")
    parser.add_argument("--latency", type=float, default=0.1, help="Bot API round trip, s")
    args = parser.parse_args()
    report = asyncio.run(run(args.members, args.reminders, max(1, args.answers - 1), args.latency))
    for key, value in report.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
