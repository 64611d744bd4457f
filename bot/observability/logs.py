"""Logging set-up: readable lines by default, one JSON object a line with LOG_FORMAT=json.

Both formats go through the same filters: the bot token is masked (`TokenFilter`), the update id
and chat id being handled are attached (so a shipper can group a member's lines), and PTB's DEBUG
payloads are redacted. PTB logs every Bot API call's parameters and answers, and every webhook
body, at DEBUG: that is members' typed text and names. Those arguments become `<redacted …>`;
the endpoint names, update ids and counts around them stay. The JSON lines never carry message
text: only what the bot itself logs, which names ids and outcomes, not what members wrote.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.config import Settings, TokenFilter

# (update_id, chat_id) of the update the current task is handling; set by ObservedApplication.
CURRENT_UPDATE: ContextVar[tuple[int, int | None] | None] = ContextVar(
    "hipcoach_current_update", default=None
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Short plain strings in PTB's DEBUG lines are endpoint names and prefixes, not members' words.
_SAFE_ARG_LENGTH = 40


class UpdateContextFilter(logging.Filter):
    """Attach `update_id` and `chat_id` (None outside an update) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = CURRENT_UPDATE.get()
        record.update_id, record.chat_id = current if current is not None else (None, None)
        return True


class TelegramPayloadRedactor(logging.Filter):
    """Replace the payloads in PTB's DEBUG records (parameters, answers, webhook bodies)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG and record.name.startswith("telegram") and record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_redacted(arg) for arg in args)
        return True


def _redacted(arg: object) -> object:
    if isinstance(arg, bool | int | float):
        return arg
    if isinstance(arg, str) and len(arg) <= _SAFE_ARG_LENGTH and "{" not in arg:
        return arg
    return f"<redacted {type(arg).__name__}>"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, update_id, chat_id, and the
    exception (already token-masked) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "update_id": getattr(record, "update_id", None),
            "chat_id": getattr(record, "chat_id", None),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    settings: Settings, level: str | None = None, stream: TextIO | None = None
) -> None:
    """Log to stderr in the configured format; `level` overrides LOG_LEVEL (`hipcoach check`)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    for log_filter in (
        TelegramPayloadRedactor(),
        TokenFilter(settings.bot_token),
        UpdateContextFilter(),
    ):
        handler.addFilter(log_filter)
    logging.basicConfig(level=level or settings.log_level, handlers=[handler], force=True)
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # At DEBUG these log every SQL statement with its parameters and rows: members' data.
    for noisy in ("sqlalchemy", "aiosqlite", "asyncpg"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
