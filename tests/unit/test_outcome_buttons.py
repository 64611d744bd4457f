"""The /flare and weekly-PEG buttons and typed PEG answers: what they carry is read, anything
else is refused before a service sees it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.buttons import FlareEasePress, PegOpen, PegPress, parse_flare, parse_peg
from bot.signed_bot import PAYLOAD_BUDGET
from handlers.answers import parse_scores, read

MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("peg:open", PegOpen()),
        ("peg:20261130:pain:0", PegPress(MONDAY, "pain", 0)),
        ("peg:20261130:enjoy:10", PegPress(MONDAY, "enjoy", 10)),
        ("peg:20261130:activity:7", PegPress(MONDAY, "activity", 7)),
    ],
)
def test_every_peg_button_is_read(data: str, expected: object) -> None:
    assert parse_peg(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        "peg:20261130:pain:11",  # above 10
        "peg:20261130:pain:²",  # a superscript digit
        "peg:20261201:pain:4",  # a Tuesday: keypads name the week's Monday
        "peg:20261331:pain:4",  # no such day
        "peg:20261130:sleep:4",  # no such item
        "peg:20261130:pain",
        "peg:open:1",
        "peg:",
        "flare:ease",
    ],
)
def test_peg_data_no_button_carries_is_refused(data: str) -> None:
    assert parse_peg(data) is None


def test_flare_ease_is_read_and_nothing_else() -> None:
    assert parse_flare("flare:ease") == FlareEasePress()
    for data in ("flare:ease:1", "flare:", "flare:easy", "peg:open"):
        assert parse_flare(data) is None


def test_the_longest_button_data_fits_in_a_signed_callback() -> None:
    assert len(b"peg:20261130:activity:10") <= PAYLOAD_BUDGET


@given(st.text(max_size=80))
def test_no_callback_data_ever_raises(data: str) -> None:
    parse_peg("peg:" + data), parse_flare("flare:" + data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 5 3", (4, 5, 3)),
        (" 4, 5, 3 ", (4, 5, 3)),
        ("4;5;3", (4, 5, 3)),
        ("0 10 10", (0, 10, 10)),
        ("4 5", None),
        ("4 5 3 2", None),
        ("11 2 3", None),
        ("٤ ٥ ٣", None),  # digits of another script are not read as scores
        ("four five three", None),
    ],
)
def test_three_scores_typed(text: str, expected: tuple[int, int, int] | None) -> None:
    assert parse_scores(text) == expected


def test_typed_scores_reach_the_answer_and_one_number_stays_a_pain() -> None:
    now = datetime(2026, 3, 10, 11, tzinfo=UTC)
    assert read("4 5 3", now).scores == (4, 5, 3)
    single = read("4", now)
    assert single.scores is None and single.pain == 4
