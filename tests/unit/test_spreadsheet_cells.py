"""CSV cells a spreadsheet would run as formulas are neutralised (OWASP), in both exports."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest

from bot.services.spreadsheet import safe_cell
from handlers import coach_texts
from tests.unit.test_dashboard_texts import ROW


@pytest.mark.parametrize(
    "typed", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")']
)
def test_text_that_could_run_as_a_formula_gets_a_leading_quote(typed: str) -> None:
    assert safe_cell(typed) == f"'{typed}"


@pytest.mark.parametrize("value", ["Alex", "O'Neil", " =1", "3-way", "", 7, -1, None])
def test_plain_text_and_numbers_are_left_alone(value: object) -> None:
    assert safe_cell(value) == value


def test_a_member_named_like_a_formula_reaches_the_coach_csv_as_text() -> None:
    rows = [replace(ROW, member_id=n, name=name) for n, name in enumerate(["\tx", "\r=1", "@a"])]
    table = list(csv.reader(io.StringIO(coach_texts.dashboard_csv(rows).decode("utf-8-sig"))))
    assert [line[0] for line in table[1:]] == ["'\tx", "'\r=1", "'@a"]
