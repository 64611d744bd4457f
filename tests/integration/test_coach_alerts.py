"""Coach groups, leaving, pending alerts, claiming and delivering them, and missed-days detection,
on both databases (the alert job runs here with a stand-in for the Bot, to make sends fail at will).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.error import ChatMigrated, Forbidden, NetworkError

from bot.db.models import Alert, CoachGroup
from bot.services import alert_delivery, coach_groups
from bot.services.alerts import AlertKind, record_alert
from handlers import coach
from tests.coachdata import add_decision, add_group, add_member, add_session

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


async def alerts_of_kind(session: AsyncSession, kind: AlertKind) -> list[Alert]:
    return list((await session.scalars(select(Alert).where(Alert.kind == kind.value))).all())


async def test_a_group_keeps_its_code_until_a_new_one_is_made(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        group = await coach_groups.open_group(
            session, chat_id=-100, title="Back club", coach_user_id=7
        )
        first_code = group.invite_code
    async with sessionmaker.begin() as session:
        again = await coach_groups.open_group(session, chat_id=-100, title="Backs", coach_user_id=8)
        same_code = again.invite_code
        new_code = await coach_groups.replace_invite_code(session, again)
    async with sessionmaker.begin() as session:
        codes = (await session.scalars(select(CoachGroup.invite_code))).all()

    assert same_code == first_code
    assert codes == [new_code] != [first_code]
    assert len(new_code) <= 64
    assert set(new_code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


async def test_leaving_takes_the_member_and_their_unsent_alerts_out_of_the_group(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100, "Back club")
        member = await add_member(session, 1, "Alex", group=group)
        await record_alert(session, member, AlertKind.PAIN_PAUSE, TODAY)

    async with sessionmaker.begin() as session:
        title = await coach_groups.leave_group(session, 1)
    async with sessionmaker.begin() as session:
        again = await coach_groups.leave_group(session, 1)
        pending = await alert_delivery.claim_alerts(session, NOW)
        left = await session.get(type(member), member.id)

    assert (title, again) == ("Back club", None)
    assert pending == []
    assert left is not None and (left.coach_group_id, left.coach_consent_at) == (None, None)


async def test_pending_alerts_come_once_per_member_kind_and_day_grouped_by_chat(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        club = await add_group(session, -100)
        other = await add_group(session, -200)
        alex = await add_member(session, 1, "Alex", group=club)
        sam = await add_member(session, 2, "Sam", group=other)
        undecided = await add_member(session, 3, "Kim", group=club, consented=False)
        assert await record_alert(session, alex, AlertKind.PAIN_PAUSE, TODAY)
        assert not await record_alert(session, alex, AlertKind.PAIN_PAUSE, TODAY)
        await record_alert(session, alex, AlertKind.RED_FLAG, TODAY)
        await record_alert(session, sam, AlertKind.MISSED_DAYS, TODAY)
        await record_alert(session, undecided, AlertKind.RED_FLAG, TODAY)

    async with sessionmaker.begin() as session:
        batches = await alert_delivery.claim_alerts(session, NOW)
    by_chat = {batch.chat_id: [(a.member_name, a.kind) for a in batch.alerts] for batch in batches}

    assert by_chat == {
        -100: [("Alex", AlertKind.PAIN_PAUSE), ("Alex", AlertKind.RED_FLAG)],
        -200: [("Sam", AlertKind.MISSED_DAYS)],
    }

    async with sessionmaker.begin() as session:
        await alert_delivery.mark_sent(session, batches[0].alert_ids, NOW)
        await alert_delivery.release(session, batches[1])
    async with sessionmaker.begin() as session:
        still_pending = await alert_delivery.claim_alerts(session, NOW)

    assert [batch.chat_id for batch in still_pending] == [-200]


async def test_alerts_wait_while_the_bot_is_out_of_the_group(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        alex = await add_member(session, 1, "Alex", group=group)
        await record_alert(session, alex, AlertKind.RED_FLAG, TODAY)
        await coach_groups.deactivate_group(session, -100)
    async with sessionmaker.begin() as session:
        while_out = await alert_delivery.claim_alerts(session, NOW)
        await coach_groups.open_group(session, chat_id=-100, title="Back club", coach_user_id=9)
    async with sessionmaker.begin() as session:
        back = await alert_delivery.claim_alerts(session, NOW)

    assert while_out == []
    assert [a.kind for batch in back for a in batch.alerts] == [AlertKind.RED_FLAG]


async def test_a_group_upgraded_to_a_supergroup_is_followed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        await add_group(session, -100)
    async with sessionmaker.begin() as session:
        moved = await coach_groups.move_group_chat(session, -100, -1001234)
    async with sessionmaker.begin() as session:
        found = await coach_groups.group_for_chat(session, -1001234)

    assert moved and found is not None


async def test_three_missed_days_queue_one_alert_per_run_of_missed_days(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        missing = await add_member(session, 1, "Missing", group=group)
        await add_session(session, missing, ago(4), 2)
        two_days = await add_member(session, 2, "TwoDays", group=group)
        await add_session(session, two_days, ago(3), 2)
        joined = await add_member(session, 3, "JustJoined", group=group, onboarded_on=ago(3))
        await add_member(session, 4, "Paused", group=group, status="paused_by_member")
        resumed = await add_member(session, 5, "Resumed", group=group)
        await add_decision(session, resumed, ago(1), "resume", "Pain has settled.")
        await add_member(session, 6, "NoCoach", group=None)
        # 14 hours ahead of UTC, where it is already the 21st: their 3rd day missed is over.
        east = await add_member(session, 7, "East", group=group, zone="Pacific/Kiritimati")
        await add_session(session, east, ago(3), 1)

    async with sessionmaker.begin() as session:
        queued = await alert_delivery.detect_missed_days(session, NOW)
    async with sessionmaker.begin() as session:
        again = await alert_delivery.detect_missed_days(session, NOW + timedelta(days=1))
        alerts = await alerts_of_kind(session, AlertKind.MISSED_DAYS)

    # A day later TwoDays and JustJoined reach 3 days; Missing and East were told about already.
    assert (queued, again) == (2, 2)
    assert {alert.member_id for alert in alerts} == {missing.id, east.id, two_days.id, joined.id}


async def test_a_new_run_of_missed_days_is_alerted_again(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        member = await add_member(session, 1, "Alex", group=group)
        await add_session(session, member, ago(10), 2)
    async with sessionmaker.begin() as session:
        first = await alert_delivery.detect_missed_days(session, NOW - timedelta(days=6))
        await add_session(session, member, ago(5), 2)
    async with sessionmaker.begin() as session:
        second = await alert_delivery.detect_missed_days(session, NOW)
        count = await session.scalar(select(func.count()).select_from(Alert))

    assert (first, second, count) == (1, 1, 2)


async def test_an_alert_never_follows_a_member_into_another_group(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        old = await add_group(session, -100)
        new = await add_group(session, -200)
        member = await add_member(session, 1, "Alex", group=old)
        await record_alert(session, member, AlertKind.PAIN_PAUSE, TODAY)
        member.coach_group_id = new.id  # joined another coach's group through their link
    async with sessionmaker.begin() as session:
        pending = await alert_delivery.claim_alerts(session, NOW)
        left = await session.scalar(select(func.count()).select_from(Alert))

    assert (pending, left) == ([], 0)


async def _alerts_waiting(sessionmaker: async_sessionmaker[AsyncSession], groups: int) -> None:
    """`groups` groups with three members each, every member with one alert waiting."""
    async with sessionmaker.begin() as session:
        for g in range(groups):
            group = await add_group(session, -100 - g)
            for m in range(3):
                member = await add_member(session, 10 * g + m, f"M{g}{m}", group=group)
                await record_alert(session, member, AlertKind.PAIN_PAUSE, TODAY)


def _ids(batches: list[alert_delivery.GroupAlerts]) -> set[int]:
    return {alert_id for batch in batches for alert_id in batch.alert_ids}


async def test_two_deliverers_claiming_at_once_never_get_the_same_alert(
    sessionmaker: async_sessionmaker[AsyncSession],
    second_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Two bot processes: the second claims while the first's claim is not yet committed."""
    await _alerts_waiting(sessionmaker, 4)

    async def claim(maker: async_sessionmaker[AsyncSession]) -> list[alert_delivery.GroupAlerts]:
        async with maker.begin() as session:
            return await alert_delivery.claim_alerts(session, NOW)

    async with sessionmaker.begin() as session:
        first = await alert_delivery.claim_alerts(session, NOW)
        # PostgreSQL: the second skips the rows this transaction holds and returns at once.
        # SQLite: it waits for the write lock, then finds them claimed.
        second_run = asyncio.create_task(claim(second_sessionmaker))
        await asyncio.wait({second_run}, timeout=0.5)
    second = await second_run
    raced = await asyncio.gather(claim(sessionmaker), claim(second_sessionmaker))
    async with sessionmaker.begin() as session:
        total = await session.scalar(select(func.count()).select_from(Alert))

    assert len(_ids(first)) == total == 12
    assert second == [] and raced == [[], []]


async def test_two_deliverers_racing_split_the_alerts_without_overlap(
    sessionmaker: async_sessionmaker[AsyncSession],
    second_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _alerts_waiting(sessionmaker, 6)

    async def claim(maker: async_sessionmaker[AsyncSession]) -> set[int]:
        async with maker.begin() as session:
            return _ids(await alert_delivery.claim_alerts(session, NOW))

    first, second = await asyncio.gather(claim(sessionmaker), claim(second_sessionmaker))

    assert not first & second
    assert len(first | second) == 18


async def test_alerts_claimed_by_a_process_that_died_are_claimed_again_after_the_lease(
    sessionmaker: async_sessionmaker[AsyncSession],
    second_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _alerts_waiting(sessionmaker, 2)
    async with sessionmaker.begin() as session:
        died_with = _ids(await alert_delivery.claim_alerts(session, NOW))  # then never sent

    async def claim(at: datetime) -> list[alert_delivery.GroupAlerts]:
        async with second_sessionmaker.begin() as session:
            return await alert_delivery.claim_alerts(session, at)

    lease = alert_delivery.ALERT_LEASE
    within_lease = await claim(NOW + lease - timedelta(seconds=1))
    after = await claim(NOW + lease)
    # The first process, back from a long stall, hands back what it claimed: no longer its own.
    async with sessionmaker.begin() as session:
        for batch in after:
            await alert_delivery.release(session, replace(batch, claimed_at=NOW))
    while_sending = await claim(NOW + lease + timedelta(seconds=1))

    assert within_lease == [] and while_sending == []
    assert _ids(after) == died_with and len(died_with) == 6


async def test_a_handed_back_claim_is_claimed_again_at_the_next_run(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _alerts_waiting(sessionmaker, 1)
    async with sessionmaker.begin() as session:
        [batch] = await alert_delivery.claim_alerts(session, NOW)
    async with sessionmaker.begin() as session:
        await alert_delivery.release(session, batch)
    async with sessionmaker.begin() as session:
        again = await alert_delivery.claim_alerts(session, NOW + timedelta(minutes=1))

    assert _ids(again) == set(batch.alert_ids)


class FlakyBot:
    """Stands in for the Bot in the alert job: fails each send with the next queued error.

    Its groups hold one admin and the bot: staff-only, so alerts are posted in the group.
    """

    id = 7

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[tuple[int, str]] = []

    async def get_chat_administrators(self, chat_id: int) -> list[SimpleNamespace]:
        return [SimpleNamespace(user=SimpleNamespace(id=9001, is_bot=False))]

    async def get_chat_member_count(self, chat_id: int) -> int:
        return 2

    async def send_message(self, chat_id: int, text: str) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((chat_id, text))


async def test_a_failed_send_leaves_the_alerts_for_the_next_run(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        alex = await add_member(session, 1, "Alex", group=group)
        await record_alert(session, alex, AlertKind.RED_FLAG, TODAY)
    bot = FlakyBot(NetworkError("Bad Gateway"), ChatMigrated(-1009))
    context = SimpleNamespace(bot=bot, services=SimpleNamespace(sessionmaker=sessionmaker))

    for _ in range(4):  # fails, follows the migrated group, sends, then has nothing left to send
        await coach._deliver_alerts(context)

    assert [chat_id for chat_id, _ in bot.sent] == [-1009]
    assert "Alex" in bot.sent[0][1]


async def test_a_group_that_removed_the_bot_keeps_its_alerts_until_coach_is_run_again(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        alex = await add_member(session, 1, "Alex", group=group)
        await record_alert(session, alex, AlertKind.PAIN_PAUSE, TODAY)
    bot = FlakyBot(Forbidden("Forbidden: bot was kicked from the supergroup chat"))
    context = SimpleNamespace(bot=bot, services=SimpleNamespace(sessionmaker=sessionmaker))

    await coach._deliver_alerts(context)
    async with sessionmaker.begin() as session:
        waiting = await session.scalar(select(func.count()).where(Alert.sent_at.is_(None)))
        group_now = await coach_groups.group_for_chat(session, -100)

    assert bot.sent == [] and waiting == 1
    assert group_now is not None and not group_now.is_active
