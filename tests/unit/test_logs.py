"""Log lines as a shipper reads them: JSON with ids, never a token, never what a member typed."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.observability.logs import CURRENT_UPDATE, configure_logging

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"
TYPED = "my back hurts since the fall"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield io.StringIO()
    root.handlers[:], root.level = saved[0], saved[1]


def _configure(stream: io.StringIO, log_format: str, level: str = "DEBUG") -> None:
    settings = Settings.from_env({"BOT_TOKEN": TOKEN, "LOG_FORMAT": log_format, "LOG_LEVEL": level})
    configure_logging(settings, stream=stream)


def test_json_lines_carry_the_update_and_chat_being_handled(captured: io.StringIO) -> None:
    _configure(captured, "json")
    token = CURRENT_UPDATE.set((41, 5001))
    try:
        logging.getLogger("handlers.basics").error("update %s failed", 41)
    finally:
        CURRENT_UPDATE.reset(token)
    logging.getLogger("bot.app").info("hipcoach started")
    first, second = (json.loads(line) for line in captured.getvalue().splitlines())
    assert first["level"] == "ERROR"
    assert first["logger"] == "handlers.basics"
    assert first["message"] == "update 41 failed"
    assert (first["update_id"], first["chat_id"]) == (41, 5001)
    assert first["time"].endswith("+00:00")
    assert (second["update_id"], second["chat_id"]) == (None, None)


def test_json_exceptions_are_one_line_with_the_token_masked(captured: io.StringIO) -> None:
    _configure(captured, "json")
    try:
        raise RuntimeError(f"the server refused {TOKEN}")
    except RuntimeError:
        logging.getLogger("bot").exception("request failed")
    lines = captured.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert "RuntimeError: the server refused <BOT_TOKEN>" in entry["exception"]
    assert TOKEN not in captured.getvalue()


def test_ptb_debug_payloads_are_redacted_but_the_endpoint_stays(captured: io.StringIO) -> None:
    _configure(captured, "text")
    bot_log = logging.getLogger("telegram.Bot")
    bot_log.debug(
        "Calling Bot API endpoint `%s` with parameters `%s`",
        "sendMessage",
        {"chat_id": 5001, "text": TYPED},
    )
    logging.getLogger("telegram.ext._utils.webhookhandler").debug(
        "Webhook received data: %s", json.dumps({"message": {"text": TYPED}})
    )
    out = captured.getvalue()
    assert "Calling Bot API endpoint `sendMessage` with parameters `<redacted dict>`" in out
    assert "Webhook received data: <redacted str>" in out
    assert TYPED not in out


def test_the_default_format_stays_readable(captured: io.StringIO) -> None:
    _configure(captured, "text", level="INFO")
    logging.getLogger("bot.app").info("hipcoach started")
    assert captured.getvalue().rstrip().endswith(" INFO bot.app: hipcoach started")
