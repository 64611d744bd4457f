"""Every question, fed answers that do not fit: a short re-ask that says what is expected, and
not one row changed. Some of the text comes from hypothesis, as a fixed sample per question."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import answers
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.member_chat import MemberChat, keep_only, onboard, snapshot

pytestmark = pytest.mark.e2e

Maker = async_sessionmaker[AsyncSession]

LONG = "4" * 4001
CONSENT_HINT = "Please tap «I agree» or «No thanks»"
YES_NO_HINT = "Please tap Yes or No"
PAIN_HINT = "Please send a number from 0 to 10, for example 3."
ACTIVITY_HINT = "Please tap one of the three buttons"
EQUIPMENT_HINT = "Please tap what you have"
TIME_HINT = "Please send a time like 07:30"
ZONE_HINT = "I couldn't place that"
REPS_HINT = "Please send how many reps you did"
HOLD_HINT = "Please tap «Yes» or «Not quite»"
RESCREEN_HINT = "Please tap «None of these» or «Yes, one of these»"
# Wrong for every question, whatever it asks.
ALWAYS_WRONG = ("hmm", "🙂🙂", "x" * 300, LONG)


NOW = datetime.now(UTC)
TEXT = st.text(min_size=1, max_size=60)


def _reps_accepted(text: str) -> bool:
    read = answers.read(text, NOW)
    return read.all_done or read.reps is not None or read.command is not None


# Per question: what hypothesis draws from, and which texts the question would accept.
SAMPLED: dict[str, tuple[st.SearchStrategy[str], Callable[[str], bool]]] = {
    "yes_no": (TEXT, lambda text: answers.parse_yes_no(text) is not None),
    "pain": (
        st.one_of(TEXT, st.integers(-50, 500).map(str)),
        lambda text: answers.parse_pain(text) is not None,
    ),
    "time": (TEXT, lambda text: answers.parse_time(text) is not None),
    "zone": (TEXT, lambda text: answers.parse_timezone(text, NOW) is not None),
    "reps": (st.one_of(TEXT, st.integers(-50, 5000).map(str)), _reps_accepted),
}


@cache
def unreadable(question: str) -> tuple[str, ...]:
    """A fixed, reproducible hypothesis sample of texts this question must not accept."""
    strategy, accepted = SAMPLED[question]
    found: list[str] = []

    @settings(max_examples=15, derandomize=True, database=None, deadline=None)
    @given(strategy)
    def collect(text: str) -> None:
        if text.strip() and not text.lstrip().startswith("/") and not accepted(text):
            found.append(text)

    collect()
    return tuple(found)


class Prober:
    """Feeds bad answers to the open question and checks the re-ask and the database."""

    def __init__(self, chat: MemberChat, maker: Maker) -> None:
        self.chat = chat
        self.maker = maker

    async def rejects(self, hint: str, *texts: str, pictures: bool = False) -> None:
        before = await snapshot(self.maker, self.chat.user["id"])
        for text in texts:
            reask = await self.chat.say(text, hint)
            assert len(reask.body) < 300, "a re-ask is short"
        if pictures:
            await self._send(self.chat.api.send_sticker(self.chat.user), hint)
            await self._send(self.chat.api.send_photo(self.chat.user), hint)
            await self.chat.say("5", "edited messages", edited=True)
        assert await snapshot(self.maker, self.chat.user["id"]) == before

    async def _send(self, sending: Awaitable[int], hint: str) -> None:
        since = self.chat.api.cursor()
        await sending
        await self.chat.api.wait_for_message(self.chat.chat_id, since=since, match=hint)


async def test_every_onboarding_question_reasks_what_does_not_fit(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    pia = MemberChat(fake_api, 7401, "Pia")
    probe = Prober(pia, sessionmaker)
    await pia.say("/start", "Is that OK?")
    await probe.rejects(CONSENT_HINT, *ALWAYS_WRONG, "maybe later", "4", pictures=True)
    await probe.rejects(CONSENT_HINT, *unreadable("yes_no"))
    await pia.say("I agree", "Safety check 1/16")
    await probe.rejects(YES_NO_HINT, *ALWAYS_WRONG, "not sure", "0")
    for number in range(2, 17):
        await pia.say("no", f"Safety check {number}/16")
    await probe.rejects(YES_NO_HINT, *ALWAYS_WRONG, "perhaps", pictures=True)
    await pia.say("no", "How much pain")
    await probe.rejects(PAIN_HINT, *ALWAYS_WRONG, "11", "-1", "4.5", "ten", "4/5", pictures=True)
    await probe.rejects(PAIN_HINT, *unreadable("pain"))
    await pia.say("4", "How active")
    await probe.rejects(ACTIVITY_HINT, *ALWAYS_WRONG, "4", "very", pictures=True)
    await pia.say("1", "Which of these")
    await probe.rejects(EQUIPMENT_HINT, *ALWAYS_WRONG, "dumbbells", "band, kettlebell")
    await pia.say("band", "daily reminder")
    await probe.rejects(TIME_HINT, *ALWAYS_WRONG, "25:00", "7:60", "13pm", "noon", pictures=True)
    await probe.rejects(TIME_HINT, *unreadable("time"))
    await pia.say("07:30", "Which time zone")
    await probe.rejects(ZONE_HINT, *ALWAYS_WRONG, "Atlantis", "UTC+25", "+5:17", pictures=True)
    await probe.rejects(ZONE_HINT, *unreadable("zone"))
    await pia.say("Berlin", "is that right?")
    await probe.rejects(YES_NO_HINT, *ALWAYS_WRONG, "Berlin", pictures=True)
    await pia.say("yes", "You're all set")


async def test_every_session_question_reasks_what_does_not_fit(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    rex = MemberChat(fake_api, 7402, "Rex")
    probe = Prober(rex, sessionmaker)
    await onboard(rex, equipment="chair")
    await keep_only(sessionmaker, 7402, {"bridge", "hamstring_stretch"})
    await rex.say("/today", "how many reps")
    await probe.rejects(REPS_HINT, *ALWAYS_WRONG, "501", "-1", "lots", "12.5", pictures=True)
    await probe.rejects(REPS_HINT, *unreadable("reps"))
    await rex.say("8", "right now")
    await probe.rejects(PAIN_HINT, *ALWAYS_WRONG, "11", "-1", "4.5", "all", pictures=True)
    await probe.rejects(PAIN_HINT, *unreadable("pain"))
    await rex.say("2", "full holds")
    await probe.rejects(HOLD_HINT, *ALWAYS_WRONG, "30", "sort of", pictures=True)
    await rex.say("yes", "right now")
    await rex.say("1", "Exercises done")


async def test_settings_and_resume_questions_reask_what_does_not_fit(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    sol = MemberChat(fake_api, 7403, "Sol")
    probe = Prober(sol, sessionmaker)
    await onboard(sol)
    await sol.say("/settings", "Your settings")
    await sol.tap("Change reminder time", "daily reminder")
    await probe.rejects(TIME_HINT, *ALWAYS_WRONG, "24:30", "soon", pictures=True)
    await sol.say("/settings", "Your settings")
    await sol.tap("Change time zone", "Which time zone")
    await probe.rejects(ZONE_HINT, *ALWAYS_WRONG, "Narnia", "GMT+99")
    await sol.say("Tokyo", "Asia/Tokyo, now")
    await probe.rejects(YES_NO_HINT, *ALWAYS_WRONG, "Osaka")
    await sol.say("/settings", "Your settings")
    await sol.tap("Change equipment", "Which of these")
    await probe.rejects(EQUIPMENT_HINT, *ALWAYS_WRONG, "rowing machine")
    await sol.say("/today", "how many reps")
    await sol.say("all", "right now")
    await sol.say("8", "Let's stop here")
    await sol.say("/resume", "Do you have any of these now?")
    await probe.rejects(RESCREEN_HINT, *ALWAYS_WRONG, "maybe")
    await sol.say("none of these", "1/3")
    await probe.rejects(PAIN_HINT, *ALWAYS_WRONG, "eleven", "12", pictures=True)
    await sol.say("2", "2/3")
    await probe.rejects(YES_NO_HINT, *ALWAYS_WRONG, "a nurse")
    await sol.say("yes", "3/3")
    await probe.rejects(YES_NO_HINT, *ALWAYS_WRONG, "mostly")
    await sol.say("yes", "Welcome back")


async def test_text_with_no_open_question_gets_a_pointer(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    stranger = MemberChat(fake_api, 7404, "Tess")
    await stranger.say("hello", "/start")
    await stranger.api.send_sticker(stranger.user)
    await stranger.barrier()
    assert await snapshot(sessionmaker, 7404) == {}
    uma = MemberChat(fake_api, 7405, "Uma")
    await onboard(uma)
    before = await snapshot(sessionmaker, 7405)
    pointer = await uma.say("what now?", "not waiting for an answer")
    assert "/today" in pointer.body and "/help" in pointer.body
    await uma.say(LONG, "not waiting for an answer")
    assert await snapshot(sessionmaker, 7405) == before


@pytest.mark.parametrize("question", list(SAMPLED))
def test_each_hypothesis_sample_has_texts_to_try(question: str) -> None:
    assert len(unreadable(question)) >= 5
