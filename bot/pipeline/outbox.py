"""The outbox table: Bot API calls queued by handlers, taken in order per chat, marked sent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile
from telegram.request._requestparameter import RequestParameter  # PTB's own conversion

from bot.db.models import OutboxMessage

# Once a call is made, what it said is forgotten: the member's chat has it, and the database
# keeps no copy of replies that may quote their symptoms.
_FORGOTTEN: dict[str, Any] = {"params": "{}", "file_name": None, "file_content": None}


# What an edit says, without which message it changes.
_SAID_ANEW = frozenset({"text", "parse_mode", "entities", "reply_markup", "link_preview_options"})


def queued_call(
    method: str, data: dict[str, Any], update_id: int | None, chat_key: int
) -> OutboxMessage:
    """The row for one call, its parameters as the Bot API takes them (buttons signed, dates
    as timestamps) and at most one uploaded file beside them."""
    params: dict[str, Any] = {}
    row = OutboxMessage(
        update_id=update_id, chat_key=_chat_key(data, chat_key), method=method, state="pending"
    )
    for key, value in data.items():
        parameter = RequestParameter.from_input(key, value)
        if parameter.input_files:
            upload = parameter.input_files[0]
            if parameter.value is not None or row.file_field is not None:
                raise ValueError(f"{method}: only one plain file upload can be queued")
            row.file_field, row.file_name = key, upload.filename
            content = upload.input_file_content
            row.file_content = content if isinstance(content, bytes) else content.read()
        elif parameter.value is not None:
            params[key] = parameter.value
    row.params = json.dumps(params, ensure_ascii=False)
    return row


def _chat_key(data: dict[str, Any], fallback: int) -> int:
    chat_id = data.get("chat_id")
    return chat_id if isinstance(chat_id, int) else fallback


@dataclass(frozen=True)
class Call:
    """One queued call, ready to make."""

    id: int
    update_id: int | None
    chat_key: int
    method: str
    data: dict[str, Any]
    attempts: int
    created_at: datetime
    sent_anew_if_uneditable: bool = False

    @classmethod
    def from_row(cls, row: OutboxMessage) -> Call:
        data = json.loads(row.params)
        if row.file_field is not None and row.file_content is not None:
            data[row.file_field] = InputFile(row.file_content, filename=row.file_name)
        return cls(
            row.id,
            row.update_id,
            row.chat_key,
            row.method,
            data,
            row.attempts,
            row.created_at,
            row.sent_anew_if_uneditable,
        )

    def as_new_message(self) -> tuple[str, dict[str, Any]] | None:
        """The sendMessage that says what this edit would have, when it should be said anew."""
        if not self.sent_anew_if_uneditable or self.method != "editMessageText":
            return None
        kept = {key: value for key, value in self.data.items() if key in _SAID_ANEW}
        return "sendMessage", kept | {"chat_id": self.chat_key}


async def chats_waiting(
    session: AsyncSession, now: datetime, busy: set[int], limit: int
) -> list[int]:
    """Chats whose oldest unsent call may go now, oldest call first."""
    oldest = (
        select(OutboxMessage.chat_key, func.min(OutboxMessage.id).label("first"))
        .where(OutboxMessage.state == "pending")
        .group_by(OutboxMessage.chat_key)
        .subquery()
    )
    statement = (
        select(oldest.c.chat_key)
        .join(OutboxMessage, OutboxMessage.id == oldest.c.first)
        .where(OutboxMessage.not_before <= now)
        .order_by(oldest.c.first)
        .limit(limit + len(busy))
    )
    chats = (await session.scalars(statement)).all()
    return [chat for chat in chats if chat not in busy][:limit]


async def due_calls(session: AsyncSession, chat_key: int, now: datetime) -> list[Call]:
    """The chat's unsent calls in order, up to the first one waiting out a retry delay."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.chat_key == chat_key, OutboxMessage.state == "pending")
        .order_by(OutboxMessage.id)
    )
    calls = []
    for row in rows:
        if row.not_before > now:
            break
        calls.append(Call.from_row(row))
    return calls


async def mark_sent(
    session: AsyncSession, call_id: int, message_id: int | None, now: datetime
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == call_id)
        .values(state="sent", sent_at=now, message_id=message_id, **_FORGOTTEN)
    )


async def mark_failed(session: AsyncSession, call_id: int, error: str, now: datetime) -> None:
    """Telegram refused the call for good (a 400 or 403): kept for `hipcoach check`."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == call_id)
        .values(state="failed", sent_at=now, error=error[:500], **_FORGOTTEN)
    )


async def retry_later(session: AsyncSession, call_id: int, error: str, at: datetime) -> None:
    """Telegram could not be reached or failed: the chat's calls wait until `at`, in order."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == call_id)
        .values(attempts=OutboxMessage.attempts + 1, not_before=at, error=error[:500])
    )
