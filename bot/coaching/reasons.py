"""The plain-language reasons behind every decision, as `/why` shows them to the member.

All the wording lives here so it can be read and reworded in one place: warm, second person, short,
naming the exercise, the numbers and the rule, and never a diagnosis.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from bot.coaching.content import Equipment, Phase, Rules, Variation
from bot.coaching.pain import Zone
from bot.coaching.screening import Urgency
from bot.coaching.state import ActivityLevel, Prescription

_EQUIPMENT_WORDS = {
    Equipment.BAND: "a resistance band",
    Equipment.BLOCK_OR_STEP: "a yoga block or a step",
    Equipment.CHAIR_OR_COUNTER: "a sturdy chair or counter",
}
_SEE_SOMEONE = (
    "Please talk to your GP or a physiotherapist about your back in the next few days, before "
    "you carry on."
)


def the(name: str) -> str:
    """'Clamshell with band' -> 'the clamshell with band' (acronyms such as 'TRX' kept)."""
    if len(name) > 1 and name[1].isupper():
        return f"the {name}"
    return f"the {name[:1].lower()}{name[1:]}"


def dose_text(prescription: Prescription) -> str:
    """'3 sets of 12', '2 sets of 10 per side', '3 holds of 30 seconds per side'."""
    sets = prescription.sets
    if prescription.hold_seconds is not None:
        text = f"{sets} hold{'s' if sets > 1 else ''} of {prescription.hold_seconds} seconds"
    else:
        text = f"{sets} set{'s' if sets > 1 else ''} of {prescription.reps}"
    return f"{text} per side" if prescription.per_side else text


def equipment_text(items: Collection[Equipment]) -> str:
    return " and ".join(_EQUIPMENT_WORDS[item] for item in sorted(items))


# Starting out


def start(baseline_pain: int, activity: ActivityLevel, zone: Zone) -> str:
    if zone is Zone.RED:
        return (
            f"Your back is at {baseline_pain}/10 today, so every exercise starts at its gentlest: "
            "the easiest version, with one set fewer."
        )
    if zone is Zone.AMBER:
        return (
            f"Your back is at {baseline_pain}/10 today, so every exercise starts at the easy end "
            "of its range."
        )
    if activity is ActivityLevel.LOW:
        return (
            "You're mostly sitting at the moment, so every exercise starts at the easy end of its "
            "range and builds from there."
        )
    if activity is ActivityLevel.SOME:
        return (
            f"Your back is at {baseline_pain}/10 and you walk most days, so every exercise starts "
            "at the easy end of its range and builds from there."
        )
    return (
        f"Your back is at {baseline_pain}/10 and you exercise regularly, so every exercise starts "
        "in the middle of its range."
    )


# One exercise after a session


def _sessions(count: int) -> str:
    return {1: "today", 2: "twice in a row"}.get(count, f"{count} times in a row")


def _did_it_all(prescription: Prescription, variation: Variation) -> str:
    if prescription.hold_seconds is not None:
        return f"held all {prescription.sets} holds of {the(variation.name)}"
    return f"did all {prescription.reps} reps of {the(variation.name)}"


def _green_streak(
    prescription: Prescription, variation: Variation, sessions: int, pain_cap: int
) -> str:
    return (
        f"You {_did_it_all(prescription, variation)} {_sessions(sessions)} with pain at "
        f"{pain_cap}/10 or less"
    )


def progress_within_rung(
    old: Prescription, new: Prescription, variation: Variation, sessions: int, pain_cap: int
) -> str:
    change = f"{new.sets} sets" if new.sets != old.sets else f"{new.reps}"
    return f"{_green_streak(old, variation, sessions, pain_cap)}, so next time it's {change}."


def progress_to_next_rung(
    old: Prescription,
    variation: Variation,
    new: Prescription,
    next_rung: Variation,
    sessions: int,
    pain_cap: int,
) -> str:
    return (
        f"{_green_streak(old, variation, sessions, pain_cap)}, so next time you move on to "
        f"{the(next_rung.name)}: {dose_text(new)}."
    )


def top_of_ladder(
    prescription: Prescription, variation: Variation, sessions: int, pain_cap: int
) -> str:
    return (
        f"{_green_streak(prescription, variation, sessions, pain_cap)}. That's the top of this "
        f"exercise, so it stays at {dose_text(prescription)} to keep what you've built."
    )


def needs_equipment(
    prescription: Prescription,
    variation: Variation,
    next_rung: Variation,
    missing: Collection[Equipment],
    sessions: int,
    pain_cap: int,
) -> str:
    return (
        f"{_green_streak(prescription, variation, sessions, pain_cap)}. The next step, "
        f"{the(next_rung.name)}, needs {equipment_text(missing)}, so it stays at "
        f"{dose_text(prescription)} for now."
    )


def next_rung_in_later_phase(
    prescription: Prescription,
    variation: Variation,
    next_rung: Variation,
    sessions: int,
    pain_cap: int,
) -> str:
    return (
        f"{_green_streak(prescription, variation, sessions, pain_cap)}. The next step, "
        f"{the(next_rung.name)}, belongs to phase {next_rung.phase}, so it stays at "
        f"{dose_text(prescription)} until you get there."
    )


def not_yet_enough_green(
    prescription: Prescription, variation: Variation, pain: int, sessions_to_go: int
) -> str:
    more = "One more session" if sessions_to_go == 1 else f"{sessions_to_go} more sessions"
    return (
        f"You {_did_it_all(prescription, variation)} with pain at {pain}/10. "
        f"{more} like that and it steps up."
    )


def amber_pain(prescription: Prescription, variation: Variation, pain: int) -> str:
    return (
        f"Pain was {pain}/10 in {the(variation.name)}: fine to carry on. At this level it steps "
        "up only when your back feels the same or better the morning after a session, so it "
        f"stays at {dose_text(prescription)} for now."
    )


def too_soon_to_step(
    prescription: Prescription, variation: Variation, days: int, rules: Rules
) -> str:
    wait = rules.min_days_between_steps - days
    return (
        f"You {_did_it_all(prescription, variation)}. It last changed {_days_ago(days)}, and "
        f"each exercise steps up about once a week, so it stays at {dose_text(prescription)} for "
        f"{_days(wait)} more."
    )


def lighter_week(variation: Variation, new: Prescription, new_rung: Variation, steps: int) -> str:
    where = f"{the(new_rung.name)}: " if new_rung.id != variation.id else ""
    return (
        f"{the(variation.name).capitalize()} has stepped up {steps} times, so next comes a "
        f"lighter week to let your body catch up: {where}{dose_text(new)}. Then it builds again."
    )


def short_sessions(
    prescription: Prescription, variation: Variation, sessions: int, achieved: int
) -> str:
    if prescription.reps is None:
        return f"You couldn't finish the holds of {the(variation.name)} {_sessions(sessions)}"
    return (
        f"You did up to {achieved} of {prescription.reps} reps of {the(variation.name)} "
        f"{_sessions(sessions)}"
    )


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _days_ago(count: int) -> str:
    return {0: "today", 1: "yesterday"}.get(count, f"{count} days ago")


def fell_short(prescription: Prescription, variation: Variation, reps_done: int | None) -> str:
    if prescription.reps is None:
        return (
            f"You didn't finish every hold of {the(variation.name)}, so next time it's "
            f"{dose_text(prescription)} again."
        )
    return (
        f"You did {reps_done} of {prescription.reps} reps of {the(variation.name)}, so next time "
        f"it's {prescription.reps} again."
    )


def skipped(prescription: Prescription, variation: Variation) -> str:
    return f"You skipped {the(variation.name)} today, so it stays at {dose_text(prescription)}."


def still_skipping(
    variation: Variation, sessions: int, easier: tuple[Prescription, Variation] | None
) -> str:
    lead = f"You've skipped {the(variation.name)} {sessions} sessions in a row"
    if easier is None:
        return f"{lead}. It is at its gentlest; your coach can suggest something else."
    new, new_rung = easier
    where = f"{the(new_rung.name)}, " if new_rung.id != variation.id else ""
    return f"{lead}, so it goes easier again: {where}{dose_text(new)}."


def regress_trigger_hurts(variation: Variation) -> str:
    return f"You skipped {the(variation.name)} because it hurt, which counts as high pain"


def cant_do(variation: Variation, new: Prescription, new_rung: Variation) -> str:
    where = f"{the(new_rung.name)}, " if new_rung.id != variation.id else ""
    return (
        f"You said you couldn't do {the(variation.name)}, so next time it's a step easier: "
        f"{where}{dose_text(new)}."
    )


def cant_do_at_gentlest(prescription: Prescription, variation: Variation) -> str:
    return (
        f"You said you couldn't do {the(variation.name)}. It is already at its gentlest "
        f"({dose_text(prescription)}); if it still doesn't suit you, your coach can help."
    )


def keeps_skipping(
    variation: Variation, sessions: int, easier: tuple[Prescription, Variation] | None
) -> str:
    lead = f"You've skipped {the(variation.name)} {sessions} sessions in a row"
    if easier is None:
        return (
            f"{lead}, and it is already at its gentlest. Your coach has been told, so they can "
            "suggest something that suits you better."
        )
    new, new_rung = easier
    where = f"{the(new_rung.name)}, " if new_rung.id != variation.id else ""
    return (
        f"{lead}, so it's swapped for an easier version: {where}{dose_text(new)}. Your coach "
        "has been told, in case something else would suit you better."
    )


def held_after_red_session(prescription: Prescription, variation: Variation, pain: int) -> str:
    return (
        f"Your pain reached {pain}/10 today, so nothing steps up this time: "
        f"{the(variation.name)} stays at {dose_text(prescription)}."
    )


def held_after_stop(prescription: Prescription, variation: Variation) -> str:
    return (
        f"Today's session stopped because of pain, so nothing steps up: {the(variation.name)} "
        f"stays at {dose_text(prescription)}."
    )


def _day(day: date) -> str:
    """'Thursday 6 March'."""
    return f"{day:%A} {day.day} {day:%B}"


def held_for_flare(prescription: Prescription, variation: Variation, until: date) -> str:
    return (
        f"You're going easy for a flare-up until {_day(until)}, so nothing steps up: "
        f"{the(variation.name)} stays at {dose_text(prescription)}."
    )


def flare_ease(variation: Variation, new: Prescription, new_rung: Variation, until: date) -> str:
    where = f"{the(new_rung.name)}, " if new_rung.id != variation.id else ""
    return (
        f"For your flare-up, {the(variation.name)} goes a step easier: {where}{dose_text(new)}, "
        f"and nothing steps up until {_day(until)}."
    )


def held_after_build_up(
    prescription: Prescription, variation: Variation, this_week: int, last_week: int
) -> str:
    return (
        f"Your pain this week ({this_week}/10 in the middle) is higher than last week's "
        f"({last_week}/10), so nothing steps up until it settles: {the(variation.name)} stays at "
        f"{dose_text(prescription)}."
    )


def not_improving(weeks: tuple[int, ...]) -> str:
    pains = ", ".join(f"{pain}/10" for pain in weeks)
    return (
        f"Your pain has stayed at a moderate level for {len(weeks)} weeks ({pains} in the middle "
        "of each week) without easing. The programme carries on, but please have your back "
        "reviewed by a physiotherapist or your doctor in the next couple of weeks. Your coach "
        "has been told too."
    )


def held_after_worse_checkin(prescription: Prescription, variation: Variation) -> str:
    return (
        "Your back felt worse the morning after your last session, so nothing steps up today: "
        f"{the(variation.name)} stays at {dose_text(prescription)}."
    )


def regress_trigger_red(variation: Variation, pain: int) -> str:
    return f"Pain was {pain}/10 in {the(variation.name)}"


def regress_trigger_rise(variation: Variation, pain: int, usual: int, rules: Rules) -> str:
    return (
        f"Pain was {pain}/10 in {the(variation.name)}, {pain - usual} above your usual "
        f"{usual}/10 (the middle of your last {rules.usual_pain_sessions} sessions' highest pain)"
    )


def usual_pain(usual: int, sessions: int, rules: Rules) -> str:
    """How the usual pain that the rise rule compares with was worked out, for /why."""
    if sessions == 0:
        return f"Your usual pain is {usual}/10: the rating you gave when you started."
    counted = "session" if sessions == 1 else f"{sessions} sessions"
    return (
        f"Your usual pain is {usual}/10: the middle value of the highest pain in your last "
        f"{counted} (and your starting rating until there are {rules.usual_pain_sessions})."
    )


def regress_trigger_stop(variation: Variation) -> str:
    return f"You stopped during {the(variation.name)} because of pain"


def regress(trigger: str, variation: Variation, new: Prescription, new_rung: Variation) -> str:
    if new_rung.id != variation.id:
        return f"{trigger}, so next time it's {the(new_rung.name)}: {dose_text(new)}."
    return f"{trigger}, so next time it's {dose_text(new)}."


def already_gentlest(trigger: str, prescription: Prescription, variation: Variation) -> str:
    return (
        f"{trigger}, and {the(variation.name)} is already at its gentlest "
        f"({dose_text(prescription)}), so it stays there. If pain stays high, the programme "
        "pauses so you can get your back checked."
    )


# The session as a whole


def stop_session(pain: int | None, variation: Variation | None) -> str:
    rest = "Keep gently active within comfort today, rather than resting completely."
    if pain is None or variation is None:
        return f"You stopped today's session because of pain. {rest}"
    return f"Pain reached {pain}/10 in {the(variation.name)}, so today's session stops here. {rest}"


def pause_after_stop() -> str:
    return (
        "The programme is paused. Please talk to your GP or a physiotherapist in the next few "
        "days, before you start again; when you're ready, /resume asks a couple of quick "
        "questions."
    )


def pause_red_in_a_row(sessions: int, rules: Rules) -> str:
    return (
        f"Pain was above {rules.pain_zones.amber_max}/10 in your last {sessions} sessions, so the "
        f"programme is paused. {_SEE_SOMEONE}"
    )


def pause_red_in_window(red: int, window: int, rules: Rules) -> str:
    return (
        f"Pain was above {rules.pain_zones.amber_max}/10 in {red} of your last {window} sessions, "
        f"so the programme is paused. {_SEE_SOMEONE}"
    )


def phase_up(done: Phase, sessions: int, max_pain: int, recent: int, upcoming: Phase) -> str:
    return (
        f"You've done {sessions} sessions of {done.title}, with pain at {max_pain}/10 or less in "
        f"the last {recent}, so you move on to {upcoming.title}."
    )


# Check-ins, pauses and restarts


def worse_checkin() -> str:
    return (
        "Your back feels worse than before your last session, so nothing steps up in your next "
        "session."
    )


def pause_worse_checkins(count: int) -> str:
    return (
        f"Your back felt worse the morning after exercise {count} times in a row, so the "
        f"programme is paused. {_SEE_SOMEONE}"
    )


def red_flag(urgency: Urgency) -> str:
    """The decision's reason, for /why and the coach; the member's advice is in red_flags.yaml."""
    match urgency:
        case Urgency.EMERGENCY:
            return (
                "You reported a symptom that needs a doctor straight away: an emergency "
                "department or your local emergency number, now. The programme stays stopped "
                "until a doctor has checked you."
            )
        case Urgency.DOCTOR_SOON:
            return (
                "You reported a symptom that needs a doctor (your GP) within the next few days. "
                "The programme stays stopped until a doctor has said exercise is OK."
            )
    return (
        "You reported something to mention to your GP or physiotherapist at your next "
        "appointment, within the next few weeks. The programme carries on, with care."
    )


def member_pause() -> str:
    return (
        "You paused the programme. Your progress is kept, and /resume picks up where you left off."
    )


def resume_after_member_pause(rules: Rules) -> str:
    return (
        f"Welcome back. If you've gone {rules.missed_days_for_easier_start} days or more without "
        "a session, the next one starts a step easier."
    )


def resume_after_pain(pain_now: int, phase: Phase) -> str:
    return (
        f"Welcome back. Your back is at {pain_now}/10 now. To be gentle after the pause, you "
        f"restart in {phase.title} with every exercise at its first step, and build up again "
        "from there, about a step a week."
    )


def resume_after_red_flag(pain_now: int, phase: Phase) -> str:
    return (
        f"Welcome back. A clinician has checked you and your back is at {pain_now}/10. To be "
        f"gentle, you restart in {phase.title} with every exercise at its first step, and build "
        "up again from there, about a step a week."
    )


def resume_declined(needs: Collection[str]) -> str:
    return (
        f"Not yet: the programme restarts once {', and '.join(needs)}. Take your time; your "
        "progress is kept."
    )


def need_pain_answer() -> str:
    return "you've told me how your back is right now (0-10)"


def need_lower_pain(pain_now: int, rules: Rules) -> str:
    return f"your back is at {rules.resume_max_pain}/10 or less (it's {pain_now}/10 now)"


def need_professional_or_settled() -> str:
    return "you've seen a GP or physiotherapist (or your symptoms have settled)"


def need_clinician_clearance() -> str:
    return "a doctor or physiotherapist has checked you and said exercise is OK"


# Breaks and equipment


def easier_after_break(
    missed_days: int, variation: Variation, new: Prescription, new_rung: Variation, steps: int = 1
) -> str:
    lead = f"After {missed_days} days without a session, {the(variation.name)}"
    how = "a step easier" if steps == 1 else f"{steps} steps easier"
    if new_rung.id != variation.id:
        return f"{lead} starts {how}: {the(new_rung.name)}, {dose_text(new)}."
    return f"{lead} starts {how}: {dose_text(new)}."


def phase_back(missed_days: int, phase: Phase) -> str:
    return (
        f"After {missed_days} days without a session, you restart in {phase.title} with every "
        "exercise at its first step, and build up again from there, about a step a week."
    )


def equipment_switch(
    variation: Variation, missing: Collection[Equipment], new: Prescription, new_rung: Variation
) -> str:
    return (
        f"Without {equipment_text(missing)}, {the(variation.name)} switches to "
        f"{the(new_rung.name)}: {dose_text(new)}."
    )


def equipment_left_out(ladder_name: str, missing: Collection[Equipment]) -> str:
    return (
        f"You'd need {equipment_text(missing)} for {the(ladder_name)}, so it's left out of your "
        "sessions until you have it."
    )


def equipment_added(rung: Variation, prescription: Prescription) -> str:
    return (
        f"Now that you have {equipment_text(rung.equipment)}, {the(rung.name)} joins your "
        f"sessions: {dose_text(prescription)}."
    )
