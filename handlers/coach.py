"""Coach groups: `/coach` (set up, invite link), `/dashboard` (table, chart, one member, CSV),
`/leavecoach` for members, and the jobs that send coach alerts.

Who may see a group's data is asked of Telegram (getChatMember) on every command and every button
press, never read from the message or the button. Member data only ever goes to the member's own
coach group's administrators: every query filters on the group and the member's consent, and the
data is sent to the admins' private chats unless everyone in the group is an admin
(`coach_audience`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ExtBot,
    JobQueue,
    MessageHandler,
    filters,
)

from bot import clock
from bot.charts.dashboard import dashboard_png
from bot.context import HipContext
from bot.db.models import CoachGroup
from bot.pipeline.capture import live_calls, or_sent_anew
from bot.services import alert_delivery, coach_groups, dashboard
from bot.timekeeping import local_date
from handlers import coach_audience
from handlers import coach_texts as texts

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
ALERT_SECONDS = 60
MISSED_DAYS_SECONDS = 3600
# The missed-days job also sends, right after queueing; one delivery at a time, so the two jobs
# never send the same alert twice.
_delivery_lock = asyncio.Lock()


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("coach", _coach),
        CommandHandler("dashboard", _dashboard),
        CommandHandler("leavecoach", _leave, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(_page, pattern=r"^dash:[0-9]{1,18}:[0-9]{1,4}$"),
        MessageHandler(filters.StatusUpdate.MIGRATE, _migrated),
    ]


def schedule_jobs(job_queue: JobQueue[HipContext]) -> None:
    job_queue.run_repeating(
        _deliver_alerts, interval=ALERT_SECONDS, first=ALERT_SECONDS, name="coach-alerts"
    )
    job_queue.run_repeating(
        _detect_missed_days, interval=MISSED_DAYS_SECONDS, first=1, name="coach-missed-days"
    )


async def register_group_commands(bot: ExtBot[None]) -> None:
    """The command menu inside groups, where the private chat's commands would make no sense."""
    commands = [BotCommand(name, description) for name, description in texts.GROUP_COMMAND_MENU]
    await bot.set_my_commands(commands, scope=BotCommandScopeAllGroupChats())


async def _refusal(update: Update, context: HipContext, not_admin: str) -> str | None:
    """Why this sender may not use coach commands here, or None for an admin of the group."""
    chat, message = update.effective_chat, update.effective_message
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return texts.ANONYMOUS_ADMIN
    if not await _is_admin(context, chat.id, update.effective_user.id):
        return not_admin
    return None


async def _is_admin(context: HipContext, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except BadRequest:  # e.g. "user not found": not a member of the chat at all
        return False
    return member.status in ADMIN_STATUSES


def _now() -> datetime:
    return clock.now()


def _zone(context: HipContext) -> ZoneInfo:
    return ZoneInfo(context.services.settings.default_timezone)


def _today(context: HipContext) -> date:
    """The operator's day, for the chart's axis and the CSV's name; members' rows use their own."""
    return local_date(_now(), _zone(context))


async def _coach(update: Update, context: HipContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat.type == ChatType.PRIVATE:
        await message.reply_text(texts.COACH_IN_PRIVATE)
        return
    if refusal := await _refusal(update, context, texts.COACH_NOT_ADMIN):
        await message.reply_text(refusal)
        return
    renew = context.args[:1] == ["newlink"]
    session = context.session
    group = await coach_groups.open_group(
        session, chat_id=chat.id, title=chat.title or "", coach_user_id=update.effective_user.id
    )
    code = await coach_groups.replace_invite_code(session, group) if renew else group.invite_code
    link = texts.invite_link(context.bot.username, code)
    await message.reply_text(
        (texts.COACH_NEW_LINK if renew else texts.COACH_LINK).format(link=link)
    )


async def _dashboard(update: Update, context: HipContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat.type == ChatType.PRIVATE:
        await message.reply_text(texts.DASHBOARD_IN_PRIVATE)
        return
    if refusal := await _refusal(update, context, texts.NOT_ADMIN):
        await message.reply_text(refusal)
        return
    staff_only = (await coach_audience.audience(context.bot, chat.id)).staff_only
    target = chat.id if staff_only else update.effective_user.id
    argument = " ".join(context.args)
    try:
        if not staff_only:
            with live_calls():  # replies are queued; whether the admin can be written to is not
                await context.bot.send_chat_action(target, ChatAction.TYPING)
        if argument.casefold() == "csv":
            await _send_csv(context, chat.id, target)
        elif argument:
            await _send_member(context, chat.id, target, argument)
        else:
            await _send_table(context, chat.id, target)
    except Forbidden:  # the admin never started a private chat with the bot (or blocked it)
        link = texts.start_link(context.bot.username)
        await message.reply_text(texts.START_ME_FIRST.format(link=link))
        return
    if not staff_only:
        await message.reply_text(texts.SENT_PRIVATELY)


async def _send_table(context: HipContext, chat_id: int, target: int) -> None:
    today = _today(context)
    session = context.session
    group = await coach_groups.group_for_chat(session, chat_id)
    rows = await _rows(context, session, group)
    first_page = dashboard.page_of(rows, 0)
    chart = await dashboard.chart_data(session, first_page, today) if rows else None
    if group is None or chart is None:
        text = texts.NOT_A_COACH_GROUP if group is None else texts.NO_MEMBERS
        await context.bot.send_message(target, text)
        return
    text, keyboard = _page_view(context, group, rows, 0)
    await context.bot.send_message(target, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    png = await asyncio.to_thread(dashboard_png, chart, context.services.library.rules.pain_zones)
    caption = texts.chart_caption(len(first_page), len(rows))
    await context.bot.send_photo(target, png, caption=caption)


async def _rows(
    context: HipContext, session: AsyncSession, group: CoachGroup | None
) -> list[dashboard.MemberRow]:
    """Each member's row as of their own local day."""
    if group is None:
        return []
    return await dashboard.dashboard_rows(session, group.id, context.services.library, _now())


def _page_view(
    context: HipContext, group: CoachGroup, rows: list[dashboard.MemberRow], page: int
) -> tuple[str, InlineKeyboardMarkup]:
    pages = dashboard.page_count(rows)
    page = min(max(page, 0), pages - 1)
    shown = dashboard.page_of(rows, page)
    text = texts.dashboard_page(
        group.title, rows, shown, page, pages, _now().astimezone(_zone(context))
    )
    buttons = []
    if page > 0:
        buttons.append(
            InlineKeyboardButton(texts.PREVIOUS, callback_data=f"dash:{group.id}:{page - 1}")
        )
    buttons.append(InlineKeyboardButton(texts.REFRESH, callback_data=f"dash:{group.id}:{page}"))
    if page < pages - 1:
        buttons.append(
            InlineKeyboardButton(texts.NEXT, callback_data=f"dash:{group.id}:{page + 1}")
        )
    return text, InlineKeyboardMarkup([buttons])


async def _page(update: Update, context: HipContext) -> None:
    """A page or refresh button, in the group or an admin's private chat: who may see the
    group's data is checked again, and the numbers are recomputed."""
    query = update.callback_query
    _, group_id, page = query.data.split(":")
    if query.message is None:  # too old for Telegram to show us
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    session = context.session
    group = await session.get(CoachGroup, int(group_id))
    rows = await _rows(context, session, group)
    chat_id = query.message.chat.id
    in_group = query.message.chat.type != ChatType.PRIVATE
    if group is None or (in_group and group.chat_id != chat_id):
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    if not await _is_admin(context, group.chat_id, query.from_user.id):
        await query.answer(texts.NOT_ADMIN, show_alert=True)
        return
    if in_group and not (await coach_audience.audience(context.bot, chat_id)).staff_only:
        await query.answer(texts.NOT_STAFF_ONLY_ANY_MORE, show_alert=True)
        return
    await query.answer()
    text, keyboard = _page_view(context, group, rows, int(page))
    with or_sent_anew():  # a refresh within the same minute is "not modified": nothing sent
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def _send_member(context: HipContext, chat_id: int, target: int, typed: str) -> None:
    library = context.services.library
    session = context.session
    group = await coach_groups.group_for_chat(session, chat_id)
    if group is not None:
        match = await dashboard.find_member(session, group.id, typed)
        detail = await dashboard.member_detail(session, group.id, match, library, _now())
    if group is None:
        await context.bot.send_message(target, texts.NOT_A_COACH_GROUP)
    elif detail is not None:
        page = texts.member_page(detail, library)
        await context.bot.send_message(target, page, parse_mode=ParseMode.HTML)
    elif match.candidates:
        await context.bot.send_message(target, texts.ambiguous(typed, match.candidates))
    else:
        await context.bot.send_message(target, texts.UNKNOWN_MEMBER.format(name=typed))


async def _send_csv(context: HipContext, chat_id: int, target: int) -> None:
    today = _today(context)
    session = context.session
    group = await coach_groups.group_for_chat(session, chat_id)
    rows = await _rows(context, session, group)
    if group is None:
        await context.bot.send_message(target, texts.NOT_A_COACH_GROUP)
        return
    await context.bot.send_document(
        target,
        texts.dashboard_csv(rows),
        filename=f"dashboard-{today.isoformat()}.csv",
        caption=texts.CSV_CAPTION.format(title=group.title, count=len(rows), day=today.isoformat()),
    )


async def _coach_start(update: Update, context: HipContext) -> None:
    """An admin opened the private chat through the dashboard's one-tap link."""
    await update.effective_message.reply_text(texts.PRIVATE_CHAT_READY)


def start_handler() -> BaseHandler:
    """`/start coach`: registered before onboarding's /start, which would read it as an invite."""
    return CommandHandler(
        "start",
        _coach_start,
        filters=filters.ChatType.PRIVATE & filters.Regex(rf"^/start {texts.START_PAYLOAD}$"),
    )


async def _leave(update: Update, context: HipContext) -> None:
    title = await coach_groups.leave_group(context.session, update.effective_user.id)
    reply = texts.NO_GROUP_TO_LEAVE if title is None else texts.LEFT_GROUP.format(title=title)
    await update.effective_message.reply_text(reply)


async def _migrated(update: Update, context: HipContext) -> None:
    """Telegram moved the group to a new chat id (upgraded to a supergroup): follow it."""
    message = update.effective_message
    if message.migrate_to_chat_id is None:
        return
    await coach_groups.move_group_chat(context.session, message.chat.id, message.migrate_to_chat_id)


async def _detect_missed_days(context: HipContext) -> None:
    async with context.services.sessionmaker.begin() as session:
        queued = await alert_delivery.detect_missed_days(session, _now())
    if queued:
        log.info("queued %d missed-days alerts", queued)
    await _deliver_alerts(context)


async def _deliver_alerts(context: HipContext) -> None:
    """Send each group's waiting alerts to its admins; failures are handed back for next time.

    The alerts are claimed first, so another bot process running this job sends none of them.
    """
    async with _delivery_lock:
        async with context.services.sessionmaker.begin() as session:
            batches = await alert_delivery.claim_alerts(session, _now())
        for batch in batches:
            sent = await _send_alerts(context, batch)
            async with context.services.sessionmaker.begin() as session:
                if sent:
                    await alert_delivery.mark_sent(session, batch.alert_ids, _now())
                else:
                    await alert_delivery.release(session, batch)


async def _send_alerts(context: HipContext, batch: alert_delivery.GroupAlerts) -> bool:
    """True once the alerts reached someone allowed to read them.

    The admins are asked afresh each time (an admin removed a second ago gets nothing); a
    staff-only group gets the alerts posted, any other group's admins each get a private copy.
    With no admin reachable, the group gets one line with the link to start the bot, once.
    """
    try:
        audience = await coach_audience.audience(context.bot, batch.chat_id, fresh=True)
        if audience.staff_only:
            await context.bot.send_message(batch.chat_id, texts.alert_message(batch.alerts))
            return True
        private = texts.private_alert_message(batch.title, batch.alerts)
        reached = [
            admin for admin in audience.admin_ids if await _send_privately(context, admin, private)
        ]
        if not reached:
            await _ask_admins_to_start(context, batch)
        return bool(reached)
    except ChatMigrated as moved:
        async with context.services.sessionmaker.begin() as session:
            await coach_groups.move_group_chat(session, batch.chat_id, moved.new_chat_id)
        return False
    except Forbidden:
        log.warning("removed from coach group chat %s; its alerts wait for /coach", batch.chat_id)
        async with context.services.sessionmaker.begin() as session:
            await coach_groups.deactivate_group(session, batch.chat_id)
        return False
    except TelegramError as error:
        log.warning("alerts to chat %s not sent, retrying next run: %s", batch.chat_id, error)
        return False


async def _send_privately(context: HipContext, user_id: int, text: str) -> bool:
    try:
        await context.bot.send_message(user_id, text)
    except Forbidden:  # this admin has not started the bot, or blocked it
        return False
    return True


# The newest alert each group was asked about; the line is posted again only for newer alerts.
_asked_to_start: dict[int, int] = {}


async def _ask_admins_to_start(context: HipContext, batch: alert_delivery.GroupAlerts) -> None:
    newest = max(alert.alert_id for alert in batch.alerts)
    if _asked_to_start.get(batch.chat_id, 0) >= newest:
        return
    link = texts.start_link(context.bot.username)
    await context.bot.send_message(batch.chat_id, texts.ALERTS_WAITING.format(link=link))
    _asked_to_start[batch.chat_id] = newest
