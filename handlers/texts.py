"""Words the bot says outside any one feature: short, warm, specific, for a phone screen."""

COMMAND_MENU: tuple[tuple[str, str], ...] = (
    ("start", "Begin, or see where you are"),
    ("today", "Today's session"),
    ("symptom", "Tell me about a new symptom"),
    ("progress", "Your chart: pain, sessions and streak"),
    ("history", "Your last 10 sessions and why things changed"),
    ("settings", "Reminder time, time zone, equipment"),
    ("pause", "Take a break from the programme"),
    ("resume", "Come back after a break"),
    ("why", "Why your plan is what it is"),
    ("flare", "A plan for a flare-up, and easier sessions"),
    ("export", "Download all your data"),
    ("delete", "Delete all your data"),
    ("help", "What I can do"),
    ("leavecoach", "Stop sharing with your coach group"),
)

HELP = (
    "I'm hipcoach: a short daily hip-strengthening routine for low back pain.\n\n"
    "/start – begin, or see where you are\n"
    "/today – today's session\n"
    "/symptom – tell me about a new symptom, at any time\n"
    "/progress – your chart: pain, sessions and streak\n"
    "/history – your last sessions and why things changed\n"
    "/settings – reminder time, time zone, equipment\n"
    "/pause – take a break (no reminders)\n"
    "/resume – come back after a break\n"
    "/why – why your plan is what it is\n"
    "/flare – what to do in a flare-up; eases your next sessions if you want\n"
    "/export – download all your data\n"
    "/delete – delete all your data\n"
    "/leavecoach – stop sharing your answers with your coach\n"
    "/help – this message\n\n"
    "This is not medical advice: if you're unsure whether these exercises suit you, check with a "
    "doctor or physiotherapist before starting. If your pain is severe, getting worse, or you "
    "feel unwell, please see your GP within a day or two, or urgently if it is getting worse "
    "quickly."
)

SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side. What you've already told me is saved."
)
# A press the bot cannot vouch for (forged, altered, or signed with an older key).
BUTTON_EXPIRED = "That button has expired"
