"""Webhook mode: the bot registers its URL and secret and accepts only updates with the secret."""

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI

SECRET = "s3cret-token_for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def webhook_bot(
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
    await process.start()
    yield process, f"http://127.0.0.1:{port}/telegram/hook"
    await process.stop()


async def post_update(url: str, update: dict, secret: str) -> int:
    """POST as Telegram does; the server listens just after setWebhook, so retry briefly."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with aiohttp.ClientSession() as client:
        for attempt in range(50):
            try:
                async with client.post(url, json=update, headers=headers) as response:
                    return response.status
            except aiohttp.ClientConnectorError:
                await asyncio.sleep(0.1 * min(attempt + 1, 5))
    raise AssertionError(f"nothing listens on {url}")


def help_update(update_id: int, user: dict) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": FakeBotAPI.private_chat(user),
            "from": user,
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


async def test_webhook_is_registered_with_its_secret(
    webhook_bot: tuple[BotProcess, str], fake_api: FakeBotAPI
) -> None:
    assert fake_api.webhook["url"] == "https://bot.example.org/telegram/hook"
    assert fake_api.webhook["secret_token"] == SECRET


async def test_updates_with_the_secret_are_answered_others_refused(
    webhook_bot: tuple[BotProcess, str], fake_api: FakeBotAPI
) -> None:
    _, url = webhook_bot
    user = fake_api.user(6001, "Wren")
    assert await post_update(url, help_update(1, user), "wrong-secret") == 403
    since = fake_api.cursor()
    assert await post_update(url, help_update(2, user), SECRET) == 200
    reply = await fake_api.wait_for_message(user["id"], since=since)
    assert "not medical advice" in reply.body
    assert len(fake_api.sent_to(user["id"])) == 1
