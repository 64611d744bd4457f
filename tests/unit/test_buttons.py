"""Callback data parsers: every value a button of this bot carries is read, anything else (out
of range, superscript digits, unknown words) is refused before any service sees it."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.buttons import (
    JoinPress,
    OpenSetting,
    Press,
    SessionPress,
    StartSession,
    SymptomButton,
    parse_onb,
    parse_res,
    parse_sess,
    parse_set,
    parse_sym,
)
from bot.services.members import TypedAnswer

MAX_REPS = 100


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("onb:pain:0", Press("pain", TypedAnswer(pain=0))),
        ("onb:pain:10", Press("pain", TypedAnswer(pain=10))),
        ("onb:time:0000", Press("time", TypedAnswer(at=time(0, 0)))),
        ("onb:time:2359", Press("time", TypedAnswer(at=time(23, 59)))),
        ("onb:consent:yes:0", Press("consent", TypedAnswer(yes_no=True), "0")),
        ("onb:screen:fever:no", Press("screen:fever", TypedAnswer(yes_no=False))),
        ("onb:join:yes:12", JoinPress(True, 12)),
        ("set:open:zone", OpenSetting("zone")),
        ("set:time:0730", Press("time", TypedAnswer(at=time(7, 30)))),
        ("set:zone_ok:yes:Etc/GMT-2", Press("zone_ok", TypedAnswer(yes_no=True), "Etc/GMT-2")),
        ("set:zone:pick:Europe/Berlin", Press("zone", TypedAnswer(zone="Europe/Berlin"))),
        (
            "onb:zone:pick:America/Argentina/Buenos_Aires",
            Press("zone", TypedAnswer(zone="America/Argentina/Buenos_Aires")),
        ),
        ("res:pain:5", Press("resume_pain", TypedAnswer(pain=5))),
        ("res:settled:no", Press("resume_settled", TypedAnswer(yes_no=False))),
        ("sym:ask", SymptomButton()),
        ("sym:bladder_bowel:yes", Press("symptom:bladder_bowel", TypedAnswer(yes_no=True))),
        ("sess:start", StartSession()),
        ("sess:12:0:reps:100", SessionPress(12, 0, "reps", "100")),
        ("sess:12:3:stop_why:no_time", SessionPress(12, 3, "stop_why", "no_time")),
    ],
)
def test_every_button_the_bot_makes_is_read(data: str, expected: object) -> None:
    parsers = {
        "onb": lambda d: parse_onb(d, "UTC"),
        "set": lambda d: parse_set(d, "UTC"),
        "res": parse_res,
        "sym": parse_sym,
        "sess": lambda d: parse_sess(d, MAX_REPS),
    }
    assert parsers[data.split(":")[0]](data) == expected


@pytest.mark.parametrize(
    "data",
    [
        "onb:pain:99",
        "onb:pain:11",
        "onb:pain:-1",
        "onb:pain:²",
        "onb:pain:٣",
        "onb:pain:03",
        "onb:time:2599",
        "onb:time:0960",
        "onb:time:730",
        "onb:time:０７３０",
        "onb:activity:lazy",
        "onb:consent:maybe:0",
        "onb:join:yes:0",
        "onb:join:yes:abc",
        "onb:screen:Fever:yes",
        "onb:equipment:dumbbell",
        "onb:",
        "onb",
    ],
)
def test_onboarding_data_no_button_carries_is_refused(data: str) -> None:
    assert parse_onb(data, "UTC") is None


@pytest.mark.parametrize(
    "data",
    [
        "set:time:0960",
        "set:time:2400",
        "set:open:nothing",
        "set:zone_ok:yes:",
        "set:pain:3",
        "set:zone:pick:Etc/GMT-1",  # never offered: no daylight saving
        "set:zone:pick:Atlantis/Capital",
        "set:zone:pick:../../etc/passwd",
        "set:zone:pick:",
    ],
)
def test_settings_data_no_button_carries_is_refused(data: str) -> None:
    assert parse_set(data, "UTC") is None


@pytest.mark.parametrize("data", ["res:pain:11", "res:pain:²", "res:professional:perhaps"])
def test_resume_data_no_button_carries_is_refused(data: str) -> None:
    assert parse_res(data) is None


@pytest.mark.parametrize(
    "data",
    ["sess:12:0:reps:101", "sess:12:0:reps:²", "sess:0:0:reps:1", "sess:12:100:reps:1", "sess:x"],
)
def test_session_data_no_button_carries_is_refused(data: str) -> None:
    assert parse_sess(data, MAX_REPS) is None


@given(st.text(max_size=80))
def test_no_callback_data_ever_raises(data: str) -> None:
    for prefix in ("onb:", "set:", "res:", "sym:", "sess:"):
        text = prefix + data
        parse_onb(text, "UTC"), parse_set(text, "UTC"), parse_res(text)
        parse_sym(text), parse_sess(text, MAX_REPS)
