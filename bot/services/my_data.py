"""A member's own data: everything stored about them as files (`/export`), or erased (`/delete`).

Erasure is driven by the schema itself: every table with a foreign key to a member (or to one of
their sessions) is emptied of their rows, so a table added later is erased too without anyone
remembering to list it here. The one table that knows a person only by their Telegram id
(processed updates) is named explicitly.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching.content import Library
from bot.db.models import (
    Base,
    Checkin,
    CoachGroup,
    DecisionRow,
    ExerciseResultRow,
    InboxUpdate,
    Member,
    OutboxMessage,
    PegScore,
    TipShown,
    TrainingSession,
)
from bot.services.progress import exercise_decisions, find_member
from bot.services.spreadsheet import safe_cell

CSV_COLUMNS = (
    "date",
    "exercise",
    "variation",
    "sets",
    "prescribed_reps",
    "prescribed_hold_seconds",
    "per_side",
    "reps_done",
    "hold_completed",
    "pain",
    "skipped",
    "session_status",
    "decision",
    "reason",
)


@dataclass(frozen=True)
class MemberExport:
    """One CSV row per exercise result, and the profile, settings and other records as JSON."""

    rows: list[dict[str, Any]]
    profile: dict[str, Any]

    def csv_bytes(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in self.rows)
        # UTF-8 with a byte-order mark, so spreadsheet apps show names like "3-way" correctly.
        return buffer.getvalue().encode("utf-8-sig")

    def json_bytes(self) -> bytes:
        return json.dumps(self.profile, indent=2, ensure_ascii=False).encode("utf-8")


async def export_member(
    session: AsyncSession, telegram_user_id: int, library: Library, now: datetime
) -> MemberExport | None:
    """Everything stored about the person; None when nothing is."""
    member = await find_member(session, telegram_user_id)
    if member is None:
        return None
    trainings = {
        training.id: training
        for training in await session.scalars(
            select(TrainingSession).where(TrainingSession.member_id == member.id)
        )
    }
    results = await session.scalars(
        select(ExerciseResultRow)
        .join(TrainingSession)
        .where(TrainingSession.member_id == member.id)
        .order_by(TrainingSession.local_date, ExerciseResultRow.position)
    )
    decisions = list(
        await session.scalars(
            select(DecisionRow)
            .where(DecisionRow.member_id == member.id)
            .order_by(DecisionRow.local_date, DecisionRow.id)
        )
    )
    checkins = await session.scalars(
        select(Checkin).where(Checkin.member_id == member.id).order_by(Checkin.local_date)
    )
    by_session: dict[int, list[DecisionRow]] = {}
    for decision in decisions:
        if decision.session_id is not None:
            by_session.setdefault(decision.session_id, []).append(decision)
    per_exercise = {
        session_id: exercise_decisions(session_decisions)
        for session_id, session_decisions in by_session.items()
    }
    names = _Names(library)
    rows = [
        _csv_row(
            result,
            trainings[result.session_id],
            per_exercise.get(result.session_id, {}).get(result.ladder_id),
            names,
        )
        for result in results
    ]
    group_title = None
    if member.coach_group_id is not None:
        group_title = await session.scalar(
            select(CoachGroup.title).where(CoachGroup.id == member.coach_group_id)
        )
    profile = _profile(member, group_title, now)
    profile["checkins"] = [
        {"date": checkin.local_date.isoformat(), "answer": checkin.answer} for checkin in checkins
    ]
    profile["decisions"] = [_decision_json(decision, names) for decision in decisions]
    profile["weekly_checks"] = [  # the PEG, as answered (`services.outcomes`)
        {
            "week_of": peg.week_start.isoformat(),
            "pain": peg.pain,
            "enjoyment_of_life": peg.enjoyment,
            "general_activity": peg.activity,
            "answered_at": _iso(peg.answered_at),
        }
        for peg in await session.scalars(
            select(PegScore).where(PegScore.member_id == member.id).order_by(PegScore.week_start)
        )
    ]
    profile["tips_shown"] = [
        {"date": tip.local_date.isoformat(), "tip": tip.tip_id}
        for tip in await session.scalars(
            select(TipShown).where(TipShown.member_id == member.id).order_by(TipShown.local_date)
        )
    ]
    return MemberExport(rows=rows, profile=profile)


async def member_id_of(session: AsyncSession, telegram_user_id: int) -> int | None:
    return await session.scalar(
        select(Member.id).where(Member.telegram_user_id == telegram_user_id)
    )


class Erasure(StrEnum):
    DELETED = "deleted"
    NOTHING_STORED = "nothing_stored"  # already erased (a second tap), or never a member
    NOT_THEIRS = "not_theirs"  # an old button for a record that is not this person's now


async def delete_member(session: AsyncSession, member_id: int, telegram_user_id: int) -> Erasure:
    """Erase the member and every row about them, in the caller's one transaction.

    Nothing is erased unless `member_id` is that Telegram user's own member record. The
    processed-update rows of this user go too, including the one for the update asking for this.
    """
    current = await session.scalar(
        select(Member.id).where(Member.telegram_user_id == telegram_user_id).with_for_update()
    )
    if current is None:
        return Erasure.NOTHING_STORED
    if current != member_id:
        return Erasure.NOT_THEIRS
    session_ids = select(TrainingSession.id).where(TrainingSession.member_id == member_id)
    # Children before parents, so no foreign key ever points at a row already gone.
    for table in reversed(Base.metadata.sorted_tables):
        condition = _rows_about_member(table, member_id, session_ids)
        if condition is not None:
            await session.execute(delete(table).where(condition))
    # What the member wrote and what the bot answered; the /delete being handled, and its
    # reply, are still on their way and go with retention.
    await session.execute(
        delete(InboxUpdate).where(
            InboxUpdate.user_id == telegram_user_id, InboxUpdate.state != "pending"
        )
    )
    await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.chat_key == telegram_user_id, OutboxMessage.state != "pending"
        )
    )
    return Erasure.DELETED


def _rows_about_member(
    table: Table, member_id: int, session_ids: Select[tuple[int]]
) -> ColumnElement[bool] | None:
    """The condition matching `table`'s rows that belong to the member, or None if none can."""
    members = Member.__table__
    sessions = TrainingSession.__table__
    conditions: list[ColumnElement[bool]] = []
    if table is members:
        conditions.append(members.c.id == member_id)
    for key in table.foreign_keys:
        if key.column.table is members:
            conditions.append(key.parent == member_id)
        elif key.column.table is sessions:
            conditions.append(key.parent.in_(session_ids))
    return or_(*conditions) if conditions else None


class _Names:
    """Exercise and variation names from the content; an id for anything since removed."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def ladder(self, ladder_id: str | None) -> str | None:
        if ladder_id is None:
            return None
        try:
            return self.library.ladder(ladder_id).name
        except KeyError:
            return ladder_id

    def variation(self, variation_id: str | None) -> str | None:
        if variation_id is None:
            return None
        try:
            return self.library.variation(variation_id).name
        except KeyError:
            return variation_id


def _csv_row(
    result: ExerciseResultRow,
    training: TrainingSession,
    decision: DecisionRow | None,
    names: _Names,
) -> dict[str, Any]:
    return {
        "date": training.local_date.isoformat(),
        "exercise": names.ladder(result.ladder_id),
        "variation": names.variation(result.variation_id),
        "sets": result.prescribed_sets,
        "prescribed_reps": result.prescribed_reps,
        "prescribed_hold_seconds": result.prescribed_hold_seconds,
        "per_side": _yes_no(result.per_side),
        "reps_done": result.reps_done,
        "hold_completed": _yes_no(result.hold_completed),
        "pain": result.pain,
        "skipped": _yes_no(result.skipped),
        "session_status": training.status,
        "decision": None if decision is None else decision.kind,
        "reason": None if decision is None else decision.reason,
    }


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _profile(member: Member, group_title: str | None, now: datetime) -> dict[str, Any]:
    programme = member.programme or {}
    return {
        "exported_at": _iso(now),
        "name": member.first_name,
        "telegram_user_id": member.telegram_user_id,
        "member_since": _iso(member.created_at),
        "time_zone": member.timezone,
        "reminder_time": None if member.reminder_time is None else f"{member.reminder_time:%H:%M}",
        "equipment": list(member.equipment),
        "status": member.status,
        "phase": programme.get("phase"),
        "baseline_pain": member.baseline_pain,
        "activity_level": member.activity_level,
        "consent_at": _iso(member.consent_at),
        "onboarded_at": _iso(member.onboarded_at),
        "coach_group": group_title,
        "coach_consent_at": _iso(member.coach_consent_at),
    }


def _decision_json(decision: DecisionRow, names: _Names) -> dict[str, Any]:
    return {
        "date": decision.local_date.isoformat(),
        "kind": decision.kind,
        "exercise": names.ladder(decision.ladder_id),
        "from": names.variation(decision.from_variation),
        "to": names.variation(decision.to_variation),
        "reason": decision.reason,
    }


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()
