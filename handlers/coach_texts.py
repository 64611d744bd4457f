"""What the bot says in coach groups and about them: setup, the dashboard, exports and alerts.

The dashboard is a monospace table inside HTML `<pre>`, narrow enough for a phone; every member
name is escaped, as names are typed by members.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from html import escape

from bot.coaching import DecisionKind
from bot.coaching.content import Library
from bot.services.alert_delivery import PendingAlert
from bot.services.alerts import AlertKind
from bot.services.dashboard import (
    DecisionLine,
    MemberDetail,
    MemberRow,
    MemberState,
    Trend,
)
from bot.services.spreadsheet import safe_cell

GROUP_COMMAND_MENU: tuple[tuple[str, str], ...] = (
    ("dashboard", "How every member is doing (admins)"),
    ("coach", "Set up this group and get the invite link (admins)"),
)

COACH_IN_PRIVATE = (
    "Coaching works in a Telegram group: add me to your group, then send /coach there. "
    "I'll answer with an invite link for your members."
)
COACH_NOT_ADMIN = "Sorry, only this group's admins can set up coaching here."
COACH_LINK = (
    "This is a hipcoach coach group.\n\n"
    "Invite link for your members:\n{link}\n\n"
    "Members agree before you see anything, and can leave any time with /leavecoach.\n"
    "/dashboard – how everyone is doing\n"
    "/coach newlink – a new link (the old one stops working at once)"
)
COACH_NEW_LINK = (
    "New invite link:\n{link}\n\n"
    "The old link no longer works. Members who already joined stay in the group."
)

DASHBOARD_IN_PRIVATE = (
    "Send /dashboard in your coach group: I'll send it to you here, in our private chat, "
    "so members' health data stays with the group's admins."
)
# The deep-link payload that opens the private chat for an admin (`/start coach`).
START_PAYLOAD = "coach"
SENT_PRIVATELY = "Sent to you privately."
START_ME_FIRST = (
    "Members' data goes to admins in a private chat, and you haven't started one with me yet. "
    "Tap {link} , press Start, then send /dashboard here again."
)
PRIVATE_CHAT_READY = (
    "All set: I'll send your coach groups' dashboards and alerts here. "
    "Send /dashboard in your group to get it."
)
NOT_STAFF_ONLY_ANY_MORE = (
    "This group now has members who aren't admins, so dashboards go to admins privately. "
    "Send /dashboard to get yours."
)
ALERTS_WAITING = (
    "There are new coach alerts. They go to admins in a private chat, and none of you has "
    "started one with me yet: tap {link} and press Start."
)
NOT_ADMIN = "Sorry, only this group's admins can see the dashboard."
ANONYMOUS_ADMIN = (
    "I can't check who you are while you post anonymously as the group. "
    "Turn off “Remain anonymous” in your admin rights, then try again."
)
NOT_A_COACH_GROUP = "This group isn't a coach group yet. An admin can set it up with /coach."
NO_MEMBERS = (
    "No members yet. Share the invite link (/coach shows it): members appear here once they "
    "join and agree to share."
)
UNKNOWN_MEMBER = "No member called “{name}” in this group. /dashboard lists everyone."
AMBIGUOUS_MEMBER = "“{name}” could be {names}. Send /dashboard with the name as the list shows it."
STALE_BUTTON = "This dashboard is out of date. Send /dashboard for a fresh one."

LEFT_GROUP = (
    "Done: you've left {title}. Your coach no longer sees anything about you, "
    "and your own programme carries on as before."
)
NO_GROUP_TO_LEAVE = "You're not in a coach group, so there's nothing to leave."

PREVIOUS = "‹ Prev"
NEXT = "Next ›"
REFRESH = "↻ Refresh"

STATE_CODES = {
    MemberState.RED_FLAG: "FLAG",
    MemberState.PAUSED_PAIN: "PAIN",
    MemberState.INACTIVE: "OFF",
    MemberState.MISSING: "MISS",
    MemberState.PAUSED_BY_MEMBER: "pause",
    MemberState.ACTIVE: "ok",
    MemberState.ONBOARDING: "new",
}
STATE_WORDS = {
    MemberState.RED_FLAG: "red flag: advised to see a clinician",
    MemberState.PAUSED_PAIN: "paused for pain",
    MemberState.INACTIVE: "inactive: has blocked the bot",
    MemberState.MISSING: "active, but no session for 3+ days",
    MemberState.PAUSED_BY_MEMBER: "paused by the member",
    MemberState.ACTIVE: "active",
    MemberState.ONBOARDING: "still setting up",
}
ARROWS = {Trend.UP: "↑", Trend.DOWN: "↓", Trend.FLAT: "→", Trend.UNKNOWN: ""}
TREND_WORDS = {Trend.UP: "up", Trend.DOWN: "down", Trend.FLAT: "flat", Trend.UNKNOWN: ""}
LEGEND = (
    "Lvl phase·mean rung · 7/28 sessions in 7/28 days · Pain last, 7-day average, trend vs "
    "the week before\n"
    "FLAG red flag · PAIN paused for pain · MISS 3+ days missed · OFF blocked the bot · "
    "pause paused by member · new setting up\n"
    "The weekly PEG score (0–10) is on each member's page and in the csv\n"
    "/dashboard &lt;name&gt; for one member · /dashboard csv for a spreadsheet"
)

NAME_WIDTH = 8
TABLE_HEADER = f"{'Name':<{NAME_WIDTH}} {'Lvl':<5} {'7/28':>5} {'Last':<5} {'Pain':<6} St"

CHART_CAPTION_ALL = "Pain per session (0–10) and sessions per week, last 28 days."
CHART_CAPTION_PAGE = (
    "Pain per session (0–10) and sessions per week, last 28 days: the {shown} members of "
    "page 1 (those needing attention first)."
)
CSV_COLUMNS = (
    "name",
    "status",
    "phase",
    "level",
    "sessions_7d",
    "sessions_28d",
    "last_session",
    "last_pain",
    "avg_pain_7d",
    "avg_pain_prev_7d",
    "pain_trend",
    "peg_latest",
    "peg_week1",
    "peg_change",
)
CSV_CAPTION = "{title}: {count} members, {day}."

ALERT_LINES = {
    AlertKind.PAIN_PAUSE: "⏸ {name}: programme paused for pain. A call may help.",
    AlertKind.RED_FLAG: (
        "🚩 {name}: reported a symptom that needs a clinician and was advised to get checked. "
        "Please get in touch."
    ),
    AlertKind.MISSED_DAYS: "📭 {name}: no session for 3 days in a row.",
    AlertKind.NOT_IMPROVING: (
        "📉 {name}: pain has not eased for 3 weeks; advised to have it reviewed. A call may help."
    ),
    AlertKind.KEEPS_SKIPPING: "⏭ {name}: keeps skipping one exercise; it was made easier.",
    AlertKind.CLINICIAN_NOTE: (
        "📝 {name}: mentioned something to tell their clinician; the programme goes on with care."
    ),
    AlertKind.WORSE_WHILE_PAUSED: "⚠️ {name}: paused, and says their back is worse. Please call.",
}
ALERT_FOOTER = "/dashboard <name> shows the details."

DECISION_WORDS = {
    DecisionKind.START: "Started",
    DecisionKind.PROGRESS: "Harder",
    DecisionKind.HOLD: "Same",
    DecisionKind.REGRESS: "Easier",
    DecisionKind.STOP_SESSION: "Session stopped",
    DecisionKind.PAUSE: "Paused",
    DecisionKind.RED_FLAG: "Red flag",
    DecisionKind.EASIER_AFTER_BREAK: "Easier after a break",
    DecisionKind.PHASE_UP: "Next phase",
    DecisionKind.RESUME: "Resumed",
    DecisionKind.RESUME_DECLINED: "Not resumed yet",
    DecisionKind.MEMBER_PAUSE: "Paused by member",
    DecisionKind.EQUIPMENT: "Equipment changed",
    DecisionKind.NOT_IMPROVING: "Not improving",
    DecisionKind.KEEPS_SKIPPING: "Keeps skipping",
    DecisionKind.PHASE_BACK: "Earlier phase",
    DecisionKind.LIGHTER_WEEK: "Lighter week",
    DecisionKind.FLARE_EASE: "Easier for a flare-up",
}


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def start_link(bot_username: str) -> str:
    """One tap opens the private chat with the bot, as an admin must before getting data."""
    return invite_link(bot_username, START_PAYLOAD)


def short_day(day: date | None) -> str:
    return "–" if day is None else f"{day.day}{day:%b}"


def _level(row: MemberRow) -> str:
    if row.phase is None:
        return "–"
    return f"{row.phase}" if row.mean_rung is None else f"{row.phase}·{row.mean_rung:.1f}"


def _pain(row: MemberRow) -> str:
    if row.last_pain is None:
        return "–"
    average = "–" if row.avg_pain_7d is None else f"{row.avg_pain_7d:.1f}"
    return f"{row.last_pain} {average}{ARROWS[row.trend]}"


def _name(name: str) -> str:
    """The name cut to the column; a number that tells two same-named members apart is kept."""
    if len(name) <= NAME_WIDTH:
        return name
    base, _, number = name.rpartition(" ")
    suffix = f" {number}" if base and number.isdigit() else ""
    return name[: NAME_WIDTH - 1 - len(suffix)] + "…" + suffix


def table_line(row: MemberRow) -> str:
    sessions = f"{row.sessions_7d}/{row.sessions_28d}"
    return (
        f"{_name(row.name):<{NAME_WIDTH}} {_level(row):<5} {sessions:>5} "
        f"{short_day(row.last_session):<5} {_pain(row):<6} {STATE_CODES[row.state]}"
    )


def _peg_words(row: MemberRow) -> str:
    if row.peg_latest is None:
        return "Weekly PEG: not answered yet"
    since = (
        "its first week"
        if row.peg_first is None
        else f"week 1 {row.peg_first:.1f}, change {row.peg_change:+.1f}"
    )
    return f"Weekly PEG (0–10, lower is better): latest {row.peg_latest:.1f}, {since}"


def dashboard_page(
    title: str,
    rows: Sequence[MemberRow],
    shown: Sequence[MemberRow],
    page: int,
    pages: int,
    updated: datetime,
) -> str:
    """The table for one page, as HTML: a header line, the `<pre>` table, the legend."""
    heading = f"<b>{escape(title)}</b> · {len(rows)} members"
    if pages > 1:
        heading += f" · page {page + 1}/{pages}"
    lines = [TABLE_HEADER, *(table_line(row) for row in shown)]
    table = escape("\n".join(lines))
    stamp = f"Updated {updated:%H:%M} ({updated.tzname()})"
    return f"{heading}\n<pre>{table}</pre>\n{LEGEND}\n{stamp}"


def member_page(detail: MemberDetail, library: Library) -> str:
    """One member: where they are, their recent sessions, and the decisions with their reasons."""
    row = detail.row
    level = "–" if row.phase is None else f"phase {row.phase}"
    if row.mean_rung is not None:
        level += f", level {row.mean_rung:.1f}"
    lines = [
        f"<b>{escape(row.name)}</b> · {level} · {STATE_WORDS[row.state]}",
        f"Sessions: {row.sessions_7d} in the last 7 days, {row.sessions_28d} in 28",
        f"Pain: last {_or_dash(row.last_pain)}, 7-day average {_average(row.avg_pain_7d)}"
        f"{ARROWS[row.trend]} (week before {_average(row.avg_pain_prev_7d)})",
        _peg_words(row),
        "",
        "<b>Recent sessions</b>",
    ]
    if detail.sessions:
        session_lines = [
            f"{short_day(s.local_date):<5} {s.status:<11} {s.exercises_done}/{s.exercises} "
            f"pain {_or_dash(s.max_pain)}"
            for s in detail.sessions
        ]
        lines.append(f"<pre>{escape(chr(10).join(session_lines))}</pre>")
    else:
        lines.append("None yet.")
    lines += ["", "<b>Coaching decisions</b>"]
    if not detail.decisions:
        lines.append("None yet.")
    for decision in detail.decisions:
        what = DECISION_WORDS.get(decision.kind, decision.kind)
        change = _change(library, decision)
        lines.append(
            f"{short_day(decision.local_date)} · <b>{escape(what)}</b>{escape(change)}: "
            f"{escape(decision.reason)}"
        )
    return "\n".join(lines)


def _change(library: Library, decision: DecisionLine) -> str:
    """' Clamshell → Clamshell with band' for a change of exercise, else the exercise family."""
    before, after = decision.from_variation, decision.to_variation
    if before and after and before != after:
        return f" {_exercise(library, before)} → {_exercise(library, after)}"
    if decision.ladder_id:
        return f" {_ladder(library, decision.ladder_id)}"
    return ""


def _or_dash(value: int | None) -> str:
    return "–" if value is None else str(value)


def _average(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _exercise(library: Library, variation_id: str) -> str:
    try:
        return library.variation(variation_id).name
    except KeyError:
        return variation_id


def _ladder(library: Library, ladder_id: str) -> str:
    try:
        return library.ladder(ladder_id).name
    except KeyError:
        return ladder_id


def chart_caption(shown: int, total: int) -> str:
    return CHART_CAPTION_ALL if shown == total else CHART_CAPTION_PAGE.format(shown=shown)


def ambiguous(typed: str, names: Sequence[str]) -> str:
    listed = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
    return AMBIGUOUS_MEMBER.format(name=typed, names=listed)


def dashboard_csv(rows: Sequence[MemberRow]) -> bytes:
    """The dashboard as a spreadsheet: one row per member, the table's columns spelt out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            (
                safe_cell(row.name),
                row.state.value,
                _blank(row.phase),
                "" if row.mean_rung is None else f"{row.mean_rung:.1f}",
                row.sessions_7d,
                row.sessions_28d,
                "" if row.last_session is None else row.last_session.isoformat(),
                _blank(row.last_pain),
                "" if row.avg_pain_7d is None else f"{row.avg_pain_7d:.1f}",
                "" if row.avg_pain_prev_7d is None else f"{row.avg_pain_prev_7d:.1f}",
                TREND_WORDS[row.trend],
                "" if row.peg_latest is None else f"{row.peg_latest:.1f}",
                "" if row.peg_first is None else f"{row.peg_first:.1f}",
                "" if row.peg_change is None else f"{row.peg_change:+.1f}",
            )
        )
    # A byte-order mark lets spreadsheet apps read accented names as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def _blank(value: int | None) -> str | int:
    return "" if value is None else value


def alert_message(alerts: Sequence[PendingAlert]) -> str:
    """One short message for the alerts pending in a group: a line each, no member's own words."""
    lines = [ALERT_LINES[alert.kind].format(name=alert.member_name) for alert in alerts]
    return "\n".join([*lines, "", ALERT_FOOTER])


def private_alert_message(title: str, alerts: Sequence[PendingAlert]) -> str:
    """The same, in an admin's private chat, where the group has to be named."""
    return f"«{title}»\n{alert_message(alerts)}"
