"""/settings, /pause, /resume (with its three-question check) and /why."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import HipContext
from bot.services import preferences
from bot.services.buttons import OpenSetting, parse_res, parse_set
from bot.services.questions import (
    AskRescreen,
    AskResumePain,
    AskResumeProfessional,
    AskResumeSettled,
)
from handlers import keyboards, onboarding_texts, session_texts, settings_texts
from handlers.conversation_texts import clock, status_words, when, zone_label
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
from handlers.session import summary_parts

# ---- handlers -------------------------------------------------------------------------------

_COMMANDS = {
    "settings": preferences.show_settings,
    "pause": preferences.pause,
    "resume": preferences.start_resume,
    "why": preferences.why,
}


async def _command(update: Update, context: HipContext) -> None:
    """/settings, /pause, /resume and /why: each one service call with the member's id."""
    name = update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
    replies = await _COMMANDS[name](context.session, flow(context), update.effective_user.id, now())
    await send(context, update.effective_chat.id, replies)


async def _answer(update: Update, context: HipContext) -> None:
    """set:… and res:… (see bot.services.buttons): parsed once, range-checked, then applied."""
    query = update.callback_query
    data = query.data or ""
    default_zone = flow(context).default_zone
    pressed = parse_res(data) if data.startswith("res:") else parse_set(data, default_zone)
    user_id = query.from_user.id
    session = context.session
    if pressed is None:
        replies = await answer_expired(session, context, user_id)
    elif isinstance(pressed, OpenSetting):
        replies = await preferences.choose_setting(session, flow(context), user_id, pressed, now())
    else:
        replies = await preferences.press(session, flow(context), user_id, pressed, now())
    await answer_press(update, context, replies)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(list(_COMMANDS), _command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(_answer, pattern=r"^(set|res):"),
    ]


# ---- how their replies look -----------------------------------------------------------------


@render.register
def _(reply: preferences.SettingsShown) -> Outgoing:
    labels = onboarding_texts.EQUIPMENT_LABELS
    kit = ", ".join(labels[item] for item in labels if item in reply.equipment)
    text = settings_texts.SETTINGS.format(
        time=clock(reply.reminder_time) if reply.reminder_time else "–",
        zone=zone_label(reply.zone) if reply.zone else "–",
        equipment=kit or settings_texts.NO_EQUIPMENT,
    )
    return Outgoing(text, keyboards.settings_menu(settings_texts.CHANGE_LABELS))


@render.register
def _(reply: preferences.NotEnrolledYet) -> Outgoing:
    return Outgoing(settings_texts.NOT_ENROLLED)


@render.register
def _(reply: preferences.ReminderMoved) -> Outgoing:
    at = clock(reply.reminder_time) if reply.reminder_time else "–"
    zone = zone_label(reply.zone) if reply.zone else "–"
    if reply.next_reminder is None:
        return Outgoing(settings_texts.REMINDER_MOVED_NONE.format(time=at, zone=zone))
    next_one = when(reply.next_reminder, reply.local_now)
    return Outgoing(settings_texts.REMINDER_MOVED.format(time=at, zone=zone, when=next_one))


@render.register
def _(reply: preferences.EquipmentChanged) -> Outgoing:
    labels = onboarding_texts.EQUIPMENT_LABELS
    kit = ", ".join(labels[item] for item in labels if item in reply.equipment)
    text = settings_texts.EQUIPMENT_CHANGED.format(equipment=kit or settings_texts.NO_EQUIPMENT)
    details = list(reply.reasons) or [settings_texts.EQUIPMENT_NO_CHANGE]
    return Outgoing("\n\n".join([text, *details]))


@render.register
def _(reply: preferences.Paused) -> Outgoing:
    closed = [] if reply.closed_session is None else summary_parts(reply.closed_session)[:2]
    return Outgoing("\n\n".join([*closed, settings_texts.PAUSED]))


@render.register
def _(reply: preferences.CannotPause) -> Outgoing:
    return Outgoing(settings_texts.CANNOT_PAUSE.get(reply.status, settings_texts.NOT_ENROLLED))


@render.register
def _(reply: preferences.AlreadyActive) -> Outgoing:
    return Outgoing(settings_texts.ALREADY_ACTIVE)


@render.register
def _(reply: AskRescreen) -> Outgoing:
    intro = settings_texts.RESCREEN_WEEKLY if reply.weekly else settings_texts.RESCREEN_RESUME
    text = "\n".join([intro, "", *(f"• {question}" for question in reply.questions)])
    prefix = "res:weekly" if reply.weekly else "res:screen"
    keyboard = keyboards.rescreen(
        prefix, settings_texts.RESCREEN_NONE, settings_texts.RESCREEN_SOME
    )
    return Outgoing(text, keyboard)


@reask.register
def _(question: AskRescreen) -> str:
    return settings_texts.RESCREEN_HINT


@render.register
def _(reply: AskResumePain) -> Outgoing:
    return Outgoing(settings_texts.RESUME_PAIN, keyboards.pain_keypad("res:pain"))


@reask.register
def _(question: AskResumePain) -> str:
    return settings_texts.PAIN_HINT


@render.register
def _(reply: AskResumeProfessional) -> Outgoing:
    return Outgoing(
        settings_texts.RESUME_PROFESSIONAL,
        keyboards.yes_no("res:professional", settings_texts.YES, settings_texts.NO),
    )


@render.register
def _(reply: AskResumeSettled) -> Outgoing:
    return Outgoing(
        settings_texts.RESUME_SETTLED,
        keyboards.yes_no("res:settled", settings_texts.YES, settings_texts.NO),
    )


@reask.register(AskResumeProfessional)
@reask.register(AskResumeSettled)
def _(question: object) -> str:
    return settings_texts.YES_NO_HINT


@render.register
def _(reply: preferences.Resumed) -> Outgoing:
    if reply.next_reminder is None:
        return Outgoing(settings_texts.RESUMED_NO_REMINDER.format(reason=reply.reason))
    next_one = when(reply.next_reminder, reply.local_now)
    return Outgoing(settings_texts.RESUMED.format(reason=reply.reason, when=next_one))


@render.register
def _(reply: preferences.ResumeDeclined) -> Outgoing:
    return Outgoing(settings_texts.RESUME_DECLINED.format(reason=reply.reason))


@render.register
def _(reply: preferences.ClearedToStart) -> Outgoing:
    return Outgoing(settings_texts.CLEARED_TO_START)


@render.register
def _(reply: preferences.WhyReport) -> Outgoing:
    status = status_words(reply.status)
    if reply.phase_number is None:
        lines = [settings_texts.WHY_HEADER_NO_PROGRAMME.format(status=status)]
    else:
        header = settings_texts.WHY_HEADER.format(
            phase=reply.phase_number, title=reply.phase_title, status=status
        )
        lines = [header, ""]
        lines += [
            settings_texts.WHY_LINE.format(
                name=line.exercise,
                dose=session_texts.dose(line.prescription),
                reason=line.reason or settings_texts.WHY_NO_REASON,
            )
            for line in reply.exercises
        ]
    if reply.usual_pain is not None:
        lines += ["", reply.usual_pain]
    if reply.latest_overall is not None:
        lines += ["", settings_texts.WHY_OVERALL.format(reason=reply.latest_overall)]
    return Outgoing("\n".join(lines))
