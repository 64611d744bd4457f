"""/export and /delete through the real bot and the fake Bot API, on a seeded member."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import BigInteger, ColumnElement, Table, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import (
    Base,
    ExerciseResultRow,
    InboxUpdate,
    Member,
    OutboxMessage,
    Reminder,
    TrainingSession,
)
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.member_chat import replies_settled
from tests.progress_data import add_member_with_everything, noon_zone


async def _seed(sessionmaker: async_sessionmaker[AsyncSession], *user_ids: int) -> list[Member]:
    now = datetime.now(UTC)
    async with sessionmaker.begin() as session:
        return [
            await add_member_with_everything(session, now, noon_zone(now), user_id)
            for user_id in user_ids
        ]


async def _rows_referring_to(
    sessionmaker: async_sessionmaker[AsyncSession],
    member_id: int,
    telegram_user_id: int,
    session_ids: set[int],
) -> dict[str, int]:
    """Per table, the rows that point at the member, their sessions or their Telegram id.

    Every table in the schema is looked at, through its foreign keys and its 64-bit id columns,
    so a table added later is checked too.
    """
    members = Member.__table__
    sessions = TrainingSession.__table__

    def referring(table: Table) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [
            column == telegram_user_id
            for column in table.columns
            if isinstance(column.type, BigInteger)
        ]
        if table is members:
            conditions.append(members.c.id == member_id)
        for key in table.foreign_keys:
            if key.column.table is members:
                conditions.append(key.parent == member_id)
            elif key.column.table is sessions:
                conditions.append(key.parent.in_(session_ids))
        return conditions

    found = {}
    async with sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            conditions = referring(table)
            if conditions:
                query = select(func.count()).select_from(table).where(or_(*conditions))
                found[table.name] = await session.scalar(query)
    return found


async def _session_ids(sessionmaker: async_sessionmaker[AsyncSession], member_id: int) -> set[int]:
    async with sessionmaker() as session:
        ids = await session.scalars(
            select(TrainingSession.id).where(TrainingSession.member_id == member_id)
        )
        return set(ids)


async def test_export_sends_a_csv_of_every_result_and_a_json_profile(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    alex = fake_api.user(7001, "Alex")
    (member,) = await _seed(sessionmaker, alex["id"])
    since = fake_api.cursor()
    await fake_api.send_text(alex, "/export")
    sheet = await fake_api.wait_for_message(alex["id"], since=since)
    profile_file = await fake_api.wait_for_message(
        alex["id"], since=since, match=lambda m: m is not sheet
    )

    assert sheet.method == profile_file.method == "sendDocument"
    assert sheet.file_name is not None and sheet.file_name.endswith(".csv")
    assert sheet.file_bytes is not None and profile_file.file_bytes is not None
    rows = list(csv.DictReader(io.StringIO(sheet.file_bytes.decode("utf-8-sig"))))
    async with sessionmaker() as session:
        stored = (
            await session.execute(
                select(TrainingSession.local_date, ExerciseResultRow)
                .join(ExerciseResultRow.session)
                .where(TrainingSession.member_id == member.id)
                .order_by(TrainingSession.local_date, ExerciseResultRow.position)
            )
        ).all()
    assert len(rows) == len(stored) == 15
    for row, (day, result) in zip(rows, stored, strict=True):
        assert row["date"] == day.isoformat()
        assert row["pain"] == ("" if result.pain is None else str(result.pain))
        assert row["reps_done"] == ("" if result.reps_done is None else str(result.reps_done))
        assert row["skipped"] == ("yes" if result.skipped else "no")
    assert rows[0]["exercise"] == "Clamshell"
    assert (rows[0]["decision"], rows[0]["reason"]) == ("progress", "Up after day 3.")

    profile = json.loads(profile_file.file_bytes)
    assert profile["name"] == "Alex"
    assert profile["time_zone"] == member.timezone
    assert profile["reminder_time"] == "07:30"
    assert profile["coach_group"] == "Tuesday back club"
    assert profile["status"] == "active"


async def test_export_and_delete_do_nothing_in_a_group_chat(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    alex = fake_api.user(7002, "Alex")
    await _seed(sessionmaker, alex["id"])
    group = fake_api.group_chat(-100777, "Back club")
    since = fake_api.cursor()
    for command in ("/export", "/delete", "/progress", "/history"):
        await fake_api.send_text(alex, command, chat=group)
    await fake_api.send_text(alex, "/help", chat=group)  # handled after the four above
    await fake_api.wait_for_message(group["id"], since=since, match="not medical advice")
    # Only the help, in the group; nothing to Alex in private either. (The seeded alert may
    # reach the coaches' own group meanwhile: that is the coach group's business, not this.)
    answered = [m for m in fake_api.outbox[since:] if m.chat_id in (group["id"], alex["id"])]
    assert [(m.chat_id, m.method) for m in answered] == [(group["id"], "sendMessage")]


async def test_keep_my_data_deletes_nothing(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    sam = fake_api.user(7003, "Sam")
    (member,) = await _seed(sessionmaker, sam["id"])
    since = fake_api.cursor()
    await fake_api.send_text(sam, "/delete")
    question = await fake_api.wait_for_message(sam["id"], since=since, match="can't be undone")
    await fake_api.press(sam, question, "Keep my data")
    answer = await fake_api.wait_for_message(sam["id"], since=since, match="Nothing was deleted")

    assert answer.method == "editMessageText" and not answer.buttons()
    session_ids = await _session_ids(sessionmaker, member.id)
    remaining = await _rows_referring_to(sessionmaker, member.id, sam["id"], session_ids)
    assert remaining["members"] == 1
    assert remaining["exercise_results"] == 15
    assert remaining["reminders"] == 1


async def test_delete_everything_leaves_no_row_about_the_member_and_start_begins_afresh(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    kim, other = fake_api.user(7004, "Kim"), fake_api.user(7005, "Jo")
    member, other_member = await _seed(sessionmaker, kim["id"], other["id"])
    session_ids = await _session_ids(sessionmaker, member.id)
    before = await _rows_referring_to(sessionmaker, member.id, kim["id"], session_ids)
    assert {"members", "training_sessions", "exercise_results", "decisions", "checkins"} <= {
        table for table, count in before.items() if count
    }
    since = fake_api.cursor()
    await fake_api.send_text(kim, "/delete")
    question = await fake_api.wait_for_message(kim["id"], since=since, match="can't be undone")
    await fake_api.press(kim, question, "Delete everything")
    answer = await fake_api.wait_for_message(kim["id"], since=since, match="deleted")

    assert answer.method == "editMessageText" and not answer.buttons()
    await replies_settled(sessionmaker)
    after = await _rows_referring_to(sessionmaker, member.id, kim["id"], session_ids)
    # Left: the "Delete everything" press itself and the bot's two calls answering it, their
    # words already forgotten; the ids stay until retention, so a redelivered press is not
    # handled again.
    assert {table: count for table, count in after.items() if count} == {"inbox": 1, "outbox": 2}
    async with sessionmaker() as session:
        assert set((await session.scalars(select(InboxUpdate.payload))).all()) == {"{}"}
        calls = (await session.scalars(select(OutboxMessage))).all()
    assert {(call.state, call.params, call.file_content) for call in calls} == {
        ("sent", "{}", None)
    }
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Reminder)) == 1  # Jo's
        assert (
            await session.scalar(select(func.count()).where(Member.next_reminder_at.is_not(None)))
            == 1
        )
    other_ids = await _session_ids(sessionmaker, other_member.id)
    untouched = await _rows_referring_to(sessionmaker, other_member.id, other["id"], other_ids)
    assert untouched == before

    # /start now greets Kim exactly as it greets someone it has never met.
    newcomer = fake_api.user(7006, "Kim")
    since = fake_api.cursor()
    await fake_api.send_text(kim, "/start")
    welcome_again = await fake_api.wait_for_message(kim["id"], since=since)
    await fake_api.send_text(newcomer, "/start")
    first_welcome = await fake_api.wait_for_message(newcomer["id"], since=since)
    assert welcome_again.body == first_welcome.body
    labels = [button["text"] for button in welcome_again.buttons()]
    assert labels == [button["text"] for button in first_welcome.buttons()]
    async with sessionmaker() as session:
        again = await session.scalar(select(Member).where(Member.telegram_user_id == kim["id"]))
    assert again is None or (again.id != member.id and again.onboarded_at is None)
