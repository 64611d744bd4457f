"""Forged button presses, as a modified client sends them, in every state a member can be in.

The real application runs in this process against the fake Bot API (each press goes through the
pipeline: the inbox, one transaction, the outbox, as polling hands it over), so thousands of presses
take seconds. Two kinds of data are pressed: unsigned junk (stopped by the signing layer) and
*validly signed* bad values (other members' and groups' ids, out-of-range and non-ASCII digits,
wrong arity), which reach the parsers behind it. After every press: the bot answered it, no row
in the database changed, and nothing reached the error handler.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.coaching.screening import Screen
from bot.db.models import Base, CoachGroup, Member, Reminder, TrainingSession
from bot.signed_bot import MAX_CALLBACK_DATA, PAYLOAD_BUDGET
from tests.botprocess import signed
from tests.fakebotapi import FakeBotAPI
from tests.inprocess import Harness, bot_in_process

pytestmark = pytest.mark.e2e

MIA, BOB, COACH = 8101, 8102, 8103
GROUP_CHAT, OTHER_GROUP_CHAT = -5001, -5002
EXAMPLES_PER_STATE = 60


def onboarding(screen: Screen) -> list[str]:
    """Typed answers that take a member from nothing to enrolled: no to every screen item."""
    asked = sum(1 for item in screen.items if item.only_if is None)
    return ["/start", "yes", *["no"] * asked, "3", "2", "none", "07:30", "UTC", "yes"]


@dataclass(frozen=True)
class State:
    """How Mia gets there: the first `answers` of onboarding (None: all of it), then `then`
    ("press:<data>" taps a button); `where` is what the database must then say (`where_is`),
    so a state the conversation no longer reaches fails instead of being pressed in vain."""

    answers: int | None
    where: str
    then: tuple[str, ...] = ()


STATES = {
    "not started": State(0, "not started"),
    "consent": State(1, "onboarding:consent"),
    "red-flag screen": State(3, "onboarding:screen:"),
    "pain": State(-6, "onboarding:pain"),
    "time": State(-3, "onboarding:time"),
    "zone": State(-2, "onboarding:zone"),
    "zone confirm": State(-1, "onboarding:zone_ok"),
    "enrolled": State(None, "enrolled"),
    "in a session": State(None, "session:", ("/today",)),
    "session: why stop": State(None, "session:stop_why", ("/today", "stop")),
    "settings: time": State(None, "awaiting:time", ("/settings", "press:set:open:time")),
    "settings: zone": State(None, "awaiting:zone", ("/settings", "press:set:open:zone")),
    "symptom question": State(None, "awaiting:symptom:", ("/symptom",)),
    "paused": State(None, "paused_by_member", ("/pause",)),
    "red flag: resume check": State(None, "awaiting:resume_screen", ("/symptom", "yes", "/resume")),
}
PREFIXES = ("onb", "sess", "set", "res", "rem", "data", "dash", "sym", "pchk")
ODD_DIGITS = ["²", "٣", "１", "-1", "99", "2599", "0960", "1e3", "", " 5", "10000000000000000000"]


async def database_rows(maker: async_sessionmaker[AsyncSession]) -> dict[str, list[Any]]:
    """Every row of every table but the inbox and the outbox (the press itself and its answer),
    to compare before and after a press."""
    async with maker() as session:
        rows = {}
        for table in Base.metadata.sorted_tables:
            if table.name in {"inbox", "outbox"}:
                continue
            result = await session.execute(select(table).order_by(*table.primary_key.columns))
            rows[table.name] = [tuple(row) for row in result]
        return rows


@pytest.fixture
async def harness(
    fake_api: FakeBotAPI, database_url: str, library: Library
) -> AsyncIterator[Harness]:
    async with bot_in_process(fake_api, database_url, library) as found:
        yield found


async def other_people(h: Harness) -> None:
    """Bob: enrolled in a coach group, mid-session, with an open reminder; a second group."""
    async with h.maker.begin() as session:
        for chat_id, code in ((GROUP_CHAT, "codeA"), (OTHER_GROUP_CHAT, "codeB")):
            session.add(
                CoachGroup(
                    chat_id=chat_id,
                    title="Club",
                    invite_code=code,
                    created_by_user_id=COACH,
                    is_active=True,
                )
            )
    h.api.chat_admins[GROUP_CHAT] = {COACH}
    h.api.join_group(GROUP_CHAT, BOB)
    for words in onboarding(h.screen):
        await h.say(BOB, "/start codeA" if words == "/start" else words)
    await h.say(BOB, "/today")
    await h.say(COACH, "/dashboard")  # signed page buttons exist for the group
    async with h.maker() as session:
        h.ids["members"] = list(await session.scalars(select(Member.id)))
        h.ids["sessions"] = list(await session.scalars(select(TrainingSession.id)))
        h.ids["groups"] = list(await session.scalars(select(CoachGroup.id)))
        h.ids["reminders"] = list(await session.scalars(select(Reminder.id)))


async def put_mia_in(h: Harness, state: str) -> None:
    wanted = STATES[state]
    for words in onboarding(h.screen)[: wanted.answers]:
        await h.say(MIA, words)
    for words in wanted.then:
        if words.startswith("press:"):
            await h.press(MIA, signed(words.removeprefix("press:")))
        else:
            await h.say(MIA, words)
    assert (await where_is(h)).startswith(wanted.where), (state, await where_is(h))


async def where_is(h: Harness) -> str:
    """Mia's open question, or her status when none is open, as the database has it."""
    async with h.maker() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == MIA))
        if member is None:
            return "not started"
        if member.awaiting is not None:
            return f"awaiting:{member.awaiting}"
        if member.onboarding_step is not None:
            return f"onboarding:{member.onboarding_step}"
        training = await session.scalar(
            select(TrainingSession).where(
                TrainingSession.member_id == member.id, TrainingSession.status == "in_progress"
            )
        )
        if training is not None:
            return f"session:{training.step}"
        return "enrolled" if member.status == "active" else member.status


def bad_values(ids: dict[str, list[int]], screen: Screen) -> st.SearchStrategy[str]:
    """Data the bot could have signed but never would: the parsers behind the signature."""

    # Other people's records, each kind for its own prefix (Mia's are made later: none hers).
    def theirs(kind: str) -> st.SearchStrategy[str]:
        return st.sampled_from([*ids[kind], 2**63]).map(str)

    # Values no question accepts: out of range, non-ASCII digits, junk words.
    odd = st.sampled_from(ODD_DIGITS) | st.text(max_size=6).filter(_never_valid)
    by_id = [
        ("onb:join:yes:{v}", "groups"),
        ("onb:join:no:{v}", "groups"),
        ("onb:consent:yes:{v}", "groups"),
        ("sess:{v}:0:pain:4", "sessions"),
        ("sess:{v}:0:reps:skip", "sessions"),
        ("rem:{v}:skip", "reminders"),
        ("rem:{v}:snooze:30", "reminders"),
        ("rem:{v}:chk:worse", "reminders"),
        ("data:{v}:delete", "members"),
        ("data:{v}:keep", "members"),
        ("dash:{v}:0", "groups"),
    ]
    other = st.one_of(theirs(kind) for kind in ("groups", "sessions", "reminders", "members"))
    id_forged = st.one_of(
        st.builds(lambda value, form=form: form.replace("{v}", value), theirs(kind))
        for form, kind in by_id
    )
    value_forms = st.sampled_from(
        [
            "onb:pain:{v}",
            "onb:time:{v}",
            "onb:activity:{v}",
            "onb:equipment:{v}",
            "onb:zone_ok:yes:{v}",
            "onb:flag1:{v}",
            "set:time:{v}",
            "set:open:{v}",
            "set:equipment:{v}",
            "res:pain:{v}",
            "res:professional:{v}",
            "sess:{v}:99:pain:{v}",
            "dash:{v}:{v}",
            "sym:{v}:yes",
            "sym:{v}",
            "pchk:{v}:resume",
            "pchk:1:{v}",
            "pchk:{v}:worse",
        ]
    )
    fill = lambda form, value: form.replace("{v}", value)  # noqa: E731
    arity = st.builds(
        lambda prefix, parts: ":".join([prefix, *parts]),
        st.sampled_from(PREFIXES),
        st.lists(odd | other, max_size=6),
    )
    # Real screen items that no state here asks (/symptom asks only the short form).
    short = {item.id for item in screen.short_form()}
    unasked = st.sampled_from([item.id for item in screen.items if item.id not in short])
    item_forms = st.sampled_from(["sym:{v}:yes", "onb:screen:{v}:yes"])
    forged = (
        id_forged | st.builds(fill, value_forms, odd) | arity | st.builds(fill, item_forms, unasked)
    )
    return forged.filter(lambda d: len(d.encode()) <= PAYLOAD_BUDGET).map(signed)


def _never_valid(value: str) -> bool:
    """Not a value any question takes (a short ASCII number or a lower-case word might be)."""
    return not (value.isascii() and (value.isdigit() or value.isalpha()))


def junk() -> st.SearchStrategy[str]:
    """Unsigned data up to Telegram's 64 bytes: stopped before any parser."""
    text_ = st.text(min_size=1, max_size=MAX_CALLBACK_DATA)
    known = st.builds(lambda p, rest: f"{p}:{rest}", st.sampled_from(PREFIXES), st.text())
    return (text_ | known).filter(lambda d: 0 < len(d.encode()) <= MAX_CALLBACK_DATA)


def examples(strategy: st.SearchStrategy[str], n: int) -> list[str]:
    """n hypothesis-generated values, reproducibly (the presses themselves are async)."""
    found: list[str] = []

    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: str) -> None:
        found.append(value)

    collect()
    return found


@pytest.mark.parametrize("state", list(STATES))
async def test_no_forged_press_changes_anything_or_fails_in_any_state(
    harness: Harness, state: str
) -> None:
    h = harness
    await other_people(h)
    await put_mia_in(h, state)
    presses = examples(bad_values(h.ids, h.screen), EXAMPLES_PER_STATE) + examples(
        junk(), EXAMPLES_PER_STATE // 2
    )
    failures = []
    for data in presses:
        before, answers = await database_rows(h.maker), len(h.api.callback_answers)
        errors = len(h.errors)
        await h.press(MIA, data)
        problems = []
        if len(h.api.callback_answers) == answers:
            problems.append("not answered")
        if len(h.errors) > errors:
            problems.append(f"raised {h.errors[-1]!r}")
        if await database_rows(h.maker) != before:
            problems.append("changed the database")
        if problems:
            failures.append((data, problems))
    assert h.errors == [] or failures, h.errors
    assert failures == [], f"{len(failures)} of {len(presses)} presses in {state!r}: {failures}"


async def test_a_signed_join_for_a_group_never_offered_changes_nothing(harness: Harness) -> None:
    await other_people(harness)
    await put_mia_in(harness, "enrolled")
    before = await database_rows(harness.maker)
    await harness.press(MIA, signed(f"onb:join:yes:{harness.ids['groups'][0]}"))
    assert await database_rows(harness.maker) == before
