"""`/export` (the member's data as files) and `/delete` (erase it all, after a confirmation).

Callback data: `data:<member_id>:delete` and `data:<member_id>:keep`. The member id is checked
against the person pressing, so an old button can never touch someone else's, or a newer, record.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import clock
from bot.context import HipContext
from bot.pipeline.capture import or_sent_anew
from bot.services import my_data
from handlers import my_data_texts as texts

CALLBACK = re.compile(r"^data:([0-9]{1,18}):(delete|keep)$")  # 18 digits fit a BIGINT


async def _export(update: Update, context: HipContext) -> None:
    now = clock.now()
    export = await my_data.export_member(
        context.session, update.effective_user.id, context.services.library, now
    )
    message = update.effective_message
    if export is None:
        await message.reply_text(texts.NO_DATA)
        return
    csv_name, json_name = texts.export_file_names(now.date())
    await message.reply_document(
        export.csv_bytes(), filename=csv_name, caption=texts.EXPORT_CSV_CAPTION
    )
    await message.reply_document(
        export.json_bytes(), filename=json_name, caption=texts.EXPORT_JSON_CAPTION
    )


async def _delete(update: Update, context: HipContext) -> None:
    member_id = await my_data.member_id_of(context.session, update.effective_user.id)
    if member_id is None:
        await update.effective_message.reply_text(texts.NO_DATA)
        return
    await update.effective_message.reply_text(
        texts.CONFIRM_DELETE, reply_markup=confirm_keyboard(member_id)
    )


def confirm_keyboard(member_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.DELETE_BUTTON, callback_data=f"data:{member_id}:delete")],
            [InlineKeyboardButton(texts.KEEP_BUTTON, callback_data=f"data:{member_id}:keep")],
        ]
    )


async def _confirmation(update: Update, context: HipContext) -> None:
    query = update.callback_query
    await query.answer()
    parsed = CALLBACK.match(query.data or "")
    if parsed is None:
        await query.edit_message_text(texts.OUT_OF_DATE)
        return
    member_id, action = int(parsed[1]), parsed[2]
    session = context.session
    if action == "delete":
        erasure = await my_data.delete_member(session, member_id, query.from_user.id)
        answer = texts.ERASURE_ANSWERS[erasure]
    else:
        owned = await my_data.member_id_of(session, query.from_user.id) == member_id
        answer = texts.KEPT if owned else texts.OUT_OF_DATE
    with or_sent_anew():  # whether their data is gone: a member must read it
        await query.edit_message_text(answer)


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("export", _export, filters=private),
        CommandHandler("delete", _delete, filters=private),
        CallbackQueryHandler(_confirmation, pattern=r"^data:"),
    ]
