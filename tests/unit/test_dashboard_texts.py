"""The dashboard as a coach reads it: the phone-wide table, trends, order, CSV and alert wording."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.services.alert_delivery import PendingAlert
from bot.services.alerts import AlertKind
from bot.services.dashboard import MemberRow, MemberState, Trend, page_count, page_of
from handlers import coach_texts

# Widest line a phone shows in a `<pre>` block without wrapping, in portrait.
PHONE_COLUMNS = 40

ROW = MemberRow(
    member_id=1,
    name="Alex",
    state=MemberState.ACTIVE,
    phase=1,
    mean_rung=1.4,
    sessions_7d=5,
    sessions_28d=18,
    last_session=date(2026, 3, 12),
    last_pain=2,
    avg_pain_7d=2.4,
    avg_pain_prev_7d=1.0,
)


@pytest.mark.parametrize(
    ("this_week", "week_before", "trend"),
    [
        (3.0, 2.0, Trend.UP),
        (2.0, 3.0, Trend.DOWN),
        (2.5, 2.0, Trend.FLAT),
        (None, 2.0, Trend.UNKNOWN),
    ],
)
def test_a_trend_needs_a_whole_point_of_change(
    this_week: float | None, week_before: float, trend: Trend
) -> None:
    row = replace(ROW, avg_pain_7d=this_week, avg_pain_prev_7d=week_before)
    assert row.trend is trend


def test_table_lines_fit_a_phone_and_show_every_column() -> None:
    longest = replace(ROW, name="Maximilian-Alexander", sessions_7d=7, sessions_28d=28)
    line = coach_texts.table_line(longest)

    assert len(line) <= PHONE_COLUMNS
    assert len(coach_texts.TABLE_HEADER) <= PHONE_COLUMNS
    assert line.split() == ["Maximil…", "1·1.4", "7/28", "12Mar", "2", "2.4↑", "ok"]


@pytest.mark.parametrize(
    ("name", "shown"),
    [("Alex", "Alex"), ("Maximilian", "Maximil…"), ("Alexandra 2", "Alexa… 2"), ("Bo 12", "Bo 12")],
)
def test_long_names_are_cut_but_keep_the_number_telling_namesakes_apart(
    name: str, shown: str
) -> None:
    line = coach_texts.table_line(replace(ROW, name=name))
    assert line[: coach_texts.NAME_WIDTH].rstrip() == shown


def test_a_member_without_data_shows_dashes_not_zeros() -> None:
    empty = replace(
        ROW,
        state=MemberState.ONBOARDING,
        phase=None,
        mean_rung=None,
        sessions_7d=0,
        sessions_28d=0,
        last_session=None,
        last_pain=None,
        avg_pain_7d=None,
        avg_pain_prev_7d=None,
    )
    assert coach_texts.table_line(empty).split() == ["Alex", "–", "0/0", "–", "–", "new"]


def test_names_are_escaped_in_the_html_table() -> None:
    sneaky = replace(ROW, name="<b>Bo&")
    updated = datetime(2026, 3, 20, 9, 5, tzinfo=UTC)

    page = coach_texts.dashboard_page("Club <1>", [sneaky], [sneaky], 0, 1, updated)

    assert "&lt;b&gt;Bo&amp;" in page
    assert "Club &lt;1&gt;" in page
    assert "<b>Bo" not in page
    assert "Updated 09:05 (UTC)" in page


def test_pages_hold_fifteen_rows_and_clamp_out_of_range_pages() -> None:
    rows = [replace(ROW, member_id=i, name=f"M{i}") for i in range(31)]

    assert page_count(rows) == 3
    assert [r.name for r in page_of(rows, 2)] == ["M30"]
    assert page_of(rows, 9) == page_of(rows, 2)
    assert page_count([]) == 1


def test_csv_has_one_row_per_member_with_the_dashboard_columns() -> None:
    formula = replace(ROW, member_id=2, name="=HYPERLINK()", state=MemberState.RED_FLAG)
    quiet = replace(ROW, member_id=3, name="Émile", last_pain=None, avg_pain_7d=None)
    weekly = replace(ROW, member_id=4, name="Pat", peg_latest=3.7, peg_first=6.0)

    data = coach_texts.dashboard_csv([ROW, formula, quiet, weekly])
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))

    assert tuple(table[0]) == coach_texts.CSV_COLUMNS
    assert table[0] == {
        "name": "Alex",
        "status": "active",
        "phase": "1",
        "level": "1.4",
        "sessions_7d": "5",
        "sessions_28d": "18",
        "last_session": "2026-03-12",
        "last_pain": "2",
        "avg_pain_7d": "2.4",
        "avg_pain_prev_7d": "1.0",
        "pain_trend": "up",
        "peg_latest": "",
        "peg_week1": "",
        "peg_change": "",
    }
    assert (table[3]["peg_latest"], table[3]["peg_week1"], table[3]["peg_change"]) == (
        "3.7",
        "6.0",
        "-2.3",
    )
    assert (table[1]["name"], table[1]["status"]) == ("'=HYPERLINK()", "red_flag")
    assert (table[2]["name"], table[2]["last_pain"], table[2]["pain_trend"]) == ("Émile", "", "")


def test_an_alert_message_has_a_line_per_alert_and_only_the_members_name() -> None:
    alerts = [
        PendingAlert(1, AlertKind.PAIN_PAUSE, "Alex", date(2026, 3, 20)),
        PendingAlert(2, AlertKind.RED_FLAG, "Sam 2", date(2026, 3, 20)),
    ]

    lines = coach_texts.alert_message(alerts).splitlines()

    assert lines[0].startswith("⏸ Alex: programme paused for pain")
    assert lines[1].startswith("🚩 Sam 2: ")
    assert "/dashboard" in lines[-1]
