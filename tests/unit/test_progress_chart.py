"""The /progress chart renders to a phone-sized PNG from any shape of report."""

from __future__ import annotations

import struct
from datetime import date, timedelta

import pytest

from bot.charts.progress import render_progress_chart
from bot.coaching import DecisionKind
from bot.coaching.content import Library
from bot.services.progress import (
    LevelChange,
    ProgressReport,
    SessionPoint,
    pain_trend,
    week_tallies,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIRST_DAY = date(2026, 1, 19)
TODAY = date(2026, 3, 12)


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.mark.parametrize("sessions", [1, 30, 53])
def test_the_chart_is_a_png_sized_for_a_phone(library: Library, sessions: int) -> None:
    points = tuple(SessionPoint(TODAY - timedelta(days=n), n % 11) for n in range(sessions))[::-1]
    changes = (
        LevelChange(TODAY - timedelta(days=3), DecisionKind.PROGRESS),
        LevelChange(TODAY - timedelta(days=3), DecisionKind.REGRESS),
        LevelChange(TODAY - timedelta(days=1), DecisionKind.PHASE_UP),
    )
    report = ProgressReport(
        today=TODAY,
        first_day=FIRST_DAY,
        points=points,
        weeks=week_tallies(points, FIRST_DAY, TODAY, started=date(2025, 1, 1)),
        level_changes=changes,
        streak=sessions,
        trend=pain_trend(points, TODAY),
        has_older_sessions=False,
    )
    png = render_progress_chart(report, library.rules.pain_zones)
    width, height = png_size(png)
    assert 600 <= width <= 1200
    assert width < height <= 2 * width  # taller than wide: two panels stacked, for a phone
    assert 10_000 < len(png) < 500_000
