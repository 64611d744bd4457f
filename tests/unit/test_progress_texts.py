"""What /progress and /history say: three summary lines, and history that fits one message."""

from __future__ import annotations

from datetime import date, timedelta

from bot.coaching import DecisionKind
from bot.services.progress import (
    HistoryExercise,
    HistoryNote,
    HistorySession,
    PainTrend,
    ProgressReport,
    WeekTally,
)
from handlers.progress_texts import (
    HISTORY_MORE,
    TELEGRAM_TEXT_LIMIT,
    history,
    summary,
    trend_line,
)

TODAY = date(2026, 3, 12)


def _report(streak: int, trend: PainTrend) -> ProgressReport:
    return ProgressReport(
        today=TODAY,
        first_day=date(2026, 2, 16),
        points=(),
        weeks=(WeekTally(date(2026, 3, 9), 3, 7),),
        level_changes=(),
        streak=streak,
        trend=trend,
        has_older_sessions=False,
    )


def test_the_summary_is_three_lines_with_streak_week_and_trend() -> None:
    text = summary(_report(5, PainTrend(earlier=3.14, recent=1.8)))
    assert text.splitlines() == [
        "Streak: 5 days in a row",
        "This week: 3 of 7 sessions",
        "Pain is easing: 3.1 → 1.8 on average over the last two weeks",
    ]
    assert summary(_report(1, PainTrend(None, None))).splitlines()[0] == "Streak: 1 day in a row"


def test_the_trend_says_steady_or_what_it_can_without_two_weeks() -> None:
    assert trend_line(PainTrend(2.0, 2.2)).startswith("Pain is steady: 2.0 → 2.2")
    assert trend_line(PainTrend(None, 2.25)).startswith("Pain this week: 2.2 on average")
    assert "no sessions in the last 7 days" in trend_line(PainTrend(3.0, None))


def _exercise(**changes: object) -> HistoryExercise:
    values: dict[str, object] = {
        "ladder_id": "clamshell",
        "variation_id": "clamshell",
        "sets": 3,
        "prescribed_reps": 12,
        "prescribed_hold_seconds": None,
        "per_side": True,
        "reps_done": 10,
        "hold_completed": None,
        "pain": 2,
        "skipped": False,
        "decision": DecisionKind.HOLD,
        "reason": "Same again next time.",
    }
    values.update(changes)
    return HistoryExercise(**values)  # type: ignore[arg-type]


def _session(day: date, *exercises: HistoryExercise, reason_length: int = 0) -> HistorySession:
    notes = (HistoryNote(DecisionKind.STOP_SESSION, "x" * reason_length),) if reason_length else ()
    return HistorySession(day, False, 4, exercises, notes)


def _names(variation_id: str) -> str:
    return {"clamshell": "Clamshell", "glute_bridge": "Glute bridge"}.get(variation_id, "Hold")


def test_history_shows_date_exercise_reps_done_of_prescribed_pain_and_reason() -> None:
    text = history(
        [
            _session(
                TODAY,
                _exercise(),
                _exercise(
                    variation_id="glute_bridge",
                    per_side=False,
                    reps_done=8,
                    prescribed_reps=8,
                    pain=4,
                    decision=DecisionKind.PROGRESS,
                    reason="Moving up.",
                ),
                _exercise(
                    variation_id="stretch",
                    prescribed_reps=None,
                    prescribed_hold_seconds=30,
                    reps_done=None,
                    hold_completed=True,
                    decision=None,
                    reason=None,
                ),
                _exercise(skipped=True, pain=None, reps_done=None, reason="Skipped: held."),
            )
        ],
        _names,
    )
    assert text.splitlines()[2:] == [
        "Thu 12 Mar · highest pain 4/10",
        "• Clamshell — 10/12 reps per side, pain 2",
        "  = Same again next time.",
        "• Glute bridge — 8/8 reps, pain 4",
        "  ▲ Moving up.",
        "• Hold — 3 × 30 s per side: held, pain 2",
        "• Clamshell — skipped",
        "  = Skipped: held.",
    ]


def test_long_history_is_cut_after_the_last_whole_session_that_fits() -> None:
    sessions = [
        _session(TODAY - timedelta(days=n), _exercise(), reason_length=700) for n in range(10)
    ]
    text = history(sessions, _names)
    assert len(text) <= TELEGRAM_TEXT_LIMIT
    assert text.endswith(HISTORY_MORE)
    shown = text.count("highest pain")
    assert 1 < shown < 10
    assert text.count("x" * 700) == shown  # no session is shown half


def test_history_that_fits_has_no_pointer_to_more() -> None:
    text = history([_session(TODAY, _exercise())], _names)
    assert HISTORY_MORE not in text
    assert history([], _names).startswith("No sessions to show yet")


def test_a_single_session_too_long_for_a_message_is_cut_visibly() -> None:
    text = history([_session(TODAY, _exercise(), reason_length=5000)], _names)
    assert len(text) <= TELEGRAM_TEXT_LIMIT
    assert "…" in text
