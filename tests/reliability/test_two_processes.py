"""Two `hipcoach run` processes on one PostgreSQL database, as members would notice them.

Webhook mode: Telegram may POST any update to either process; every update is answered once,
and each member's answers come back in the order they were written (the per-chat lock holds
across processes). Polling mode: one process polls (the fake Bot API answers a second long poll
with Telegram's 409 and counts it), the other handles inbox rows; when the leader is killed mid-run
the survivor takes over polling, sending and the reminder tick, and nothing is lost or repeated.

SQLite serves one process only; that refusal is tested in test_database_faults.py.
"""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.db.models import InboxUpdate, OutboxMessage, Reminder
from tests.botprocess import START_TIMEOUT, BotProcess
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.reminder_data import add_member, fresh_programme, midday_zone

pytestmark = pytest.mark.e2e

Maker = async_sessionmaker[AsyncSession]
SECRET = "two-processes-secret"
LEADS = "this process leads"
# What a member types, and a words-only piece of the bot's reply to it: two different replies,
# so the order of a member's replies shows the order their messages were handled in.
SAYINGS = {"/help": "/today – today's session", "hello": "Send /start to begin"}
REMINDER = "today's hip routine"


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serves one process; two processes share only PostgreSQL")
    return database_url


def process(api: FakeBotAPI, url: str, folder: Path, name: str, **env: str) -> BotProcess:
    folder.mkdir()
    return BotProcess(api, url, folder, extra_env={"TELEGRAM_API_URL": api.url_for(name), **env})


async def start_standby(bot: BotProcess) -> None:
    """Start a process that will neither poll nor lead: ready once its log says it started."""
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
    await eventually(
        lambda: "hipcoach started" in log_of(bot), "the standby to start", START_TIMEOUT
    )


def log_of(bot: BotProcess) -> str:
    return bot.log_path.read_text(errors="replace") if bot.log_path.exists() else ""


async def eventually(check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """For what has no event to await (a log line, a database row)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, f"waited in vain for {what}"
        await asyncio.sleep(0.05)


async def replies_arrive(api: FakeBotAPI, count: Callable[[], bool], timeout: float = 30.0) -> None:
    async with api._changed:
        await asyncio.wait_for(api._changed.wait_for(count), timeout)


def texts_to(api: FakeBotAPI, chat_id: int) -> list[str]:
    return [m.body for m in api.sent_to(chat_id) if m.method == "sendMessage"]


def kinds(bodies: list[str]) -> list[str]:
    """Which saying each reply answers."""
    found = []
    for body in bodies:
        [said] = [said for said, reply in SAYINGS.items() if reply in body]
        found.append(said)
    return found


async def inbox_rows(maker: Maker) -> list[InboxUpdate]:
    async with maker() as session:
        return list(await session.scalars(select(InboxUpdate).order_by(InboxUpdate.update_id)))


def assert_in_order(rows: list[InboxUpdate]) -> None:
    """Each chat's updates were handled one after another, in update_id order."""
    by_chat: dict[int, list[InboxUpdate]] = {}
    for row in rows:
        by_chat.setdefault(row.chat_key, []).append(row)
    for chat, chat_rows in by_chat.items():
        handled = [row.handled_at for row in chat_rows]
        assert all(handled), f"chat {chat} has unhandled updates"
        assert handled == sorted(handled), f"chat {chat} was handled out of order"


# ---- webhook mode -------------------------------------------------------------------------


@pytest.fixture
async def two_webhooks(
    fake_api: FakeBotAPI, postgres_url: str, tmp_path: Path
) -> AsyncIterator[list[tuple[BotProcess, str]]]:
    from tests.e2e.test_webhook import free_port

    bots = []
    for name in ("a", "b"):
        port = free_port()
        bot = process(
            fake_api,
            postgres_url,
            tmp_path / name,
            name,
            BOT_MODE="webhook",
            WEBHOOK_URL="https://bot.example.org/telegram/hook",
            WEBHOOK_SECRET=SECRET,
            LISTEN_PORT=str(port),
        )
        await bot.start()
        bots.append((bot, f"http://127.0.0.1:{port}/telegram/hook"))
    yield bots
    for bot, _ in bots:
        await bot.stop()


def typed(update_id: int, user: dict, text: str) -> dict:
    message = {
        "message_id": update_id,
        "date": int(datetime.now(UTC).timestamp()),
        "chat": FakeBotAPI.private_chat(user),
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


async def post(client: aiohttp.ClientSession, url: str, update: dict) -> None:
    """POST as Telegram does, again until a 200 (the server listens just after setWebhook)."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    for attempt in range(50):
        try:
            async with client.post(url, json=update, headers=headers) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectorError:
            pass
        await asyncio.sleep(0.1 * min(attempt + 1, 5))
    raise AssertionError(f"{url} never took update {update['update_id']}")


async def test_webhook_updates_posted_to_either_process_are_answered_once_in_order(
    two_webhooks: list[tuple[BotProcess, str]], fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    members, each = 8, 6
    chance = random.Random(14)
    ids = iter(range(1, 10_000))
    plans = {
        9100 + n: [(next(ids), chance.choice(list(SAYINGS))) for _ in range(each)]
        for n in range(members)
    }
    targets = {
        update_id: chance.choice(two_webhooks)[1]
        for plan in plans.values()
        for update_id, _ in plan
    }

    async def member(user_id: int, client: aiohttp.ClientSession) -> None:
        # A member's updates reach the bot one after another, as Telegram delivers a chat's;
        # members write at once, and each update goes to whichever process Telegram picks.
        user = fake_api.user(user_id)
        for update_id, text in plans[user_id]:
            await post(client, targets[update_id], typed(update_id, user, text))

    async with aiohttp.ClientSession() as client:
        await asyncio.gather(*(member(user_id, client) for user_id in plans))
    await replies_arrive(fake_api, lambda: all(len(texts_to(fake_api, u)) >= each for u in plans))

    for user_id, plan in plans.items():
        assert kinds(texts_to(fake_api, user_id)) == [text for _, text in plan]
    rows = await inbox_rows(sessionmaker)
    assert [row.update_id for row in rows] == sorted(targets)
    assert {row.state for row in rows} == {"handled"}
    assert {row.attempts for row in rows} == {0}
    assert_in_order(rows)
    async with sessionmaker() as session:
        sent = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "sent")
        )
    assert sent == members * each
    # Both processes took updates, and exactly one of them sent (the leader).
    assert set(targets.values()) == {url for _, url in two_webhooks}
    [leader] = [bot for bot, _ in two_webhooks if LEADS in log_of(bot)]
    senders = {who for who, method in fake_api.calls_by if method == "sendMessage"}
    assert senders == {leader.folder.name}


# ---- polling mode: the leader killed mid-run --------------------------------------------


async def reminders_recorded(maker: Maker, count: int, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with maker() as session:
            sent = await session.scalar(
                select(func.count()).select_from(Reminder).where(Reminder.status == "sent")
            )
        if sent == count:
            return
        assert asyncio.get_running_loop().time() < deadline, f"{sent} of {count} recorded"
        await asyncio.sleep(0.05)


async def add_due_reminders(maker: Maker, library: Library, user_ids: range) -> None:
    now = datetime.now(UTC)
    zone = midday_zone(now)
    local = now.astimezone(ZoneInfo(zone))
    async with maker.begin() as session:
        for user_id in user_ids:
            await add_member(
                session,
                user_id,
                zone=zone,
                at=(local - timedelta(minutes=30)).time().replace(second=0, microsecond=0),
                next_at=now - timedelta(minutes=30),
                programme=fresh_programme(library, local.date()),
            )


async def test_the_survivor_of_a_killed_leader_polls_and_sends_and_nothing_repeats(
    fake_api: FakeBotAPI,
    postgres_url: str,
    tmp_path: Path,
    sessionmaker: Maker,
    library: Library,
) -> None:
    early, late = range(9300, 9306), range(9400, 9406)
    await add_due_reminders(sessionmaker, library, early)
    # The leader kills itself (SIGKILL, as kill -9) just before its 15th reply goes to Telegram:
    # members are mid-conversation and replies are queued; never inside the repeat window.
    leader = process(fake_api, postgres_url, tmp_path / "a", "a", HIPCOACH_CRASH_AT="sending:15")
    standby = process(fake_api, postgres_url, tmp_path / "b", "b")
    try:
        await leader.start()
        await start_standby(standby)
        await replies_arrive(fake_api, lambda: all(texts_to(fake_api, u) for u in early))
        await reminders_recorded(sessionmaker, len(early))  # results are written every 0.5 s
        assert LEADS in log_of(leader) and LEADS not in log_of(standby)
        # More reminders come due while the leader still lives; its next tick is 30 s away.
        await add_due_reminders(sessionmaker, library, late)

        members, each = range(9500, 9506), 6
        chance = random.Random(14)
        plans = {u: [chance.choice(list(SAYINGS)) for _ in range(each)] for u in members}

        async def member(user_id: int) -> None:
            user = fake_api.user(user_id)
            for text in plans[user_id]:
                since = fake_api.cursor()
                await fake_api.send_text(user, text)
                await fake_api.wait_for_message(
                    user_id, since=since, match=SAYINGS[text], timeout=30.0
                )

        by_whom: dict[int, list[tuple[str, str]]] = {u: [] for u in members}
        repeated: list[str] = []

        def note(message: SentMessage) -> None:
            if message.chat_id in by_whom and message.method == "sendMessage":
                by_whom[message.chat_id].append((message.body, fake_api.caller()))

        def as_read(user_id: int, plan: list[str]) -> list[str]:
            """The replies as the member reads them: a reply repeated across the takeover
            (accepted from the leader just before it died, then sent again by the survivor)
            counted once; at most one such repeat per chat, and nothing else repeated."""
            sent = by_whom[user_id]
            said = kinds([body for body, _ in sent])
            if len(said) == len(plan) + 1:
                for n in range(1, len(sent)):
                    again = sent[n - 1][0] == sent[n][0] and (sent[n - 1][1], sent[n][1])
                    if again == ("a", "b") and said[:n] + said[n + 1 :] == plan:
                        repeated.append(sent[n][0])
                        return said[:n] + said[n + 1 :]
            return said

        fake_api.listeners.append(note)
        answering = asyncio.gather(*(member(u) for u in members))
        assert leader._process is not None
        await asyncio.wait_for(leader._process.wait(), 30.0)
        polls_before_the_kill = len(fake_api.pollers)
        await answering
        await eventually(lambda: LEADS in log_of(standby), "the survivor to lead")
        await replies_arrive(fake_api, lambda: all(texts_to(fake_api, u) for u in late))

        for user_id, plan in plans.items():
            assert as_read(user_id, plan) == plan  # each reply once, in order
        # Replies on their way when the leader died were accepted but not yet marked sent:
        # the survivor sends them again (the documented repeat window), at most one per chat.
        assert len(repeated) <= len(members)
        for user_id in [*early, *late]:
            assert [REMINDER in body for body in texts_to(fake_api, user_id)] == [True]
        assert set(fake_api.pollers[:polls_before_the_kill]) == {"a"}
        assert set(fake_api.pollers[polls_before_the_kill:]) == {"b"}
        assert fake_api.overlapping_polls == 0
        rows = await inbox_rows(sessionmaker)
        assert len(rows) == len(members) * each
        assert {row.state for row in rows} == {"handled"}
        assert_in_order(rows)
        async with sessionmaker() as session:
            reminders = list(await session.scalars(select(Reminder)))
        assert sorted(r.member_id for r in reminders) == sorted({r.member_id for r in reminders})
        assert {r.status for r in reminders} == {"sent"}
        assert len(reminders) == len(early) + len(late)
    finally:
        await leader.kill()
        await standby.stop()
