"""The coach dashboard chart: each member's pain per day and sessions per week, as two heat maps.

One row per member, named on the left, so a coach reads across a row for one person and down a
column for the group. Pain cells take the traffic-light colours of the coaching rules; a blank cell
is a day without a session (exact numbers are in `/dashboard <name>`: printing 28 a row here
would double the drawing time and crowd a phone screen). Rendering is CPU-bound: callers run it
in a worker thread.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, LinearSegmentedColormap, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.charts.style import BLUE, FONT_SIZE, RENDER_LOCK, to_png, zone_bands
from bot.coaching.content import PainZones
from bot.services.dashboard import WEEK, ChartData

ROW_INCHES = 0.36
FRAME_INCHES = 1.9
WIDTH_INCHES = 8
CELL_FONT = FONT_SIZE - 6
LABEL_FONT = FONT_SIZE - 3
MOST_SESSIONS_A_WEEK = 7

_WEEK_COLOURS = LinearSegmentedColormap.from_list("sessions", ["#FFFFFF", BLUE])


def dashboard_figure(data: ChartData, zones: PainZones) -> Figure:
    """The figure itself, so tests can read its labels; `dashboard_png` draws it."""
    rows = len(data.names)
    figure = Figure(
        figsize=(WIDTH_INCHES, FRAME_INCHES + ROW_INCHES * rows), dpi=100, layout="constrained"
    )
    grid = figure.add_gridspec(1, 2, width_ratios=(len(data.days), 2 * len(data.week_starts)))
    pain_axes = figure.add_subplot(grid[0, 0])
    week_axes = figure.add_subplot(grid[0, 1], sharey=pain_axes)
    _draw_pain(pain_axes, data, zones)
    _draw_weeks(week_axes, data)
    zones = [
        Patch(color=colour, label=f"pain {math.ceil(low)}–{math.floor(high)}")
        for low, high, colour, _ in zone_bands(zones)
    ]
    figure.legend(handles=zones, loc="outside lower center", ncols=3, fontsize=LABEL_FONT)
    return figure


def dashboard_png(data: ChartData, zones: PainZones) -> bytes:
    with RENDER_LOCK:
        return to_png(dashboard_figure(data, zones))


def _draw_pain(axes: Axes, data: ChartData, zones: PainZones) -> None:
    bands = zone_bands(zones)
    colours = ListedColormap([colour for _, _, colour, _ in bands])
    steps = BoundaryNorm([bands[0][0], *(high for _, high, _, _ in bands)], colours.N)
    pain = np.array(
        [[np.nan if value is None else value for value in row] for row in data.pain], dtype=float
    ).reshape(len(data.names), len(data.days))
    axes.imshow(
        np.ma.masked_invalid(pain),
        cmap=colours,
        norm=steps,
        aspect="auto",
        interpolation="nearest",
    )
    axes.set_yticks(range(len(data.names)), labels=data.names, fontsize=LABEL_FONT)
    week_columns = range(0, len(data.days), WEEK)
    axes.set_xticks(
        week_columns,
        labels=[f"{data.days[i].day} {data.days[i]:%b}" for i in week_columns],
        fontsize=LABEL_FONT,
    )
    axes.set_title("Pain per session (0–10)", fontsize=FONT_SIZE)
    _grid_lines(axes, len(data.days), len(data.names))


def _draw_weeks(axes: Axes, data: ChartData) -> None:
    sessions = np.array(data.sessions_per_week, dtype=float).reshape(
        len(data.names), len(data.week_starts)
    )
    axes.imshow(
        sessions,
        cmap=_WEEK_COLOURS,
        vmin=0,
        vmax=MOST_SESSIONS_A_WEEK,
        aspect="auto",
        interpolation="nearest",
    )
    for row, counts in enumerate(data.sessions_per_week):
        for column, count in enumerate(counts):
            colour = "white" if count > MOST_SESSIONS_A_WEEK / 2 else "black"
            axes.text(
                column, row, str(count), ha="center", va="center", fontsize=CELL_FONT, color=colour
            )
    axes.set_xticks(
        range(len(data.week_starts)),
        labels=[f"{day.day} {day:%b}" for day in data.week_starts],
        fontsize=LABEL_FONT - 2,
        rotation=60,
    )
    axes.tick_params(axis="y", left=False, labelleft=False)
    axes.set_title("Sessions / week", fontsize=FONT_SIZE)
    _grid_lines(axes, len(data.week_starts), len(data.names))


def _grid_lines(axes: Axes, columns: int, rows: int) -> None:
    """Thin white lines between cells, so neighbouring days and members stay apart.

    Drawn as two line collections: minor ticks would do the same at many times the cost.
    """
    axes.vlines(np.arange(0.5, columns - 1), -0.5, rows - 0.5, colors="white", linewidth=1)
    axes.hlines(np.arange(0.5, rows - 1), -0.5, columns - 0.5, colors="white", linewidth=1)
    for spine in axes.spines.values():
        spine.set_visible(False)
