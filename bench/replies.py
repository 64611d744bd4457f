"""Benchmark: replies under load, end to end, measured only at the Bot API (issue 14).

    python -m bench.replies                                   # SQLite in a temp dir, 100 ms
    python -m bench.replies --latency-ms 0                    # the CPU ceiling
    python -m bench.replies --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/<empty db>
    python -m bench.replies --members 200 --answers 2         # shorter, for slow (serial) code

The bot is the real process (`python -m bot run`, started as `tests/botprocess.py` starts it for
the end-to-end tests), polling the fake Bot API (`tests/fakebotapi.py`), which runs in its own
process with a latency added to every Bot API call (`--latency-ms`, a round trip to Telegram)
and answers 429 to any message beyond `--rate` (30; 0: no limit) in a sliding second, as Telegram
would.

Before the bot starts, every member is enrolled through the real services (onboarding answered
as `bot/playground/seed.py` answers it: equipment "chair", zone UTC, reminders 12 hours away so
none fall due during the run) and today's session is opened for them with all five of their
prescribed exercises (the planner's 20-minute budget fits three; five give ten answers).

The members live in the fake Bot API's process. At the start each types `/today` (the bot shows
where they left off and the first exercise's question), then answers each question the moment it
arrives, by typing (`--input text`: "all", "yes", pain "2") or by tapping the question's buttons
(`--input buttons`: "All N", "Yes", "2"): one answer in flight per member, `--answers` of them.
A reply is complete when the bot's message holding the next question (or the session summary)
is accepted by the Bot API; the latency of a reply runs from the member's update arriving at the
Bot API to then. Its order is kept when each question is the one due next: the pain question of
the exercise just answered, then the next exercise's question, and nothing the member did not
ask for in between.

The bot's CPU time is read from /proc/<pid>/stat at the start and the end of the load.
Exit status: non-zero only when the harness itself fails (the bot does not start, and so on).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import platform
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bot.coaching.loader import default_content_dir, load_library
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.models import Member, TrainingSession
from bot.services import conversation, onboarding, sessions
from bot.services.members import Flow, Person
from bot.services.questions import (
    AskActivity,
    AskBaselinePain,
    AskConsent,
    AskEquipment,
    AskReminderTime,
    AskScreenItem,
    AskTimezone,
    ConfirmTimezone,
)
from handlers.answers import read
from tests.botprocess import FAKE_TOKEN, BotProcess
from tests.fakebotapi import FakeBotAPI, SentMessage

FIRST_MEMBER_ID = 20_000_000
OPENING = "/today"
# How the bot's messages read (handlers/session_texts.py); the harness waits for these.
CARD = re.compile(r"^Exercise (\d+) of (\d+): (.+)")
REPS = ": how many reps did you do"
HOLD = ": did you manage the full holds?"
PAIN = ": pain in your back or leg, right now"
SUMMARY = "Exercises done:"
# What the members answer, typed or as the button's label ("All 8", "Yes", "2").
TYPED = {"reps": "all", "hold": "yes", "pain": "2"}
BUTTON = {"reps": "All", "hold": "Yes", "pain": "2"}
# Give up when no reply has arrived for this long (the harness reports what is missing).
STALL_SECONDS = 60.0


# ---- the members, in the Bot API's process --------------------------------------------------


@dataclass
class MemberState:
    user: dict[str, Any]
    answered: int = 0  # answers sent after the opening /today
    waiting_since: float | None = None  # when the update in flight arrived at the Bot API
    exercise: tuple[int, int, str] | None = None  # the latest card: number, total, name
    expect: str = "exercise 1"
    latencies: list[float] = field(default_factory=list)
    out_of_order: list[str] = field(default_factory=list)
    unsolicited: int = 0
    done: bool = False


def _question(body: str) -> str | None:
    if SUMMARY in body:
        return "summary"
    for kind, needle in (("reps", REPS), ("hold", HOLD), ("pain", PAIN)):
        if needle in body:
            return kind
    return None


class RepliesBotAPI(FakeBotAPI):
    """The fake Bot API with the members inside it, answering as soon as the bot asks."""

    def __init__(self, token: str, members: int, answers: int, mode: str) -> None:
        super().__init__(token)
        self.answers = answers
        self.mode = mode
        self.members = {
            FIRST_MEMBER_ID + n: MemberState(self.user(FIRST_MEMBER_ID + n, f"Member {n}"))
            for n in range(members)
        }
        self.started = 0.0
        self.last_reply = 0.0
        self.replies = 0
        self.sends_during_run = 0
        self.finished = asyncio.Event()
        self.listeners.append(self._heard)
        self._tasks: set[asyncio.Task[None]] = set()

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.started:
            self.sends_during_run += 1
        return await super()._api_sendMessage(params)

    def _heard(self, message: SentMessage) -> None:
        member = self.members.get(message.chat_id)
        if member is None or message.method != "sendMessage":
            return  # edits show a tapped answer; the reply is the next message
        if member.waiting_since is None:
            member.unsolicited += 1
            return
        if card := CARD.match(message.body):
            member.exercise = (int(card[1]), int(card[2]), card[3])
            return
        kind = _question(message.body)
        if kind is None:
            return  # "Welcome back! …" before the question: part of the same reply
        now = time.time()
        member.latencies.append(now - member.waiting_since)
        member.waiting_since = None
        self.replies += 1
        self.last_reply = now
        self._check_order(member, kind, message.body)
        if kind == "summary" or member.answered >= self.answers:
            member.done = True
            if all(m.done for m in self.members.values()):
                self.finished.set()
            return
        task = asyncio.get_running_loop().create_task(self._answer(member, kind, message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _check_order(self, member: MemberState, kind: str, body: str) -> None:
        """The question due next: pain after an exercise's answer, then the next exercise."""
        number, total, name = member.exercise or (0, 0, "")
        expected = member.expect
        if member.expect == "pain":
            good = kind == "pain" and body.startswith(name + ":")
            member.expect = f"exercise {number + 1}"
        else:
            due = int(member.expect.split()[1])
            if due > total > 0:
                good = kind == "summary"
            else:
                good = kind in ("reps", "hold") and number == due and body.startswith(name + ":")
            member.expect = "pain"
        if not good:
            member.out_of_order.append(f"expected {expected}, got {body[:60]!r}")

    async def _answer(self, member: MemberState, kind: str, question: SentMessage) -> None:
        member.answered += 1
        member.waiting_since = time.time()
        if self.mode == "buttons":
            label = BUTTON[kind]
            button = next(b for b in question.buttons() if b["text"].startswith(label))
            await self.press(member.user, question, data=button["callback_data"])
        else:
            await self.send_text(member.user, TYPED[kind])

    async def _api_benchGo(self, params: dict[str, Any]) -> dict[str, Any]:
        self.started = time.time()
        for member in self.members.values():
            member.waiting_since = time.time()
            await self.send_text(member.user, OPENING)
        return {"started": self.started}

    async def _api_benchStats(self, params: dict[str, Any]) -> dict[str, Any]:
        cpu = os.times()
        return {
            "polling": self.polling.is_set(),
            "finished": self.finished.is_set(),
            "started": self.started,
            "last_reply": self.last_reply,
            "replies": self.replies,
            "sends": self.sends_during_run,
            "too_many_requests": self.too_many_requests_sent,
            "server_cpu": cpu.user + cpu.system,
            "members": [
                {
                    "latencies": m.latencies,
                    "out_of_order": m.out_of_order[:3],
                    "unsolicited": m.unsolicited,
                    "answered": m.answered,
                }
                for m in self.members.values()
            ],
        }

    async def _record(self, message: SentMessage) -> dict[str, Any]:
        self.calls.clear()  # the request log is not needed here; keep memory flat
        return await super()._record(message)


def _serve(options: dict[str, Any], ready: Any) -> None:
    gc.disable()  # as in bench/fanout.py: a collection pause would bunch sends into a fake burst

    async def main() -> None:
        api = RepliesBotAPI(FAKE_TOKEN, options["members"], options["answers"], options["input"])
        api.messages_per_second = options["rate"] or None
        api.latency = options["latency_ms"] / 1000
        ready.put(await api.start())
        await asyncio.Event().wait()

    asyncio.run(main())


# ---- the database ------------------------------------------------------------------------


def _onboarding_answer(question: object, reminder_at: str) -> str | None:
    answers: dict[type, str] = {
        AskConsent: "yes",
        AskScreenItem: "no",
        AskBaselinePain: "3",
        AskActivity: "2",
        AskEquipment: "chair",
        AskReminderTime: reminder_at,
        AskTimezone: "UTC",
        ConfirmTimezone: "yes",
    }
    return answers.get(type(question))


async def _enrol(maker: Any, flow: Flow, user_id: int, reminder_at: str) -> int:
    """Onboard through the services, open today's session with all prescribed exercises."""
    now = datetime.now(UTC)
    async with maker.begin() as session:
        replies = await onboarding.start(session, flow, Person(user_id, user_id, "M"), None, now)
    for _ in range(60):
        typed = _onboarding_answer(replies[-1], reminder_at) if replies else None
        if typed is None:
            break
        async with maker.begin() as session:
            replies = await conversation.answer_typed(session, flow, user_id, read(typed, now), now)
    async with maker.begin() as session:
        await sessions.open_today(session, flow, user_id, now)
        member = await session.scalar(select(Member).where(Member.telegram_user_id == user_id))
        assert member is not None and member.programme is not None, "member not enrolled"
        training = await session.scalar(
            select(TrainingSession).where(TrainingSession.member_id == member.id)
        )
        assert training is not None, "today's session was not opened"
        planned = list(training.plan)
        ladders = {entry["ladder_id"] for entry in planned}
        extra = [
            prescription
            for ladder, prescription in member.programme["prescriptions"].items()
            if ladder not in ladders
        ]
        training.plan = planned + extra
        return len(training.plan)


async def prepare_database(url: str, members: int) -> int:
    """Migrate and enrol the members; returns the number of exercises in each session."""
    engine = create_engine(url)
    await upgrade_to_head(engine)
    maker = create_sessionmaker(engine)
    flow = Flow(load_library(default_content_dir()), "UTC")
    reminder_at = (datetime.now(UTC) + timedelta(hours=12)).strftime("%H:%M")
    concurrent = 1 if url.startswith("sqlite") else 8
    lengths: set[int] = set()
    for start in range(0, members, concurrent):
        ids = range(FIRST_MEMBER_ID + start, FIRST_MEMBER_ID + min(members, start + concurrent))
        found = await asyncio.gather(*(_enrol(maker, flow, i, reminder_at) for i in ids))
        lengths.update(found)
    await engine.dispose()
    assert len(lengths) == 1, f"sessions of different lengths: {lengths}"
    return lengths.pop()


# ---- the run -------------------------------------------------------------------------------


class _RemoteAPI:
    """What `BotProcess` needs of the Bot API: its URL and an event set once the bot polls."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.polling = asyncio.Event()
        self.webhook_set = asyncio.Event()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (fields 14 and 15 of /proc/<pid>/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(api_url: str, database_url: str, folder: Path, limit: float) -> dict[str, Any]:
    remote = _RemoteAPI(api_url)
    # Telegram's own per-chat limit, which the end-to-end tests lift (their fake has none).
    real_limits = {"SEND_CHAT_INTERVAL": "1"}
    bot = BotProcess(remote, database_url, folder, real_limits)  # type: ignore[arg-type]
    root = f"{api_url}/bot{FAKE_TOKEN}"
    async with httpx.AsyncClient(timeout=60) as client:

        async def stats() -> dict[str, Any]:
            return (await client.get(f"{root}/benchStats")).json()["result"]

        async def watch_polling() -> None:
            while True:
                if (await stats())["polling"]:
                    remote.polling.set()
                    return
                await asyncio.sleep(0.1)

        watcher = asyncio.ensure_future(watch_polling())
        try:
            await bot.start()
        finally:
            watcher.cancel()
        assert bot._process is not None
        pid = bot._process.pid
        try:
            await asyncio.sleep(1.0)  # let start-up's own calls (setMyCommands, …) finish
            cpu_before = cpu_seconds(pid)
            server_before = (await stats())["server_cpu"]
            await client.get(f"{root}/benchGo")
            deadline = time.time() + limit
            while True:
                await asyncio.sleep(0.5)
                now = await stats()
                if now["finished"]:
                    break
                quiet_since = max(now["last_reply"], now["started"])
                if time.time() - quiet_since > STALL_SECONDS or time.time() > deadline:
                    print(f"stopped waiting: {now['replies']} replies", file=sys.stderr)
                    break
            cpu_after = cpu_seconds(pid)
            await asyncio.sleep(1.0)  # anything sent late counts as unsolicited
            final = await stats()
        finally:
            await bot.stop()
    final["bot_cpu"] = cpu_after - cpu_before
    final["server_cpu"] -= server_before
    return final


# ---- the report ----------------------------------------------------------------------------


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
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def summarise(run: dict[str, Any], options: dict[str, Any], load: tuple[float, ...]) -> dict:
    members = run["members"]
    expected = len(members) * (options["answers"] + 1)
    latencies = [latency for m in members for latency in m["latencies"]]
    replies = len(latencies)
    elapsed = (run["last_reply"] or run["started"]) - run["started"]
    rate = options["rate"] or 30  # the fraction is of Telegram's 30/s when the fake has no limit
    in_order = sum(
        1
        for m in members
        if not m["out_of_order"]
        and not m["unsolicited"]
        and len(m["latencies"]) == options["answers"] + 1
    )
    result = {
        "replies": replies,
        "elapsed_s": round(elapsed, 2),
        "replies_per_s": round(replies / elapsed, 2) if elapsed else 0.0,
        "messages_per_s": round(run["sends"] / elapsed, 2) if elapsed else 0.0,
        "latency_p50_ms": round(_percentile(latencies, 0.5) * 1000),
        "latency_p95_ms": round(_percentile(latencies, 0.95) * 1000),
        "latency_max_ms": round(max(latencies, default=0.0) * 1000),
        "order_kept_pct": round(100 * in_order / len(members), 1),
        "missing": expected - replies,
        "unsolicited": sum(m["unsolicited"] for m in members),
        "too_many_requests": run["too_many_requests"],
        "bot_cpu_ms_per_update": round(run["bot_cpu"] * 1000 / replies, 2) if replies else None,
        "bot_cpu_share": round(run["bot_cpu"] / elapsed, 2) if elapsed else None,
        "fake_api_cpu_share": round(run["server_cpu"] / elapsed, 2) if elapsed else None,
    }
    lines = {
        "replies (updates answered)": f"{replies} of {expected} "
        f"({len(members)} members × (/today + {options['answers']} answers))",
        "first update to last reply": f"{elapsed:.1f} s",
        "replies/s": f"{result['replies_per_s']:.2f} = {result['replies_per_s'] / rate:.3f} of "
        f"{rate:g}/s",
        "messages sent/s (what the limit counts)": f"{result['messages_per_s']:.2f} = "
        f"{result['messages_per_s'] / rate:.3f} of {rate:g}/s ({run['sends']} messages)",
        "reply latency p50 / p95 / max": f"{result['latency_p50_ms']} / "
        f"{result['latency_p95_ms']} / {result['latency_max_ms']} ms",
        "per-member order kept": f"{result['order_kept_pct']} % of members",
        "replies missing / unsolicited": f"{result['missing']} / {result['unsolicited']}",
        "429 answers provoked": result["too_many_requests"],
        "bot CPU per update": f"{result['bot_cpu_ms_per_update']} ms "
        f"(bot process busy {result['bot_cpu_share']:.2f} of one core; fake Bot API and "
        f"members {result['fake_api_cpu_share']:.2f})",
        "load average (1, 5, 15 min) at the end": " ".join(f"{x:.2f}" for x in load),
    }
    for name, value in lines.items():
        print(f"{name:42} {value}")
    problems = [p for m in members for p in m["out_of_order"]][:5]
    if problems:
        print("first order problems:", *problems, sep="\n  ")
    return result


async def main(options: dict[str, Any]) -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = options["database_url"] or f"sqlite+aiosqlite:///{folder / 'replies.db'}"
        started = time.time()
        exercises = await prepare_database(url, options["members"])
        if options["answers"] > 2 * exercises:
            raise SystemExit(
                f"a session has {exercises} exercises: at most {2 * exercises} answers"
            )
        print(f"{options['members']} members enrolled in {time.time() - started:.0f} s")
        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        server = context.Process(target=_serve, args=(options, ready), daemon=True)
        server.start()
        try:
            api_url = ready.get(timeout=30)
            run = await drive(api_url, url, folder, options["timeout"])
        finally:
            server.terminate()
    result = summarise(run, options, os.getloadavg())
    database = url.split(":")[0]
    print(
        json.dumps(
            {**{k: v for k, v in options.items() if k != "database_url"}, **result}
            | {"database": database}
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temp dir)")
    parser.add_argument("--latency-ms", type=float, default=100, help="added to every API call")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--answers", type=int, default=10, help="answers per member, at most 10")
    parser.add_argument("--input", choices=["text", "buttons"], default="text")
    parser.add_argument(
        "--rate", type=float, default=30, help="Bot API messages per second (0: no limit)"
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds before giving up")
    arguments = parser.parse_args()
    asyncio.run(main(vars(arguments)))
