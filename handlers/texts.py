"""Words the bot says outside any one feature: short, warm, specific, for a phone screen."""

COMMAND_MENU: tuple[tuple[str, str], ...] = (
    ("start", "Begin, or see where you are"),
    ("help", "What I can do"),
)

HELP = (
    "I'm hipcoach: a short daily hip-strengthening routine for low back pain.\n\n"
    "/start – begin, or see where you are\n"
    "/help – this message\n\n"
    "This is not medical advice. If your pain is severe, getting worse, or you feel unwell, "
    "please see a doctor or physiotherapist."
)

WELCOME = (
    "Hi {name}! I'm hipcoach. Each day I'll guide you through a short routine to strengthen "
    "your hips, which can help with low back pain."
)

SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side. What you've already told me is saved. "
    "Please try that again in a moment."
)
