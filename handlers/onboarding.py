"""/start and the onboarding questions, and joining a coach group by its invite link."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import HipContext
from bot.services import onboarding
from bot.services.buttons import JoinPress, parse_onb
from bot.services.questions import (
    AskActivity,
    AskBaselinePain,
    AskConsent,
    AskEquipment,
    AskReminderTime,
    AskScreenItem,
    AskTimezone,
    ChooseTimezone,
    ConfirmTimezone,
    EquipmentTicked,
)
from bot.timekeeping import city_name
from handlers import keyboards, onboarding_texts, session_texts
from handlers.conversation_texts import clock, status_words, when, zone_label
from handlers.replies import (
    Outgoing,
    answer_expired,
    answer_press,
    flow,
    now,
    person,
    reask,
    render,
    send,
)

# ---- handlers -------------------------------------------------------------------------------


async def _start(update: Update, context: HipContext) -> None:
    code = context.args[0] if context.args else None
    replies = await onboarding.start(context.session, flow(context), person(update), code, now())
    await send(context, update.effective_chat.id, replies)


async def _answer(update: Update, context: HipContext) -> None:
    """onb:… (see bot.services.buttons): parsed once, range-checked, then applied."""
    query = update.callback_query
    pressed = parse_onb(query.data or "", flow(context).default_zone)
    user_id = query.from_user.id
    session = context.session
    if pressed is None:
        replies = await answer_expired(session, context, user_id)
    elif isinstance(pressed, JoinPress):
        replies = await onboarding.join_group(session, flow(context), user_id, pressed, now())
    else:
        replies = await onboarding.press(session, flow(context), user_id, pressed, now())
    await answer_press(update, context, replies)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("start", _start, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(_answer, pattern=r"^onb:"),
    ]


# ---- how onboarding replies look ------------------------------------------------------------


@render.register
def _(reply: AskConsent) -> Outgoing:
    welcome = onboarding_texts.WELCOME.format(name=reply.first_name or "there")
    if reply.group_title is None:
        consent = onboarding_texts.CONSENT
    else:
        consent = onboarding_texts.CONSENT_WITH_GROUP.format(group=reply.group_title)
    text = f"{welcome}\n\n{onboarding_texts.NOT_MEDICAL_ADVICE}\n\n{consent}"
    return Outgoing(text, keyboards.consent(reply.group_id))


@reask.register
def _(question: AskConsent) -> str:
    return onboarding_texts.CONSENT_HINT


@render.register
def _(reply: AskScreenItem) -> Outgoing:
    text = onboarding_texts.SCREEN_QUESTION.format(
        number=reply.number, total=reply.total, question=reply.question
    )
    if reply.number == 1:
        text = onboarding_texts.SCREEN_INTRO.format(total=reply.total) + text
    keyboard = keyboards.yes_no(
        f"onb:screen:{reply.item}", onboarding_texts.YES, onboarding_texts.NO
    )
    return Outgoing(text, keyboard)


@reask.register
def _(question: AskScreenItem) -> str:
    return onboarding_texts.YES_NO_HINT


@render.register
def _(reply: onboarding.ScreenClear) -> Outgoing:
    return Outgoing(onboarding_texts.SCREEN_CLEAR)


@render.register
def _(reply: AskBaselinePain) -> Outgoing:
    return Outgoing(onboarding_texts.BASELINE_PAIN, keyboards.pain_keypad("onb:pain"))


@reask.register
def _(question: AskBaselinePain) -> str:
    return onboarding_texts.PAIN_HINT


@render.register
def _(reply: AskActivity) -> Outgoing:
    return Outgoing(onboarding_texts.ACTIVITY, keyboards.activity())


@reask.register
def _(question: AskActivity) -> str:
    return onboarding_texts.ACTIVITY_HINT


@render.register
def _(reply: AskEquipment) -> Outgoing:
    keyboard = keyboards.equipment(f"{reply.scope}:equipment", reply.selected)
    return Outgoing(onboarding_texts.EQUIPMENT, keyboard)


@render.register
def _(reply: EquipmentTicked) -> Outgoing:
    keyboard = keyboards.equipment(f"{reply.scope}:equipment", reply.selected)
    return Outgoing(onboarding_texts.EQUIPMENT, keyboard, in_place=True)


@reask.register
def _(question: AskEquipment) -> str:
    return onboarding_texts.EQUIPMENT_HINT


@render.register
def _(reply: onboarding.ProgrammeReady) -> Outgoing:
    text = onboarding_texts.PROGRAMME_READY.format(exercises=", ".join(reply.exercises))
    return Outgoing("\n\n".join([text, *reply.left_out]))


@render.register
def _(reply: AskReminderTime) -> Outgoing:
    return Outgoing(onboarding_texts.REMINDER_TIME, keyboards.reminder_times(f"{reply.scope}:time"))


@reask.register
def _(question: AskReminderTime) -> str:
    return onboarding_texts.TIME_HINT


@render.register
def _(reply: AskTimezone) -> Outgoing:
    keyboard = keyboards.default_zone(f"{reply.scope}:zone", reply.default_zone)
    return Outgoing(onboarding_texts.TIMEZONE, keyboard)


@reask.register
def _(question: AskTimezone) -> str:
    return onboarding_texts.ZONE_HINT


@render.register
def _(reply: ChooseTimezone) -> Outgoing:
    cities = {zone: city_name(zone) for zone in reply.zones}
    return Outgoing(onboarding_texts.CHOOSE_ZONE, keyboards.zone_choices(reply.scope, cities))


@render.register
def _(reply: ConfirmTimezone) -> Outgoing:
    text = onboarding_texts.CONFIRM_ZONE.format(
        zone=zone_label(reply.zone), clock=clock(reply.local_now)
    )
    return Outgoing(text, keyboards.confirm_zone(f"{reply.scope}:zone_ok", reply.zone))


@reask.register
def _(question: ConfirmTimezone) -> str:
    return onboarding_texts.YES_NO_HINT


@render.register
def _(reply: onboarding.Enrolled) -> Outgoing:
    if reply.next_reminder is None or not reply.today:
        text = onboarding_texts.ENROLLED_NO_REMINDER.format(
            phase=reply.phase_number, title=reply.phase_title
        )
        return Outgoing(text)
    exercises = "\n".join(
        onboarding_texts.PLANNED_LINE.format(
            number=number, name=item.name, dose=session_texts.dose(item.prescription)
        )
        for number, item in enumerate(reply.today, start=1)
    )
    text = onboarding_texts.ENROLLED.format(
        phase=reply.phase_number,
        title=reply.phase_title,
        summary=reply.phase_summary,
        minutes=reply.minutes,
        exercises=exercises,
        first_reminder=when(reply.next_reminder, reply.local_now),
    )
    return Outgoing(text, keyboards.start_session())


@render.register
def _(reply: onboarding.Declined) -> Outgoing:
    return Outgoing(onboarding_texts.DECLINED)


@render.register
def _(reply: onboarding.LinkInvalid) -> Outgoing:
    return Outgoing(onboarding_texts.LINK_INVALID)


@render.register
def _(reply: onboarding.JoinOffer) -> Outgoing:
    if reply.current_group is None:
        text = onboarding_texts.JOIN_OFFER.format(group=reply.group_title)
    else:
        text = onboarding_texts.JOIN_OFFER_REPLACES.format(
            group=reply.group_title, current=reply.current_group
        )
    return Outgoing(text, keyboards.join_group(reply.group_id, reply.group_title))


@render.register
def _(reply: onboarding.Joined) -> Outgoing:
    if reply.previous_group is None:
        return Outgoing(onboarding_texts.JOINED.format(group=reply.group_title))
    text = onboarding_texts.JOINED_REPLACED.format(
        group=reply.group_title, previous=reply.previous_group
    )
    return Outgoing(text)


@render.register
def _(reply: onboarding.JoinDeclined) -> Outgoing:
    return Outgoing(onboarding_texts.JOIN_DECLINED.format(group=reply.group_title))


@render.register
def _(reply: onboarding.AlreadyInGroup) -> Outgoing:
    return Outgoing(onboarding_texts.ALREADY_IN_GROUP.format(group=reply.group_title))


@render.register
def _(reply: onboarding.Overview) -> Outgoing:
    lines = [
        onboarding_texts.OVERVIEW.format(name=reply.first_name, status=status_words(reply.status))
    ]
    if reply.phase_number is not None:
        lines.append(
            onboarding_texts.OVERVIEW_PHASE.format(
                phase=reply.phase_number, title=reply.phase_title
            )
        )
    if reply.next_reminder is not None:
        lines.append(
            onboarding_texts.OVERVIEW_NEXT.format(when=when(reply.next_reminder, reply.local_now))
        )
    if reply.status == "active":
        lines.append(_today_line(reply))
    if reply.coach_group is not None:
        lines.append(onboarding_texts.OVERVIEW_GROUP.format(group=reply.coach_group))
    if reply.phase_number is None:
        return Outgoing("\n".join(lines) + "\n\n" + onboarding_texts.OVERVIEW_STOPPED)
    paused = session_texts.NOT_ACTIVE.get(reply.status)
    tail = [paused] if paused else []
    return Outgoing("\n\n".join(["\n".join(lines), *tail, onboarding_texts.OVERVIEW_COMMANDS]))


def _today_line(reply: onboarding.Overview) -> str:
    if reply.session_status is None:
        return onboarding_texts.OVERVIEW_NO_SESSION
    if reply.session_status == "in_progress":
        return onboarding_texts.OVERVIEW_OPEN.format(
            number=reply.session_position + 1, total=reply.session_total
        )
    return onboarding_texts.OVERVIEW_DONE
