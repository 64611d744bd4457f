"""One typed parser per callback prefix of the member conversations, with range checks.

Callback data comes from the member's phone, so it is read like typed input: each parser turns
`query.data` into a typed press or None. None means the button cannot be one the bot made for
the question (out of range, a superscript digit, an unknown value): the member is told "That
button has expired" and shown the question that is open now, and nothing changes. A press that
parses is still checked against the database by the service (is that question open?).

    onb:<step>:<value>[:<detail>]          onboarding, e.g. onb:pain:4, onb:zone_ok:yes:UTC
    onb:zone:pick:<zone>                   a zone offered for a typed UTC offset (also set:)
    onb:screen:<item>:<yes|no>             one item of the red-flag screen
    onb:join:<yes|no>:<group id>           joining the group of the member's own pending invite
    set:open:<time|zone|equipment>         /settings: open one setting
    set:<awaiting>:<value>[:<detail>]      /settings answers, e.g. set:time:0730
    res:<pain|professional|settled>:<value>   the /resume check
    res:<screen|weekly>:<none|some>        the short re-screen at /resume, or once a week
    sym:ask                                ⚠️ New symptom
    sym:<item>:<yes|no>                    confirming a symptom the member reported
    pchk:<number>:<resume|keep|worse>      a check-in while paused (the number of that check-in)
    sess:start                             start or resume today's session
    sess:<session id>:<position>:<step>:<value>   e.g. sess:12:0:pain:4, sess:12:0:reps:skip
    flare:ease                             /flare: ease the next sessions for a flare-up
    peg:open                               the reminder's weekly check (the PEG)
    peg:<monday yyyymmdd>:<pain|enjoy|activity>:<0-10>   one PEG item, e.g. peg:20261130:pain:4
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from bot.coaching import ActivityLevel
from bot.coaching.content import Equipment
from bot.services.members import TypedAnswer
from bot.timekeeping import is_city_zone

# ASCII digits only: "²".isdigit() and "٣".isdecimal() are both True.
_NUMBER = re.compile(r"(0|[1-9][0-9]{0,3})")
_CLOCK = re.compile(r"([0-9]{2})([0-9]{2})")
_GROUP_ID = re.compile(r"[1-9][0-9]{0,17}")
_ITEM = re.compile(r"[a-z][a-z0-9_]{0,23}")
_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-/]{0,63}")
_YES_NO = {"yes": True, "no": False}
PAIN_MAX = 10
SETTINGS = ("time", "zone", "equipment")
SESSION_COMMANDS = ("skip", "stop")


@dataclass(frozen=True)
class Press:
    """An answer button: the question it was made for, and the answer it stands for."""

    question: str  # the state name as stored: "pain", "screen:fever", "resume_pain", ...
    answer: TypedAnswer
    detail: str | None = None  # what the question showed: consent's group id, the zone


@dataclass(frozen=True)
class Toggle:
    """Tick or untick one piece of kit on an equipment question."""

    question: str
    item: Equipment


@dataclass(frozen=True)
class OpenSetting:
    setting: str


@dataclass(frozen=True)
class JoinPress:
    accept: bool
    group_id: int


@dataclass(frozen=True)
class StartSession:
    pass


@dataclass(frozen=True)
class SessionPress:
    session_id: int
    position: int
    step: str
    value: str  # checked against the step's own answers by the session flow


def number(text: str, low: int, high: int) -> int | None:
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    value = int(text)
    return value if low <= value <= high else None


def clock(text: str) -> time | None:
    """'0730' -> 07:30; hours 00-23 and minutes 00-59 only."""
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def _fields(data: str, prefix: str) -> list[str] | None:
    head, _, rest = data.partition(":")
    return rest.split(":") if head == prefix and rest else None


def _common(step: str, values: list[str], default_zone: str) -> Press | Toggle | None:
    """The questions onboarding and /settings share: time, zone, zone check, equipment."""
    match step, values:
        case "time", [hhmm] if (at := clock(hhmm)) is not None:
            return Press(step, TypedAnswer(at=at))
        case "zone", ["default"]:
            return Press(step, TypedAnswer(zone=default_zone))
        case "zone", ["pick", zone] if is_city_zone(zone):
            return Press(step, TypedAnswer(zone=zone))
        case "zone_ok", [choice, zone] if choice in _YES_NO and _ZONE.fullmatch(zone):
            return Press(step, TypedAnswer(yes_no=_YES_NO[choice]), zone)
        case "equipment", ["done"]:
            return Press(step, TypedAnswer(command="done"))  # the kit ticked so far
        case "equipment", [item] if item in set(Equipment):
            return Toggle(step, Equipment(item))
    return None


def parse_onb(data: str, default_zone: str) -> Press | Toggle | JoinPress | None:
    fields = _fields(data, "onb")
    if fields is None:
        return None
    step, values = fields[0], fields[1:]
    match step, values:
        case "consent", [choice, group] if choice in _YES_NO and (
            group == "0" or _GROUP_ID.fullmatch(group)
        ):
            return Press(step, TypedAnswer(yes_no=_YES_NO[choice]), group)
        case "screen", [item, choice] if _ITEM.fullmatch(item) and choice in _YES_NO:
            return Press(f"screen:{item}", TypedAnswer(yes_no=_YES_NO[choice]))
        case "pain", [value] if (pain := number(value, 0, PAIN_MAX)) is not None:
            return Press(step, TypedAnswer(pain=pain))
        case "activity", [level] if level in set(ActivityLevel):
            return Press(step, TypedAnswer(activity=ActivityLevel(level)))
        case "join", [choice, group] if choice in _YES_NO and _GROUP_ID.fullmatch(group):
            return JoinPress(_YES_NO[choice], int(group))
    return _common(step, values, default_zone)


def parse_set(data: str, default_zone: str) -> Press | Toggle | OpenSetting | None:
    fields = _fields(data, "set")
    if fields is None:
        return None
    step, values = fields[0], fields[1:]
    if step == "open":
        return OpenSetting(values[0]) if values in ([s] for s in SETTINGS) else None
    return _common(step, values, default_zone)


def parse_res(data: str) -> Press | None:
    fields = _fields(data, "res")
    match fields:
        case ["pain", value] if (pain := number(value, 0, PAIN_MAX)) is not None:
            return Press("resume_pain", TypedAnswer(pain=pain))
        case ["professional" | "settled" as step, choice] if choice in _YES_NO:
            return Press(f"resume_{step}", TypedAnswer(yes_no=_YES_NO[choice]))
        case ["screen" | "weekly" as step, "none" | "some" as choice]:
            return Press(
                f"{'resume' if step == 'screen' else 'weekly'}_screen", TypedAnswer(choice=choice)
            )
    return None


@dataclass(frozen=True)
class SymptomButton:
    """⚠️ New symptom, on every exercise card and session question."""


def parse_sym(data: str) -> Press | SymptomButton | None:
    fields = _fields(data, "sym")
    match fields:
        case ["ask"]:
            return SymptomButton()
        case [item, choice] if _ITEM.fullmatch(item) and choice in _YES_NO:
            return Press(f"symptom:{item}", TypedAnswer(yes_no=_YES_NO[choice]))
    return None


@dataclass(frozen=True)
class PauseCheckinPress:
    number: int
    choice: str


def parse_pchk(data: str) -> PauseCheckinPress | None:
    match _fields(data, "pchk"):
        case [count, "resume" | "keep" | "worse" as choice] if number(count, 1, 9) is not None:
            return PauseCheckinPress(int(count), choice)
    return None


def parse_sess(data: str, max_reps: int) -> SessionPress | StartSession | None:
    """The value is range-checked here (reps 0-max_reps, pain 0-10); which values a step
    accepts is the session flow's to check against the open step."""
    fields = _fields(data, "sess")
    match fields:
        case ["start"]:
            return StartSession()
        case [session_id, position, step, value] if (
            _GROUP_ID.fullmatch(session_id)
            and number(position, 0, 99) is not None
            and _ITEM.fullmatch(step)
            and (
                value in SESSION_COMMANDS
                or value in _YES_NO
                or _ITEM.fullmatch(value)
                or number(value, 0, max_reps) is not None
            )
        ):
            return SessionPress(int(session_id), int(position), step, value)
    return None


@dataclass(frozen=True)
class FlareEasePress:
    """/flare's "Ease my next sessions"."""


def parse_flare(data: str) -> FlareEasePress | None:
    """flare:ease"""
    return FlareEasePress() if _fields(data, "flare") == ["ease"] else None


@dataclass(frozen=True)
class PegOpen:
    """The reminder's weekly-check button."""


@dataclass(frozen=True)
class PegPress:
    week: date  # the Monday of the local week the keypad was made for
    item: str  # pain | enjoy | activity
    value: int


_WEEK = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
PEG_ITEMS = ("pain", "enjoy", "activity")


def _monday(text: str) -> date | None:
    match = _WEEK.fullmatch(text)
    if match is None:
        return None
    try:
        day = date(*(int(group) for group in match.groups()))
    except ValueError:
        return None
    return day if day.weekday() == 0 else None


def parse_peg(data: str) -> PegOpen | PegPress | None:
    """peg:open, and peg:<monday yyyymmdd>:<pain|enjoy|activity>:<0-10>"""
    match _fields(data, "peg"):
        case ["open"]:
            return PegOpen()
        case [week, item, value] if (
            (monday := _monday(week)) is not None
            and item in PEG_ITEMS
            and (score := number(value, 0, PAIN_MAX)) is not None
        ):
            return PegPress(monday, item, score)
    return None
