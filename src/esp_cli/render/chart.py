"""The KPI trend as a PNG picture, for the evening e-mail and the docs (matplotlib).

matplotlib is imported here only, inside `trend_png`, so only a command that draws pays
for it (about 0.3 s). The picture is the same bytes for the same figures on every run and
every machine with the same matplotlib: the default style is reset first (a person's
matplotlibrc changes nothing), the font is the DejaVu Sans matplotlib ships, the size and
resolution are fixed, and the PNG carries no software or time stamp.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from esp_cli.core.kpi import TrendDay

# Drawn at twice the size the e-mail shows it (560 x 240 CSS px), so it stays sharp on a
# high-density screen and when Outlook scales it.
WIDTH_PX, HEIGHT_PX = 1120, 480
SHOWN_WIDTH, SHOWN_HEIGHT = 560, 240
DPI = 200
MAX_LABELS = 10  # date labels on the axis; a longer period labels every k-th day
MAX_MARKED = 25  # days up to which each point is marked
SERIES = (
    # (TrendDay field, legend, colour, marker)
    ("open", "Open", "#1f3864", "o"),
    ("behind_target", "Behind target", "#c55a11", "s"),
    ("completed", "Completed that day", "#2e7d32", "^"),
)
_STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.edgecolor": "#888888",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.5,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "legend.frameon": False,
    "savefig.facecolor": "#ffffff",
    "figure.facecolor": "#ffffff",
}


def trend_png(trend: Sequence[TrendDay]) -> bytes:
    """Open agents, agents behind target and completions, one point per business day."""
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    style: Any = _STYLE  # matplotlib types rc keys as a Literal of every name
    with matplotlib.style.context("default", after_reset=True), matplotlib.rc_context(style):
        fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        xs = list(range(len(trend)))
        peak = 0
        for key, label, colour, marker in SERIES:
            ys = [getattr(point, key) for point in trend]
            peak = max([peak, *ys])
            shown = marker if len(trend) <= MAX_MARKED else None  # a long period: lines only
            ax.plot(xs, ys, label=label, color=colour, marker=shown, markersize=3, linewidth=1.4)
        step = max(1, -(-len(trend) // MAX_LABELS))
        ax.set_xticks(xs[::step], [f"{p.day:%a}\n{p.day:%m/%d}" for p in trend][::step])
        ax.set_xlim(-0.4, max(len(trend) - 0.6, 0.4))
        ax.set_ylim(0, max(peak, 1) * 1.08)  # whole agents, from 0, even when all are 0
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("Agents")
        ax.legend(loc="upper left", ncols=3, bbox_to_anchor=(0, 1.16), borderaxespad=0)
        fig.subplots_adjust(left=0.095, right=0.985, top=0.86, bottom=0.16)
        buf = io.BytesIO()
        canvas.print_png(buf, metadata={"Software": None})  # type: ignore[no-untyped-call]
    return buf.getvalue()
