"""Settings, read once from the environment at the entry point.

Every setting is checked up front so that a typo in `.env` stops start-up with one line that names
the setting, instead of failing later in front of a member.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/hipcoach.db"
DEFAULT_LISTEN_PORT = 8443
DEFAULT_REMINDER_GRACE_HOURS = 3.0
# Metrics reveal activity levels: only this machine (or a proxy on it) may read them by default.
DEFAULT_METRICS_HOST = "127.0.0.1"
_TOKEN = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{30,100}$")
T = TypeVar("T")
_MODES: dict[str, Literal["polling", "webhook"]] = {"polling": "polling", "webhook": "webhook"}
_LOG_FORMATS: dict[str, Literal["text", "json"]] = {"text": "text", "json": "json"}
_HOST = re.compile(r"^[A-Za-z0-9.:-]{1,253}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class SettingsError(Exception):
    """Settings are missing or malformed; the message is the one line shown to the operator.

    `name` is the first setting at fault; `problems` has one line per broken setting.
    """

    def __init__(self, name: str, problem: str, *, more: Sequence[SettingsError] = ()) -> None:
        self.name = name
        self.problem = problem
        self.names = [name, *(error.name for error in more)]
        self.problems = [f"{name}: {problem}", *(f"{e.name}: {e.problem}" for e in more)]
        super().__init__("; ".join(self.problems))


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
    # None: the content shipped with the code (`bot.coaching.loader.default_content_dir`).
    content_dir: Path | None = None
    # None: no /healthz or /metrics server (bot/observability).
    metrics_port: int | None = None
    metrics_host: str = DEFAULT_METRICS_HOST
    log_format: Literal["text", "json"] = "text"
    # Retention (issue 13): days kept before the daily job deletes them.
    retain_reminders_days: int = 90
    retain_alerts_days: int = 90
    retain_update_ids_days: int = 7
    # Chats whose updates are handled at once (each chat's own strictly one at a time).
    concurrent_chats: int = 64
    # Telegram's limits, which the one send budget keeps to (bot/pipeline/budget.py): messages
    # a second overall, and seconds between messages to one private chat (a group: 3 times it).
    send_rate: float = 30.0
    send_chat_interval: float = 1.0

    def __repr__(self) -> str:
        # The token must never reach a log line, even through a debug print of the settings.
        return f"Settings(mode={self.bot_mode}, api={self.telegram_api_url}, db={self.safe_db})"

    @property
    def safe_db(self) -> str:
        """The database URL without its password, for logs and `hipcoach check`."""
        return make_url(self.database_url).render_as_string(hide_password=True)

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, require_token: bool = True) -> Settings:
        """The settings, or a SettingsError that names every broken one."""
        settings, problems = cls.inspect_env(env, require_token=require_token)
        if problems:
            first, *more = problems
            raise SettingsError(first.name, first.problem, more=more)
        return settings

    @classmethod
    def inspect_env(
        cls, env: Mapping[str, str], *, require_token: bool = True
    ) -> tuple[Settings, list[SettingsError]]:
        """Every setting (a broken one replaced by its default) and every problem found.

        `hipcoach check` reports all the problems and goes on to check what the rest allows.
        A new setting is one line here: its name, its parser (which takes the stripped value or
        None and raises SettingsError) and the value to use when it is broken.
        """
        read = _Reader(env)
        mode: Literal["polling", "webhook"] = read("BOT_MODE", _mode, "polling")
        webhook_url = read("WEBHOOK_URL", _webhook_url, None)
        webhook_secret = read("WEBHOOK_SECRET", _webhook_secret, None)
        if mode == "webhook":
            read.require("WEBHOOK_URL", webhook_url, "is required when BOT_MODE=webhook")
            read.require("WEBHOOK_SECRET", webhook_secret, "is required when BOT_MODE=webhook")
        settings = cls(
            bot_token=read("BOT_TOKEN", lambda value: _token(value, require_token), ""),
            telegram_api_url=read("TELEGRAM_API_URL", _api_url, DEFAULT_API_URL),
            database_url=read("DATABASE_URL", _database_url, DEFAULT_DATABASE_URL),
            bot_mode=mode,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            listen_port=read("LISTEN_PORT", _listen_port, DEFAULT_LISTEN_PORT),
            default_timezone=read("DEFAULT_TIMEZONE", _timezone, "UTC"),
            log_level=read("LOG_LEVEL", _log_level, "INFO"),
            reminder_grace_hours=read(
                "REMINDER_GRACE_HOURS", _grace_hours, DEFAULT_REMINDER_GRACE_HOURS
            ),
            content_dir=read("CONTENT_DIR", _content_dir, None),
            metrics_port=read("METRICS_PORT", _metrics_port, None),
            metrics_host=read("METRICS_HOST", _metrics_host, DEFAULT_METRICS_HOST),
            log_format=read("LOG_FORMAT", _log_format, "text"),
            retain_reminders_days=read(
                "RETAIN_REMINDERS_DAYS", _days("RETAIN_REMINDERS_DAYS", 90), 90
            ),
            retain_alerts_days=read("RETAIN_ALERTS_DAYS", _days("RETAIN_ALERTS_DAYS", 90), 90),
            retain_update_ids_days=read(
                "RETAIN_UPDATE_IDS_DAYS", _days("RETAIN_UPDATE_IDS_DAYS", 7), 7
            ),
            concurrent_chats=read("CONCURRENT_CHATS", _concurrent_chats, 64),
            send_rate=read("SEND_RATE", _send_rate, 30.0),
            send_chat_interval=read("SEND_CHAT_INTERVAL", _send_chat_interval, 1.0),
        )
        return settings, read.problems


class _Reader:
    """Reads settings one by one, collecting every problem instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.problems: list[SettingsError] = []

    def __call__(self, name: str, parse: Callable[[str | None], T], broken: T) -> T:
        value = self._env.get(name, "").strip() or None
        try:
            return parse(value)
        except SettingsError as error:
            self.problems.append(error)
            return broken

    def require(self, name: str, value: object, problem: str) -> None:
        if value is None and name not in {error.name for error in self.problems}:
            self.problems.append(SettingsError(name, problem))


def _token(value: str | None, required: bool) -> str:
    if value is None:
        if required:
            raise SettingsError(
                "BOT_TOKEN", "is missing; get one from @BotFather and put it in .env"
            )
        return ""
    if not _TOKEN.match(value):
        raise SettingsError("BOT_TOKEN", "is malformed; it looks like 123456789:AAE…")
    return value


def _mode(value: str | None) -> Literal["polling", "webhook"]:
    mode = (value or "polling").lower()
    if mode not in _MODES:
        raise SettingsError("BOT_MODE", f"must be 'polling' or 'webhook', not {mode!r}")
    return _MODES[mode]


def _webhook_url(value: str | None) -> str | None:
    if value is not None:
        _check_http_url("WEBHOOK_URL", value, https_only=True)
    return value


def _webhook_secret(value: str | None) -> str | None:
    if value is not None and not _SECRET.match(value):
        raise SettingsError("WEBHOOK_SECRET", "may use only A-Z, a-z, 0-9, _ and - (1-256)")
    return value


def _check_http_url(name: str, value: str, *, https_only: bool = False) -> None:
    parts = urlsplit(value)
    schemes = ("https",) if https_only else ("http", "https")
    if parts.scheme not in schemes or not parts.netloc:
        kind = "an https:// URL" if https_only else "an http:// or https:// URL"
        raise SettingsError(name, f"must be {kind}, not {value!r}")


def _api_url(value: str | None) -> str:
    value = value or DEFAULT_API_URL
    _check_http_url("TELEGRAM_API_URL", value)
    return value.rstrip("/")


def _database_url(value: str | None) -> str:
    value = value or DEFAULT_DATABASE_URL
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
    if driver == "postgresql+asyncpg" and find_spec("asyncpg") is None:
        raise SettingsError(
            "DATABASE_URL", 'PostgreSQL needs its driver: pip install "hipcoach[postgres]"'
        )
    return url.set(drivername=driver).render_as_string(hide_password=False)


def _port(name: str, value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise SettingsError(name, f"must be a port number from 1 to 65535, not {value!r}")
    return int(value)


def _listen_port(value: str | None) -> int:
    return DEFAULT_LISTEN_PORT if value is None else _port("LISTEN_PORT", value)


def _concurrent_chats(value: str | None) -> int:
    if value is None:
        return 64
    if not value.isdigit() or not 1 <= int(value) <= 1024:
        raise SettingsError(
            "CONCURRENT_CHATS", f"must be a whole number from 1 to 1024, not {value!r}"
        )
    return int(value)


def _send_rate(value: str | None) -> float:
    rate = _number(value, 30.0)
    if not 1 <= rate <= 1000:
        raise SettingsError("SEND_RATE", f"must be messages a second from 1 to 1000, not {value!r}")
    return rate


def _send_chat_interval(value: str | None) -> float:
    seconds = _number(value, 1.0)
    if not 0 <= seconds <= 60:
        raise SettingsError("SEND_CHAT_INTERVAL", f"must be seconds from 0 to 60, not {value!r}")
    return seconds


def _number(value: str | None, default: float) -> float:
    """A plain decimal number; anything else (including nan and inf) is -1, out of bounds."""
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        return -1.0
    return number if math.isfinite(number) else -1.0


def _metrics_port(value: str | None) -> int | None:
    return None if value is None else _port("METRICS_PORT", value)


def _metrics_host(value: str | None) -> str:
    host = value or DEFAULT_METRICS_HOST
    if not _HOST.match(host):
        raise SettingsError("METRICS_HOST", f"must be a host name or IP address, not {host!r}")
    return host


def _log_format(value: str | None) -> Literal["text", "json"]:
    log_format = (value or "text").lower()
    if log_format not in _LOG_FORMATS:
        raise SettingsError("LOG_FORMAT", f"must be 'text' or 'json', not {value!r}")
    return _LOG_FORMATS[log_format]


def _timezone(value: str | None) -> str:
    value = value or "UTC"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            "DEFAULT_TIMEZONE", f"{value!r} is not an IANA time zone such as Europe/Berlin"
        ) from None
    return value


def _log_level(value: str | None) -> str:
    level = (value or "INFO").upper()
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


def _content_dir(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise SettingsError("CONTENT_DIR", f"{value!r} is not a folder")
    return path


def _days(name: str, default: int) -> Callable[[str | None], int]:
    """A retention period's parser: whole days, at least 2 (Telegram redelivers for up to a day)."""

    def parse(value: str | None) -> int:
        if value is None:
            return default
        if not value.isascii() or not value.isdigit() or not 2 <= int(value) <= 3650:
            raise SettingsError(name, f"must be whole days from 2 to 3650, not {value!r}")
        return int(value)

    return parse


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
