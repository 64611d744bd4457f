"""Export and erasure of a member's data on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.db.models import (
    Alert,
    Checkin,
    CoachGroup,
    DecisionRow,
    ExerciseResultRow,
    InboxUpdate,
    Member,
    PegScore,
    Reminder,
    TipShown,
    TrainingSession,
)
from bot.services.my_data import Erasure, delete_member, export_member
from tests.progress_data import add_member_with_everything

NOW = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
TODAY = date(2026, 3, 12)
ZONE = "America/New_York"


async def test_export_has_one_row_per_result_with_names_decisions_and_the_profile(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    async with sessionmaker.begin() as session:
        await add_member_with_everything(session, NOW, ZONE, 201)
    async with sessionmaker.begin() as session:
        export = await export_member(session, 201, library, NOW)
    assert export is not None

    rows = list(csv.DictReader(io.StringIO(export.csv_bytes().decode("utf-8-sig"))))
    assert len(rows) == 15
    assert [row["date"] for row in rows[::5]] == ["2026-03-09", "2026-03-10", "2026-03-11"]
    first = rows[0]
    assert first["exercise"] == "Clamshell"
    assert first["variation"] == "Clamshell"
    assert (first["sets"], first["prescribed_reps"], first["reps_done"]) == ("3", "12", "12")
    assert (first["per_side"], first["pain"], first["skipped"]) == ("yes", "3", "no")
    assert (first["decision"], first["reason"]) == ("progress", "Up after day 3.")
    skipped = rows[1]
    assert skipped["variation"] == "Side-lying straight-leg raise"
    assert (skipped["skipped"], skipped["pain"], skipped["reps_done"]) == ("yes", "", "")
    assert skipped["decision"] == "hold"
    stretch = rows[4]
    assert (stretch["prescribed_hold_seconds"], stretch["hold_completed"]) == ("30", "yes")
    assert stretch["decision"] == ""  # no decision recorded for this exercise

    profile = json.loads(export.json_bytes())
    assert profile["name"] == "Alex"
    assert profile["time_zone"] == ZONE
    assert profile["reminder_time"] == "07:30"
    assert profile["equipment"] == ["band"]
    assert (profile["status"], profile["phase"], profile["baseline_pain"]) == ("active", 1, 4)
    assert profile["coach_group"] == "Tuesday back club"
    assert profile["consent_at"].startswith("2026-03-02T")
    assert profile["coach_consent_at"] == profile["consent_at"]
    assert profile["checkins"] == [{"date": "2026-03-12", "answer": "better"}]
    assert len(profile["decisions"]) == 10
    [weekly] = profile["weekly_checks"]
    assert (weekly["pain"], weekly["enjoyment_of_life"], weekly["general_activity"]) == (4, 3, 5)
    assert [tip["tip"] for tip in profile["tips_shown"]] == ["pacing_steady"]
    assert profile["decisions"][0]["reason"] == "Started gently."


async def test_export_for_someone_unknown_is_none(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    async with sessionmaker.begin() as session:
        assert await export_member(session, 404, library, NOW) is None


async def _count_rows(
    session: AsyncSession, member_id: int, telegram_user_id: int
) -> dict[str, int]:
    sessions = select(TrainingSession.id).where(TrainingSession.member_id == member_id)
    counts = {
        "member": select(Member).where(Member.id == member_id),
        "sessions": select(TrainingSession).where(TrainingSession.member_id == member_id),
        "results": select(ExerciseResultRow).where(ExerciseResultRow.session_id.in_(sessions)),
        "decisions": select(DecisionRow).where(DecisionRow.member_id == member_id),
        "checkins": select(Checkin).where(Checkin.member_id == member_id),
        "reminders": select(Reminder).where(Reminder.member_id == member_id),
        "alerts": select(Alert).where(Alert.member_id == member_id),
        "updates": select(InboxUpdate).where(InboxUpdate.user_id == telegram_user_id),
        "weekly_checks": select(PegScore).where(PegScore.member_id == member_id),
        "tips": select(TipShown).where(TipShown.member_id == member_id),
    }
    return {
        name: await session.scalar(select(func.count()).select_from(query.subquery()))
        for name, query in counts.items()
    }


async def test_delete_erases_every_row_about_the_member_and_nothing_of_anyone_else(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        leaving = await add_member_with_everything(session, NOW, ZONE, 202)
        staying = await add_member_with_everything(session, NOW, ZONE, 203)
    async with sessionmaker.begin() as session:
        assert await delete_member(session, leaving.id, 202) is Erasure.DELETED
    async with sessionmaker.begin() as session:
        assert set((await _count_rows(session, leaving.id, 202)).values()) == {0}
        assert await _count_rows(session, staying.id, 203) == {
            "member": 1,
            "sessions": 3,
            "results": 15,
            "decisions": 10,
            "checkins": 1,
            "reminders": 1,
            "alerts": 1,
            "updates": 1,
            "weekly_checks": 1,
            "tips": 1,
        }
        # The coach group stays for its other members.
        assert await session.scalar(select(func.count()).select_from(CoachGroup)) == 2


async def test_delete_refuses_someone_elses_or_an_old_record_and_says_when_nothing_is_left(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        mine = await add_member_with_everything(session, NOW, ZONE, 204)
        theirs = await add_member_with_everything(session, NOW, ZONE, 205)
    async with sessionmaker.begin() as session:
        assert await delete_member(session, theirs.id, 204) is Erasure.NOT_THEIRS
        assert await delete_member(session, mine.id, 999) is Erasure.NOTHING_STORED
    async with sessionmaker.begin() as session:
        assert (await _count_rows(session, theirs.id, 205))["results"] == 15
        assert (await _count_rows(session, mine.id, 204))["results"] == 15
        assert await delete_member(session, mine.id, 204) is Erasure.DELETED
    async with sessionmaker.begin() as session:
        assert await delete_member(session, mine.id, 204) is Erasure.NOTHING_STORED
