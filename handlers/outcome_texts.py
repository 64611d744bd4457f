"""Words of /flare and of the weekly outcome questions: short, calm, for someone in pain."""

from datetime import date

FLARE_TITLE = "If your back flares up"
FLARE_TODAY = "What helps today:"
FLARE_SKIP = "What to leave out for now:"
FLARE_HELP = "When to get help:"
EASE_BUTTON = "Ease my next sessions"
FLARE_EASING = "Your sessions are already going easier until {until}."
FLARE_NOT_ENROLLED = "Once your programme is running, I can also make your sessions easier here."
FLARE_EASED = "Done. Until {until}, your sessions go easier and nothing steps up."
FLARE_EASED_ALREADY_EASIEST = (
    "Done. Your exercises are already at their easiest; until {until}, nothing steps up."
)
FLARE_ALREADY_EASED = (
    "Your sessions are already eased for this flare-up, until {until}. "
    "I haven't made them easier again. /why shows what changed."
)
FLARE_NOT_ACTIVE = (
    "There's no active programme to ease right now. The plan above still applies; "
    "/resume when you're ready to come back."
)


def day(value: date) -> str:
    """'Thursday 3 December': the weekday makes "until" easy to read on a phone."""
    return f"{value:%A} {value.day} {value:%B}"
