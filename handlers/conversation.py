"""Typed answers (and anything else a member sends) in the private chat, and member commands
sent to a group, which get a pointer to the private chat and never any member data."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import HipContext
from bot.services import conversation
from bot.services.members import TypedAnswer
from handlers import answers, conversation_texts
from handlers.replies import flow, now, send

MEMBER_COMMANDS = ("today", "settings", "pause", "resume", "why")


async def _typed(update: Update, context: HipContext) -> None:
    """Text goes to the open question; a sticker or photo is an answer that fits nothing."""
    text = update.effective_message.text
    answer = answers.read(text, now()) if text else TypedAnswer()
    async with context.services.sessionmaker.begin() as session:
        replies = await conversation.answer_typed(
            session, flow(context), update.effective_user.id, answer, now()
        )
    await send(context, update.effective_chat.id, replies)


async def _edited(update: Update, context: HipContext) -> None:
    await update.effective_message.reply_text(conversation_texts.EDITS_NOT_READ)


async def _unknown_button(update: Update, context: HipContext) -> None:
    """A member-flow button whose data no handler reads (e.g. from an older bot version)."""
    await update.callback_query.answer(conversation_texts.MOVED_ON)


async def _in_a_group(update: Update, context: HipContext) -> None:
    await update.effective_message.reply_text(conversation_texts.PRIVATE_ONLY)


def handlers() -> list[BaseHandler]:
    """Register after every other private-chat handler: this one takes any message left."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, _edited),
        MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.COMMAND, _typed),
        CommandHandler(MEMBER_COMMANDS, _in_a_group, filters=filters.ChatType.GROUPS),
        CallbackQueryHandler(_unknown_button, pattern=r"^(onb|sess|set|res):"),
    ]
