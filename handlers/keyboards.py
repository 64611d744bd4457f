"""Inline keyboards of the member conversations, and the callback data they carry.

Callback data names the question it answers (prefix, step, and for sessions the session id and
position) and never a fact the bot trusts: `bot.services.buttons` documents and parses every
form, and every press is checked against the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.coaching.content import Equipment
from handlers import conversation_texts, onboarding_texts, session_texts

REMINDER_TIMES = ("0700", "0800", "1200", "1800", "2000")
START_SESSION_DATA = "sess:start"
# Reps buttons: the target and this many below it.
REPS_BELOW_TARGET = 4


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _markup(rows: Iterable[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def yes_no(prefix: str, yes: str, no: str, detail: str = "") -> InlineKeyboardMarkup:
    suffix = f":{detail}" if detail else ""
    return _markup([[_button(yes, f"{prefix}:yes{suffix}"), _button(no, f"{prefix}:no{suffix}")]])


def pain_keypad(prefix: str, extra: Sequence[InlineKeyboardButton] = ()) -> InlineKeyboardMarkup:
    """0-5 on one row and 6-10 on the next: big enough to hit with a thumb."""
    low = [_button(str(n), f"{prefix}:{n}") for n in range(6)]
    high = [_button(str(n), f"{prefix}:{n}") for n in range(6, 11)]
    return _markup([low, high, extra])


def consent(group_id: int | None) -> InlineKeyboardMarkup:
    return yes_no(
        "onb:consent", onboarding_texts.AGREE, onboarding_texts.NO_THANKS, str(group_id or 0)
    )


def activity() -> InlineKeyboardMarkup:
    labels = onboarding_texts.ACTIVITY_LABELS
    return _markup([[_button(label, f"onb:activity:{level}")] for level, label in labels.items()])


def equipment(prefix: str, selected: frozenset[Equipment]) -> InlineKeyboardMarkup:
    rows = [
        [_button(("✓ " if item in selected else "") + label, f"{prefix}:{item.value}")]
        for item, label in onboarding_texts.EQUIPMENT_LABELS.items()
    ]
    done = onboarding_texts.EQUIPMENT_DONE if selected else onboarding_texts.EQUIPMENT_NONE
    return _markup([*rows, [_button(done, f"{prefix}:done")]])


def reminder_times(prefix: str) -> InlineKeyboardMarkup:
    buttons = [_button(f"{hhmm[:2]}:{hhmm[2:]}", f"{prefix}:{hhmm}") for hhmm in REMINDER_TIMES]
    return _markup([buttons[:3], buttons[3:]])


def default_zone(prefix: str, zone: str) -> InlineKeyboardMarkup:
    return _markup([[_button(onboarding_texts.USE_ZONE.format(zone=zone), f"{prefix}:default")]])


def zone_choices(scope: str, cities: dict[str, str]) -> InlineKeyboardMarkup:
    """One button per zone, labelled by city; the data names the zone (checked when parsed)."""
    return _markup([[_button(city, f"{scope}:zone:pick:{zone}")] for zone, city in cities.items()])


def confirm_zone(prefix: str, zone: str) -> InlineKeyboardMarkup:
    return yes_no(prefix, onboarding_texts.ZONE_YES, onboarding_texts.ZONE_AGAIN, zone)


def start_session() -> InlineKeyboardMarkup:
    return _markup([[_button(onboarding_texts.START_SESSION, START_SESSION_DATA)]])


def join_group(group_id: int, title: str) -> InlineKeyboardMarkup:
    join = onboarding_texts.JOIN.format(group=title)
    return yes_no("onb:join", join, onboarding_texts.NO_THANKS, str(group_id))


# ---- the session ------------------------------------------------------------------------------


SYMPTOM_DATA = "sym:ask"


def _symptom_button() -> InlineKeyboardButton:
    return _button(conversation_texts.NEW_SYMPTOM, SYMPTOM_DATA)


def new_symptom() -> InlineKeyboardMarkup:
    """On every exercise card: a new symptom can be reported at any moment."""
    return _markup([[_symptom_button()]])


def _skip_stop(prefix: str) -> list[InlineKeyboardButton]:
    return [
        _button(session_texts.SKIP, f"{prefix}:skip"),
        _button(session_texts.STOP, f"{prefix}:stop"),
    ]


def reps(session_id: int, position: int, target: int) -> InlineKeyboardMarkup:
    prefix = f"sess:{session_id}:{position}:reps"
    below = range(max(0, target - REPS_BELOW_TARGET), target)
    numbers = [_button(str(n), f"{prefix}:{n}") for n in below]
    every = _button(session_texts.ALL_REPS.format(target=target), f"{prefix}:{target}")
    return _markup([numbers, [every], _skip_stop(prefix), [_symptom_button()]])


def hold(session_id: int, position: int) -> InlineKeyboardMarkup:
    prefix = f"sess:{session_id}:{position}:hold"
    answers = [
        _button(session_texts.HOLD_YES, f"{prefix}:yes"),
        _button(session_texts.HOLD_NOT_QUITE, f"{prefix}:no"),
    ]
    return _markup([answers, _skip_stop(prefix), [_symptom_button()]])


def session_pain(session_id: int, position: int, step: str = "pain") -> InlineKeyboardMarkup:
    """After "Stop for today" -> pain (step stop_pain) there is nothing left to skip or stop."""
    prefix = f"sess:{session_id}:{position}:{step}"
    extra = _skip_stop(prefix) if step == "pain" else []
    low = [_button(str(n), f"{prefix}:{n}") for n in range(6)]
    high = [_button(str(n), f"{prefix}:{n}") for n in range(6, 11)]
    return _markup([low, high, extra, [_symptom_button()]])


def choices(prefix: str, options: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One button per (value, label) on its own row, and ⚠️ New symptom."""
    rows = [[_button(label, f"{prefix}:{value}")] for value, label in options]
    return _markup([*rows, [_symptom_button()]])


def rescreen(prefix: str, none: str, some: str) -> InlineKeyboardMarkup:
    """The short re-screen: one tap when all is well."""
    return _markup([[_button(none, f"{prefix}:none")], [_button(some, f"{prefix}:some")]])


# ---- settings -------------------------------------------------------------------------------


def settings_menu(labels: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    return _markup([[_button(label, f"set:open:{setting}")] for setting, label in labels])
