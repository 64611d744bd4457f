"""Handlers every chat needs: redelivery guard, /help, expired buttons, and the error handler.

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
    TypeHandler,
    filters,
)

from bot.context import HipContext
from bot.services.members import find_member
from bot.services.questions import current_question, on_command
from bot.services.updates import claim_update
from bot.signed_bot import EXPIRED
from handlers import texts
from handlers.replies import flow, now, send

log = logging.getLogger(__name__)


async def _ignore_redelivered(update: Update, context: HipContext) -> None:
    user_id = update.effective_user.id if update.effective_user else None
    async with context.services.sessionmaker.begin() as session:
        is_new = await claim_update(session, update.update_id, user_id)
    if not is_new:
        log.info("update %s was already handled; ignoring the redelivery", update.update_id)
        raise ApplicationHandlerStop


def dedupe_updates_handler() -> BaseHandler:
    return TypeHandler(Update, _ignore_redelivered)


async def _say_what_happens_to_the_open_question(update: Update, context: HipContext) -> None:
    """Ahead of every member command (its own handler group): a note on the open question, in
    its own transaction; a symptom question open means the command waits for its answer."""
    message = update.effective_message
    command = (message.text or "").split()[0].lstrip("/").split("@")[0].lower()
    async with context.services.sessionmaker.begin() as session:
        replies, waits = await on_command(
            session, flow(context), update.effective_user.id, command, now()
        )
    await send(context, update.effective_chat.id, replies)
    if waits:
        raise ApplicationHandlerStop


def command_notes_handler() -> BaseHandler:
    """For a handler group of its own after the redelivery guard: every command in the menu
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
    async with context.services.sessionmaker.begin() as session:
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


async def on_error(update: object, context: HipContext) -> None:
    """Log with the update id, then tell the member and show their current question again."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat = update.effective_chat
    try:
        await context.bot.send_message(chat.id, texts.SOMETHING_WENT_WRONG)
        if chat.type == ChatType.PRIVATE and update.effective_user is not None:
            await resend_current_question(context, update.effective_user.id, chat.id)
    except Exception:
        log.exception("could not tell chat %s about the failure", chat.id)
