"""The daily reminder's buttons (`rem:`), the reminder jobs, and noticing a member is back.

Start (`sess:start`) belongs to the session flow; Snooze, Skip today and the next-morning check
are answered here by editing the reminder in place, so the chat keeps one message per day.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, TypeHandler

from bot.coaching import Checkin
from bot.context import HipApplication, HipContext
from bot.db.models import utcnow
from bot.pipeline.capture import or_sent_anew
from bot.scheduling.jobs import schedule_jobs
from bot.services import pause_checkins, reminders
from bot.services.buttons import parse_pchk
from handlers import reminder_texts
from handlers.replies import Outgoing, answer_expired, answer_press, flow, now, render

log = logging.getLogger(__name__)

PAUSE_CHECKIN_TICK = timedelta(minutes=1)  # check-ins are due at a minute: one claim a minute

SNOOZE = rf"^rem:([0-9]{{1,18}}):snooze:({'|'.join(map(str, reminders.SNOOZE_MINUTES))})$"
SKIP = r"^rem:([0-9]{1,18}):skip$"
CHECKIN = r"^rem:([0-9]{1,18}):chk:(better|same|worse)$"


async def _snooze(update: Update, context: HipContext) -> None:
    query = update.callback_query
    await query.answer()
    reminder_id, minutes = (int(group) for group in context.matches[0].groups())
    answer = await reminders.snooze(
        context.session, query.from_user.id, reminder_id, minutes, utcnow()
    )
    with or_sent_anew():
        await query.edit_message_text(reminder_texts.snoozed(answer))


async def _skip(update: Update, context: HipContext) -> None:
    query = update.callback_query
    await query.answer()
    reminder_id = int(context.matches[0].group(1))
    answer = await reminders.skip_today(context.session, query.from_user.id, reminder_id, utcnow())
    with or_sent_anew():
        await query.edit_message_text(reminder_texts.skipped(answer))


async def _checkin(update: Update, context: HipContext) -> None:
    query = update.callback_query
    await query.answer()
    reminder_id, answer = int(context.matches[0].group(1)), Checkin(context.matches[0].group(2))
    result = await reminders.answer_checkin(
        context.session, context.services.library, query.from_user.id, reminder_id, answer, utcnow()
    )
    text, keyboard = reminder_texts.checkin_answered(result)
    with or_sent_anew():  # a second tap changes nothing: Telegram says "not modified"
        await query.edit_message_text(text, reply_markup=keyboard)


async def _stale_button(update: Update, context: HipContext) -> None:
    """A reminder button this version no longer knows (from an old message): say so kindly."""
    query = update.callback_query
    await query.answer()
    await query.edit_message_text(reminder_texts.CLOSED)


async def _pause_checkin(update: Update, context: HipContext) -> None:
    """pchk:<number>:<resume|keep|worse>, a check-in while paused."""
    query = update.callback_query
    pressed = parse_pchk(query.data or "")
    session = context.session
    if pressed is None:
        replies = await answer_expired(session, context, query.from_user.id)
    else:
        replies = await pause_checkins.answer(
            session, flow(context), query.from_user.id, pressed.number, pressed.choice, now()
        )
    await answer_press(update, context, replies)


async def _pause_checkin_tick(context: HipContext) -> None:
    """Claim the check-ins due (each once), then send them after the claim has committed."""
    async with context.services.sessionmaker.begin() as session:
        due = await pause_checkins.claim_due(session, flow(context), utcnow())
    for item in due:
        text, keyboard = reminder_texts.pause_checkin(item)
        try:
            await context.bot.send_message(item.chat_id, text, reply_markup=keyboard)
        except TelegramError as error:  # claimed already: never sent twice, logged instead
            log.warning("pause check-in %d to %s not sent: %s", item.number, item.chat_id, error)


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(_pause_checkin, pattern=r"^pchk:"),
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
    session = context.session
    if blocked:
        changed = await reminders.mark_unreachable(session, user.id)
    else:
        changed = await reminders.mark_reachable_again(session, user.id, utcnow())
    if changed:
        log.info("member %s is %s", user.id, "unreachable" if blocked else "reachable again")


def reachability_handler() -> BaseHandler:
    """For a group of its own: in a PTB group only the first matching handler runs."""
    return TypeHandler(Update, _note_reachability)


def schedule_reminder_jobs(application: HipApplication) -> None:
    schedule_jobs(application, reminder_texts.render)
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        _pause_checkin_tick, interval=PAUSE_CHECKIN_TICK, first=PAUSE_CHECKIN_TICK
    )


# ---- how pause check-in answers look ----------------------------------------------------------


@render.register
def _(reply: pause_checkins.KeepPausing) -> Outgoing:
    return Outgoing(reminder_texts.KEEP_PAUSING_LAST if reply.last else reminder_texts.KEEP_PAUSING)


@render.register
def _(reply: pause_checkins.WorseWhilePaused) -> Outgoing:
    parts = [reminder_texts.WORSE_WHILE_PAUSED]
    if reply.coach_group is not None:
        parts.append(reminder_texts.WORSE_COACH_TOLD.format(group=reply.coach_group))
    return Outgoing("\n\n".join(parts))
