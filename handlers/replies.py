"""Turning the services' replies into Telegram messages, and answering button presses.

Services return plain reply objects; each feature module registers how its replies look with
`render` (and, for questions, how to re-ask them with `reask`). A question message whose button
was pressed is edited to show the answer without its keyboard, so old keyboards don't linger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import singledispatch

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Message, Update

from bot import clock
from bot.context import HipContext
from bot.services.members import Flow, Person, Reply
from bot.services.questions import (
    ButtonExpired,
    DeclinedBefore,
    MovedOn,
    NothingOpen,
    NotStarted,
    NotUnderstood,
    QuestionClosed,
    SessionKeptOpen,
    SymptomFirst,
    expired_button,
)
from handlers import conversation_texts


@dataclass(frozen=True)
class Outgoing:
    """One message to send; `in_place` updates the pressed message's keyboard instead."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    in_place: bool = False


@singledispatch
def render(reply: object) -> Outgoing:
    raise TypeError(f"no renderer registered for {type(reply).__name__}")


@singledispatch
def reask(question: object) -> str:
    """What a question expects, said when an answer did not fit it."""
    raise TypeError(f"no re-ask text registered for {type(question).__name__}")


@render.register
def _(reply: NotUnderstood) -> Outgoing:
    return Outgoing(reask(reply.question), render(reply.question).keyboard)


@render.register
def _(reply: QuestionClosed) -> Outgoing:
    topic = conversation_texts.TOPICS[type(reply.question).__name__]
    return Outgoing(conversation_texts.QUESTION_CLOSED.format(topic=topic))


@render.register
def _(reply: SessionKeptOpen) -> Outgoing:
    text = conversation_texts.SESSION_KEPT_OPEN.format(number=reply.number, total=reply.total)
    return Outgoing(text)


@render.register
def _(reply: SymptomFirst) -> Outgoing:
    return Outgoing(conversation_texts.SYMPTOM_FIRST)


@render.register
def _(reply: NotStarted) -> Outgoing:
    return Outgoing(conversation_texts.NOT_STARTED)


@render.register
def _(reply: NothingOpen) -> Outgoing:
    if reply.enrolled:
        return Outgoing(conversation_texts.NOTHING_OPEN)
    return Outgoing(conversation_texts.NOTHING_OPEN_NOT_ENROLLED)


@render.register
def _(reply: DeclinedBefore) -> Outgoing:
    return Outgoing(conversation_texts.DECLINED_BEFORE)


def flow(context: HipContext) -> Flow:
    services = context.services
    return Flow(services.library, services.settings.default_timezone, services.education)


def person(update: Update) -> Person:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    return Person(user.id, chat.id, user.first_name[:128])


def now() -> datetime:
    return clock.now()


async def send(context: HipContext, chat_id: int, replies: Sequence[Reply]) -> None:
    for message in map(render, replies):
        await context.bot.send_message(chat_id, message.text, reply_markup=message.keyboard)


async def answer_expired(session: AsyncSession, context: HipContext, user_id: int) -> list[Reply]:
    """For callback data its prefix's parser refused: the open question, nothing changed."""
    return await expired_button(session, flow(context), user_id, now())


async def answer_press(update: Update, context: HipContext, replies: Sequence[Reply]) -> None:
    """Answer the button: show the answer on its message (or say it moved on), then reply."""
    query = update.callback_query
    assert query is not None
    expired = any(isinstance(reply, ButtonExpired) for reply in replies)
    moved_on = expired or any(isinstance(reply, MovedOn) for reply in replies)
    toast = conversation_texts.EXPIRED if expired else conversation_texts.MOVED_ON
    await query.answer(toast if moved_on else None)
    messages = [
        render(reply) for reply in replies if not isinstance(reply, (MovedOn, ButtonExpired))
    ]
    pressed = query.message if isinstance(query.message, Message) else None
    if pressed is not None:
        if messages and messages[0].in_place:
            await pressed.edit_reply_markup(messages.pop(0).keyboard)
        elif moved_on:
            await pressed.edit_reply_markup(None)
        else:
            await _show_answer(pressed, query.data or "")
    chat_id = pressed.chat_id if pressed is not None else query.from_user.id
    for message in messages:
        await context.bot.send_message(chat_id, message.text, reply_markup=message.keyboard)


async def _show_answer(message: Message, data: str) -> object:
    label = next(
        (
            button.text
            for row in (message.reply_markup.inline_keyboard if message.reply_markup else ())
            for button in row
            if button.callback_data == data
        ),
        None,
    )
    if label is None or not message.text:
        return await message.edit_reply_markup(None)
    text = conversation_texts.ANSWER_SHOWN.format(question=message.text, answer=label)
    return await message.edit_text(text[:4096], reply_markup=None)
