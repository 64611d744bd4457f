"""The traffic-light reading of pain, and the stop-the-session threshold."""

from __future__ import annotations

import pytest

from bot.coaching import Zone, is_session_stopping_pain, pain_zone
from tests.unit.coaching.conftest import DEFAULT_RULES


@pytest.mark.parametrize(
    ("pain", "zone"),
    [
        (0, Zone.GREEN),
        (2, Zone.GREEN),
        (3, Zone.AMBER),
        (5, Zone.AMBER),
        (6, Zone.RED),
        (10, Zone.RED),
    ],
)
def test_pain_zone_boundaries(pain: int, zone: Zone) -> None:
    assert pain_zone(pain, DEFAULT_RULES) is zone


@pytest.mark.parametrize(("pain", "stops"), [(0, False), (7, False), (8, True), (10, True)])
def test_session_stops_at_stop_session_pain(pain: int, stops: bool) -> None:
    assert is_session_stopping_pain(pain, DEFAULT_RULES) is stops


@pytest.mark.parametrize("bad", [-1, 11, 2.5, "4", None, True])
def test_pain_outside_0_to_10_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="0 to 10"):
        pain_zone(bad, DEFAULT_RULES)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="0 to 10"):
        is_session_stopping_pain(bad, DEFAULT_RULES)  # type: ignore[arg-type]
