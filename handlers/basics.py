"""Handlers every chat needs: /help, expired buttons, the notes ahead of commands, and what the
member is told when an update could not be handled.

/start is the member onboarding (`handlers/onboarding.py`).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    filters,
)

from bot.context import HipContext
from bot.services.members import find_member
from bot.services.questions import current_question, on_command
from bot.signed_bot import EXPIRED
from handlers import texts
from handlers.replies import flow, now, send

log = logging.getLogger(__name__)


async def _say_what_happens_to_the_open_question(update: Update, context: HipContext) -> None:
    """Ahead of every member command (its own handler group): a note on the open question; a
    symptom question open means the command waits for its answer."""
    message = update.effective_message
    command = (message.text or "").split()[0].lstrip("/").split("@")[0].lower()
    replies, waits = await on_command(
        context.session, flow(context), update.effective_user.id, command, now()
    )
    await send(context, update.effective_chat.id, replies)
    if waits:
        raise ApplicationHandlerStop


def command_notes_handler() -> BaseHandler:
    """For a handler group of its own, ahead of the features: every command in the menu
    (`texts.COMMAND_MENU`, so a new command is covered by adding it there)."""
    names = [name for name, _ in texts.COMMAND_MENU]
    return CommandHandler(
        names, _say_what_happens_to_the_open_question, filters=filters.ChatType.PRIVATE
    )


async def _help(update: Update, context: HipContext) -> None:
    await update.effective_message.reply_text(texts.HELP)


async def resend_current_question(context: HipContext, user_id: int, chat_id: int) -> None:
    """What the member is being asked, read again from the database and sent anew.

    After a failure or a forged or expired button the member's next words must land on the
    question they can see, so they get that question itself, never "try again".
    """
    session = context.session
    member = await find_member(session, user_id)
    replies = await current_question(session, flow(context), member, now())
    await send(context, chat_id, replies)


async def _expired_button(update: Update, context: HipContext) -> None:
    """A press whose signature failed (forged, altered or from an older key): nothing changes."""
    query = update.callback_query
    await query.answer(texts.BUTTON_EXPIRED)
    if query.message is not None and query.message.chat.type == ChatType.PRIVATE:
        await resend_current_question(context, query.from_user.id, query.message.chat.id)


def command_handlers() -> list[BaseHandler]:
    """Registered before every feature's handlers, so an expired press reaches no parser."""
    return [
        CommandHandler("help", _help),
        CallbackQueryHandler(_expired_button, pattern=f"^{EXPIRED}$"),
    ]


def unknown_button_handler() -> BaseHandler:
    """Registered after every other handler: a press no feature's pattern takes is expired too.

    Only signed data gets here, so this is data the bot made in some older form, or a parser's
    pattern that is stricter than its keyboard; either way the press is answered, not dropped.
    """
    return CallbackQueryHandler(_expired_button)


async def tell_member_it_failed(update: Update, context: HipContext) -> None:
    """After the last failed attempt at an update (`bot/pipeline/handling.py`): say so, and in a
    private chat show the current question again. Queued in the transaction that marks the
    update failed, like any reply."""
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_message(chat.id, texts.SOMETHING_WENT_WRONG)
    if chat.type == ChatType.PRIVATE and update.effective_user is not None:
        await resend_current_question(context, update.effective_user.id, chat.id)
