"""A variation removed from content under an enrolled member: `hipcoach check` lists it, the
start-up pass moves the member to the nearest rung with a decision, and sessions go on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.db.models import DecisionRow
from bot.services import content_migration
from bot.services.members import Flow
from bot.services.questions import AskReps, ExerciseCard
from tests.integration.test_member_services import NOW, enrol, member, run, today

Maker = async_sessionmaker[AsyncSession]


def removed(library: Library, variation_id: str) -> Library:
    """`variation_id` deleted from content/, its ladder relinked around it."""
    gone = library.variation(variation_id)
    ladders = []
    for ladder in library.ladders:
        rungs = tuple(
            v.model_copy(update={"next": gone.next}) if v.next == variation_id else v
            for v in ladder.variations
            if v.id != variation_id
        )
        start = gone.next if ladder.start == variation_id else ladder.start
        ladders.append(ladder.model_copy(update={"variations": rungs, "start": start}))
    return library.model_copy(update={"ladders": tuple(ladders)})


async def test_a_removed_rung_is_listed_then_replaced_with_a_reason_and_the_session_runs(
    sessionmaker: Maker, library: Library
) -> None:
    await enrol(sessionmaker, Flow(library, "UTC"))
    stored = (await member(sessionmaker)).programme["prescriptions"]
    ladder_id, prescription = next(iter(sorted(stored.items())))
    changed = removed(library, prescription["variation_id"])
    flow = Flow(changed, "UTC")

    before = await run(sessionmaker, lambda s: content_migration.dangling_references(s, changed))
    due = await run(sessionmaker, lambda s: content_migration.members_to_reconcile(s, changed))
    for member_id in due:
        await run(
            sessionmaker,
            lambda s, m=member_id: content_migration.reconcile_member(s, changed, m, NOW, "UTC"),
        )
    after = await run(sessionmaker, lambda s: content_migration.dangling_references(s, changed))
    async with sessionmaker() as session:
        decision = await session.scalar(
            select(DecisionRow)
            .where(DecisionRow.ladder_id == ladder_id)
            .order_by(DecisionRow.id.desc())
        )
    opening = await today(sessionmaker, flow)

    assert len(before) == 1 and prescription["variation_id"] in before[0]
    assert after == []
    assert decision is not None and "taken out of the programme" in decision.reason
    assert isinstance(opening[1], ExerciseCard) and isinstance(opening[2], AskReps)
    assert (
        await run(sessionmaker, lambda s: content_migration.members_to_reconcile(s, changed)) == []
    )


async def test_nothing_to_do_when_content_is_unchanged(
    sessionmaker: Maker, library: Library
) -> None:
    await enrol(sessionmaker, Flow(library, "UTC"))
    assert (
        await run(sessionmaker, lambda s: content_migration.members_to_reconcile(s, library)) == []
    )
    assert (
        await run(sessionmaker, lambda s: content_migration.dangling_references(s, library)) == []
    )
