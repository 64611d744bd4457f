"""One look for every chart: readable on a phone, colour-blind-safe, drawn without a display."""

from __future__ import annotations

import io
import threading

# Figures are built without pyplot, so no GUI backend is ever loaded: safe on a headless server.
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.coaching.content import PainZones

# Okabe-Ito palette: distinguishable with every common colour-vision deficiency.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILION = "#D55E00"
SKY = "#56B4E9"
GREY = "#999999"
SERIES = (BLUE, ORANGE, GREEN, VERMILION, SKY, "#CC79A7", "#F0E442", "#000000")

FONT_SIZE = 14
PAIN_TOP = 10.5

# matplotlib shares font and text-layout caches between figures without promising thread safety,
# so charts (drawn in worker threads, off the event loop) are drawn one at a time.
RENDER_LOCK = threading.Lock()


def new_figure(rows: int = 1, height: float = 4.5) -> tuple[Figure, list[Axes]]:
    """A phone-shaped figure with large lettering and no chart junk."""
    figure = Figure(figsize=(8, height * rows), dpi=100, layout="constrained")
    axes = [figure.add_subplot(rows, 1, row + 1) for row in range(rows)]
    for ax in axes:
        ax.tick_params(labelsize=FONT_SIZE - 2)
        ax.spines[["top", "right"]].set_visible(False)
    return figure, axes


def zone_bands(zones: PainZones) -> tuple[tuple[float, float, str, str], ...]:
    """(low, high, colour, name) of the green, amber and red bands, as the rules read the scale."""
    return (
        (-0.5, zones.green_max + 0.5, GREEN, "green"),
        (zones.green_max + 0.5, zones.amber_max + 0.5, ORANGE, "amber"),
        (zones.amber_max + 0.5, PAIN_TOP, VERMILION, "red"),
    )


def to_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
