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


# ---- the weekly PEG (Krebs 2009), in the project's own words ------------------------------

PEG_OFFER = "📊 Once a week: 3 quick questions about how your week went."
PEG_OPEN_BUTTON = "📊 Weekly check (3 questions)"
PEG_INTRO = "Weekly check: think about the past 7 days. Tap 0–10, or type all three, e.g. 4 5 3."
# The three PEG items: average pain; interference with enjoyment of life; with general activity.
PEG_QUESTIONS = {
    "pain": "On average, how bad was your pain? (0 = no pain, 10 = as bad as you can imagine)",
    "enjoy": (
        "How much did pain get in the way of enjoying life? (0 = not at all, 10 = completely)"
    ),
    "activity": (
        "How much did pain get in the way of your day-to-day activities? "
        "(0 = not at all, 10 = completely)"
    ),
}
PEG_LABELS = {"pain": "Pain", "enjoy": "Enjoying life", "activity": "Daily activities"}
PEG_NOW = "👉 {number}. {question}"
PEG_GIVEN = "✓ {number}. {label}: {value}"
PEG_DONE = (
    "Thank you! Your weekly score: {score}/10 (pain {pain}, life {enjoy}, activity {activity})."
)
PEG_DONE_ALREADY = "You've already done this week's check: {score}/10. The next one is on Monday."
PEG_SINCE_FIRST = "Your first weekly score was {first}/10. /progress shows the trend."
PEG_FIRST = "This is your first one: next week's will show how things are changing."
PEG_CLOSED = "That weekly check has closed. The next one comes with a reminder."
PEG_HINT = "Tap 0–10 for the question marked 👉, or type all three, e.g. 4 5 3."
