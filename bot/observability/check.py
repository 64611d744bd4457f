"""`hipcoach check`: every section reported, whatever else is broken, for an operator at 3 a.m.

Sections: settings (each problem named; the token's presence and shape, never its value),
database (backend, reachable, revisions, members, reminder and alert backlog), content (ok or
every problem) and, with `--online`, the Bot API (getMe, getWebhookInfo). A section that cannot
be checked because a setting it needs is broken says so and fails; the others still run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.coaching.content import Library
from bot.coaching.loader import ContentError, default_content_dir, load_education, load_library
from bot.config import Settings, SettingsError
from bot.db.engine import create_engine
from bot.db.migrate import current_and_head
from bot.observability.status import ALERT_STUCK_AFTER, PIPELINE_STUCK_AFTER, read_backlog
from bot.services import content_migration

# A webhook delivery error this recent means Telegram cannot reach the bot now.
RECENT_WEBHOOK_ERROR = timedelta(hours=1)


@dataclass
class Section:
    name: str
    summary: str = "ok"
    problems: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


async def run_checks(
    settings: Settings, problems: list[SettingsError], *, online: bool, now: datetime
) -> list[Section]:
    """Every section, in the order an operator fixes them."""
    broken = {error.name for error in problems}
    database = await _database_section(settings, broken, now)
    content, library = _content_section(settings, broken)
    sections = [_settings_section(settings, problems), database, content]
    if database.ok and library is not None:
        sections.append(await _stored_content_section(settings, library))
    if online:
        sections.append(await _bot_api_section(settings, broken, now))
    return sections


def _settings_section(settings: Settings, problems: list[SettingsError]) -> Section:
    section = Section("settings", problems=[str(error) for error in problems])
    token = "BOT_TOKEN: set, well-formed" if settings.bot_token else "BOT_TOKEN: not usable"
    section.details = {
        "token": token,
        "mode": settings.bot_mode,
        "api": settings.telegram_api_url,
        "timezone": settings.default_timezone,
        "metrics": f"{settings.metrics_host}:{settings.metrics_port}"
        if settings.metrics_port
        else "off",
    }
    if section.ok:
        section.summary = (
            f"ok (mode {settings.bot_mode}, API {settings.telegram_api_url}, "
            f"time zone {settings.default_timezone}, {token})"
        )
    else:
        section.summary = f"{len(problems)} problem(s)"
    return section


def _skipped(name: str, setting: str) -> Section:
    return Section(name, f"not checked: fix {setting} first", [f"not checked: fix {setting}"])


async def _database_section(settings: Settings, broken: set[str], now: datetime) -> Section:
    if "DATABASE_URL" in broken:
        return _skipped("database", "DATABASE_URL")
    section = Section("database")
    engine = create_engine(settings.database_url)
    section.details["backend"] = engine.dialect.name
    section.details["url"] = settings.safe_db
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        current, heads = await current_and_head(engine)
        section.details |= {"reachable": True, "current": current, "head": heads}
        if sorted(current) != sorted(heads):
            at = ", ".join(current) or "an empty database"
            section.problems.append(
                f"schema at {at}, code at {', '.join(heads)}: run `hipcoach migrate`"
            )
        else:
            async with engine.connect() as connection:
                backlog = await read_backlog(connection, now)
            section.details |= asdict(backlog)
            section.problems += _backlog_problems(section.details, now)
    except (SQLAlchemyError, OSError) as error:
        section.details["reachable"] = False
        section.problems.append(f"cannot connect to {settings.safe_db}: {first_line(error)}")
    finally:
        await engine.dispose()
    if section.ok:
        members = section.details["members_by_status"]
        section.summary = (
            f"ok ({section.details['backend']}, {settings.safe_db}, at {', '.join(heads)}; "
            f"{sum(members.values())} members; {section.details['reminders_due']} reminders due)"
        )
    else:
        section.summary = f"{len(section.problems)} problem(s) ({settings.safe_db})"
    return section


def _backlog_problems(details: dict[str, Any], now: datetime) -> list[str]:
    problems = []
    if details["reminders_overdue"]:
        problems.append(
            f"{details['reminders_overdue']} reminder(s) overdue: is `hipcoach run` running?"
        )
    oldest = details["oldest_unsent_alert"]
    if oldest is not None and now - oldest > ALERT_STUCK_AFTER:
        problems.append(f"a coach alert has waited since {oldest:%Y-%m-%d %H:%M} UTC")
    waiting = details["oldest_waiting_update"]
    if waiting is not None and now - waiting > PIPELINE_STUCK_AFTER:
        problems.append(
            f"an update has waited to be handled since {waiting:%Y-%m-%d %H:%M} UTC: "
            "is `hipcoach run` running?"
        )
    waiting = details["oldest_waiting_reply"]
    if waiting is not None and now - waiting > PIPELINE_STUCK_AFTER:
        problems.append(
            f"a reply has waited to be sent since {waiting:%Y-%m-%d %H:%M} UTC: "
            "is Telegram reachable from the leader?"
        )
    return problems


def _content_section(settings: Settings, broken: set[str]) -> tuple[Section, Library | None]:
    if "CONTENT_DIR" in broken:
        return _skipped("content", "CONTENT_DIR"), None
    folder = settings.content_dir or default_content_dir()
    section = Section("content", details={"folder": str(folder)})
    try:
        library = load_library(folder)
        load_education(folder)  # tips and the flare-up plan, read where they are shown
    except ContentError as error:
        section.problems = [str(problem) for problem in error.problems]
        section.summary = f"{len(section.problems)} problem(s) in {folder}"
        return section, None
    variations = sum(len(ladder.variations) for ladder in library.ladders)
    section.details |= {
        "ladders": len(library.ladders),
        "variations": variations,
        "phases": len(library.programme.phases),
    }
    section.summary = (
        f"ok ({len(library.ladders)} ladders, {variations} variations, "
        f"{len(library.programme.phases)} phases)"
    )
    return section, library


async def _stored_content_section(settings: Settings, library: Library) -> Section:
    """Stored programmes and open sessions that name a variation the content no longer has."""
    section = Section("stored content")
    section.problems = await content_migration.dangling_report(settings.database_url, library)
    if not section.ok:
        section.summary = f"{len(section.problems)} stored reference(s) to missing content"
    return section


async def _bot_api_section(settings: Settings, broken: set[str], now: datetime) -> Section:
    for needed in ("BOT_TOKEN", "TELEGRAM_API_URL"):
        if needed in broken:
            return _skipped("bot api", needed)
    section = Section("bot api")
    bot = Bot(
        settings.bot_token,
        base_url=f"{settings.telegram_api_url}/bot",
        base_file_url=f"{settings.telegram_api_url}/file/bot",
    )
    try:
        async with bot:
            info = await bot.get_webhook_info()
        section.details = {
            "username": bot.username,
            "webhook_url": info.url or None,
            "pending_updates": info.pending_update_count,
            "last_error": info.last_error_message,
            "last_error_at": info.last_error_date,
        }
    except InvalidToken:
        section.problems.append("BOT_TOKEN: the Bot API server rejected it")
    except TelegramError as error:
        section.problems.append(f"cannot reach {settings.telegram_api_url}: {error}")
    else:
        section.problems += _webhook_problems(settings, section.details, now)
    if section.ok:
        section.summary = (
            f"ok (@{section.details['username']}, webhook "
            f"{section.details['webhook_url'] or 'not set'}, "
            f"{section.details['pending_updates']} updates waiting)"
        )
    else:
        section.summary = f"{len(section.problems)} problem(s)"
    return section


def _webhook_problems(settings: Settings, details: dict[str, Any], now: datetime) -> list[str]:
    problems = []
    url = details["webhook_url"]
    if settings.bot_mode == "webhook" and url and url != settings.webhook_url:
        problems.append(f"Telegram posts to {url}, not WEBHOOK_URL {settings.webhook_url}")
    error_at = details["last_error_at"]
    if url and error_at is not None and now - error_at < RECENT_WEBHOOK_ERROR:
        problems.append(f"Telegram cannot deliver to the webhook: {details['last_error']}")
    return problems


def first_line(error: BaseException) -> str:
    """The database driver's own message, one line: what an operator can act on."""
    message = str(getattr(error, "orig", None) or error).strip()
    return message.splitlines()[0] if message else type(error).__name__


def render_text(sections: list[Section]) -> str:
    lines = []
    for section in sections:
        lines.append(f"{section.name}: {section.summary}")
        lines += [f"  - {problem}" for problem in section.problems]
        if section.name == "database" and "members_by_status" in section.details:
            details = section.details
            members = ", ".join(f"{s} {n}" for s, n in details["members_by_status"].items())
            oldest = details["oldest_unsent_alert"]
            lines += [
                f"  members: {members or 'none'}",
                f"  reminders: {details['reminders_due']} due, "
                f"{details['reminders_overdue']} overdue",
                f"  alerts: {details['alerts_unsent']} unsent"
                + (f", oldest since {oldest:%Y-%m-%d %H:%M} UTC" if oldest else ""),
                f"  updates: {details['updates_waiting']} waiting, "
                f"{details['updates_failed']} failed",
                f"  replies: {details['replies_waiting']} waiting, "
                f"{details['replies_failed']} refused by Telegram",
            ]
    return "\n".join(lines)


def render_json(sections: list[Section]) -> str:
    report = {
        "ok": all(section.ok for section in sections),
        "sections": {section.name: {"ok": section.ok, **asdict(section)} for section in sections},
    }
    return json.dumps(report, default=_json_value, indent=2)


def _json_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
