"""Reading a 0-10 pain answer as a traffic light, with the thresholds from `content/rules.yaml`."""

from __future__ import annotations

from enum import StrEnum

from bot.coaching.content import Rules


class Zone(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


def check_pain(pain: int) -> int:
    """Refuse anything but a whole number 0-10: a bad pain answer must never steer a decision."""
    if isinstance(pain, bool) or not isinstance(pain, int) or not 0 <= pain <= 10:
        raise ValueError(f"pain must be a whole number from 0 to 10, got {pain!r}")
    return pain


def pain_zone(pain: int, rules: Rules) -> Zone:
    """Green up to pain_zones.green_max, amber up to pain_zones.amber_max, red above."""
    check_pain(pain)
    if pain <= rules.pain_zones.green_max:
        return Zone.GREEN
    if pain <= rules.pain_zones.amber_max:
        return Zone.AMBER
    return Zone.RED


def is_session_stopping_pain(pain: int, rules: Rules) -> bool:
    """True when the session must stop now: pain at or above stop_session_pain."""
    return check_pain(pain) >= rules.stop_session_pain
