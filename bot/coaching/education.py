"""Short tips after a session, and the flare-up plan: content models and the choice of a tip.

The texts live in `content/education.yaml` (clinician-editable, each tip with its source); this
module validates them and picks the tip to show, purely from what was shown before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import Field, model_validator

from bot.coaching.content import Identifier, Sentence, Strict

Topic = Literal["hurt_not_harm", "stay_active", "pacing", "sleep", "flare_ups"]
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


class Tip(Strict):
    id: Identifier
    topic: Topic
    text: Annotated[str, Field(min_length=40, max_length=320)]
    source: Identifier

    @model_validator(mode="after")
    def _two_or_three_sentences(self) -> Tip:
        sentences = len(_SENTENCE_END.findall(self.text))
        if not 2 <= sentences <= 3:
            raise ValueError(f"a tip is 2 or 3 sentences, this one has {sentences}")
        return self


class FlarePlan(Strict):
    """What /flare says: what to do today, what to skip, when to get help, and the offer."""

    today: tuple[Sentence, ...] = Field(min_length=1, max_length=4)
    skip: tuple[Sentence, ...] = Field(min_length=1, max_length=3)
    seek_help: tuple[Sentence, ...] = Field(min_length=1, max_length=3)
    offer_ease: Sentence


class Education(Strict):
    repeat_after_days: int = Field(ge=1, le=60)
    tips: tuple[Tip, ...] = Field(min_length=1)
    flare_plan: FlarePlan
    sources: Mapping[Identifier, Annotated[str, Field(min_length=20, max_length=400)]]

    @model_validator(mode="after")
    def _enough_known_and_unique(self) -> Education:
        ids = [tip.id for tip in self.tips]
        if len(ids) != len(set(ids)):
            raise ValueError("tip ids must be unique")
        # A tip shown today may come back only after repeat_after_days: a member who trains
        # every day sees repeat_after_days tips in that time, so there must be at least as many.
        if len(self.tips) < self.repeat_after_days:
            raise ValueError(
                f"{len(self.tips)} tips cannot avoid a repeat within {self.repeat_after_days} days"
            )
        unknown = sorted({tip.source for tip in self.tips} - set(self.sources))
        if unknown:
            raise ValueError(f"tips name sources not listed under sources: {', '.join(unknown)}")
        return self


def pick_tip(history: Sequence[tuple[date, str]], today: date, education: Education) -> Tip | None:
    """The tip to show today: one never shown first (in file order), else the one shown longest
    ago; never one shown within repeat_after_days. None when a tip was already shown today or
    every tip is too recent.

    `history` is (day shown, tip id), in any order; ids no longer in the content are ignored.
    """
    last_shown: dict[str, date] = {}
    for day, tip_id in history:
        if day == today:
            return None
        last_shown[tip_id] = max(day, last_shown.get(tip_id, day))
    cutoff = today - timedelta(days=education.repeat_after_days)
    fresh = [tip for tip in education.tips if last_shown.get(tip.id, date.min) <= cutoff]
    if not fresh:
        return None
    return min(fresh, key=lambda tip: last_shown.get(tip.id, date.min))
