"""Render the exercise library as one Markdown page a coach or physiotherapist can review.

`docs/exercises.md` is generated, never edited by hand, so the page a clinician signs off is exactly
what the bot prescribes; `--check` lets CI fail when the page falls behind `content/`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.coaching.content import Dose, Equipment, Ladder, Library, Phase, Rules, Variation
from bot.coaching.education import Education
from bot.coaching.generated_pages import page_arguments, write_or_check
from bot.coaching.loader import ContentError, default_content_dir, load_education, load_library

COMMAND = "python -m bot.coaching.exercise_docs"

# What each threshold in rules.yaml does, for the rules table. Every Rules field needs a line here
# (rendering fails otherwise), so a new rule cannot slip into the bot without being reviewed.
RULE_MEANINGS: dict[str, str] = {
    "pain_zones.green_max": "Pain from 0 up to this is green: carry on, build up when ready.",
    "pain_zones.amber_max": (
        "Pain above green and up to this is amber: acceptable if it settles by next morning; "
        "the dose is held. Above it is red."
    ),
    "progress_after_green_sessions": (
        "Move up after this many sessions of an exercise in a row with every rep done and "
        "green pain."
    ),
    "reps_step": "Reps added per set when moving up within a rep range.",
    "regress_rise_over_baseline": (
        "Step back when pain is above green and this many points or more above the member's "
        "usual pain."
    ),
    "stop_session_pain": "Stop the session at once when pain during it reaches this or more.",
    "pause_red_sessions_in_a_row": (
        "Pause and advise professional help after this many red sessions in a row."
    ),
    "pause_red_sessions_window": "The number of recent sessions looked at for the rule below.",
    "pause_red_sessions_in_window": (
        "Also pause when at least this many of those recent sessions were red."
    ),
    "pause_worse_checkins_in_a_row": (
        "Pause when the next-morning check says 'worse' this many times in a row."
    ),
    "missed_days_for_easier_start": (
        "After this many missed days in a row, the next session starts one step easier."
    ),
    "resume_max_pain": "To resume after a pause for pain, pain now must be at or below this.",
    "max_reps": "Largest reps number a member may report; catches typing slips.",
    "usual_pain_sessions": (
        "The usual pain is the middle of the highest pain of this many latest sessions."
    ),
    "min_days_between_steps": "An exercise steps up no sooner than this many days after its last.",
    "deload_every_steps": "After this many step-ups of an exercise, a lighter week (a step back).",
    "weekly_build_up_points": (
        "Nothing steps up while this week's middle pain is this much over last week's."
    ),
    "pain_persists_weeks": (
        "Weekly pain amber or above, not easing, for this many weeks: review advised, coach told."
    ),
    "replace_after_skips_in_a_row": (
        "An exercise skipped this many sessions in a row is swapped for an easier one."
    ),
    "short_session_percent": "Reps under this percentage of the prescription count as short.",
    "short_sessions_in_a_row": "This many short, green sessions in a row bring the dose down.",
    "missed_days_for_two_steps": "After this many missed days, two steps easier.",
    "missed_days_for_phase_back": "After this many missed days, back a phase to its first steps.",
}

EQUIPMENT_NAMES: dict[Equipment, str] = {
    Equipment.BAND: "resistance band",
    Equipment.BLOCK_OR_STEP: "block or step",
    Equipment.CHAIR_OR_COUNTER: "chair or counter",
}


def default_docs_path() -> Path:
    """Where the generated page lives: `docs/exercises.md` beside `content/`."""
    return default_content_dir().parent / "docs" / "exercises.md"


def render_markdown(library: Library, education: Education | None = None) -> str:
    """The whole review page: programme, rules, every ladder with its variations in order, then
    (when given) the tips with their sources and the flare-up plan."""
    lines = [
        "# Exercise library",
        "",
        f"Generated from `content/` by `{COMMAND}`. Do not edit by hand: change the YAML and",
        "run the command again.",
        "",
        *_programme_section(library),
        *_rules_section(library.rules),
        "## Ladders",
        "",
        "Each ladder runs from easiest to hardest; members move up one variation at a time.",
        "",
    ]
    for ladder in library.ladders:
        lines += _ladder_section(ladder, library)
    if education is not None:
        lines += _education_section(education)
    return "\n".join(lines).rstrip("\n") + "\n"


def _education_section(education: Education) -> list[str]:
    plan = education.flare_plan
    return [
        "## Tips after a session",
        "",
        f"One after each completed session, the one shown least recently; never the same tip "
        f"within {education.repeat_after_days} days.",
        "",
        "| Tip | Topic | Text | Source |",
        "| --- | --- | --- | --- |",
        *(
            f"| `{tip.id}` | {tip.topic.replace('_', ' ')} | {tip.text} | [{tip.source}] |"
            for tip in education.tips
        ),
        "",
        "Sources:",
        "",
        *(f"- [{key}] {reference}" for key, reference in education.sources.items()),
        "",
        "## Flare-up plan (/flare)",
        "",
        *_bullets("Today", plan.today),
        *_bullets("Skip", plan.skip),
        *_bullets("Get help", plan.seek_help),
        f"Then: {plan.offer_ease}",
        "",
    ]


def dose_text(dose: Dose) -> str:
    """A dose in words, e.g. '3 sets × 10–15 reps, each side'."""
    sets = f"{dose.sets} set{'s' if dose.sets > 1 else ''}"
    if dose.is_hold:
        amount = f"{dose.hold_seconds} s hold"
    elif dose.reps_min == dose.reps_max:
        amount = f"{dose.reps_min} reps"
    else:
        amount = f"{dose.reps_min}–{dose.reps_max} reps"
    return f"{sets} × {amount}{', each side' if dose.per_side else ''}"


def _programme_section(library: Library) -> list[str]:
    programme = library.programme
    lines = [
        "## Programme",
        "",
        f"A daily session of {programme.session_minutes_min}–{programme.session_minutes_max} "
        "minutes, drawn from the ladders of the member's current phase.",
        "",
    ]
    for phase in programme.phases:
        names = ", ".join(
            f"{library.ladder(ladder_id).name} (`{ladder_id}`)" for ladder_id in phase.ladders
        )
        lines += [
            f"### Phase {phase.number}: {phase.title} (`{phase.name}`)",
            "",
            phase.summary,
            "",
            f"- **Ladders:** {names}",
            f"- **Moving on:** {_advance_text(phase)}",
            "",
        ]
    return lines


def _advance_text(phase: Phase) -> str:
    advance = phase.advance
    if advance is None:
        return "last phase; members stay here."
    return (
        f"to phase {phase.number + 1} after at least {advance.min_sessions} sessions here, "
        f"when pain in the last {advance.recent_sessions} sessions stayed at or below "
        f"{advance.max_recent_pain}/10 and at least {advance.min_ladders_progressed} "
        f"ladder{'s' if advance.min_ladders_progressed != 1 else ''} moved up."
    )


def _rules_section(rules: Rules) -> list[str]:
    lines = [
        "## Coaching rules",
        "",
        "From `content/rules.yaml`. Pain is the member's own rating, 0 (none) to 10 (worst).",
        "",
        "| Rule | Value | Meaning |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| `{name}` | {value} | {RULE_MEANINGS[name]} |"
        for name, value in _flatten(rules.model_dump())
    ]
    return [*lines, ""]


def _flatten(values: dict[str, object], prefix: str = "") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for key, value in values.items():
        if isinstance(value, dict):
            rows += _flatten(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def _ladder_section(ladder: Ladder, library: Library) -> list[str]:
    phases = [phase.number for phase in library.programme.phases if ladder.id in phase.ladders]
    lines = [
        f"### {ladder.name} (`{ladder.id}`)",
        "",
        ladder.summary,
        "",
        f"Used in phase{'s' if len(phases) > 1 else ''} {', '.join(map(str, phases))}.",
        "",
    ]
    for variation in ladder.ordered():
        lines += _variation_section(variation)
    return lines


def _variation_section(variation: Variation) -> list[str]:
    equipment = ", ".join(EQUIPMENT_NAMES[item] for item in variation.equipment)
    return [
        f"#### {variation.level}. {variation.name} (`{variation.id}`)",
        "",
        f"- **Phase:** {variation.phase}",
        f"- **Position:** {variation.position}",
        f"- **Equipment:** {equipment or 'none'}",
        f"- **Dose:** {dose_text(variation.dose)}{_dose_origin(variation)}",
        f"- **Timing:** {_timing_text(variation)}",
        f"- **Next:** `{variation.next}`" if variation.next else "- **Next:** top of the ladder",
        f"- **Sources:** {', '.join(f'`{source}`' for source in variation.sources)}",
        "",
        "Steps:",
        "",
        *(f"{number}. {step}" for number, step in enumerate(variation.steps, start=1)),
        "",
        *_bullets("Cues", variation.cues),
        *_bullets("Common mistakes", variation.mistakes),
        *_bullets("Stop if", variation.stop_if),
    ]


def _dose_origin(variation: Variation) -> str:
    if variation.dose_origin == "programme":
        return " (the programme's own dose: the sources give none)"
    return ""


def _timing_text(variation: Variation) -> str:
    timing = variation.timing
    parts = [] if timing.seconds_per_rep is None else [f"{timing.seconds_per_rep} s a rep"]
    if timing.directions > 1:
        parts.append(f"{timing.directions} moves each rep")
    parts += [f"{timing.rest_seconds} s rest between sets", f"{timing.setup_seconds} s set-up"]
    return ", ".join(parts)


def _bullets(title: str, items: Sequence[str]) -> list[str]:
    return [f"{title}:", "", *(f"- {item}" for item in items), ""]


def main(argv: Sequence[str] | None = None) -> int:
    """Write docs/exercises.md, or with --check exit 1 when it is out of date."""
    parser = argparse.ArgumentParser(
        prog=COMMAND, description="Generate docs/exercises.md from content/."
    )
    page_arguments(parser, default_docs_path())
    args = parser.parse_args(argv)
    try:
        content = default_content_dir()
        text = render_markdown(load_library(content), load_education(content))
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    return write_or_check(args.output, text, check=args.check, command=COMMAND)


if __name__ == "__main__":
    raise SystemExit(main())
