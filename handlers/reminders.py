"""The daily reminder's buttons (`rem:`), the reminder jobs, and noticing a member is back.

Start (`sess:start`) belongs to the session flow; Snooze, Skip today and the next-morning check
are answered here by editing the reminder in place, so the chat keeps one message per day.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, TypeHandler

from bot.coaching import Checkin
from bot.context import HipApplication, HipContext
from bot.db.models import utcnow
from bot.scheduling.jobs import schedule_jobs
from bot.services import reminders
from handlers import reminder_texts

log = logging.getLogger(__name__)

SNOOZE = rf"^rem:([0-9]{{1,18}}):snooze:({'|'.join(map(str, reminders.SNOOZE_MINUTES))})$"
SKIP = r"^rem:([0-9]{1,18}):skip$"
CHECKIN = r"^rem:([0-9]{1,18}):chk:(better|same|worse)$"


async def _snooze(update: Update, context: HipContext) -> None:
    query = update.callback_query
    await query.answer()
    reminder_id, minutes = (int(group) for group in context.matches[0].groups())
    async with context.services.sessionmaker.begin() as session:
        answer = await reminders.snooze(session, query.from_user.id, reminder_id, minutes, utcnow())
    await query.edit_message_text(reminder_texts.snoozed(answer))


async def _skip(update: Update, context: HipContext) -> None:
    query = update.callback_query
    await query.answer()
    reminder_id = int(context.matches[0].group(1))
    async with context.services.sessionmaker.begin() as session:
        answer = await reminders.skip_today(session, query.from_user.id, reminder_id, utcnow())
    await query.edit_message_text(reminder_texts.skipped(answer))


async def _checkin(update: Update, context: HipContext) -> None:
    query = update.callback_query
    await query.answer()
    reminder_id, answer = int(context.matches[0].group(1)), Checkin(context.matches[0].group(2))
    async with context.services.sessionmaker.begin() as session:
        result = await reminders.answer_checkin(
            session, context.services.library, query.from_user.id, reminder_id, answer, utcnow()
        )
    text, keyboard = reminder_texts.checkin_answered(result)
    with contextlib.suppress(BadRequest):  # a second tap: already shown
        await query.edit_message_text(text, reply_markup=keyboard)


async def _stale_button(update: Update, context: HipContext) -> None:
    """A reminder button this version no longer knows (from an old message): say so kindly."""
    query = update.callback_query
    await query.answer()
    with contextlib.suppress(BadRequest):  # a second tap: already shown
        await query.edit_message_text(reminder_texts.CLOSED)


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(_snooze, pattern=SNOOZE),
        CallbackQueryHandler(_skip, pattern=SKIP),
        CallbackQueryHandler(_checkin, pattern=CHECKIN),
        CallbackQueryHandler(_stale_button, pattern=r"^rem:"),
    ]


async def _note_reachability(update: Update, context: HipContext) -> None:
    """Anything a member does in their private chat means the bot can reach them again; blocking
    the bot (Telegram tells us with a `my_chat_member` update) means it cannot."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        return
    blocked = (
        update.my_chat_member is not None
        and update.my_chat_member.new_chat_member.status == ChatMemberStatus.BANNED
    )
    async with context.services.sessionmaker.begin() as session:
        if blocked:
            changed = await reminders.mark_unreachable(session, user.id)
        else:
            changed = await reminders.mark_reachable_again(session, user.id, utcnow())
    if changed:
        log.info("member %s is %s", user.id, "unreachable" if blocked else "reachable again")


def reachability_handler() -> BaseHandler:
    """For group -2, alone: in a PTB group only the first matching handler runs."""
    return TypeHandler(Update, _note_reachability)


def schedule_reminder_jobs(application: HipApplication) -> None:
    schedule_jobs(application, reminder_texts.render)
