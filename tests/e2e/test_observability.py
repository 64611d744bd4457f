"""/healthz and /metrics on the real bot, scraped over HTTP as Prometheus or a container would."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI

SCRAPE_TIMEOUT = 15.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def observed_bot(
    fake_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[BotProcess, str]]:
    port = _free_port()
    process = BotProcess(fake_api, database_url, tmp_path, {"METRICS_PORT": str(port)})
    await process.start()
    yield process, f"http://127.0.0.1:{port}"
    await process.stop()


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        return response.status, await response.text()


def _value(metrics: str, sample: str) -> float | None:
    match = re.search(rf"^{re.escape(sample)} (\S+)$", metrics, re.MULTILINE)
    return float(match.group(1)) if match else None


async def _wait_for(
    base: str, sample: str, at_least: float = 1.0, timeout: float = SCRAPE_TIMEOUT
) -> str:
    """Scrape until `sample` reaches `at_least`: counters move just after the reply is sent."""
    deadline = time.monotonic() + timeout
    while True:
        _, metrics = await _get(f"{base}/metrics")
        value = _value(metrics, sample)
        if value is not None and value >= at_least:
            return metrics
        if time.monotonic() > deadline:
            raise AssertionError(f"{sample} never reached {at_least}; last scrape:\n{metrics}")
        await asyncio.sleep(0.05)


async def test_healthz_answers_200_while_the_bot_polls_and_the_database_answers(
    observed_bot: tuple[BotProcess, str],
) -> None:
    _, base = observed_bot
    status, body = await _get(f"{base}/healthz")
    assert status == 200, body
    assert body.startswith("ok (polling")


async def test_metrics_count_updates_and_bot_api_calls_by_type_and_result(
    observed_bot: tuple[BotProcess, str], fake_api: FakeBotAPI
) -> None:
    _, base = observed_bot
    alex = fake_api.user(6001, "Alex")
    since = fake_api.cursor()
    await fake_api.send_text(alex, "/help")
    await fake_api.wait_for_message(alex["id"], since=since)
    metrics = await _wait_for(base, 'hipcoach_updates_handled_total{type="message"}')
    assert _value(metrics, 'hipcoach_updates_received_total{type="message"}') == 1.0
    assert _value(metrics, 'hipcoach_update_handling_seconds_count{type="message"}') == 1.0
    assert _value(metrics, 'hipcoach_telegram_requests_total{method="getUpdates",result="ok"}')
    assert _value(metrics, "hipcoach_reminders_due") == 0.0
    assert _value(metrics, 'hipcoach_db_pool_connections{state="size"}') is not None
    assert "BOT_TOKEN" not in metrics and fake_api.token not in metrics

    sam = fake_api.user(6002, "Sam")
    fake_api.fail_next("sendMessage", 403)  # Sam blocked the bot: the reply is refused
    await fake_api.send_text(sam, "/help")
    metrics = await _wait_for(base, 'hipcoach_outbox_calls{state="failed"}')
    assert _value(metrics, 'hipcoach_telegram_requests_total{method="sendMessage",result="403"}')

    robin, group = fake_api.user(6003, "Robin"), fake_api.group_chat(-6003)
    fake_api.fail_next("getChatMember", 500, times=3)  # /dashboard's admin check fails: 3 tries
    await fake_api.send_text(robin, "/dashboard", chat=group)
    metrics = await _wait_for(base, 'hipcoach_inbox_updates{state="failed"}', timeout=30)
    assert _value(metrics, 'hipcoach_updates_failed_total{type="message"}') == 3.0
    assert _value(metrics, 'hipcoach_updates_received_total{type="message"}') == 5.0
    assert _value(metrics, 'hipcoach_updates_handled_total{type="message"}') == 2.0


async def test_json_logs_at_debug_name_the_update_but_never_what_the_member_typed(
    fake_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> None:
    typed = "my back hurts since the fall"
    process = BotProcess(
        fake_api, database_url, tmp_path, {"LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"}
    )
    await process.start()
    try:
        alex = fake_api.user(6003, "Alexandrina")
        since = fake_api.cursor()
        update_id = await fake_api.send_text(alex, typed)
        await fake_api.wait_for_message(alex["id"], since=since)
    finally:
        await process.stop()
    lines = process.log_path.read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message", "update_id", "chat_id"} <= set(entries[0])
    assert any(e["update_id"] == update_id and e["chat_id"] == alex["id"] for e in entries)
    log = "\n".join(lines)
    assert typed not in log
    assert "Alexandrina" not in log
    assert fake_api.token not in log
