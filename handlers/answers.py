"""Reading what a member types: pain, reps, yes/no, times, time zones, activity and equipment.

Members answer on a phone, often one-handed, so each reader forgives spacing, case and the usual
ways of writing the same thing ("4/10", "7.30", "7am", "new york", "UTC+2"), and returns either a
valid value or None, never raises: the flow then re-asks with an example.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import available_timezones

from bot.coaching import ActivityLevel
from bot.coaching.content import Equipment
from bot.coaching.screening import Screen
from bot.services.members import TypedAnswer
from bot.timekeeping import zones_for_offset

# Longer than any sensible answer; a pasted essay is not read as a number that happens to be in it.
MAX_ANSWER_LENGTH = 200
MAX_REPS = 500

_PAIN = re.compile(r"^(\d{1,2})\s*(?:/\s*10|out\s+of\s+10)?$")
_REPS = re.compile(r"^(\d{1,4})\s*(?:reps?)?$")
_ALL = re.compile(r"^(?:all|all of them|all done|all \d{1,3}|done them all)$")
_CLOCK = re.compile(r"^(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?$")
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?:\s*:?\s*(\d{2}))?$")

_YES = frozenset(
    {"yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "agree", "i agree", "correct",
     "right", "that's right", "thats right", "yes please", "i did", "managed"}
)  # fmt: skip
_NO = frozenset(
    {"no", "n", "nope", "nah", "no thanks", "no thank you", "not really", "not quite", "wrong",
     "i didn't", "i did not", "didn't", "no, let me type it again"}
)  # fmt: skip
_ACTIVITY_WORDS: dict[ActivityLevel, tuple[str, ...]] = {
    ActivityLevel.LOW: ("1", "sitting", "mostly sitting", "sit", "low", "not much", "desk"),
    ActivityLevel.SOME: ("2", "walk", "walking", "walk most days", "some", "moderate"),
    ActivityLevel.ACTIVE: ("3", "exercise", "exercise regularly", "regularly", "active", "sport"),
}
_EQUIPMENT_WORDS: dict[str, Equipment] = {
    "band": Equipment.BAND,
    "resistance band": Equipment.BAND,
    "bands": Equipment.BAND,
    "block": Equipment.BLOCK_OR_STEP,
    "yoga block": Equipment.BLOCK_OR_STEP,
    "step": Equipment.BLOCK_OR_STEP,
    "stairs": Equipment.BLOCK_OR_STEP,
    "block or step": Equipment.BLOCK_OR_STEP,
    "chair": Equipment.CHAIR_OR_COUNTER,
    "counter": Equipment.CHAIR_OR_COUNTER,
    "chair or counter": Equipment.CHAIR_OR_COUNTER,
    "table": Equipment.CHAIR_OR_COUNTER,
}
_NO_EQUIPMENT = frozenset({"none", "nothing", "no", "nope", "no equipment", "none of them"})
# Big cities that are not the name of their time zone in the tz database.
_CITY_ZONES = {
    "munich": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "milan": "Europe/Rome",
    "barcelona": "Europe/Madrid",
    "geneva": "Europe/Zurich",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "glasgow": "Europe/London",
    "birmingham": "Europe/London",
    "st petersburg": "Europe/Moscow",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "washington": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "austin": "America/Chicago",
    "montreal": "America/Toronto",
    "ottawa": "America/Toronto",
    "rio de janeiro": "America/Sao_Paulo",
    "beijing": "Asia/Shanghai",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "osaka": "Asia/Tokyo",
    "canberra": "Australia/Sydney",
    "wellington": "Pacific/Auckland",
    "cape town": "Africa/Johannesburg",
}
_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


def _words(text: str) -> str:
    """Lower case, single spaces, without the full stop or exclamation a phone keyboard adds."""
    return " ".join(text.lower().split()).strip(" .!")


def _readable(text: str | None) -> str | None:
    if text is None or len(text) > MAX_ANSWER_LENGTH:
        return None
    return _words(text) or None


def parse_pain(text: str | None) -> int | None:
    """'4', '4/10', ' 4 ', '4 out of 10' -> 4; anything else, or outside 0-10, -> None."""
    words = _readable(text)
    match = _PAIN.match(words) if words else None
    if match is None:
        return None
    pain = int(match.group(1))
    return pain if pain <= 10 else None


# Three 0-10 scores, apart by spaces, commas or semicolons: "4 5 3", "4, 5, 3" (the weekly PEG).
_SCORES = re.compile(r"^([0-9]{1,2})\s*[,;\s]\s*([0-9]{1,2})\s*[,;\s]\s*([0-9]{1,2})$")


def parse_scores(text: str | None) -> tuple[int, int, int] | None:
    """'4 5 3', '4,5,3' -> (4, 5, 3); a number above 10, or not exactly three, -> None."""
    words = _readable(text)
    match = _SCORES.match(words) if words else None
    if match is None:
        return None
    first, second, third = (int(group) for group in match.groups())
    return (first, second, third) if max(first, second, third) <= 10 else None


def parse_reps(text: str | None) -> int | None:
    """'12', '12 reps' -> 12; outside 0-MAX_REPS, words or emoji -> None ('all': `says_all`)."""
    words = _readable(text)
    match = _REPS.match(words) if words else None
    if match is None:
        return None
    reps = int(match.group(1))
    return reps if reps <= MAX_REPS else None


def says_all(text: str | None) -> bool:
    """True for 'all' and its variants: the member did every prescribed rep."""
    words = _readable(text)
    return words is not None and bool(_ALL.match(words))


def parse_yes_no(text: str | None) -> bool | None:
    words = _readable(text)
    if words in _YES:
        return True
    if words in _NO:
        return False
    return None


def parse_time(text: str | None) -> time | None:
    """'07:30', '7:30', '7.30', '7am', '7:30 pm', '19:00', '19h00', '7' -> a wall-clock time."""
    words = _readable(text)
    match = _CLOCK.match(words.replace(" ", "") if words else "") if words else None
    if match is None:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if minute > 59:
        return None
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23:
        return None
    return time(hour, minute)


def parse_activity(text: str | None) -> ActivityLevel | None:
    words = _readable(text)
    for level, names in _ACTIVITY_WORDS.items():
        if words in names:
            return level
    return None


def parse_equipment(text: str | None) -> frozenset[Equipment] | None:
    """'band, chair' -> {band, chair_or_counter}; 'none' -> the empty set; unknown words -> None."""
    words = _readable(text)
    if words is None:
        return None
    if words in _NO_EQUIPMENT:
        return frozenset()
    items = [item.strip() for item in re.split(r",|\band\b|&|\+|/", words) if item.strip()]
    if not items:
        return None
    chosen: set[Equipment] = set()
    for item in items:
        name = item.removeprefix("a ").removeprefix("an ").removeprefix("my ").strip()
        if name not in _EQUIPMENT_WORDS:
            return None
        chosen.add(_EQUIPMENT_WORDS[name])
    return frozenset(chosen)


def parse_timezone(text: str | None, now: datetime) -> str | None:
    """An IANA zone from a zone name or a city; a bare 'UTC' (or 'UTC+0') is UTC itself.

    Any other UTC offset is None here: it is no zone (a fixed `Etc/GMT` zone has no daylight
    saving), and `offset_zones` offers the real zones that have it instead.
    """
    words = _readable(text)
    if words is None:
        return None
    if words in ("utc", "gmt", "z", "zulu"):
        return "UTC"
    offset = _typed_offset(words)
    if offset is not None:  # not 'GMT-5' read as the city 'GMT-5' of Etc/GMT-5
        return "UTC" if offset == timedelta(0) else None
    zones = _zone_index()
    for candidate in (words, words.split(",")[0].strip()):
        key = candidate.replace("_", " ")
        if key in zones:
            return zones[key]
        if key in _CITY_ZONES:
            return _CITY_ZONES[key]
    return None


def offset_zones(text: str | None, now: datetime) -> tuple[str, ...]:
    """'UTC+1', 'GMT-5', '+05:30' -> the real zones with that offset now, to choose from."""
    words = _readable(text)
    offset = _typed_offset(words) if words else None
    if not offset:
        return ()
    return tuple(zones_for_offset(offset, now))


def _typed_offset(words: str) -> timedelta | None:
    match = _OFFSET.match(words.replace(" ", ""))
    if match is None:
        return None
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if minutes not in (0, 15, 30, 45) or hours > 14:
        return None
    return timedelta(hours=hours, minutes=minutes) * (-1 if match.group(1) == "-" else 1)


@cache
def _zone_index() -> dict[str, str]:
    """'europe/berlin' and 'berlin' -> 'Europe/Berlin'; regional zones win a shared city name."""
    zones = sorted(available_timezones() - {"localtime", "Factory"})
    index: dict[str, str] = {}
    for zone in zones:
        index[zone.lower().replace("_", " ")] = zone
    for zone in sorted(zones, key=lambda name: not name.startswith(_REGIONS)):
        if "/" in zone:
            city = zone.rsplit("/", 1)[1].lower().replace("_", " ")
            index.setdefault(city, zone)
    return index


def read(text: str | None, now: datetime, screen: Screen | None = None) -> TypedAnswer:
    """Every reading of one typed message; the open question picks the one it needs.

    With the red-flag screen, the symptoms it mentions too (only their item ids: the text itself
    goes no further than this function)."""
    mentioned = screen.match(text[: MAX_ANSWER_LENGTH * 5]) if screen and text else ()
    return TypedAnswer(
        symptoms=mentioned,
        choice=_choice_word(text),
        pain=parse_pain(text),
        reps=parse_reps(text),
        all_done=says_all(text),
        yes_no=parse_yes_no(text),
        at=parse_time(text),
        zone=parse_timezone(text, now),
        zone_choices=offset_zones(text, now),
        activity=parse_activity(text),
        equipment=parse_equipment(text),
        command=_command_word(text),
        scores=parse_scores(text),
    )


_CHOICE_WORDS = {
    "pain": "pain",
    "it hurts": "hurts",
    "hurts": "hurts",
    "tired": "tired",
    "im tired": "tired",
    "i'm tired": "tired",
    "no time": "no_time",
    "other": "other",
    "something else": "other",
    "cant do it": "cant_do",
    "can't do it": "cant_do",
    "i can't do it": "cant_do",
    "easier": "easier",
    "carry on easier": "easier",
    "carry on, easier": "easier",
    "skip the rest": "skip_rest",
    "none": "none",
    "none of these": "none",
    "none of them": "none",
    "one of these": "some",
}


def _choice_word(text: str | None) -> str | None:
    """A stop or skip reason, or a choice after red pain, typed instead of tapped."""
    words = _readable(text)
    return None if words is None else _CHOICE_WORDS.get(words)


def _command_word(text: str | None) -> str | None:
    """'skip' and 'stop' typed as words work like the session's Skip and Stop buttons."""
    words = _readable(text)
    if words in ("skip", "skip this one", "skip it"):
        return "skip"
    if words in ("stop", "stop for today", "stop today"):
        return "stop"
    return None
