"""Content changed under live members: renamed ids are followed, a removed rung moves its members
to the nearest rung they have done (never up), with a reason; nothing is left pointing nowhere."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.coaching import ActivityLevel, DecisionKind, ExerciseRecord, start_programme
from bot.coaching.content import Library
from bot.coaching.content_changes import points_to_nothing, reconcile
from bot.coaching.dosing import prescribe
from tests.unit.coaching.conftest import BAND

TODAY = date(2026, 3, 10)


def without_band_clam(library: Library) -> Library:
    """`band_clam` deleted from content/, the ladder relinked around it."""
    clamshell = library.ladder("clamshell")
    rungs = tuple(
        v.model_copy(update={"next": "clam_plank"}) if v.id == "clamshell" else v
        for v in clamshell.variations
        if v.id != "band_clam"
    )
    ladders = tuple(
        ladder.model_copy(update={"variations": rungs}) if ladder.id == "clamshell" else ladder
        for ladder in library.ladders
    )
    return library.model_copy(update={"ladders": ladders})


def on_band_clam(library: Library):
    state = start_programme(
        library,
        baseline_pain=2,
        activity=ActivityLevel.SOME,
        equipment=frozenset({BAND}),
        today=TODAY,
    ).state
    easy = prescribe("clamshell", library.variation("clamshell"))
    band = prescribe("clamshell", library.variation("band_clam"))
    history = dict(state.history)
    history["clamshell"] = (ExerciseRecord(easy, True, 1), ExerciseRecord(band, True, 2))
    prescriptions = dict(state.prescriptions) | {"clamshell": band}
    return replace(state, prescriptions=prescriptions, history=history)


def test_a_removed_rung_moves_its_member_down_to_the_rung_they_did_before_with_a_reason(
    library: Library,
) -> None:
    state = on_band_clam(library)
    changed = without_band_clam(library)

    assert points_to_nothing(state, changed) == ["band_clam"]
    outcome = reconcile(state, changed)

    assert outcome.state.prescriptions["clamshell"].variation_id == "clamshell"
    assert points_to_nothing(outcome.state, changed) == []
    [decision] = outcome.decisions
    assert decision.kind is DecisionKind.REGRESS and decision.to_variation == "clamshell"
    assert "taken out of the programme" in decision.reason
    others = {k: v for k, v in outcome.state.prescriptions.items() if k != "clamshell"}
    assert others == {k: v for k, v in state.prescriptions.items() if k != "clamshell"}


def test_a_renamed_rung_is_followed_through_its_alias_without_a_decision(
    library: Library,
) -> None:
    state = on_band_clam(library)
    band = library.variation("band_clam")
    clamshell = library.ladder("clamshell")
    renamed_rungs = tuple(
        band.model_copy(update={"id": "clam_with_band"})
        if v.id == "band_clam"
        else v.model_copy(update={"next": "clam_with_band"})
        if v.id == "clamshell"
        else v
        for v in clamshell.variations
    )
    ladders = tuple(
        ladder.model_copy(update={"variations": renamed_rungs})
        if ladder.id == "clamshell"
        else ladder
        for ladder in library.ladders
    )
    renamed = library.model_copy(
        update={"ladders": ladders, "aliases": {"band_clam": "clam_with_band"}}
    )

    assert points_to_nothing(state, renamed) == []
    assert renamed.variation("band_clam").id == "clam_with_band"  # old ids still resolve
    outcome = reconcile(state, renamed)

    assert outcome.decisions == ()
    assert outcome.state.prescriptions["clamshell"].variation_id == "clam_with_band"
    assert outcome.state.history["clamshell"][-1].prescription.variation_id == "clam_with_band"


def test_with_no_history_a_removed_rung_falls_back_to_the_easiest_rung_they_can_do(
    library: Library,
) -> None:
    state = replace(on_band_clam(library), history={})
    outcome = reconcile(state, without_band_clam(library))
    assert outcome.state.prescriptions["clamshell"].variation_id == "clamshell"


def test_a_removed_ladder_leaves_the_programme_with_a_decision(library: Library) -> None:
    state = on_band_clam(library)
    ladders = tuple(ladder for ladder in library.ladders if ladder.id != "clamshell")
    outcome = reconcile(state, library.model_copy(update={"ladders": ladders}))
    assert "clamshell" not in outcome.state.prescriptions
    assert [d.ladder_id for d in outcome.decisions] == ["clamshell"]
