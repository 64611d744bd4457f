"""The dashboard chart: a real PNG, one named row per member, pain and weekly sessions drawn."""

from __future__ import annotations

import struct
from datetime import date, timedelta

from bot.charts.dashboard import dashboard_figure, dashboard_png
from bot.coaching.content import PainZones
from bot.services.dashboard import ChartData

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TODAY = date(2026, 3, 20)
ZONES = PainZones(green_max=2, amber_max=5)


def chart_data(names: list[str]) -> ChartData:
    days = [TODAY - timedelta(days=offset) for offset in range(27, -1, -1)]
    pain = [
        [(day + row) % 9 if day % 3 else None for day in range(28)] for row in range(len(names))
    ]
    weeks = [[sum(v is not None for v in p[w * 7 : w * 7 + 7]) for w in range(4)] for p in pain]
    return ChartData(names, days, pain, days[::7], weeks)


def test_the_chart_is_a_png_of_a_phone_friendly_size() -> None:
    png = dashboard_png(chart_data(["Alex", "Sam", "Kim"]), ZONES)

    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert 600 <= width <= 1200
    assert 200 <= height <= 2000
    assert len(png) < 1_000_000


def test_every_member_has_a_named_row_in_row_order() -> None:
    names = ["Zoe", "Alex 1", "Alex 2", "<Bo>"]

    figure = dashboard_figure(chart_data(names), ZONES)
    pain_axes, week_axes = figure.axes[:2]

    assert [label.get_text() for label in pain_axes.get_yticklabels()] == names
    # The weekly panel writes each week's count of sessions into its cell.
    counts = [text.get_text() for text in week_axes.texts]
    assert counts == [str(n) for row in chart_data(names).sessions_per_week for n in row]


def test_a_taller_group_gets_a_taller_chart() -> None:
    small = dashboard_figure(chart_data(["A"]), ZONES).get_size_inches()[1]
    large = dashboard_figure(chart_data([f"M{i}" for i in range(15)]), ZONES).get_size_inches()[1]

    assert large > small
