"""Typed answers (and anything else a member sends) in the private chat, a new symptom at any
moment (/symptom, ⚠️ and typed words), and member commands sent to a group, which get a pointer
to the private chat and never any member data."""

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
from bot.services import conversation, symptoms
from bot.services.buttons import SymptomButton, parse_sym
from bot.services.members import TypedAnswer
from bot.services.questions import AskPauseCheckin, AskSymptom, SymptomCheck, SymptomNoticed
from handlers import answers, conversation_texts, keyboards, reminder_texts
from handlers.replies import Outgoing, answer_expired, answer_press, flow, now, reask, render, send

MEMBER_COMMANDS = ("today", "settings", "pause", "resume", "why", "symptom", "flare")


async def _typed(update: Update, context: HipContext) -> None:
    """Text goes to the open question (a symptom in it first); a sticker or photo is an answer
    that fits nothing. The text itself goes no further than `answers.read`."""
    text = update.effective_message.text
    screen = flow(context).screen
    answer = answers.read(text, now(), screen) if text else TypedAnswer()
    replies = await conversation.answer_typed(
        context.session, flow(context), update.effective_user.id, answer, now()
    )
    await send(context, update.effective_chat.id, replies)


async def _symptom(update: Update, context: HipContext) -> None:
    """/symptom, in any state."""
    replies = await symptoms.ask(context.session, flow(context), update.effective_user.id, now())
    await send(context, update.effective_chat.id, replies)


async def _symptom_button(update: Update, context: HipContext) -> None:
    """sym:ask (⚠️ New symptom) and sym:<item>:<yes|no>"""
    query = update.callback_query
    pressed = parse_sym(query.data or "")
    session = context.session
    if pressed is None:
        replies = await answer_expired(session, context, query.from_user.id)
    elif isinstance(pressed, SymptomButton):
        replies = await symptoms.ask(session, flow(context), query.from_user.id, now())
    else:
        yes = bool(pressed.answer.yes_no)
        replies = await symptoms.press(
            session, flow(context), query.from_user.id, pressed.question, yes, now()
        )
    await answer_press(update, context, replies)


async def _edited(update: Update, context: HipContext) -> None:
    await update.effective_message.reply_text(conversation_texts.EDITS_NOT_READ)


async def _in_a_group(update: Update, context: HipContext) -> None:
    await update.effective_message.reply_text(conversation_texts.PRIVATE_ONLY)


def handlers() -> list[BaseHandler]:
    """Register after every other private-chat handler: this one takes any message left.
    (Every member callback prefix has one handler whose parser refuses unknown data.)"""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, _edited),
        CommandHandler("symptom", _symptom, filters=private),
        CallbackQueryHandler(_symptom_button, pattern=r"^sym:"),
        MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.COMMAND, _typed),
        CommandHandler(MEMBER_COMMANDS, _in_a_group, filters=filters.ChatType.GROUPS),
    ]


# ---- how symptom replies look ---------------------------------------------------------------


@render.register
def _(reply: SymptomNoticed) -> Outgoing:
    return Outgoing(conversation_texts.SYMPTOM_NOTICED)


@render.register
def _(reply: SymptomCheck) -> Outgoing:
    return Outgoing(conversation_texts.SYMPTOM_CHECK)


@render.register
def _(reply: AskSymptom) -> Outgoing:
    template = (
        conversation_texts.SYMPTOM_QUESTION
        if reply.total == 1
        else conversation_texts.SYMPTOM_QUESTION_OF
    )
    text = template.format(number=reply.number, total=reply.total, question=reply.question)
    yes, no = conversation_texts.YES, conversation_texts.NO
    return Outgoing(text, keyboards.yes_no(f"sym:{reply.item}", yes, no))


@reask.register
def _(question: AskSymptom) -> str:
    return conversation_texts.YES_NO_HINT


@render.register
def _(reply: AskPauseCheckin) -> Outgoing:
    return Outgoing(*reminder_texts.pause_checkin_message(reply.number, reply.first_name))


@reask.register
def _(question: AskPauseCheckin) -> str:
    return reminder_texts.PAUSE_CHECKIN_HINT


@render.register
def _(reply: symptoms.SymptomCleared) -> Outgoing:
    return Outgoing(conversation_texts.SYMPTOM_CLEARED)


@render.register
def _(reply: symptoms.RedFlagStop) -> Outgoing:
    parts = [reply.advice]
    if reply.coach_group is not None:
        parts.append(conversation_texts.RED_FLAG_COACH_TOLD.format(group=reply.coach_group))
    parts.append(conversation_texts.RED_FLAG_RESUME)
    return Outgoing("\n\n".join(parts))


@render.register
def _(reply: symptoms.ClinicianNote) -> Outgoing:
    parts = [reply.advice]
    if reply.coach_group is not None:
        parts.append(conversation_texts.RED_FLAG_COACH_TOLD.format(group=reply.coach_group))
    return Outgoing("\n\n".join(parts))
