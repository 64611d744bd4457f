"""`hipcoach playground` without a browser: loopback only, the clock, reset and the demo seed.

The playground runs in the test's process (as `hipcoach playground` runs it) on the tests' Bot
API server, so its messages can be awaited; people act through the page's own endpoints.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot import clock
from bot.coaching.content import Library
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import DecisionRow, ExerciseResultRow, Member, TrainingSession
from bot.playground.command import is_loopback
from bot.playground.runner import TOKEN, Playground
from bot.playground.web import ALEX, GROUP_CHAT_ID, GROUP_TITLE, JO, ROBIN
from bot.scheduling.jobs import DAY_CLOSE_INTERVAL
from handlers import coach_texts
from tests.fakebotapi import FakeBotAPI
from tests.member_chat import MemberChat, noon_offset, onboard

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.org"])
def test_it_refuses_a_non_loopback_address_without_i_know(host: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "playground", "--host", host],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert f"refusing to listen on {host}" in result.stderr and "--i-know" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "playground").exists()


def test_loopback_addresses_are_accepted() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.2", "::1", "localhost"]))


@pytest.fixture
async def playground(tmp_path: Path, library: Library) -> AsyncIterator[Playground]:
    running = Playground(tmp_path / "playground", library, server=FakeBotAPI(TOKEN))
    await running.start()
    yield running
    await running.close()
    clock.set_offset(timedelta(0))  # the clock is the process's; give other tests real time


async def post(playground: Playground, path: str, body: dict[str, object]) -> dict[str, object]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{playground.server.url}{path}", json=body) as response,
    ):
        assert response.status == 200, await response.text()
        return await response.json()


async def session_of(
    playground: Playground,
) -> tuple[TrainingSession, list[tuple[Any, ...]], int]:
    """The latest training session, its results (reps done, skipped) and how many decisions
    were made after it, as stored now."""
    assert playground.application is not None
    async with playground.application.bot_data.sessionmaker() as session:
        found = await session.scalar(select(TrainingSession).order_by(TrainingSession.id.desc()))
        assert found is not None
        results = await session.execute(
            select(ExerciseResultRow.reps_done, ExerciseResultRow.skipped)
            .where(ExerciseResultRow.session_id == found.id)
            .order_by(ExerciseResultRow.position)
        )
        decided = await session.scalar(
            select(func.count()).select_from(DecisionRow).where(DecisionRow.session_id == found.id)
        )
        return found, [tuple(row) for row in results], decided or 0


async def test_next_reminder_moves_the_clock_and_the_reminder_arrives_at_once(
    playground: Playground,
) -> None:
    api = playground.server
    assert isinstance(api, FakeBotAPI)
    alex = MemberChat(api, ALEX.user_id, ALEX.name)
    await onboard(alex, at="07:30", zone=noon_offset())
    before, since = clock.now(), api.cursor()

    shown = await post(playground, "/pg/clock", {"jump": "reminder", "chat_id": ALEX.user_id})

    reminder = await api.wait_for_message(ALEX.user_id, since=since, match="Alex!")
    assert "routine" in reminder.body and reminder.buttons()
    assert timedelta(hours=12) < clock.now() - before < timedelta(hours=24)
    assert (playground.folder / "state.json").exists()
    assert shown["ahead_hours"] == pytest.approx(clock.offset().total_seconds() / 3600, abs=0.1)


async def test_a_day_forward_then_reset_starts_over_on_the_real_clock(
    playground: Playground,
) -> None:
    api = playground.server
    assert isinstance(api, FakeBotAPI)
    alex = MemberChat(api, ALEX.user_id, ALEX.name)
    await onboard(alex, zone=noon_offset())
    await post(playground, "/pg/clock", {"jump": "day"})
    assert clock.offset() >= timedelta(days=1)

    await post(playground, "/pg/reset", {})

    assert clock.offset() == timedelta(0)
    assert not (playground.folder / "state.json").exists()
    async with aiohttp.ClientSession() as http, http.get(f"{api.url}/pg/state") as response:
        assert (await response.json())["entries"] == []
    # Alex is a stranger again: /start asks for consent, not "welcome back".
    welcome = await alex.say("/start", expect="I'm hipcoach")
    assert welcome.button("I agree")


async def test_a_day_forward_closes_a_half_done_session_with_what_was_done(
    playground: Playground,
) -> None:
    api = playground.server
    assert isinstance(api, FakeBotAPI)
    alex = MemberChat(api, ALEX.user_id, ALEX.name)
    summary = await onboard(alex, zone=noon_offset())  # about noon: +1 day is the next day
    await alex.tap_on(summary, "Start today's session", "how many reps")
    await alex.tap("All", "right now, 0–10")
    await alex.tap("1", "Exercise 2 of")
    yesterday, _, _ = await session_of(playground)

    await post(playground, "/pg/clock", {"jump": "day"})

    # The day-close job ran in the jump, before Alex says anything: the session is stopped with
    # the one exercise done counted (the others have no result: not done), and decided on.
    closed, results, decided = await session_of(playground)
    assert (closed.id, closed.status, closed.max_pain) == (yesterday.id, "stopped", 1)
    assert closed.finished_at is not None and len(closed.plan) > 1
    assert [skipped for _, skipped in results] == [False] and results[0][0]
    assert decided  # the coaching core decided after it, as after a stopped session
    # Alex sees a fresh session of the new day, not yesterday's second exercise.
    await alex.say("/today", expect="Exercise 1 of")
    today, _, _ = await session_of(playground)
    assert today.id != closed.id and today.local_date == closed.local_date + timedelta(days=1)


async def test_another_site_cannot_post_a_form_to_reset_the_playground(
    playground: Playground,
) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{playground.server.url}/pg/reset", data="{}") as response,
    ):
        assert response.status == 415


async def test_the_page_refuses_a_person_who_is_not_in_that_chat(playground: Playground) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{playground.server.url}/pg/send",
            json={"chat_id": GROUP_CHAT_ID, "user_id": ALEX.user_id, "text": "/dashboard"},
        ) as response,
    ):
        assert response.status == 400


async def test_the_demo_seed_gives_the_coach_group_weeks_of_real_history(
    tmp_path: Path, library: Library
) -> None:
    api = FakeBotAPI(TOKEN)
    seeded = Playground(tmp_path / "playground", library, seed_demo=True, server=api)
    await seeded.start()
    try:
        # Priya stopped four days ago: the missed-days job, run at start, tells the coach.
        alert = await api.wait_for_message(ROBIN.user_id, match="Priya", timeout=30)
        assert "3 days" in alert.body
        since = api.cursor()
        await api.send_text(
            api.user(ROBIN.user_id, ROBIN.name), "/dashboard", chat=api.group_chat(GROUP_CHAT_ID)
        )
        board = await api.wait_for_message(ROBIN.user_id, since=since, match="3 members")
        assert all(name in board.body for name in ("Maya", "Tom", "Priya"))
    finally:
        await seeded.close()
        clock.set_offset(timedelta(0))

    assert seeded.settings is not None
    engine = create_engine(seeded.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(Member.first_name, func.count(TrainingSession.id))
                .join(TrainingSession, TrainingSession.member_id == Member.id)
                .group_by(Member.first_name)
            )
            sessions_per_member = dict(rows.tuples().all())
            progressions = await session.scalar(
                select(func.count()).select_from(DecisionRow).where(DecisionRow.kind == "progress")
            )
    finally:
        await engine.dispose()
    # Maya trained every day, Tom most days, Priya until four days ago; the core moved Maya on.
    assert sessions_per_member["Maya"] > sessions_per_member["Tom"] > 10
    assert sessions_per_member["Priya"] < sessions_per_member["Maya"]
    assert progressions and progressions > 0


async def test_in_the_demo_group_only_robin_the_admin_gets_member_data_in_his_own_chat(
    tmp_path: Path, library: Library
) -> None:
    """The playground's coach group has a non-admin (Jo), so it is not staff-only: Robin, who
    has started the bot, gets the alert and the dashboard privately; the group and Jo get none."""
    api = FakeBotAPI(TOKEN)
    seeded = Playground(tmp_path / "playground", library, seed_demo=True, server=api)
    await seeded.start()
    try:
        group = api.group_chat(GROUP_CHAT_ID, GROUP_TITLE)
        robin, jo = api.user(ROBIN.user_id, ROBIN.name), api.user(JO.user_id, JO.name)
        await api.wait_for_message(ROBIN.user_id, match="Priya", timeout=30)
        since = api.cursor()
        await api.send_text(robin, "/dashboard", chat=group)
        await api.wait_for_message(ROBIN.user_id, since=since, match="3 members")
        chart = await api.wait_for_message(
            ROBIN.user_id, since=since, match=lambda m: m.method == "sendPhoto"
        )
        assert chart.caption
        await api.send_text(jo, "/dashboard", chat=group)
        await api.wait_for_message(GROUP_CHAT_ID, since=since, match="only this group's admins")
        barrier = api.cursor()  # updates are handled one at a time: /help answers after them
        await api.send_text(jo, "/help", chat=api.private_chat(jo))
        help_text = await api.wait_for_message(JO.user_id, since=barrier)
    finally:
        await seeded.close()
        clock.set_offset(timedelta(0))

    assert [m.body for m in api.sent_to(GROUP_CHAT_ID)] == [
        coach_texts.SENT_PRIVATELY,
        coach_texts.NOT_ADMIN,
    ]
    assert api.sent_to(JO.user_id) == [help_text]  # and nothing about any member


async def test_export_files_download_from_the_page(playground: Playground) -> None:
    api = playground.server
    assert isinstance(api, FakeBotAPI)
    alex = MemberChat(api, ALEX.user_id, ALEX.name)
    await onboard(alex, zone=noon_offset())
    since = api.cursor()
    await post(
        playground,
        "/pg/send",
        {"chat_id": ALEX.user_id, "user_id": ALEX.user_id, "text": "/export"},
    )
    sent = await api.wait_for_message(
        ALEX.user_id, since=since, match=lambda m: m.method == "sendDocument"
    )
    url = f"{api.url}/pg/file/{sent.chat_id}/{sent.message_id}"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert f'filename="{sent.file_name}"' in response.headers["Content-Disposition"]
        assert await response.read() == sent.file_bytes


async def test_a_restart_keeps_the_member_and_the_clock_and_answers_new_messages(
    tmp_path: Path, library: Library
) -> None:
    folder = tmp_path / "playground"
    first = Playground(folder, library, server=FakeBotAPI(TOKEN))
    await first.start()
    try:
        api = first.server
        assert isinstance(api, FakeBotAPI)
        await onboard(MemberChat(api, ALEX.user_id, ALEX.name), zone=noon_offset())
        await first.jump("hour")
    finally:
        await first.close()
    clock.set_offset(timedelta(0))  # as a new process starts on real time

    again = Playground(folder, library, server=FakeBotAPI(TOKEN))
    await again.start()
    try:
        assert clock.offset() >= timedelta(hours=1)
        # The day close runs at start-up (what ended while it was down), not once real time
        # has caught up with the clock's lead: the scheduler keeps real time.
        assert again.application is not None and again.application.job_queue is not None
        [day_close] = again.application.job_queue.get_jobs_by_name("close-ended-days")
        assert day_close.next_t is not None
        assert day_close.next_t - datetime.now(UTC) <= DAY_CLOSE_INTERVAL
        api = again.server
        assert isinstance(api, FakeBotAPI)
        # The chats are as they were, and their buttons still work.
        shown = [e["text"] for e in again.page.entries.values() if e["chat_id"] == ALEX.user_id]
        assert any("You're all set" in text for text in shown)
        alex = MemberChat(api, ALEX.user_id, ALEX.name)
        # New update ids carry on from the old run's, so the bot does not drop them as repeats.
        await alex.tap_on(alex.question(), "Start today's session", "Exercise 1 of")
    finally:
        await again.close()
        clock.set_offset(timedelta(0))


async def test_a_buttons_answer_shows_in_the_chat_as_telegram_shows_its_toast(
    playground: Playground,
) -> None:
    api = playground.server
    assert isinstance(api, FakeBotAPI)
    alex = MemberChat(api, ALEX.user_id, ALEX.name)
    await onboard(alex, zone=noon_offset())
    consent = next(m for m in api.outbox if m.chat_id == ALEX.user_id and m.buttons())
    answers = len(api.callback_answers)
    body = {"chat_id": ALEX.user_id, "user_id": ALEX.user_id, "message_id": consent.message_id}
    await post(playground, "/pg/press", body | {"data": consent.button("I agree")["callback_data"]})
    await alex.barrier()

    assert len(api.callback_answers) > answers
    toasts = [e for e in playground.page.entries.values() if e["from"] == "toast"]
    assert [e["chat_id"] for e in toasts] == [ALEX.user_id]
    assert toasts[0]["text"] == api.callback_answers[answers]["text"]
