"""Words for `/progress` and `/history`: short, warm, and the numbers a member can check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from bot.coaching import DecisionKind
from bot.services.outcomes import PegPoint
from bot.services.progress import (
    HistoryExercise,
    HistorySession,
    PainTrend,
    ProgressReport,
    Trend,
)

TELEGRAM_TEXT_LIMIT = 4096

NOT_SET_UP = (
    "I don't have any sessions for you yet. Send /start to set up your programme, "
    "and your progress will show up here."
)
NO_SESSIONS_YET = (
    "No sessions yet — /today starts your first one. After a few days you'll see your pain "
    "and your sessions on a chart here."
)
NO_RECENT_SESSIONS = (
    "No sessions in the last few weeks, and that's okay. /today picks things up again "
    "whenever you're ready."
)
NO_HISTORY = "No sessions to show yet — /today starts your first one."
HISTORY_TITLE = "Your last sessions, newest first:"
HISTORY_MORE = "Older sessions didn't fit here: /export sends you all of them."

_TREND_WORDS = {
    Trend.EASING: "Pain is easing",
    Trend.STEADY: "Pain is steady",
    Trend.RISING: "Pain is creeping up",
}
_DECISION_MARKS = {
    DecisionKind.PROGRESS: "▲",
    DecisionKind.PHASE_UP: "▲",
    DecisionKind.REGRESS: "▼",
    DecisionKind.EASIER_AFTER_BREAK: "▼",
    DecisionKind.HOLD: "=",
    DecisionKind.STOP_SESSION: "■",
    DecisionKind.PAUSE: "⏸",
}


def no_chart(report: ProgressReport) -> str:
    return NO_RECENT_SESSIONS if report.has_older_sessions else NO_SESSIONS_YET


def summary(report: ProgressReport) -> str:
    """Three lines under the chart: streak, this week, and the pain trend in words."""
    week = report.this_week
    lines = [
        streak_line(report.streak),
        f"This week: {week.done} of {week.planned} sessions",
        trend_line(report.trend),
    ]
    if report.pegs:
        lines.append(peg_line(report.pegs))
    return "\n".join(lines)


def peg_line(pegs: Sequence[PegPoint]) -> str:
    """The weekly check's score (PEG, 0-10, lower is better): the first, and where it is now."""
    first, latest = pegs[0], pegs[-1]
    if len(pegs) == 1:
        return f"Weekly check: {first.score:.1f}/10 (next week's shows the trend)"
    recent = " → ".join(f"{point.score:.1f}" for point in pegs[-4:])
    return (
        f"Weekly check: {recent} (week 1: {first.score:.1f}, "
        f"change {latest.score - first.score:+.1f}; lower is better)"
    )


def streak_line(streak: int) -> str:
    if streak == 0:
        return "Streak: starts with your next session"
    return f"Streak: {streak} day{'s' if streak != 1 else ''} in a row"


def trend_line(trend: PainTrend) -> str:
    direction = trend.direction
    if direction is not None:
        return (
            f"{_TREND_WORDS[direction]}: {trend.earlier:.1f} → {trend.recent:.1f} "
            "on average over the last two weeks"
        )
    if trend.recent is not None:
        return f"Pain this week: {trend.recent:.1f} on average (a trend shows after two weeks)"
    return "Pain: no sessions in the last 7 days to compare"


def history(sessions: list[HistorySession], name_of: Callable[[str], str]) -> str:
    """The sessions as text, newest first, cut after the last whole session that fits."""
    if not sessions:
        return NO_HISTORY
    blocks = [_session_block(training, name_of) for training in sessions]
    text = HISTORY_TITLE
    for shown, block in enumerate(blocks):
        room_needed = len(block) + 2 + (len(HISTORY_MORE) + 2 if shown < len(blocks) - 1 else 0)
        if len(text) + room_needed > TELEGRAM_TEXT_LIMIT:
            if shown == 0:  # even one session is too long: cut it, visibly
                cut = TELEGRAM_TEXT_LIMIT - len(text) - len(HISTORY_MORE) - 5
                return f"{text}\n\n{block[:cut]}…\n\n{HISTORY_MORE}"
            return f"{text}\n\n{HISTORY_MORE}"
        text = f"{text}\n\n{block}"
    return text


def _session_block(training: HistorySession, name_of: Callable[[str], str]) -> str:
    heading = _day(training.day)
    if training.in_progress:
        heading += " · in progress"
    elif training.max_pain is not None:
        heading += f" · highest pain {training.max_pain}/10"
    lines = [heading]
    for exercise in training.exercises:
        lines.append(f"• {name_of(exercise.variation_id)} — {_what_was_done(exercise)}")
        if exercise.reason:
            lines.append(f"  {_mark(exercise.decision)} {exercise.reason}")
    lines.extend(f"{_mark(note.kind)} {note.reason}" for note in training.notes)
    return "\n".join(lines)


def _what_was_done(exercise: HistoryExercise) -> str:
    if exercise.skipped:
        return "skipped"
    side = " per side" if exercise.per_side else ""
    if exercise.prescribed_hold_seconds is not None:
        held = "held" if exercise.hold_completed else "not held all the way"
        done = f"{exercise.sets} × {exercise.prescribed_hold_seconds} s{side}: {held}"
    else:
        done = f"{_count(exercise.reps_done)}/{_count(exercise.prescribed_reps)} reps{side}"
    if exercise.pain is not None:
        done += f", pain {exercise.pain}"
    return done


def _count(value: int | None) -> str:
    return "–" if value is None else str(value)


def _mark(kind: DecisionKind | None) -> str:
    return "•" if kind is None else _DECISION_MARKS.get(kind, "•")


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"
