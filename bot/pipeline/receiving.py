"""Updates into the inbox before Telegram is told they arrived: long polling and the webhook.

Polling: PTB's `Updater` confirms a batch (the next getUpdates offset) before the application
has handled it and keeps the offset in memory, so a crash loses the batch; it offers no hook
between fetching and confirming. The loop here is the few lines that matter: fetch, commit the
batch to the inbox, and only then ask for the next offset. A crash before the commit means
Telegram sends the batch again; after it, the inbox has it.

Webhook: PTB's webhook handler answers 200 once the update is queued in memory. The endpoint
here answers 200 only after the inbox commit, and 500 if the database cannot take it, so
Telegram sends it again. A retried POST of an update already stored is a no-op.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

import tornado.web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.error import Conflict, TelegramError

from bot.pipeline import crash_points, inbox
from bot.pipeline.capture import PipelineBot
from bot.pipeline.gate import WriteGate

log = logging.getLogger(__name__)

# The update types the bot has handlers for; Telegram sends nothing else, so nothing else is
# stored or costs a write.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "chat_member"]
LONG_POLL_SECONDS = 10
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)


def received(payload: dict[str, Any], bot: PipelineBot) -> inbox.Received:
    """The keys the inbox orders and deletes an update by (no button data is checked here).

    A group upgraded to a supergroup says so in the old chat, and the coaches go on writing in
    the new one at once; the move is queued with the new chat, so the coach's next command there
    waits for it instead of finding no coach group.
    """
    update = Update.de_json(payload, bot)
    chat, user = update.effective_chat, update.effective_user
    moved_to = update.message.migrate_to_chat_id if update.message is not None else None
    if moved_to is not None:
        chat_key = moved_to
    else:
        chat_key = chat.id if chat is not None else (user.id if user is not None else 0)
    return inbox.Received(update.update_id, chat_key, user.id if user else None, payload)


class Storing:
    """Commits received updates to the inbox, then tells the workers."""

    def __init__(
        self,
        bot: PipelineBot,
        sessionmaker: async_sessionmaker[AsyncSession],
        gate: WriteGate,
        stored: Callable[[list[tuple[int, int]]], None],
    ) -> None:
        self.bot = bot
        self._sessionmaker = sessionmaker
        self._gate = gate
        self._stored = stored

    async def store(self, payloads: list[dict[str, Any]]) -> int:
        items = [received(payload, self.bot) for payload in payloads]
        async with self._gate.turn(), self._sessionmaker.begin() as session:
            new = await inbox.store(session, items)
        self._stored([(item.update_id, item.chat_key) for item in items])
        return new


async def poll(storing: Storing, keep_going: Callable[[], bool]) -> None:
    """Long-poll until told to stop; the offset moves only past batches the inbox holds."""
    bot = storing.bot
    await bot.delete_webhook()  # Telegram refuses getUpdates while a webhook is set
    offset: int | None = None
    failures = 0
    while keep_going():
        try:
            batch = await bot.fetch_updates(offset, LONG_POLL_SECONDS, ALLOWED_UPDATES)
            if batch:
                crash_points.reached("fetched")
                await storing.store(batch)
                crash_points.reached("stored")
                offset = max(payload["update_id"] for payload in batch) + 1
            failures = 0
        except asyncio.CancelledError:
            raise
        except Exception as error:
            pause = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
            failures += 1
            if isinstance(error, Conflict):
                log.error("another poller holds this bot's updates: %s", error)
            elif isinstance(error, TelegramError):
                log.warning("getUpdates failed: %s; again in %.1f s", error, pause)
            else:
                log.exception("could not store updates; again in %.1f s", pause)
            await asyncio.sleep(pause)


class WebhookEndpoint(tornado.web.RequestHandler):
    """POST /<path>: the secret checked, the update committed, then 200."""

    def initialize(self, storing: Storing, secret: str | None) -> None:
        self._storing = storing
        self._secret = secret

    def check_xsrf_cookie(self) -> None:
        """Telegram sends no cookie; the secret header is the check."""

    async def post(self) -> None:
        if self._secret is not None:
            given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given.encode(), self._secret.encode()):
                self.send_error(403)
                return
        try:
            payload = json.loads(self.request.body)
            if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
                raise ValueError("not an update")
        except ValueError:
            self.send_error(400)
            return
        try:
            await self._storing.store([payload])
            crash_points.reached("stored")
        except Exception:
            log.exception(
                "could not store update %s; Telegram will send it again", payload.get("update_id")
            )
            self.send_error(500)
            return
        self.set_status(200)


def webhook_app(storing: Storing, path: str, secret: str | None) -> tornado.web.Application:
    return tornado.web.Application(
        [(f"/{path.lstrip('/')}", WebhookEndpoint, {"storing": storing, "secret": secret})]
    )
