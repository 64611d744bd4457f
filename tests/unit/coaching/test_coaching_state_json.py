"""The programme state survives a trip through the database's JSON column exactly."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from bot.coaching import Checkin, DecisionKind, ProgrammeState, finish_session, pause_by_member
from bot.coaching.content import Library
from tests.unit.coaching.conftest import Member, result_for, skipped


def lived_in_state(library: Library) -> ProgrammeState:
    """A state with history of every kind: progress, a regression, skips, check-ins, a break."""
    member = Member(library, baseline_pain=2)
    member.session(1)
    member.checkin(Checkin.WORSE, days_later=1)
    member.session(2, days_later=0)
    member.session(lambda p: 6 if p.ladder_id == "bridge" else 1)
    member.session(results=lambda plan: [skipped(p) for p in plan])
    member.session(1, days_later=5)
    return member.state


def only_json_types(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and only_json_types(v) for k, v in value.items())
    if isinstance(value, list):
        return all(only_json_types(item) for item in value)
    return value is None or type(value) in (str, int, bool)


@pytest.mark.parametrize("build", [lambda lib: Member(lib).state, lived_in_state])
def test_round_trip_is_exact(library: Library, build: Any) -> None:
    state = build(library)
    data = state.to_json()
    assert data["version"] == 2
    assert only_json_types(data)
    stored = json.loads(json.dumps(data))
    assert ProgrammeState.from_json(stored) == state
    assert ProgrammeState.from_json(stored).to_json() == data


def test_a_lived_in_state_keeps_its_history(library: Library) -> None:
    state = lived_in_state(library)
    data = state.to_json()
    assert data["last_session_date"] == state.last_session_date.isoformat()  # type: ignore[union-attr]
    assert data["session_pains"] == [1, 2, 6, 1]
    assert data["history"]["clamshell"][0] == {
        "prescription": {
            "ladder_id": "clamshell",
            "variation_id": "clamshell",
            "sets": 3,
            "reps": 10,
            "hold_seconds": None,
            "per_side": True,
        },
        "completed": True,
        "reps_done": 10,
        "pain": 1,
    }


def test_the_status_round_trips(library: Library) -> None:
    paused = pause_by_member(Member(library).state, today=Member(library).today).state
    assert ProgrammeState.from_json(paused.to_json()) == paused


@pytest.mark.parametrize("version", [None, 0, 3, "1"])
def test_an_unknown_version_is_refused(library: Library, version: object) -> None:
    data = Member(library).state.to_json() | {"version": version}
    with pytest.raises(ValueError, match="version"):
        ProgrammeState.from_json(data)


def test_history_stays_bounded(library: Library) -> None:
    member = Member(library)
    for _ in range(80):
        member.session(1)
    state = member.state
    assert all(len(records) <= 10 for records in state.history.values())
    assert len(state.session_pains) <= 20
    assert len(json.dumps(state.to_json())) < 20_000


# A member's programme as version 1 stored it (before policy v2), mid-phase with a history.
VERSION_1_DOCUMENT = {
    "version": 1,
    "status": "active",
    "phase": 1,
    "baseline_pain": 3,
    "equipment": ["band"],
    "prescriptions": {
        "clamshell": {
            "ladder_id": "clamshell",
            "variation_id": "clamshell",
            "sets": 3,
            "reps": 12,
            "hold_seconds": None,
            "per_side": True,
        },
        "bridge": {
            "ladder_id": "bridge",
            "variation_id": "glute_bridge",
            "sets": 3,
            "reps": 8,
            "hold_seconds": None,
            "per_side": False,
        },
    },
    "history": {
        "clamshell": [
            {
                "prescription": {
                    "ladder_id": "clamshell",
                    "variation_id": "clamshell",
                    "sets": 3,
                    "reps": 12,
                    "hold_seconds": None,
                    "per_side": True,
                },
                "completed": True,
                "pain": 1,
            }
        ]
    },
    "session_pains": [2, 1],
    "sessions_in_phase": 2,
    "ladders_progressed_in_phase": ["clamshell"],
    "last_session_date": "2025-03-04",
    "last_checkin_date": "2025-03-05",
    "worse_checkins_in_a_row": 0,
    "worse_checkin_since_last_session": False,
    "eased_after_session_on": None,
}


def test_a_version_1_document_still_reads_and_trains(library: Library) -> None:
    state = ProgrammeState.from_json(VERSION_1_DOCUMENT)
    assert state.prescriptions["clamshell"].reps == 12
    assert state.history["clamshell"][0].reps_done is None
    assert (state.pain_log, state.pacing, state.not_improving_advised_on) == ((), {}, None)
    # The next session works on it, a second green one steps up (no pacing recorded yet),
    # and what it stores is a version 2 document.
    day = date(2025, 3, 5)
    plan = [state.prescriptions["clamshell"], state.prescriptions["bridge"]]
    outcome = finish_session(state, library, today=day, results=[result_for(p, 1) for p in plan])
    kinds = {d.ladder_id: d.kind for d in outcome.decisions}
    assert kinds == {"clamshell": DecisionKind.PROGRESS, "bridge": DecisionKind.HOLD}
    stored = outcome.state.to_json()
    assert stored["version"] == 2
    assert ProgrammeState.from_json(stored) == outcome.state
