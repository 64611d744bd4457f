"""Handlers every chat needs: redelivery guard, /help, and the error handler.

/start is the member onboarding (`handlers/onboarding.py`).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CommandHandler, TypeHandler

from bot.context import HipContext
from bot.services.updates import claim_update
from handlers import texts

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


async def _help(update: Update, context: HipContext) -> None:
    await update.effective_message.reply_text(texts.HELP)


def command_handlers() -> list[BaseHandler]:
    return [CommandHandler("help", _help)]


async def on_error(update: object, context: HipContext) -> None:
    """Log with the update id, then reassure the member: answers are saved as they are given."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, texts.SOMETHING_WENT_WRONG)
        except Exception:
            log.exception("could not tell chat %s about the failure", update.effective_chat.id)
