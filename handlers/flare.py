"""/flare: the flare-up plan, and its button that eases the next sessions (private only)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import HipContext
from bot.services import education
from bot.services.buttons import parse_flare
from handlers import outcome_texts as texts
from handlers.replies import Outgoing, answer_expired, answer_press, flow, now, render, send

EASE_DATA = "flare:ease"


async def _flare(update: Update, context: HipContext) -> None:
    replies = await education.show_flare(
        context.session, flow(context), update.effective_user.id, now()
    )
    await send(context, update.effective_chat.id, replies)


async def _ease(update: Update, context: HipContext) -> None:
    """flare:ease (see bot.services.buttons)"""
    query = update.callback_query
    session = context.session
    if parse_flare(query.data or "") is None:
        replies = await answer_expired(session, context, query.from_user.id)
    else:
        replies = await education.ease_flare(session, flow(context), query.from_user.id, now())
    await answer_press(update, context, replies)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("flare", _flare, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(_ease, pattern=r"^flare:"),
    ]


@render.register
def _(reply: education.FlarePlanShown) -> Outgoing:
    plan = reply.plan
    parts = [
        texts.FLARE_TITLE,
        "\n".join([texts.FLARE_TODAY, *(f"• {line}" for line in plan.today)]),
        "\n".join([texts.FLARE_SKIP, *(f"• {line}" for line in plan.skip)]),
        "\n".join([texts.FLARE_HELP, *(f"• {line}" for line in plan.seek_help)]),
    ]
    if reply.offer_ease:
        parts.append(plan.offer_ease)
        button = InlineKeyboardButton(texts.EASE_BUTTON, callback_data=EASE_DATA)
        return Outgoing("\n\n".join(parts), InlineKeyboardMarkup([[button]]))
    if reply.easing_until is not None:
        parts.append(texts.FLARE_EASING.format(until=texts.day(reply.easing_until)))
    else:
        parts.append(texts.FLARE_NOT_ENROLLED)
    return Outgoing("\n\n".join(parts))


@render.register
def _(reply: education.FlareEased) -> Outgoing:
    until = texts.day(reply.until)
    if not reply.reasons:
        return Outgoing(texts.FLARE_EASED_ALREADY_EASIEST.format(until=until))
    reasons = "\n".join(f"• {reason}" for reason in reply.reasons)
    return Outgoing(f"{texts.FLARE_EASED.format(until=until)}\n\n{reasons}")


@render.register
def _(reply: education.FlareAlreadyEased) -> Outgoing:
    return Outgoing(texts.FLARE_ALREADY_EASED.format(until=texts.day(reply.until)))


@render.register
def _(reply: education.FlareNotActive) -> Outgoing:
    return Outgoing(texts.FLARE_NOT_ACTIVE)
