"""Safety at every moment, end to end: the full graded screen at onboarding, a new symptom typed
or reported anywhere, forged buttons, and commands that arrive while a question is open."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Alert, Base, CoachGroup, ExerciseResultRow, Member, TrainingSession
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.member_chat import MemberChat, has_buttons, keep_only, member_row, onboard, snapshot

pytestmark = pytest.mark.e2e

Maker = async_sessionmaker[AsyncSession]
NUMB = "my leg went numb"
SCREEN_ITEMS = 16  # asked to everyone; "new pain" is asked only after "ever had cancer"
EXPIRED = "That button has expired"


async def add_group(maker: Maker, code: str) -> int:
    async with maker.begin() as session:
        group = CoachGroup(
            chat_id=-2000 - len(code), title="Back club", invite_code=code, created_by_user_id=1
        )
        session.add(group)
        await session.flush()
        return group.id


async def count(maker: Maker, model: type, *where: object) -> int:
    async with maker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def item_of(question: SentMessage) -> str:
    """The screen item a safety-check question asks about, from its Yes button."""
    return question.buttons()[0]["callback_data"].split(":")[2]


async def screen(chat: MemberChat, first: SentMessage, yes: set[str]) -> list[str]:
    """Answer every safety-check question by button (yes for `yes`) and wait for the replies
    after it; returns the items asked, in order."""
    asked, question = [], first
    while "Safety check" in question.body:
        asked.append(item_of(question))
        label = "Yes" if asked[-1] in yes else "No"
        question = await chat.tap_on(question, label, lambda m: m.method == "sendMessage")
    await chat.barrier()
    return asked


def said(chat: MemberChat, text: str) -> SentMessage:
    """The latest message to the member that contains `text`."""
    return next(m for m in reversed(chat.sent()) if text in m.body)


async def stored_anywhere(maker: Maker, text: str) -> bool:
    """Whether `text` appears in any row of any table the bot has."""
    async with maker() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                if text in repr(tuple(row)):
                    return True
    return False


def unchanged(rows: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Every row but the member's `updated_at`, which any answer touches."""
    member = {key: value for key, value in rows["member"][0].items() if key != "updated_at"}
    return {**rows, "member": [member]}


# ---- the full screen at onboarding -----------------------------------------------------------


async def test_every_item_is_asked_then_an_emergency_stops_with_advice_and_tells_the_coach(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    await add_group(sessionmaker, "club1")
    lee = MemberChat(fake_api, 7601, "Lee")
    await lee.say("/start club1", expect="Is that OK?")
    first = await lee.tap("I agree", expect="Safety check 1/16")
    asked = await screen(lee, first, yes={"bladder_bowel"})
    assert len(asked) == SCREEN_ITEMS and len(set(asked)) == SCREEN_ITEMS
    stop = said(lee, "emergency department now")
    assert "emergency department now" in stop.body and "«Back club»" in stop.body
    assert "/resume" in stop.body
    member = await member_row(sessionmaker, 7601)
    assert (member.status, member.programme, member.red_flag_urgency) == (
        "stopped_red_flag",
        None,
        "emergency",
    )
    assert await count(sessionmaker, Alert, Alert.kind == "red_flag") == 1
    paused = await lee.say("/today", expect="emergency department now")
    assert not paused.buttons()


async def test_a_see_a_doctor_item_advises_a_gp_within_days_and_no_programme(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    ana = MemberChat(fake_api, 7602, "Ana")
    await ana.say("/start", expect="Is that OK?")
    first = await ana.say("yes", expect="Safety check 1/16")
    await screen(ana, first, yes={"fever"})
    stop = said(ana, "needs a doctor")
    assert "GP" in stop.body and "within the next few days" in stop.body
    assert "emergency department now" not in stop.body and "coach" not in stop.body
    assert (await member_row(sessionmaker, 7602)).status == "stopped_red_flag"
    assert await count(sessionmaker, Alert) == 0


async def test_tell_your_clinician_starts_the_programme_with_a_note_the_coach_sees(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    await add_group(sessionmaker, "club3")
    cai = MemberChat(fake_api, 7603, "Cai")
    await cai.say("/start club3", expect="Is that OK?")
    first = await cai.tap("I agree", expect="Safety check 1/16")
    await screen(cai, first, yes={"pregnancy"})
    note = said(cai, "mention this")
    assert "GP or physiotherapist" in note.body and "next few weeks" in note.body
    await cai.say("3", expect="How active")
    assert await count(sessionmaker, Alert, Alert.kind == "clinician_note") == 1
    assert (await member_row(sessionmaker, 7603)).status == "onboarding"


async def test_cancer_history_adds_the_new_pain_question_and_alone_lets_the_programme_start(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    dee = MemberChat(fake_api, 7604, "Dee")
    await dee.say("/start", expect="Is that OK?")
    first = await dee.say("yes", expect="Safety check 1/16")
    asked = await screen(dee, first, yes={"cancer_history"})
    assert "cancer_new_pain" in asked and len(asked) == SCREEN_ITEMS + 1
    assert any("Safety check 17/17" in m.body for m in dee.sent())
    await dee.say("2", expect="How active")


# ---- a new symptom at any moment -------------------------------------------------------------


async def test_numb_typed_on_the_reps_prompt_pauses_after_a_yes_and_is_never_stored(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    await add_group(sessionmaker, "club5")
    eve = MemberChat(fake_api, 7605, "Eve")
    await onboard(eve, code="club5")
    await eve.say("/today", "how many reps")
    since = fake_api.cursor()
    check = await eve.say(NUMB, "Check 1/3")
    assert any("haven't saved what you wrote" in m.body for m in eve.sent(since))
    assert "groin" in check.body
    stop = await eve.tap("Yes", "emergency department now")
    assert "«Back club»" in stop.body
    member = await member_row(sessionmaker, 7605)
    assert (member.status, member.next_reminder_at) == ("stopped_red_flag", None)
    assert await count(sessionmaker, Alert, Alert.kind == "red_flag") == 1
    paused = await eve.say("/today", "emergency department now")
    assert not paused.buttons()
    assert not await stored_anywhere(sessionmaker, "went")


async def test_a_symptom_inside_a_pain_answer_comes_first_and_no_returns_to_the_question(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    fay = MemberChat(fake_api, 7606, "Fay")
    await onboard(fay)
    await fay.say("/today", "how many reps")
    await fay.say("all", "right now")
    before = await snapshot(sessionmaker, 7606)
    await fay.say("3, and my leg is numb", "Check 1/3")
    await fay.say("no", "Check 2/3")
    await fay.say("no", "Check 3/3")
    back = await fay.say("no", "right now")
    assert back.buttons() and "0" in [b["text"] for b in back.buttons()]
    after = await snapshot(sessionmaker, 7606)
    assert after["results"] == before["results"] and after["sessions"] == before["sessions"]
    assert not await stored_anywhere(sessionmaker, "leg is")
    await fay.say("2", "Exercise 2 of")


async def test_numb_with_nothing_awaited_asks_and_no_leaves_everything_as_it_was(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    gus = MemberChat(fake_api, 7607, "Gus")
    await onboard(gus)
    before = await snapshot(sessionmaker, 7607)
    await gus.say(NUMB, "Check 1/3")
    await gus.say("no", "Check 2/3")
    await gus.say("no", "Check 3/3")
    await gus.say("no", "not waiting for an answer")
    assert unchanged(await snapshot(sessionmaker, 7607)) == unchanged(before)
    await gus.say("no numbness, I feel weak-willed today", "not waiting for an answer")


async def test_the_new_symptom_button_on_a_card_asks_the_urgent_items(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    hal = MemberChat(fake_api, 7608, "Hal")
    await onboard(hal)
    since = fake_api.cursor()
    await hal.say("/today", "how many reps")
    card = next(m for m in hal.sent(since) if m.body.startswith("Exercise 1 of"))
    question = await hal.tap_on(card, "⚠️ New symptom", "Check 1/")
    assert "bladder" in question.body
    await hal.tap("No", "Check 2/")
    stop = await hal.tap("Yes", "emergency department now")
    assert "/resume" in stop.body
    async with sessionmaker() as session:
        status = await session.scalar(select(TrainingSession.status))
    assert status == "stopped"


async def test_symptom_command_outside_a_session_then_no_to_all(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    ida = MemberChat(fake_api, 7609, "Ida")
    await onboard(ida)
    question = await ida.say("/symptom", "Check 1/")
    total = int(question.body.split("/", 1)[1].split("\n", 1)[0])
    for _ in range(total - 1):
        await ida.say("no", "Check ")
    cleared = await ida.say("no", "Nothing here needs a doctor urgently")
    assert "GP" in cleared.body
    assert (await member_row(sessionmaker, 7609)).status == "active"


async def test_a_command_during_a_symptom_question_asks_it_first(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    jo = MemberChat(fake_api, 7610, "Jo")
    await onboard(jo)
    await jo.say(NUMB, "Check 1/3")
    since = fake_api.cursor()
    again = await jo.say("/settings", "Check 1/3")
    assert any("safety question" in m.body for m in jo.sent(since)) and again.buttons()


# ---- commands while a question is open, and forged buttons ----------------------------------


async def test_a_command_while_a_settings_question_is_open_says_it_was_closed(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    kai = MemberChat(fake_api, 7611, "Kai")
    await onboard(kai)
    await kai.say("/settings", "Tap what you'd like to change")
    await kai.tap("Change reminder time", "daily reminder")
    closed = await kai.say("/why", "closed the open question about your reminder time")
    assert "nothing was changed" in closed.body
    assert (await member_row(sessionmaker, 7611)).awaiting is None
    await kai.say("/today", "how many reps")
    await kai.say("/why", "Today's session waits at exercise 1 of")
    await kai.say("all", "right now")  # the session question stayed open


@pytest.mark.parametrize(
    ("stage", "data"),
    [
        ("pain", "onb:pain:99"),
        ("pain", "onb:pain:²"),
        ("time", "onb:time:2599"),
        ("time", "onb:time:0960"),
        ("settings", "set:time:0960"),
        ("settings", "res:pain:11"),
    ],
)
async def test_out_of_range_callback_data_is_refused_and_changes_nothing(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker, stage: str, data: str
) -> None:
    lou = MemberChat(fake_api, 7612, "Lou")
    if stage == "settings":
        await onboard(lou)
        await lou.say("/settings", "Tap what you'd like to change")
        await lou.tap("Change reminder time", "daily reminder")
    else:
        await lou.say("/start", "Is that OK?")
        first = await lou.say("yes", "Safety check 1/16")
        await screen(lou, first, yes=set())
        if stage == "time":
            await lou.say("3", "How active")
            await lou.say("2", "Which of these")
            await lou.say("none", "daily reminder")
    question = lou.question()
    before = await snapshot(sessionmaker, 7612)
    shown = await lou.tap_on(question, None, has_buttons, data=data)
    assert fake_api.callback_answers[-1].get("text") == EXPIRED
    assert shown.body == question.body
    assert await snapshot(sessionmaker, 7612) == before


async def test_joining_a_group_is_only_possible_for_the_members_own_invite(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    await add_group(sessionmaker, "mine")
    other = await add_group(sessionmaker, "someone_elses")
    max_ = MemberChat(fake_api, 7613, "Max")
    await onboard(max_)
    offer = await max_.say("/start mine", "Would you like to join?")
    before = await snapshot(sessionmaker, 7613)
    await max_.tap_on(offer, None, lambda m: True, data=f"onb:join:yes:{other}")
    await max_.barrier()
    assert fake_api.callback_answers[-1].get("text") == EXPIRED
    assert (await member_row(sessionmaker, 7613)).coach_group_id is None
    assert (await snapshot(sessionmaker, 7613))["member"][0]["coach_group_id"] is None
    assert before["member"][0]["coach_group_id"] is None


# ---- every stop asked why, skip asked why, red pain ------------------------------------------


@pytest.mark.parametrize("reason", ["I'm tired", "No time"])
async def test_stopping_tired_or_out_of_time_is_a_partial_session_not_a_skip(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker, reason: str
) -> None:
    ned = MemberChat(fake_api, 7614, "Ned")
    await onboard(ned)
    await ned.say("/today", "how many reps")
    await ned.say("all", "right now")
    await ned.say("1", "Exercise 2 of")
    await ned.say("all", "right now")
    await ned.tap("Stop for today", "reason for stopping")
    end = await ned.tap(reason, "Exercises done")
    assert "isn't counted as skipped" in end.body and "Skipped: 0" in end.body
    async with sessionmaker() as session:
        results = (await session.scalars(select(ExerciseResultRow))).all()
        stopped = await session.scalar(select(TrainingSession.stop_reason))
    assert [(r.position, r.skipped) for r in results] == [(0, False)]
    assert stopped in ("tired", "no_time")


async def test_stopping_for_pain_asks_the_pain_and_counts_as_a_stop_for_pain(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    ola = MemberChat(fake_api, 7615, "Ola")
    await onboard(ola)
    await ola.say("/today", "how many reps")
    await ola.tap("Stop for today", "reason for stopping")
    keypad = await ola.tap("Pain", "right now")
    assert "Skip this one" not in [b["text"] for b in keypad.buttons()]
    end = await ola.tap("5", "Let's stop here")
    assert "because of the pain (5/10)" in end.body and "Exercises done" in end.body
    async with sessionmaker() as session:
        assert await session.scalar(select(TrainingSession.status)) == "stopped_for_pain"


async def test_stopping_for_a_new_symptom_asks_it_and_no_returns_to_the_exercise(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    pam = MemberChat(fake_api, 7616, "Pam")
    await onboard(pam)
    await pam.say("/today", "how many reps")
    await pam.tap("Stop for today", "reason for stopping")
    question = await pam.tap("A new symptom", "Check 1/")
    total = int(question.body.split("/", 1)[1].split("\n", 1)[0])
    for _ in range(total - 1):
        await pam.say("no", "Check ")
    await pam.say("no", "how many reps")


async def test_skip_asks_why_and_keeps_the_reps_already_reported(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    quy = MemberChat(fake_api, 7617, "Quy")
    await onboard(quy)
    await quy.say("/today", "how many reps")
    await quy.say("5", "right now")
    await quy.tap("Skip this one", "Why, if you don't mind?")
    await quy.tap("It hurts", "Exercise 2 of")
    async with sessionmaker() as session:
        row = await session.scalar(select(ExerciseResultRow))
    assert row is not None
    assert (row.skipped, row.skip_reason, row.reps_done, row.pain) == (True, "hurts", 5, None)


@pytest.mark.parametrize(
    ("choice", "then"),
    [("Carry on, easier", "Exercise 2 of"), ("Skip the rest", "Exercises done")],
)
async def test_red_pain_offers_stop_easier_or_skip_the_rest(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker, choice: str, then: str
) -> None:
    rae = MemberChat(fake_api, 7618, "Rae")
    await onboard(rae)
    await keep_only(sessionmaker, 7618, {"bridge", "clamshell", "bird_dog"})
    await rae.say("/today", "how many reps")
    await rae.say("all", "right now")
    offer = await rae.say("6", "Pain at 6/10 is high")
    assert [b["text"] for b in offer.buttons()][:3] == [
        "Stop for today",
        "Carry on, easier",
        "Skip the rest",
    ]
    await rae.tap(choice, then)
    assert (await member_row(sessionmaker, 7618)).status == "active"


# ---- re-screen at /resume and once a week ----------------------------------------------------


async def test_resume_after_a_pain_pause_rescreens_and_a_yes_stops_for_the_red_flag(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    sol = MemberChat(fake_api, 7619, "Sol")
    await onboard(sol)
    await sol.say("/today", "how many reps")
    await sol.say("all", "right now")
    await sol.say("9", "Let's stop here")
    check = await sol.say("/resume", "Do you have any of these now?")
    assert "bladder" in check.body and "fever" in check.body
    await sol.tap("Yes, one of these", "Check 1/")
    stop = await sol.tap("Yes", "emergency department now")
    assert "/resume" in stop.body
    member = await member_row(sessionmaker, 7619)
    assert (member.status, member.red_flag_urgency) == ("stopped_red_flag", "emergency")


async def test_once_a_week_the_start_of_a_session_asks_the_short_screen_first(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    tam = MemberChat(fake_api, 7620, "Tam")
    await onboard(tam)
    async with sessionmaker.begin() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == 7620))
        assert member is not None and member.screened_at is not None
        member.screened_at -= timedelta(days=7)
    await tam.say("/today", "Your weekly safety check")
    await tam.tap("None of these", "how many reps")
    assert (await member_row(sessionmaker, 7620)).screened_at > member.screened_at
    await tam.say("/today", "how many reps")  # asked once, not again the same week
