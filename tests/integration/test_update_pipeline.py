"""The update pipeline in this process, on both databases: what a member notices when a handler
fails, when several chats write at once, and what a queued reply carries.

The real application runs through `tests/inprocess.py` (inbox, one transaction per update,
outbox, an unpaced budget) against the fake Bot API.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.coaching.content import Library
from bot.db.models import InboxUpdate, OutboxMessage
from bot.pipeline.capture import or_sent_anew
from bot.pipeline.handling import Outcome
from bot.pipeline.receiving import received
from tests.coachdata import add_group, add_member
from tests.fakebotapi import FakeBotAPI
from tests.inprocess import Harness, bot_in_process


@pytest.fixture
async def harness(
    fake_api: FakeBotAPI, database_url: str, library: Library
) -> AsyncIterator[Harness]:
    async with bot_in_process(fake_api, database_url, library) as found:
        yield found


def _message(h: Harness, user_id: int, words: str, update_id: int) -> dict[str, Any]:
    message = h.api._user_message(h.api.user(user_id), None)
    message["text"] = words
    return {"update_id": update_id, "message": message}


async def test_a_handler_that_keeps_failing_changes_nothing_and_the_member_is_told_once(
    harness: Harness, fake_api: FakeBotAPI
) -> None:
    async def boom(update: Update, context: Any) -> None:
        await context.bot.send_message(update.effective_chat.id, "half an answer")
        raise RuntimeError("a bug")

    harness.app.add_handler(MessageHandler(filters.Regex("^boom$"), boom), group=-10)
    await harness.say(4101, "boom")
    texts = [message.body for message in fake_api.sent_to(4101)]
    # The reply queued before the failure was rolled back with it: never sent, three times over.
    assert "half an answer" not in texts
    assert sum("something went wrong" in text.lower() for text in texts) == 1
    assert any("/start" in text for text in texts)  # where the member stands: not started yet
    async with harness.maker() as session:
        row = (await session.scalars(select(InboxUpdate))).one()
    assert (row.state, row.attempts) == ("failed", 3)
    assert row.error == "RuntimeError: a bug"


async def test_a_handler_that_fails_once_is_answered_once_when_tried_again(
    harness: Harness, fake_api: FakeBotAPI
) -> None:
    failures = iter([True])

    async def flaky(update: Update, context: Any) -> None:
        if next(failures, False):
            raise RuntimeError("the database blinked")

    harness.app.add_handler(MessageHandler(filters.ALL, flaky), group=-10)
    await harness.say(4102, "/help")
    texts = [message.body for message in fake_api.sent_to(4102)]
    assert len(texts) == 1
    assert "not medical advice" in texts[0]


async def test_chats_are_handled_at_once_and_each_chat_in_its_own_order(
    harness: Harness, database_url: str
) -> None:
    seen: dict[int, list[int]] = defaultdict(list)
    in_flight: set[int] = set()
    overlapped = asyncio.Event()
    all_seen = asyncio.Event()
    chats, per_chat = (4201, 4202, 4203), 4

    async def record(update: Update, context: Any) -> None:
        chat = update.effective_chat.id
        assert chat not in in_flight, "two updates of one chat at once"
        in_flight.add(chat)
        if len(in_flight) > 1:
            overlapped.set()
        # Hold the chat until another chat is in flight too (or a short while has passed).
        await asyncio.wait({asyncio.ensure_future(overlapped.wait())}, timeout=0.2)
        seen[chat].append(update.update_id)
        in_flight.discard(chat)
        if sum(map(len, seen.values())) == len(chats) * per_chat:
            all_seen.set()
        raise ApplicationHandlerStop

    harness.app.add_handler(MessageHandler(filters.ALL, record), group=-10)
    updates = [
        _message(harness, chat, f"n{n}", 1000 + n * 10 + index)
        for n in range(per_chat)
        for index, chat in enumerate(chats)
    ]
    await harness.pipeline.storing.store(updates)
    running = True
    worker = asyncio.create_task(harness.pipeline.handling.run(lambda: running))
    await asyncio.wait_for(all_seen.wait(), 30)
    running = False
    await worker
    # PostgreSQL handles chats at once; SQLite has one writer, so its transactions take turns
    # (the network round trips, which are most of the time, still overlap in the sender).
    assert overlapped.is_set() == (database_url.startswith("postgresql"))
    for index, chat in enumerate(chats):
        assert seen[chat] == [1000 + n * 10 + index for n in range(per_chat)]


async def test_a_redelivered_update_is_stored_and_answered_once(
    harness: Harness, fake_api: FakeBotAPI
) -> None:
    update = _message(harness, 4301, "/help", 77)
    assert await harness.pipeline.storing.store([update]) == 1
    assert await harness.pipeline.storing.store([update]) == 0  # Telegram sent it again
    item = received(update, harness.app.bot)
    assert await harness.pipeline.handling.handle(item.update_id, item.chat_key) is Outcome.HANDLED
    assert await harness.pipeline.handling.handle(item.update_id, item.chat_key) is Outcome.LEFT
    await harness.pipeline.sender.drain(10)
    assert len(fake_api.sent_to(4301)) == 1


async def test_a_queued_reply_keeps_its_signed_buttons_and_its_file(
    harness: Harness, fake_api: FakeBotAPI
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="onb:yes")]])

    async def reply(update: Update, context: Any) -> None:
        chat = update.effective_chat.id
        await context.bot.send_message(chat, "Ready?", reply_markup=keyboard)
        await context.bot.send_document(chat, b"day,pain\n1,3\n", filename="pain.csv")
        raise ApplicationHandlerStop

    harness.app.add_handler(MessageHandler(filters.Regex("^files$"), reply), group=-10)
    await harness.say(4401, "files")
    question, document = fake_api.sent_to(4401)
    assert question.buttons()[0]["callback_data"].startswith("onb:yes~")  # signed on the way out
    assert document.method == "sendDocument"
    async with harness.maker() as session:
        calls = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert [(call.method, call.state) for call in calls] == [
        ("sendMessage", "sent"),
        ("sendDocument", "sent"),
    ]
    assert all(call.message_id for call in calls)
    assert calls[1].file_content is None  # dropped once sent


async def test_a_coach_writing_in_the_upgraded_group_waits_for_the_move(
    harness: Harness, fake_api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Telegram tells of a supergroup upgrade in the old chat; the coach's first command in the
    new chat must not overtake it, or the bot answers that this is no coach group."""
    old_id, new_id, coach = -1001, -1009999, fake_api.user(9001, "Coach")
    async with sessionmaker.begin() as session:
        group = await add_group(session, old_id)
        await add_member(session, 1, "Alex", group=group)
    fake_api.chat_admins[new_id] = {9001}
    move = {
        "update_id": 51,
        "message": {
            "message_id": 500,
            "date": 0,
            "chat": fake_api.group_chat(old_id),
            "from": coach,
            "migrate_to_chat_id": new_id,
        },
    }
    command = {
        "update_id": 52,
        "message": fake_api._user_message(coach, fake_api.group_chat(new_id)),
    }
    command["message"] |= {
        "text": "/dashboard",
        "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
    }
    await harness.pipeline.storing.store([move, command])
    first, then = received(move, harness.app.bot), received(command, harness.app.bot)

    assert await harness.pipeline.handling.handle(then.update_id, then.chat_key) is Outcome.LEFT
    assert (
        await harness.pipeline.handling.handle(first.update_id, first.chat_key) is Outcome.HANDLED
    )
    assert await harness.pipeline.handling.handle(then.update_id, then.chat_key) is Outcome.HANDLED
    await harness.pipeline.sender.drain(10)
    table = fake_api.sent_to(new_id)[0]
    assert "Back club" in table.body and "Alex" in table.body


@pytest.mark.parametrize(
    ("said_anew", "message_kept", "expected"),
    [
        (True, False, ["Pain now?"]),  # the member deleted the question: asked anew
        (False, False, []),  # an edit that only tidies up: nothing to say anew
        (True, True, []),  # a second tap: "not modified", the member already sees it
    ],
)
async def test_an_edit_telegram_refuses_is_said_anew_only_when_the_member_needs_it(
    harness: Harness, fake_api: FakeBotAPI, said_anew: bool, message_kept: bool, expected: list
) -> None:
    question = await harness.app.bot.send_message(4501, "Pain now?", reply_markup=_KEYPAD)
    if not message_kept:
        del fake_api.messages[(4501, question.message_id)]
    since = fake_api.cursor()

    async def edit(update: Update, context: Any) -> None:
        with or_sent_anew() if said_anew else contextlib.nullcontext():
            await context.bot.edit_message_text(
                "Pain now?", chat_id=4501, message_id=question.message_id, reply_markup=_KEYPAD
            )
        raise ApplicationHandlerStop

    harness.app.add_handler(MessageHandler(filters.Regex("^edit$"), edit), group=-10)
    await harness.say(4501, "edit")

    sent = fake_api.sent_to(4501, since=since)
    assert [message.body for message in sent] == expected
    assert all(message.buttons()[0]["text"] == "0" for message in sent)  # the keypad came too
    async with harness.maker() as session:
        row = (await session.scalars(select(OutboxMessage))).one()
    assert row.state == ("sent" if expected else "failed")


_KEYPAD = InlineKeyboardMarkup([[InlineKeyboardButton("0", callback_data="peg:x")]])
