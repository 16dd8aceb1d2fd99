"""The KPI trend as a PNG picture, for the evening e-mail and the docs (Pillow).

A line chart of three series over the period's business days, drawn with Pillow: lines,
markers, a light grid, whole-agent ticks from 0 and the days as labels. Pillow is imported
here only, inside `trend_png`, so only a command that draws pays for it (about 30 ms, and
about 20 ms to draw). The picture is drawn at twice its size and each 2 x 2 block of it
averaged into one pixel, which smooths its lines and letters as a chart library's
anti-aliasing would; it is the same bytes for the same figures on every run and every
machine with the same Pillow: the font is the one Pillow ships, the size is fixed, and the
PNG carries no software name or time.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from esp_cli.core.kpi import TrendDay

if TYPE_CHECKING:
    from PIL.ImageDraw import ImageDraw

# Drawn at twice the size the e-mail shows it (560 x 240 CSS px), so it stays sharp on a
# high-density screen and when Outlook scales it.
WIDTH_PX, HEIGHT_PX = 1120, 480
SHOWN_WIDTH, SHOWN_HEIGHT = 560, 240
MAX_LABELS = 10  # date labels on the axis; a longer period labels every k-th day
MAX_MARKED = 25  # days up to which each point is marked
MAX_TICKS = 9  # figures on the y axis at most
SERIES = (
    # (TrendDay field, legend, colour, marker)
    ("open", "Open", "#1f3864", "o"),
    ("behind_target", "Behind target", "#c55a11", "s"),
    ("completed", "Completed that day", "#2e7d32", "^"),
)

_SCALE = 2  # drawn at this many times the picture's size, then scaled down (smooth edges)
_FONT_PX = 23  # letters' size in the picture (8.5 pt at 200 dpi)
_LINE_PX = 4.0  # a series' line width
_MARK_PX = 9.0  # a marker's width
# The plot area within the picture (left, top, right, bottom), in picture pixels.
_PLOT = (106, 67, 1103, 403)
_AXIS = "#888888"
_GRID = "#dddddd"
_TEXT = "#444444"
_LABEL = "#000000"


def trend_px(
    trend: Sequence[TrendDay], left: float = _PLOT[0]
) -> tuple[list[float], float, list[int]]:
    """Where the days go across the plot (x in picture pixels, the plot starting at `left`),
    the top of the y axis (in agents) and its ticks: whole agents from 0, at most MAX_TICKS
    of them, with a little room above the highest point (when every figure is 0, the axis
    still goes to 1)."""
    _left, _top, right, _bottom = _PLOT
    n = len(trend)
    lo, hi = -0.4, max(n - 0.6, 0.4)
    xs = [left + (i - lo) / (hi - lo) * (right - left) for i in range(n)]
    peak = max([1, *(getattr(p, key) for p in trend for key, *_ in SERIES)])
    y_top = peak * 1.08
    step = _nice_step(y_top)
    ticks = list(range(0, int(y_top) + 1, step))
    return xs, y_top, ticks


def _nice_step(y_top: float) -> int:
    """The smallest step of 1, 2, 4 or 5 times a power of ten that needs at most MAX_TICKS
    ticks from 0 to `y_top`."""
    power = 1
    while True:
        for m in (1, 2, 4, 5):
            step = m * power
            if math.floor(y_top / step) + 1 <= MAX_TICKS:
                return step
        power *= 10


def load_pillow() -> None:
    """Load what drawing the picture takes from Pillow (about 20 ms): called by a command
    that will draw it, before it reads the tracker, this is done while the tracker is
    still being parsed on a thread of its own rather than after it is read."""
    from PIL import Image, ImageDraw, ImageFont, PngImagePlugin  # noqa: F401


def trend_png(trend: Sequence[TrendDay]) -> bytes:
    """Open agents, agents behind target and completions, one point per business day."""
    from PIL import Image, ImageDraw

    scalable = _scalable()
    s = _SCALE if scalable else 1  # a bitmap font keeps its size: drawn as it is shown
    image = Image.new("RGB", (WIDTH_PX * s, HEIGHT_PX * s), "#ffffff")
    draw = ImageDraw.Draw(image)
    font = _font(_FONT_PX * s, scalable)
    _, y_top, ticks = trend_px(trend)
    figures = [f"{tick:,}" for tick in ticks]
    # The plot starts right of the widest figure, itself right of the axis title: 1,250,000
    # agents push it right rather than run under the title or off the picture.
    widest = max(draw.textlength(f, font=font) for f in figures) / s
    left_px = max(_PLOT[0], 24 + _FONT_PX / 2 + 12 + widest + 14)
    xs, y_top, ticks = trend_px(trend, left_px)
    xs = [x * s for x in xs]
    left, top, right, bottom = left_px * s, _PLOT[1] * s, _PLOT[2] * s, _PLOT[3] * s

    def y_of(value: float) -> float:
        return bottom - value / y_top * (bottom - top)

    # The grid and the y axis: a tick and a figure for each step.
    for tick, figure in zip(ticks, figures, strict=True):
        y = y_of(tick)
        draw.line([(left, y), (right, y)], fill=_GRID, width=int(1.5 * s))
        draw.line([(left - 10 * s, y), (left, y)], fill=_AXIS, width=int(1.6 * s))
        _text(draw, (left - 14 * s, y), figure, font, _TEXT, "right middle")
    draw.line([(left, top), (left, bottom)], fill=_AXIS, width=int(1.6 * s))
    draw.line([(left, bottom), (right, bottom)], fill=_AXIS, width=int(1.6 * s))
    _vertical_text(image, "Agents", font, (24 * s, (top + bottom) // 2))

    # The days: a tick and "Tue / 11/24" under each labelled day.
    step = max(1, -(-len(trend) // MAX_LABELS))
    for x, point in list(zip(xs, trend, strict=True))[::step]:
        draw.line([(x, bottom), (x, bottom + 10 * s)], fill=_AXIS, width=int(1.6 * s))
        label = f"{point.day:%a}\n{point.day:%m/%d}"
        _text(draw, (x, bottom + 16 * s), label, font, _TEXT, "centre top", 4 * s)

    # The series, each a line with a marker on each point (a long period: lines only).
    marked = len(trend) <= MAX_MARKED
    for key, _label, colour, marker in SERIES:
        points = [(x, y_of(getattr(p, key))) for x, p in zip(xs, trend, strict=True)]
        if len(points) > 1:
            draw.line(points, fill=colour, width=round(_LINE_PX * s), joint="curve")
        if marked or len(points) == 1:
            for at in points:
                _marker(draw, marker, at, _MARK_PX * s, colour)

    # The legend above the plot, in one row.
    x = _PLOT[0] * s
    y = 33 * s
    for _key, label, colour, marker in SERIES:
        draw.line([(x, y), (x + 56 * s, y)], fill=colour, width=round(_LINE_PX * s))
        _marker(draw, marker, (x + 28 * s, y), _MARK_PX * s, colour)
        x += 68 * s
        _text(draw, (x, y), label, font, _LABEL, "left middle")
        x += round(draw.textlength(label, font=font)) + 44 * s

    # Each pixel the mean of the 2 x 2 drawn for it: the smoothing of supersampling, a tenth
    # of the time a Lanczos resize takes (2 ms against 23 ms).
    picture = image.reduce(s) if s > 1 else image
    buf = _PngFile()
    picture.save(buf, optimize=False, compress_level=6)
    return buf.getvalue()


class _PngFile(io.BytesIO):
    """The picture's bytes, named as a .png: Pillow then loads its PNG writer alone, where
    asked for the format by name it loads its five commonest (13 ms)."""

    name = "trend.png"


def _scalable() -> bool:
    """Whether Pillow can draw its own scalable font (it was built with FreeType, as every
    Pillow wheel is)."""
    from PIL import features

    return bool(features.check("freetype2"))


def _font(size: int, scalable: bool) -> Any:
    """The sans-serif font Pillow ships, at `size` pixels; else its small bitmap font
    (smaller letters, the same chart)."""
    from PIL import ImageFont

    return ImageFont.load_default(size=size) if scalable else ImageFont.load_default_imagefont()


def _text(
    draw: ImageDraw,
    at: tuple[float, float],
    text: str,
    font: Any,
    colour: str,
    where: str,
    spacing: int = 4,
) -> None:
    """`text` placed by its box (any font, a bitmap one too): `where` says which of its
    edges or middles goes at `at` ("right middle", "left middle", "centre top"); lines
    are centred on each other."""
    left, top, right, bottom = draw.multiline_textbbox(
        (0, 0), text, font=font, align="center", spacing=spacing
    )
    across, down = where.split()
    x = {"left": at[0] - left, "right": at[0] - right, "centre": at[0] - (left + right) / 2}
    y = {"top": at[1] - top, "middle": at[1] - (top + bottom) / 2}
    draw.multiline_text(
        (x[across], y[down]), text, fill=colour, font=font, align="center", spacing=spacing
    )


def _marker(draw: ImageDraw, kind: str, at: tuple[float, float], size: float, colour: str) -> None:
    x, y = at
    r = size / 2
    if kind == "o":
        draw.ellipse([(x - r, y - r), (x + r, y + r)], fill=colour)
    elif kind == "s":
        draw.rectangle([(x - r, y - r), (x + r, y + r)], fill=colour)
    else:  # a triangle pointing up
        h = r * 1.15
        draw.polygon([(x, y - h), (x - h, y + h * 0.8), (x + h, y + h * 0.8)], fill=colour)


def _vertical_text(image: Any, text: str, font: Any, centre: tuple[int, int]) -> None:
    """`text` written bottom to top, centred on `centre` (the y axis' title)."""
    from PIL import Image, ImageDraw

    box = ImageDraw.Draw(image).textbbox((0, 0), text, font=font)
    width, height = round(box[2] - box[0]), round(box[3] - box[1])
    label = Image.new("RGB", (width + 4, height + 4), "#ffffff")
    ImageDraw.Draw(label).text((2 - box[0], 2 - box[1]), text, fill=_LABEL, font=font)
    turned = label.rotate(90, expand=True)
    image.paste(turned, (centre[0] - turned.width // 2, centre[1] - turned.height // 2))
