"""`/progress` (a chart and three lines) and `/history` (recent sessions in words), private only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import clock
from bot.charts.progress import render_progress_chart
from bot.context import HipContext
from bot.services import progress
from handlers import progress_texts as texts


async def _progress(update: Update, context: HipContext) -> None:
    services = context.services
    report = await progress.load_progress(
        context.session, update.effective_user.id, clock.now(), services.settings.default_timezone
    )
    message = update.effective_message
    if report is None:
        await message.reply_text(texts.NOT_SET_UP)
        return
    if not report.points:
        await message.reply_text(texts.no_chart(report))
        return
    # Drawing is ~150 ms of CPU: in a worker thread, so the event loop keeps serving others.
    png = await asyncio.to_thread(render_progress_chart, report, services.library.rules.pain_zones)
    await message.reply_photo(png, caption=texts.summary(report))


async def _history(update: Update, context: HipContext) -> None:
    sessions = await progress.load_history(context.session, update.effective_user.id)
    if sessions is None:
        await update.effective_message.reply_text(texts.NOT_SET_UP)
        return
    await update.effective_message.reply_text(texts.history(sessions, _name_of(context)))


def _name_of(context: HipContext) -> Callable[[str], str]:
    library = context.services.library

    def name(variation_id: str) -> str:
        try:
            return library.variation(variation_id).name
        except KeyError:  # an exercise since removed from the content: its id still says what
            return variation_id.replace("_", " ")

    return name


def handlers() -> list[BaseHandler]:
    """The chart is drawn in a worker thread, and other chats are handled meanwhile."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("progress", _progress, filters=private),
        CommandHandler("history", _history, filters=private),
    ]
