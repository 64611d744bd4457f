"""Webhook mode: updates POSTed as Telegram does, retried until a 200, while the bot is killed.

`Telegram` below delivers the members' updates one at a time, in order, and POSTs each again
until it gets a 200 (connection refused while the bot is down, reset when it dies mid-request,
500); after some 200s it POSTs the same update once more, as Telegram may redeliver. The bot
kills itself at `stored` (committed, no 200 yet), `handling` and `sent`, or is killed from
outside between two POSTs. The checks are `crashing`'s: each update handled once, each answer
recorded once and answered once, in order, a repeat only inside the window at a death.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.coaching.content import Library
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.reliability.crashing import (
    REPLY_TIMEOUT,
    Crew,
    Death,
    Maker,
    check_answers,
    check_replies,
    record_death,
    settled,
)

pytestmark = pytest.mark.e2e

SEED = 14_2027
SECRET = "s3cret-token_for-reliability"
STEPS = 8
ACTIVE_MEMBERS = 4
REDELIVER = 0.25  # how often Telegram sends an update again after its 200
RETRY_PAUSE = 0.1  # Telegram's own pause before the next attempt (it backs off; tests need not)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Telegram:
    """Telegram's side of a webhook: a queue of updates, each POSTed until it gets a 200."""

    def __init__(self, api: FakeBotAPI, url: str, rng: random.Random) -> None:
        self.api, self.url, self.rng = api, url, rng
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.ids = itertools.count(1)
        self.accepted = 0  # POSTs answered 200, redeliveries included
        self.failed_attempts = 0
        self.redelivered = 0
        self.changed = asyncio.Condition()

    async def type(self, user: dict[str, Any], text: str) -> None:
        message = self.api._user_message(user, None)
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        await self.queue.put({"update_id": next(self.ids), "message": message})

    async def deliver(self) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as client:
            while True:
                update = await self.queue.get()
                await self._post_until_accepted(client, update, headers)
                if self.rng.random() < REDELIVER:
                    self.redelivered += 1
                    await self._post_until_accepted(client, update, headers)

    async def _post_until_accepted(
        self, client: aiohttp.ClientSession, update: dict[str, Any], headers: dict[str, str]
    ) -> None:
        while True:
            try:
                async with client.post(self.url, json=update, headers=headers) as response:
                    if response.status == 200:
                        async with self.changed:
                            self.accepted += 1
                            self.changed.notify_all()
                        return
                    assert response.status == 500, (
                        f"update {update['update_id']}: {response.status}"
                    )
            except aiohttp.ClientError:  # refused while down, reset when it died mid-request
                pass
            self.failed_attempts += 1
            await asyncio.sleep(RETRY_PAUSE)

    async def wait_accepted(self, count: int) -> None:
        async with self.changed:
            await asyncio.wait_for(
                self.changed.wait_for(lambda: self.accepted >= count), REPLY_TIMEOUT
            )


@pytest.fixture
async def webhook(
    fake_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[BotProcess, str]]:
    port = free_port()
    process = BotProcess(
        fake_api,
        database_url,
        tmp_path,
        extra_env={
            "BOT_MODE": "webhook",
            "WEBHOOK_URL": "https://bot.example.org/telegram/hook",
            "WEBHOOK_SECRET": SECRET,
            "LISTEN_PORT": str(port),
        },
    )
    yield process, f"http://127.0.0.1:{port}/telegram/hook"
    await process.kill()


def step_plan(rng: random.Random) -> list[tuple[str, int]]:
    kinds = ["stored", "handling", "sent", "kill -9"]
    chosen = kinds + rng.choices(kinds, k=STEPS - len(kinds))
    rng.shuffle(chosen)
    return [(kind, rng.randint(1, 3 if kind == "kill -9" else 2)) for kind in chosen]


async def test_retried_and_redelivered_posts_are_handled_once_across_kills(
    webhook: tuple[BotProcess, str], fake_api: FakeBotAPI, sessionmaker: Maker, library: Library
) -> None:
    bot, url = webhook
    rng = random.Random(SEED)
    plan = step_plan(rng)
    telegram = Telegram(fake_api, url, rng)
    crew = Crew(fake_api, sessionmaker, library, rng, telegram.type)
    delivering = asyncio.create_task(telegram.deliver())
    deaths: list[Death] = []
    note = f"seed {SEED}, plan {plan}"
    try:
        for step, (kind, n) in enumerate(plan):
            note = f"seed {SEED}, step {step} {kind}:{n}, plan {plan}"
            await crew.top_up(ACTIVE_MEMBERS)
            start = fake_api.cursor()
            if kind == "kill -9":  # from outside, right after the n-th 200 of this run
                bot.extra_env.pop("HIPCOACH_CRASH_AT", None)
                await bot.start()
                await telegram.wait_accepted(telegram.accepted + n)
                await bot.kill()
            else:
                bot.extra_env["HIPCOACH_CRASH_AT"] = f"{kind}:{n}"
                await bot.start(may_die=True)
                dead = asyncio.ensure_future(bot.exited(REPLY_TIMEOUT))
                answering = crew.all_done()
                done, _ = await asyncio.wait({dead, answering}, return_when=asyncio.FIRST_COMPLETED)
                answering.cancel()
                if dead not in done:
                    dead.cancel()
                    crew.raise_failures()
                    raise AssertionError(f"{note}: members finished before the crash")
                assert dead.result() == -9, f"{note}:\n{bot.log_tail()}"
            await record_death(fake_api, sessionmaker, kind, n, start, deaths)
        note = f"seed {SEED}, plan {plan}"
        bot.extra_env.pop("HIPCOACH_CRASH_AT", None)
        await bot.start()
        await asyncio.wait_for(asyncio.gather(*crew.tasks), REPLY_TIMEOUT)
        await settled(sessionmaker)
        await bot.stop()
    finally:
        await crew.cancel()
        delivering.cancel()
        await asyncio.gather(delivering, return_exceptions=True)
    await check_answers(sessionmaker, crew.members, note)
    found = check_replies(fake_api, crew.members, deaths, note)
    print(
        f"{note}: {len(crew.members)} members, {telegram.failed_attempts} failed POSTs retried, "
        f"{telegram.redelivered} redelivered after a 200; repeats {found}"
    )
    assert telegram.failed_attempts > 0 and telegram.redelivered > 0, note
    assert all(d.window for d in deaths if d.point == "sent"), (note, deaths)
