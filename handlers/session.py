"""/today and the daily session's buttons (also the reminder's Start button, `sess:start`)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import HipContext
from bot.services import sessions
from bot.services.buttons import StartSession, parse_sess
from bot.services.questions import (
    AskHold,
    AskPain,
    AskReps,
    AskSkipReason,
    AskStopReason,
    ExerciseCard,
    OfferAfterRedPain,
)
from handlers import keyboards, session_texts
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

# ---- handlers -------------------------------------------------------------------------------


async def _today(update: Update, context: HipContext) -> None:
    replies = await sessions.open_today(
        context.session, flow(context), update.effective_user.id, now()
    )
    await send(context, update.effective_chat.id, replies)


async def _answer(update: Update, context: HipContext) -> None:
    """sess:start and sess:<session id>:<position>:<step>:<value> (see bot.services.buttons)"""
    query = update.callback_query
    pressed = parse_sess(query.data or "", context.services.library.rules.max_reps)
    user_id = query.from_user.id
    session = context.session
    if pressed is None:
        replies = await answer_expired(session, context, user_id)
    elif isinstance(pressed, StartSession):
        replies = await sessions.open_today(session, flow(context), user_id, now())
    else:
        replies = await sessions.press(session, flow(context), user_id, pressed, now())
    await answer_press(update, context, replies)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("today", _today, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(_answer, pattern=r"^sess:"),
    ]


# ---- how session replies look ---------------------------------------------------------------


@render.register
def _(reply: sessions.SessionOpening) -> Outgoing:
    text = session_texts.OPENING.format(count=reply.exercises, minutes=reply.minutes)
    if reply.eased:
        eased = session_texts.EASED.format(reasons="\n".join(reply.eased))
        text = f"{text}\n\n{eased}"
    return Outgoing(text)


@render.register
def _(reply: sessions.SessionResumed) -> Outgoing:
    return Outgoing(session_texts.RESUMED.format(number=reply.number, total=reply.total))


@render.register
def _(reply: ExerciseCard) -> Outgoing:
    variation = reply.variation
    text = session_texts.CARD.format(
        number=reply.number,
        total=reply.total,
        name=variation.name,
        steps="\n".join(f"{n}. {step}" for n, step in enumerate(variation.steps, start=1)),
        cues="\n".join(f"• {cue}" for cue in variation.cues),
        dose=session_texts.dose(reply.prescription),
        stop_if="\n".join(f"• {sign}" for sign in variation.stop_if),
    )
    return Outgoing(text, keyboards.new_symptom())


@render.register
def _(reply: AskReps) -> Outgoing:
    if reply.sets > 1:
        template = (
            session_texts.REPS_QUESTION_SETS_PER_SIDE
            if reply.per_side
            else session_texts.REPS_QUESTION_SETS
        )
    else:
        template = (
            session_texts.REPS_QUESTION_PER_SIDE if reply.per_side else session_texts.REPS_QUESTION
        )
    keyboard = keyboards.reps(reply.session_id, reply.position, reply.target)
    return Outgoing(template.format(name=reply.exercise), keyboard)


@reask.register
def _(question: AskReps) -> str:
    return session_texts.REPS_HINT.format(
        example=max(question.target - 2, 1), target=question.target
    )


@render.register
def _(reply: AskHold) -> Outgoing:
    text = session_texts.HOLD_QUESTION.format(name=reply.exercise)
    return Outgoing(text, keyboards.hold(reply.session_id, reply.position))


@reask.register
def _(question: AskHold) -> str:
    return session_texts.HOLD_HINT


@render.register
def _(reply: AskPain) -> Outgoing:
    text = session_texts.PAIN_QUESTION.format(name=reply.exercise)
    keyboard = keyboards.session_pain(reply.session_id, reply.position, reply.step)
    return Outgoing(text, keyboard)


@reask.register
def _(question: AskPain) -> str:
    return session_texts.PAIN_HINT


@render.register
def _(reply: AskStopReason) -> Outgoing:
    keyboard = keyboards.choices(
        f"sess:{reply.session_id}:{reply.position}:stop_why", session_texts.STOP_REASONS
    )
    return Outgoing(session_texts.STOP_QUESTION, keyboard)


@render.register
def _(reply: AskSkipReason) -> Outgoing:
    keyboard = keyboards.choices(
        f"sess:{reply.session_id}:{reply.position}:skip_why", session_texts.SKIP_REASONS
    )
    return Outgoing(session_texts.SKIP_QUESTION.format(name=reply.exercise), keyboard)


@render.register
def _(reply: OfferAfterRedPain) -> Outgoing:
    keyboard = keyboards.choices(
        f"sess:{reply.session_id}:{reply.position}:red_pain", session_texts.RED_PAIN_CHOICES
    )
    return Outgoing(session_texts.RED_PAIN_OFFER.format(pain=reply.pain), keyboard)


@reask.register(AskStopReason)
@reask.register(AskSkipReason)
@reask.register(OfferAfterRedPain)
def _(question: AskStopReason | AskSkipReason | OfferAfterRedPain) -> str:
    """The three choice questions are re-asked the same way: tap one of the buttons."""
    return session_texts.CHOICE_HINT


@render.register
def _(reply: sessions.NotActive) -> Outgoing:
    text = session_texts.NOT_ACTIVE.get(reply.status, session_texts.NOT_ACTIVE["paused_by_member"])
    return Outgoing(text if reply.advice is None else f"{reply.advice}\n\n{text}")


@render.register
def _(reply: sessions.NothingPlanned) -> Outgoing:
    return Outgoing(session_texts.NOTHING_PLANNED)


@render.register
def _(reply: sessions.Summary) -> Outgoing:
    return Outgoing("\n\n".join(summary_parts(reply)))


def summary_parts(summary: sessions.Summary) -> list[str]:
    """The summary's paragraphs: how it ended, counts, changes, and any pause advice."""
    if summary.seen_before:
        opening = session_texts.SUMMARY_SEEN_BEFORE
    elif summary.status == "stopped_for_pain" and summary.stop_reason == "pain":
        opening = session_texts.SUMMARY_STOPPED_FOR_PAIN.format(pain=summary.max_pain)
    elif summary.status == "stopped_for_pain":
        opening = session_texts.SUMMARY_PAIN_STOP.format(pain=summary.max_pain)
    elif summary.status == "stopped":
        opening = session_texts.SUMMARY_STOPPED_BECAUSE.get(
            summary.stop_reason or "", session_texts.SUMMARY_STOPPED
        )
    else:
        opening = session_texts.SUMMARY_DONE
    counts = session_texts.SUMMARY_COUNTS.format(
        done=summary.done, total=summary.total, skipped=summary.skipped
    )
    if summary.max_pain is not None:
        counts = f"{counts} {session_texts.SUMMARY_MAX_PAIN.format(pain=summary.max_pain)}"
    parts = [opening, counts]
    if summary.changes:
        changes = "\n".join(f"• {reason}" for reason in summary.changes)
        parts.append(session_texts.SUMMARY_CHANGES.format(changes=changes))
    if summary.unchanged:
        parts.append(session_texts.SUMMARY_SAME.format(names=", ".join(summary.unchanged)))
    elif not summary.changes:
        parts.append(session_texts.SUMMARY_NO_CHANGES)
    if summary.pause_reasons:
        reasons = "\n".join(summary.pause_reasons)
        parts.append(session_texts.SUMMARY_PAUSED.format(reasons=reasons))
        if summary.coach_group is not None:
            parts.append(session_texts.SUMMARY_COACH_TOLD.format(group=summary.coach_group))
    else:
        parts.append(session_texts.SUMMARY_NEXT)
    if summary.tip is not None:
        parts.append(session_texts.SUMMARY_TIP.format(tip=summary.tip))
    return parts
