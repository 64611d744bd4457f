"""Polling mode: the bot killed again and again while members are mid-session; nothing lost.

Eight members, each in their own private chat, answer their session's questions as fast as the
bot asks. The bot kills itself (`HIPCOACH_CRASH_AT`) at seeded-random crash points: fetched,
stored, handling, handled, sending, sent, and fanout (members whose reminder is due are added
before such a run, so the start-up reminder tick fans out while the others answer). After each
death it is started again at the next point. A member whose answer got no reply never types it
again: it waits for the reply across the restarts, as the issue promises. Then `crashing`'s
checks: every answer recorded once, every reply sent once, in order, a repeat only where the
process died inside the repeat window. A second test kills the process from outside (`kill -9`)
at seeded-random moments, as a black box.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.coaching.content import Library
from bot.pipeline.crash_points import POINTS
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.reliability.crashing import (
    REPLY_TIMEOUT,
    Crew,
    Death,
    Maker,
    age_reminder_claims,
    check_answers,
    check_reminders,
    check_replies,
    record_death,
    seed_due_reminders,
    settled,
)

pytestmark = pytest.mark.e2e

SEED = 14_2026
CRASHES = 21  # every point at least once, the rest drawn at random
# How many times a point is passed before the kill: small, so eight sessions outlast the run.
MOST_PASSES = {"fetched": 2, "stored": 2, "handling": 2, "handled": 2, "sending": 3, "sent": 3}
REMINDER_IDS_FROM = 9101
ACTIVE_MEMBERS = 5  # mid-session at every start; new ones join as others finish


@pytest.fixture
async def bot_process(
    fake_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    process = BotProcess(fake_api, database_url, tmp_path)
    yield process
    await process.kill()


def crash_plan(rng: random.Random) -> list[tuple[str, int]]:
    points = sorted(POINTS)
    chosen = points + rng.choices(points, k=CRASHES - len(points))
    rng.shuffle(chosen)
    return [(point, rng.randint(1, MOST_PASSES.get(point, 2))) for point in chosen]


async def until_dead(bot: BotProcess, crew: Crew, note: str, *, fanout: bool) -> None:
    """The process's own death; fails if the members finished first (the point never came).

    A fan-out waits for the members (replies go first), so it dies after they finish."""
    dead = asyncio.ensure_future(bot.exited(REPLY_TIMEOUT))
    answering = crew.all_done()
    done, _ = await asyncio.wait({dead, answering}, return_when=asyncio.FIRST_COMPLETED)
    if fanout and dead not in done:
        crew.raise_failures()
        done, _ = await asyncio.wait({dead})
    if dead not in done:
        dead.cancel()
        crew.raise_failures()  # a member's failure, if that is what ended it
        raise AssertionError(f"{note}: the members finished before the crash:\n{bot.log_tail()}")
    answering.cancel()
    assert dead.result() == -9, f"{note}: exited with {dead.result()}:\n{bot.log_tail()}"


async def test_crash_points_while_members_answer_lose_and_double_nothing(
    bot_process: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker, library: Library
) -> None:
    rng = random.Random(SEED)
    plan = crash_plan(rng)
    crew = Crew(fake_api, sessionmaker, library, rng, fake_api.send_text)
    deaths: list[Death] = []
    reminder_ids: list[int] = []
    bot = bot_process
    note = f"seed {SEED}, plan {plan}"
    try:
        for step, (point, n) in enumerate(plan):
            note = f"seed {SEED}, crash {step} at {point}:{n}, plan {plan}"
            await crew.top_up(ACTIVE_MEMBERS)
            if point == "fanout":  # a fan-out of n + 2 reminders at start-up, while members answer
                first = REMINDER_IDS_FROM + len(reminder_ids)
                due = range(first, first + n + 2)
                reminder_ids.extend(due)
                await seed_due_reminders(sessionmaker, due)
            bot.extra_env["HIPCOACH_CRASH_AT"] = f"{point}:{n}"
            start = fake_api.cursor()
            await bot.start(may_die=True)
            await until_dead(bot, crew, note, fanout=point == "fanout")
            await record_death(fake_api, sessionmaker, point, n, start, deaths)
        note = f"seed {SEED}, plan {plan}"
        bot.extra_env.pop("HIPCOACH_CRASH_AT")
        await age_reminder_claims(sessionmaker)  # claims a crash left outlive their lease
        await bot.start()
        await asyncio.wait_for(asyncio.gather(*crew.tasks), REPLY_TIMEOUT)
        await settled(sessionmaker)
        await bot.stop()
    finally:
        await crew.cancel()
    await check_answers(sessionmaker, crew.members, note)
    found = check_replies(fake_api, crew.members, deaths, note)
    await check_reminders(fake_api, sessionmaker, reminder_ids, deaths, note, found)
    print(f"{note}: {len(crew.members)} members; repeats by the point of the death: {found}")
    # The crashing call's own reply is always in the window at `sent`; another chat's may be
    # caught there by any death, since replies to different chats are sent concurrently.
    assert all(d.window for d in deaths if d.point == "sent"), (note, deaths)


async def test_kill_9_at_random_moments_while_members_answer(
    bot_process: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker, library: Library
) -> None:
    """The black box: SIGKILL from outside when the n-th message reaches the Bot API."""
    rng = random.Random(SEED + 9)
    crew = Crew(fake_api, sessionmaker, library, rng, fake_api.send_text)
    await crew.top_up(ACTIVE_MEMBERS)
    # About 9 messages a member: kill at three moments along the way.
    moments = sorted(rng.sample(range(3, 8 * ACTIVE_MEMBERS), 3))
    note = f"seed {SEED + 9}, kills when the Bot API has {moments} messages"
    deaths: list[Death] = []
    bot = bot_process
    try:
        for moment in moments:
            start = fake_api.cursor()
            await bot.start()
            async with fake_api._changed:
                await asyncio.wait_for(
                    fake_api._changed.wait_for(lambda m=moment: len(fake_api.outbox) >= m),
                    REPLY_TIMEOUT,
                )
            await bot.kill()
            await record_death(fake_api, sessionmaker, "kill -9", moment, start, deaths)
        await bot.start()
        await asyncio.wait_for(asyncio.gather(*crew.tasks), REPLY_TIMEOUT)
        await settled(sessionmaker)
        await bot.stop()
    finally:
        await crew.cancel()
    await check_answers(sessionmaker, crew.members, note)
    found = check_replies(fake_api, crew.members, deaths, note)
    print(f"{note}: repeats {found}")
