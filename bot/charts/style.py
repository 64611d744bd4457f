"""One look for every chart: readable on a phone, colour-blind-safe, drawn without a display."""

from __future__ import annotations

import io

# Figures are built without pyplot, so no GUI backend is ever loaded: safe on a headless server.
from matplotlib.axes import Axes
from matplotlib.figure import Figure

# Okabe-Ito palette: distinguishable with every common colour-vision deficiency.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILION = "#D55E00"
SKY = "#56B4E9"
GREY = "#999999"
SERIES = (BLUE, ORANGE, GREEN, VERMILION, SKY, "#CC79A7", "#F0E442", "#000000")

FONT_SIZE = 14
ZONE_BANDS = ((0, 2.5, GREEN, "green"), (2.5, 5.5, ORANGE, "amber"), (5.5, 10.5, VERMILION, "red"))


def new_figure(rows: int = 1, height: float = 4.5) -> tuple[Figure, list[Axes]]:
    """A phone-shaped figure; using Figure directly (not pyplot) keeps it thread-safe."""
    figure = Figure(figsize=(8, height * rows), dpi=100, layout="constrained")
    axes = [figure.add_subplot(rows, 1, row + 1) for row in range(rows)]
    for ax in axes:
        ax.tick_params(labelsize=FONT_SIZE - 2)
        ax.spines[["top", "right"]].set_visible(False)
    return figure, axes


def shade_pain_zones(ax: Axes) -> None:
    """Green, amber and red bands behind a 0-10 pain axis, as the coaching rules read the scale."""
    for low, high, colour, _ in ZONE_BANDS:
        ax.axhspan(low, high, color=colour, alpha=0.12, linewidth=0)
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks(range(0, 11, 2))


def to_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
