"""The weekly PEG: the reminder's button opens it; one message steps through its three items.

One message that edits itself (the three items listed, the one asked marked, one 0-10 keypad)
rather than three keypads at once: 33 buttons do not fit a phone screen without scrolling, and a
keypad per item invites tapping the wrong row. Answers already given stay visible above.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import HipContext
from bot.pipeline.capture import or_sent_anew
from bot.services import outcomes
from bot.services.buttons import PegOpen, parse_peg
from handlers import conversation_texts
from handlers import outcome_texts as texts
from handlers.replies import (
    Outgoing,
    answer_expired,
    answer_press,
    flow,
    now,
    reask,
    render,
    send,
)


async def _press(update: Update, context: HipContext) -> None:
    """peg:open sends this week's PEG; peg:<monday>:<item>:<0-10> edits it to the next item."""
    query = update.callback_query
    pressed = parse_peg(query.data or "")
    user_id = query.from_user.id
    session = context.session
    if pressed is None:
        replies = await answer_expired(session, context, user_id)
    elif isinstance(pressed, PegOpen):
        replies = await outcomes.open_peg(session, flow(context), user_id, now())
    else:
        step = (pressed.week, pressed.item, pressed.value)
        replies = await outcomes.press(session, flow(context), user_id, *step, now())
    if pressed is None:
        await answer_press(update, context, replies)
    elif isinstance(pressed, PegOpen):
        await query.answer()
        await send(context, user_id, replies)
    elif not replies:  # a key of an item already answered: nothing changes
        await query.answer(conversation_texts.MOVED_ON)
    else:
        await query.answer()
        message = render(replies[0])
        with or_sent_anew():  # the next item's keypad, in place; anew if too old to edit
            await query.edit_message_text(message.text, reply_markup=message.keyboard)


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(_press, pattern=r"^peg:")]


def _keypad(question: outcomes.AskPeg) -> InlineKeyboardMarkup:
    prefix = f"peg:{question.week:%Y%m%d}:{question.item}"
    button = [InlineKeyboardButton(str(n), callback_data=f"{prefix}:{n}") for n in range(11)]
    return InlineKeyboardMarkup([button[:6], button[6:]])


@render.register
def _(reply: outcomes.AskPeg) -> Outgoing:
    lines = [texts.PEG_INTRO, ""]
    for number, (item, value) in enumerate(zip(outcomes.ITEMS, reply.answers, strict=True), 1):
        if value is not None:
            lines.append(
                texts.PEG_GIVEN.format(number=number, label=texts.PEG_LABELS[item], value=value)
            )
        elif item == reply.item:
            lines.append(texts.PEG_NOW.format(number=number, question=texts.PEG_QUESTIONS[item]))
    return Outgoing("\n".join(lines), _keypad(reply))


@reask.register
def _(question: outcomes.AskPeg) -> str:
    return texts.PEG_HINT


@render.register
def _(reply: outcomes.PegNotUnderstood) -> Outgoing:
    return Outgoing(texts.PEG_HINT, _keypad(reply.question))


@render.register
def _(reply: outcomes.PegDone) -> Outgoing:
    pain, enjoy, activity = reply.answers
    peg = outcomes.score(reply.answers)
    if reply.already:
        return Outgoing(texts.PEG_DONE_ALREADY.format(score=peg))
    done = texts.PEG_DONE.format(score=peg, pain=pain, enjoy=enjoy, activity=activity)
    after = (
        texts.PEG_FIRST if reply.first is None else texts.PEG_SINCE_FIRST.format(first=reply.first)
    )
    return Outgoing(f"{done}\n{after}")


@render.register
def _(reply: outcomes.PegClosed) -> Outgoing:
    return Outgoing(texts.PEG_CLOSED)
