"""Reading typed answers: the forms members really type, and never a crash on anything else."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.coaching import ActivityLevel
from bot.coaching.content import Equipment
from handlers import answers

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
ZONES = available_timezones()


@pytest.mark.parametrize(
    ("text", "pain"),
    [
        ("4", 4),
        ("4/10", 4),
        (" 4 ", 4),
        ("4 / 10", 4),
        ("4 out of 10", 4),
        ("0", 0),
        ("10", 10),
        ("10/10", 10),
        ("07", 7),
        ("11", None),
        ("-1", None),
        ("4.5", None),
        ("four", None),
        ("4/5", None),
        ("", None),
        ("😀", None),
        ("4" * 5000, None),
        (None, None),
    ],
)
def test_pain(text: str | None, pain: int | None) -> None:
    assert answers.parse_pain(text) == pain


@pytest.mark.parametrize(
    ("text", "reps"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("12 reps", 12),
        ("1 rep", 1),
        ("0", 0),
        ("500", 500),
        ("501", None),
        ("-3", None),
        ("twelve", None),
        ("1e3", None),
        ("12.5", None),
        ("all", None),
    ],
)
def test_reps(text: str, reps: int | None) -> None:
    assert answers.parse_reps(text) == reps


@pytest.mark.parametrize("text", ["all", "All", "ALL ", "all of them", "all 12", "all done"])
def test_all_means_every_rep(text: str) -> None:
    assert answers.says_all(text)


@pytest.mark.parametrize("text", ["al", "12", "nearly all", "all" * 100])
def test_not_all(text: str) -> None:
    assert not answers.says_all(text)


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("07:30", time(7, 30)),
        ("7:30", time(7, 30)),
        ("7.30", time(7, 30)),
        ("7am", time(7)),
        ("7 am", time(7)),
        ("7 a.m.", time(7)),
        ("7:30pm", time(19, 30)),
        ("12pm", time(12)),
        ("12am", time(0)),
        ("19:00", time(19)),
        ("19h30", time(19, 30)),
        ("0:05", time(0, 5)),
        ("7", time(7)),
        ("24:00", None),
        ("7:60", None),
        ("13pm", None),
        ("0am", None),
        ("730", None),
        ("morning", None),
        ("", None),
    ],
)
def test_time(text: str, at: time | None) -> None:
    assert answers.parse_time(text) == at


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("Berlin, Germany", "Europe/Berlin"),
        ("Munich", "Europe/Berlin"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("UTC", "UTC"),
        ("UTC+0", "UTC"),
        ("GMT", "UTC"),
        ("UTC+2", None),  # no zone: real zones with that offset are offered (below)
        ("UTC-13", None),
        ("UTC+5:17", None),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_timezone(text: str, zone: str | None) -> None:
    assert answers.parse_timezone(text, WINTER) == zone


@pytest.mark.parametrize(
    ("text", "now", "offered", "not_offered"),
    [
        ("UTC+1", WINTER, "Europe/Berlin", "Europe/London"),
        ("utc +1", SUMMER, "Europe/London", "Europe/Berlin"),
        ("+02:00", SUMMER, "Europe/Berlin", "Europe/London"),
        ("GMT-5", WINTER, "America/New_York", "America/Chicago"),
        ("UTC-05:00", SUMMER, "America/Chicago", "America/New_York"),
        ("+05:30", WINTER, "Asia/Kolkata", "Asia/Dhaka"),
        ("UTC+5:30", SUMMER, "Asia/Kolkata", "Asia/Dhaka"),
    ],
)
def test_a_typed_offset_offers_the_real_zones_that_have_it_now(
    text: str, now: datetime, offered: str, not_offered: str
) -> None:
    answer = answers.read(text, now)
    assert answer.zone is None
    assert offered in answer.zone_choices and not_offered not in answer.zone_choices
    assert not any(zone.startswith("Etc/") for zone in answer.zone_choices)


@pytest.mark.parametrize("text", ["UTC", "UTC+0", "Berlin", "UTC+5:17", "UTC+15", "", "3"])
def test_no_offer_without_a_nonzero_offset(text: str) -> None:
    assert answers.read(text, WINTER).zone_choices == ()


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("yes", True),
        ("Y", True),
        ("ok", True),
        ("I agree", True),
        ("yes!", True),
        ("no", False),
        ("No thanks", False),
        ("nope", False),
        ("not quite", False),
        ("maybe", None),
        ("", None),
        ("yes no", None),
    ],
)
def test_yes_no(text: str, answer: bool | None) -> None:
    assert answers.parse_yes_no(text) is answer


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("1", ActivityLevel.LOW),
        ("mostly sitting", ActivityLevel.LOW),
        ("2", ActivityLevel.SOME),
        ("walk", ActivityLevel.SOME),
        ("3", ActivityLevel.ACTIVE),
        ("Exercise regularly", ActivityLevel.ACTIVE),
        ("4", None),
        ("lots", None),
    ],
)
def test_activity(text: str, level: ActivityLevel | None) -> None:
    assert answers.parse_activity(text) is level


@pytest.mark.parametrize(
    ("text", "kit"),
    [
        ("none", frozenset()),
        ("nothing", frozenset()),
        ("band", {Equipment.BAND}),
        ("a band, a chair", {Equipment.BAND, Equipment.CHAIR_OR_COUNTER}),
        ("yoga block and step", {Equipment.BLOCK_OR_STEP}),
        ("band & counter", {Equipment.BAND, Equipment.CHAIR_OR_COUNTER}),
        ("band, dumbbells", None),
        ("", None),
    ],
)
def test_equipment(text: str, kit: set[Equipment] | None) -> None:
    assert answers.parse_equipment(text) == kit


def test_read_offers_every_reading_and_skip_stop_words() -> None:
    answer = answers.read("4", WINTER)
    assert (answer.pain, answer.reps, answer.at) == (4, 4, time(4))
    assert answers.read("Skip", WINTER).command == "skip"
    assert answers.read("stop for today", WINTER).command == "stop"
    assert answers.read("all", WINTER).reps_for(12, 500) == 12
    assert answers.read("600", WINTER).reps_for(12, 500) is None


@given(st.text(max_size=300))
def test_no_text_makes_a_reader_raise_or_return_an_invalid_value(text: str) -> None:
    pain = answers.parse_pain(text)
    assert pain is None or 0 <= pain <= 10
    reps = answers.parse_reps(text)
    assert reps is None or 0 <= reps <= answers.MAX_REPS
    assert answers.parse_yes_no(text) in (True, False, None)
    assert answers.parse_time(text) is None or isinstance(answers.parse_time(text), time)
    zone = answers.parse_timezone(text, WINTER)
    assert zone is None or zone in ZONES
    assert answers.parse_activity(text) in (None, *ActivityLevel)
    kit = answers.parse_equipment(text)
    assert kit is None or kit <= set(Equipment)


@given(st.from_regex(r"\A\s*(?:UTC|GMT)?\s*[+-]\s*\d{1,2}(?::?\d{2})?\s*\Z"))
def test_any_offset_gives_a_real_zone_at_that_offset_or_none(text: str) -> None:
    zone = answers.parse_timezone(text, SUMMER)
    assert zone is None or zone in ZONES


@given(st.integers(0, 10), st.sampled_from(["{}", " {} ", "{}/10", "{} / 10", "{} out of 10"]))
def test_every_pain_form_reads_back(pain: int, form: str) -> None:
    assert answers.parse_pain(form.format(pain)) == pain


@given(st.times())
def test_every_clock_time_reads_back(at: time) -> None:
    assert answers.parse_time(at.strftime("%H:%M")) == at.replace(second=0, microsecond=0)
