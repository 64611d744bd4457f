"""The reminder greets by the member's own clock: "Good morning" only before noon."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.services.reminders.claims import DueMessage, MessageKind
from handlers import reminder_texts


def due(local_hour: int | None, *, checkin: bool = False) -> DueMessage:
    when = datetime(2027, 7, 14, 18, 0, tzinfo=UTC)
    return DueMessage(
        MessageKind.REMINDER, 1, 1, 1, "Mia", date(2027, 7, 14), when, checkin, local_hour
    )


@pytest.mark.parametrize(
    ("hour", "hello"),
    [
        (5, "Good morning Mia!"),
        (7, "Good morning Mia!"),
        (11, "Good morning Mia!"),
        (12, "Good afternoon Mia!"),
        (17, "Good afternoon Mia!"),
        (18, "Good evening Mia!"),
        (20, "Good evening Mia!"),
        (23, "Good evening Mia!"),
        (0, "Hi Mia!"),
        (4, "Hi Mia!"),
        (None, "Hi Mia!"),
    ],
)
@pytest.mark.parametrize("checkin", [False, True])
def test_the_greeting_fits_the_members_local_hour(
    hour: int | None, hello: str, checkin: bool
) -> None:
    text, _ = reminder_texts.render(due(hour, checkin=checkin))
    assert text.startswith(hello)
    assert ("morning" in text) == (hour is not None and 5 <= hour < 12)


def test_a_claimed_reminder_carries_the_local_hour_it_goes_out_at() -> None:
    """Berlin at 20:00 in summer is 18:00 UTC: the message knows it is evening there."""
    from bot.services.reminders.claims import _reminder_message  # the one place DueMessage is built

    class Facts:
        pegs: frozenset[tuple[int, date]] = frozenset()

        def trained(self, member_id: int, day: date) -> bool:
            return False

        def checked_in(self, member_id: int, day: date) -> bool:
            return False

    class Row:
        id, chat_id, first_name, timezone = 1, 1, "Mia", "Europe/Berlin"

    at = datetime(2027, 7, 14, 18, 0, tzinfo=UTC)
    message = _reminder_message(1, Row(), date(2027, 7, 14), at, at, Facts())  # type: ignore[arg-type]
    assert message.local_hour == 20
    late = _reminder_message(1, Row(), date(2027, 7, 14), at, at.replace(hour=20), Facts())  # type: ignore[arg-type]
    assert late.local_hour == 22  # sent late after downtime: greeted for when it arrives
