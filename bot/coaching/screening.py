"""The red-flag screen as validated data: its items, three urgency levels, and symptom words.

`content/red_flags.yaml` holds every question, the advice each level gives, which answers lead
where, and the words that make the bot ask about a symptom typed at any moment. This module only
checks that data and reads it; the wording and the mapping are a clinician's to change.

Typed text is matched, never kept: `Screen.match` returns item ids and nothing of the text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCREEN_FILE = "red_flags.yaml"
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
# Item ids go into `Member.onboarding_step` as "screen:<id>" (32 characters at most).
ItemId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=24)]
Advice = Annotated[str, Field(min_length=20, max_length=700)]
# Lower-case words; a word ending in "*" matches any word it starts, "~" skips up to 3 words.
Phrase = Annotated[str, Field(pattern=r"^(?:[a-z0-9]+\*?|~)(?: (?:[a-z0-9]+\*?|~))*$")]
GAP_WORDS = 3

_CLAUSE_BREAK = re.compile(r"[,.;:!?()\n]|\b(?:but|though|although|however|yet)\b")
_WORD = re.compile(r"[a-z0-9]+")


class Strict(BaseModel):
    """As in `content.py` (which builds on this module): unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Urgency(StrEnum):
    """How soon a clinician is needed, from the most urgent down."""

    EMERGENCY = "emergency"  # emergency department / emergency number now
    DOCTOR_SOON = "doctor_soon"  # a doctor within days; no programme until cleared
    TELL_CLINICIAN = "tell_clinician"  # the programme may go on, with a note to mention it

    @property
    def rank(self) -> int:
        return {"emergency": 3, "doctor_soon": 2, "tell_clinician": 1}[self.value]

    @property
    def stops_programme(self) -> bool:
        return self is not Urgency.TELL_CLINICIAN


class Level(Strict):
    urgency: Urgency
    advice: Advice  # said the same way at onboarding, in the flow and on the pause message


class ScreenItem(Strict):
    id: ItemId
    group: Identifier  # cauda_equina, neurological, fracture, infection, malignancy, ...
    question: Annotated[str, Field(min_length=10, max_length=300)]
    urgency: Urgency
    only_if: ItemId | None = None  # asked only after a yes to this (earlier) item


class Combination(Strict):
    """A yes to every one of these items together means this urgency."""

    items: tuple[ItemId, ...] = Field(min_length=2)
    urgency: Urgency


class SymptomWords(Strict):
    """Typed phrases that make the bot ask these items' questions to confirm."""

    phrases: tuple[Phrase, ...] = Field(min_length=1)
    items: tuple[ItemId, ...] = Field(min_length=1)


class Screen(Strict):
    levels: tuple[Level, ...]
    items: tuple[ScreenItem, ...] = Field(min_length=1)
    combinations: tuple[Combination, ...] = ()
    symptom_words: tuple[SymptomWords, ...] = Field(min_length=1)
    # Phrases taken out of the text before matching ("fell asleep" is not a fall).
    ignore: tuple[Phrase, ...] = ()
    # A symptom with one of these words shortly before it, in the same clause, is negated.
    negations: tuple[Phrase, ...] = ()
    negation_window: int = Field(default=3, ge=1, le=6)
    # The short form is asked again before a session once this many days have passed.
    rescreen_every_days: int = Field(ge=1, le=28)
    # While paused for pain or a red flag: a check-in this many days after the pause, each once.
    pause_checkin_days: tuple[int, ...] = Field(min_length=1, max_length=4)

    @model_validator(mode="after")
    def _checkins_in_order(self) -> Screen:
        days = self.pause_checkin_days
        if list(days) != sorted(set(days)) or days[0] < 1:
            raise ValueError("pause_checkin_days: increasing whole days, from 1")
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Screen:
        if sorted(level.urgency for level in self.levels) != sorted(Urgency):
            raise ValueError("levels: give exactly one level for each urgency")
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("items: ids must be unique")
        for number, item in enumerate(self.items):
            if item.only_if is not None and item.only_if not in ids[:number]:
                raise ValueError(f"items: {item.id}'s only_if must name an earlier item")
        for listed in [
            *(c.items for c in self.combinations),
            *(w.items for w in self.symptom_words),
        ]:
            unknown = set(listed) - set(ids)
            if unknown:
                raise ValueError(f"unknown item id(s): {', '.join(sorted(unknown))}")
        return self

    def item(self, item_id: str) -> ScreenItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def level(self, urgency: Urgency) -> Level:
        return next(level for level in self.levels if level.urgency is urgency)

    def short_form(self) -> tuple[ScreenItem, ...]:
        """The re-screen: every emergency and see-a-doctor item asked on its own."""
        return tuple(i for i in self.items if i.urgency.stops_programme and i.only_if is None)

    def next_item(self, after: str | None, yes: Collection[str]) -> ScreenItem | None:
        """The full screen's next question after `after` (None: the first), skipping items
        whose `only_if` was not answered yes."""
        ids = [item.id for item in self.items]
        start = 0 if after is None else ids.index(after) + 1
        for item in self.items[start:]:
            if item.only_if is None or item.only_if in yes:
                return item
        return None

    def asked_count(self, yes: Collection[str]) -> int:
        return sum(1 for item in self.items if item.only_if is None or item.only_if in yes)

    def outcome(self, yes: Collection[str]) -> Urgency | None:
        """The most urgent level any yes (or any combination of yeses) leads to."""
        found = [self.item(item_id).urgency for item_id in yes]
        found += [c.urgency for c in self.combinations if set(c.items) <= set(yes)]
        return max(found, key=lambda urgency: urgency.rank, default=None)

    def match(self, text: str) -> tuple[str, ...]:
        """The screen items a typed message mentions (not negated), in screen order."""
        clauses = _clauses(text)
        ignore = [phrase.split() for phrase in self.ignore]
        negations = [phrase.split() for phrase in self.negations]
        hit: set[str] = set()
        for words in (_masked(clause, ignore) for clause in clauses):
            for entry in self.symptom_words:
                if any(
                    _found_unnegated(words, phrase.split(), negations, self.negation_window)
                    for phrase in entry.phrases
                ):
                    hit.update(entry.items)
        return tuple(item.id for item in self.items if item.id in hit)


def _clauses(text: str) -> list[list[str]]:
    """Lower-case words per clause; apostrophes dropped so "can't" and "cant" read the same."""
    flat = text.lower().replace("\u2019", "'").replace("'", "").replace("-", " ")
    return [_WORD.findall(part) for part in _CLAUSE_BREAK.split(flat)]


def _masked(words: list[str], ignore: Iterable[list[str]]) -> list[str]:
    masked = list(words)
    for phrase in ignore:
        for start in range(len(masked)):
            end = _match_at(masked, start, phrase)
            if end is not None:
                masked[start:end] = [""] * (end - start)
    return masked


def _found_unnegated(
    words: list[str], phrase: list[str], negations: list[list[str]], window: int
) -> bool:
    for start in range(len(words)):
        if _match_at(words, start, phrase) is None:
            continue
        before = words[max(0, start - window) : start]
        if not any(
            _match_at(before, at, neg) is not None for neg in negations for at in range(len(before))
        ):
            return True
    return False


def _match_at(words: list[str], start: int, phrase: list[str]) -> int | None:
    """The end of `phrase` matched at `start`, or None."""
    if not phrase:
        return start
    head, rest = phrase[0], phrase[1:]
    if head == "~":
        for skip in range(GAP_WORDS + 1):
            end = _match_at(words, start + skip, rest)
            if end is not None:
                return end
        return None
    if start >= len(words) or not _word_matches(words[start], head):
        return None
    return _match_at(words, start + 1, rest)


def _word_matches(word: str, pattern: str) -> bool:
    if pattern.endswith("*"):
        return bool(word) and word.startswith(pattern[:-1])
    return word == pattern
