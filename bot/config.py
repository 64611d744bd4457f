"""Settings, read once from the environment at the entry point.

Every setting is checked up front so that a typo in `.env` stops start-up with one line that names
the setting, instead of failing later in front of a member.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/hipcoach.db"
DEFAULT_LISTEN_PORT = 8443
DEFAULT_REMINDER_GRACE_HOURS = 3.0
_TOKEN = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{30,100}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class SettingsError(Exception):
    """A setting is missing or malformed; the message is the one line shown to the operator."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name


@dataclass(frozen=True)
class Settings:
    bot_token: str
    telegram_api_url: str
    database_url: str
    bot_mode: Literal["polling", "webhook"]
    webhook_url: str | None
    webhook_secret: str | None
    listen_port: int
    default_timezone: str
    log_level: str
    reminder_grace_hours: float
    # Retention (issue 13): days kept before the daily job deletes them.
    retain_reminders_days: int = 90
    retain_alerts_days: int = 90
    retain_update_ids_days: int = 7

    def __repr__(self) -> str:
        # The token must never reach a log line, even through a debug print of the settings.
        return f"Settings(mode={self.bot_mode}, api={self.telegram_api_url}, db={self.safe_db})"

    @property
    def safe_db(self) -> str:
        """The database URL without its password, for logs and `hipcoach check`."""
        return make_url(self.database_url).render_as_string(hide_password=True)

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, require_token: bool = True) -> Settings:
        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        token = get("BOT_TOKEN")
        if token is None and require_token:
            raise SettingsError(
                "BOT_TOKEN", "is missing; get one from @BotFather and put it in .env"
            )
        if token is not None and not _TOKEN.match(token):
            raise SettingsError("BOT_TOKEN", "is malformed; it looks like 123456789:AAE…")

        mode = (get("BOT_MODE") or "polling").lower()
        if mode not in ("polling", "webhook"):
            raise SettingsError("BOT_MODE", f"must be 'polling' or 'webhook', not {mode!r}")
        webhook_url = get("WEBHOOK_URL")
        webhook_secret = get("WEBHOOK_SECRET")
        if webhook_url is not None:
            _check_http_url("WEBHOOK_URL", webhook_url, https_only=True)
        if webhook_secret is not None and not _SECRET.match(webhook_secret):
            raise SettingsError("WEBHOOK_SECRET", "may use only A-Z, a-z, 0-9, _ and - (1-256)")
        if mode == "webhook" and webhook_url is None:
            raise SettingsError("WEBHOOK_URL", "is required when BOT_MODE=webhook")
        if mode == "webhook" and webhook_secret is None:
            raise SettingsError("WEBHOOK_SECRET", "is required when BOT_MODE=webhook")

        return cls(
            bot_token=token or "",
            telegram_api_url=_api_url(get("TELEGRAM_API_URL") or DEFAULT_API_URL),
            database_url=_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            bot_mode=mode,  # type: ignore[arg-type]
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            listen_port=_port(get("LISTEN_PORT")),
            default_timezone=_timezone(get("DEFAULT_TIMEZONE") or "UTC"),
            log_level=_log_level(get("LOG_LEVEL") or "INFO"),
            reminder_grace_hours=_grace_hours(get("REMINDER_GRACE_HOURS")),
            retain_reminders_days=_days("RETAIN_REMINDERS_DAYS", get("RETAIN_REMINDERS_DAYS"), 90),
            retain_alerts_days=_days("RETAIN_ALERTS_DAYS", get("RETAIN_ALERTS_DAYS"), 90),
            retain_update_ids_days=_days(
                "RETAIN_UPDATE_IDS_DAYS", get("RETAIN_UPDATE_IDS_DAYS"), 7
            ),
        )


def _check_http_url(name: str, value: str, *, https_only: bool = False) -> None:
    parts = urlsplit(value)
    schemes = ("https",) if https_only else ("http", "https")
    if parts.scheme not in schemes or not parts.netloc:
        kind = "an https:// URL" if https_only else "an http:// or https:// URL"
        raise SettingsError(name, f"must be {kind}, not {value!r}")


def _api_url(value: str) -> str:
    _check_http_url("TELEGRAM_API_URL", value)
    return value.rstrip("/")


def _database_url(value: str) -> str:
    try:
        url: URL = make_url(value)
    except ArgumentError:
        raise SettingsError("DATABASE_URL", "is not a database URL") from None
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise SettingsError(
            "DATABASE_URL", f"must be sqlite or postgresql, not {url.drivername!r}"
        ) from None
    if driver == "sqlite+aiosqlite" and not url.database:
        raise SettingsError("DATABASE_URL", "needs a file path, e.g. sqlite:///data/hipcoach.db")
    if driver == "postgresql+asyncpg" and not url.database:
        raise SettingsError("DATABASE_URL", "needs a database name after the host")
    return url.set(drivername=driver).render_as_string(hide_password=False)


def _port(value: str | None) -> int:
    if value is None:
        return DEFAULT_LISTEN_PORT
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise SettingsError("LISTEN_PORT", f"must be a port number from 1 to 65535, not {value!r}")
    return int(value)


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            "DEFAULT_TIMEZONE", f"{value!r} is not an IANA time zone such as Europe/Berlin"
        ) from None
    return value


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise SettingsError("LOG_LEVEL", f"must be DEBUG, INFO, WARNING or ERROR, not {value!r}")
    return level


def _grace_hours(value: str | None) -> float:
    if value is None:
        return DEFAULT_REMINDER_GRACE_HOURS
    try:
        hours = float(value)
    except ValueError:
        hours = -1.0
    if not 0 <= hours <= 24:
        raise SettingsError("REMINDER_GRACE_HOURS", f"must be hours from 0 to 24, not {value!r}")
    return hours


def _days(name: str, value: str | None, default: int) -> int:
    """A retention period: whole days, at least 2 (Telegram redelivers for up to a day)."""
    if value is None:
        return default
    if not value.isascii() or not value.isdigit() or not 2 <= int(value) <= 3650:
        raise SettingsError(name, f"must be whole days from 2 to 3650, not {value!r}")
    return int(value)


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL (so its folder can be created), or None for other databases."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


class TokenFilter(logging.Filter):
    """Masks the bot token wherever a library logs a request URL that contains it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._token:
            return True
        if self._token in record.getMessage():
            record.msg = record.getMessage().replace(self._token, "<BOT_TOKEN>")
            record.args = None
        if record.exc_info and not record.exc_text:
            # Exception messages quote the token too (PTB's InvalidToken does); the formatter
            # prints exc_text as it finds it, so mask it there once.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = record.exc_text.replace(self._token, "<BOT_TOKEN>")
        return True
