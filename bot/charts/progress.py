"""The member's `/progress` chart: pain per session above sessions done per week against the plan.

Both panels share one axis of days, so a week's bar sits under that week's pain points and the
level changes above them line up with both. Rendering is synchronous and CPU-bound: callers run it
in a worker thread (`asyncio.to_thread`), never on the event loop.
"""

from __future__ import annotations

from datetime import date

from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from bot.charts.style import (
    BLUE,
    FONT_SIZE,
    GREEN,
    GREY,
    ORANGE,
    RENDER_LOCK,
    SKY,
    new_figure,
    to_png,
    zone_bands,
)
from bot.coaching import DecisionKind
from bot.coaching.content import PainZones
from bot.services.progress import ProgressReport

ZONE_ALPHA = 0.12
# Level-change markers ride in a clear strip above the pain scale, where no point can hide them.
MARKER_ROW = 11.3
PAIN_AXIS_TOP = 12
MARKER_SIZE = 13
TITLE_SIZE = FONT_SIZE + 2
LABEL_SIZE = FONT_SIZE - 2

UP_KINDS = (DecisionKind.PROGRESS, DecisionKind.PHASE_UP)


def render_progress_chart(report: ProgressReport, zones: PainZones) -> bytes:
    """The chart as PNG bytes, sized and lettered for a phone screen."""
    with RENDER_LOCK:
        figure, (pain_axes, week_axes) = new_figure(rows=2, height=4.2)
        days_shown = len(report.weeks) * 7
        for axes in (pain_axes, week_axes):
            axes.set_xlim(-0.7, days_shown - 0.3)
            axes.set_xticks(range(0, days_shown, 7))
            axes.set_xticklabels([_day_label(week.first_day) for week in report.weeks])
        _draw_pain(pain_axes, report, zones)
        _draw_weeks(week_axes, report)
        return to_png(figure)


def _draw_pain(axes: Axes, report: ProgressReport, zones: PainZones) -> None:
    _shade_zones(axes, zones, right_edge=len(report.weeks) * 7 - 0.5)
    xs = [_x(report, point.day) for point in report.points]
    axes.plot(
        xs, [point.max_pain for point in report.points], color=BLUE, linewidth=2.5, marker="o"
    )
    ups = [_x(report, change.day) for change in report.level_changes if change.kind in UP_KINDS]
    downs = [
        _x(report, change.day)
        for change in report.level_changes
        if change.kind is DecisionKind.REGRESS
    ]
    # On a day with both, the two markers sit side by side instead of on top of each other.
    both = set(ups) & set(downs)
    axes.plot(
        [x - 0.3 if x in both else x for x in ups],
        [MARKER_ROW] * len(ups),
        linestyle="none",
        marker="^",
        markersize=MARKER_SIZE,
        color=GREEN,
        markeredgecolor="black",
    )
    axes.plot(
        [x + 0.3 if x in both else x for x in downs],
        [MARKER_ROW] * len(downs),
        linestyle="none",
        marker="v",
        markersize=MARKER_SIZE,
        color=ORANGE,
        markeredgecolor="black",
    )
    axes.set_ylim(-0.5, PAIN_AXIS_TOP)
    axes.set_yticks(range(0, 11, 2))
    axes.set_title("Pain after each session (0–10)", loc="left", fontsize=TITLE_SIZE)
    axes.legend(
        handles=[
            Line2D([], [], color=BLUE, linewidth=2.5, marker="o", label="highest pain"),
            _marker_key("^", GREEN, "moved up"),
            _marker_key("v", ORANGE, "eased back"),
        ],
        loc="lower left",
        bbox_to_anchor=(0, 1.08),
        ncol=3,
        frameon=False,
        fontsize=LABEL_SIZE,
        handletextpad=0.3,
        columnspacing=1.2,
    )


def _shade_zones(axes: Axes, zones: PainZones, right_edge: float) -> None:
    """The rules' green, amber and red bands, each named in words, not by colour alone."""
    for low, high, colour, name in zone_bands(zones):
        axes.axhspan(low, high, color=colour, alpha=ZONE_ALPHA, linewidth=0)
        axes.text(
            right_edge,
            (low + high) / 2,
            name,
            ha="right",
            va="center",
            fontsize=LABEL_SIZE,
            color=GREY,
        )


def _draw_weeks(axes: Axes, report: ProgressReport) -> None:
    centres = [index * 7 + 3 for index in range(len(report.weeks))]
    planned = [week.planned for week in report.weeks]
    axes.bar(centres, planned, width=6, color="none", edgecolor=GREY, linestyle="--", linewidth=1.5)
    axes.bar(centres, [week.done for week in report.weeks], width=6, color=SKY, edgecolor=BLUE)
    for centre, week in zip(centres, report.weeks, strict=True):
        if week.planned:
            axes.text(
                centre,
                max(week.done, week.planned) + 0.2,
                f"{week.done}/{week.planned}",
                ha="center",
                va="bottom",
                fontsize=FONT_SIZE,
            )
    axes.set_ylim(0, 9)
    axes.set_yticks(range(0, 8, 7))
    axes.set_title("Sessions per week (dashed: the plan)", loc="left", fontsize=TITLE_SIZE)


def _marker_key(shape: str, colour: str, label: str) -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="none",
        marker=shape,
        markersize=MARKER_SIZE - 2,
        color=colour,
        markeredgecolor="black",
        label=label,
    )


def _x(report: ProgressReport, day: date) -> int:
    return (day - report.first_day).days


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b}"
