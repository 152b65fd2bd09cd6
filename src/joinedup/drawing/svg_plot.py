"""Charts as SVG text: a plot area, numeric and banded axes, bars, lines, reference lines, error
bars, a legend and a title.

Why we draw our own: the reports' charts are simple, and writing their SVG directly takes a few
milliseconds, where matplotlib took about 0.7 s to import and 0.4 s to draw a report's charts,
over a second of a 4 s run on a small store (issue 13). Libraries that draw faster could not draw
the ambition lines (pygal) or took seconds to start (vl-convert). No browser code runs, so a
report stays one self-contained file that opens offline (board papers are read on locked-down NHS
machines). Standard library only, and deterministic: the same input gives the same bytes.

Sizes are CSS pixels (96 to the inch). Nothing here measures text, so margins come from the
labels' lengths at a generous width per character.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

TEXT = "#212b32"
AXIS = "#4c6272"
GRID = "#d8dde0"
TICK_FONT = 11
LABEL_FONT = 12
TITLE_FONT = 14
CHARACTER_WIDTH = 0.6
"""An average character's width as a share of the font size, generously (sans-serif runs about
0.5): label margins are worked out from the labels' lengths, so they must not come out short."""
TICK = 4  # length of a tick mark
GAP = 3  # between a tick and its label
PAD = 8  # around the chart's edges and between its parts
SWATCH = 18  # width of a legend entry's sample
DASHES = {"solid": "", "dashed": "6 3", "dotted": "1.5 2.5"}


def text_width(text: str, size: float = TICK_FONT) -> float:
    """The width `text` takes at `size` px, over- rather than under-estimated."""
    return CHARACTER_WIDTH * size * len(text)


def nice_step(span: float, count: int = 5) -> float:
    """The step of 1, 2 or 5 x 10^n nearest (by ratio) to cutting `span` (> 0) into `count`."""
    raw = span / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return min((m * magnitude for m in (1, 2, 5, 10)), key=lambda s: abs(math.log(s / raw)))


def nice_ticks(lo: float, hi: float, count: int = 5, min_step: float = 0.0) -> list[float]:
    """Round ticks from at or below `lo` to at or above `hi`, about `count` steps in all.

    Steps of 1, 2 or 5 x 10^n are the ones a reader can interpolate between; `min_step` keeps a
    count of people from getting fractional ticks. An empty range is widened, so an all-zero
    series still gets an axis rather than a division by zero.
    """
    lo, hi = min(lo, hi), max(lo, hi)
    if hi == lo:
        hi = lo + max(1.0, min_step, abs(lo) / 10)
    step = max(nice_step(hi - lo, count), min_step)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def tick_label(value: float, step: float) -> str:
    """A tick's text: thousands separators, and as many decimals as the step needs."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{value + 0.0:,.{decimals}f}"  # + 0.0 turns -0.0 into 0.0


class Linear:
    """A numeric axis from `lo` to `hi` (`extend` widens it to the round ticks around them).

    Positions are clamped to the axis, so a bar past a fixed limit (a detection rate over 100% on
    a 0-100 axis) stops at the edge, as a clipped one would.
    """

    def __init__(
        self,
        lo: float,
        hi: float,
        label: str = "",
        *,
        extend: bool = True,
        grid: bool = False,
        min_step: float = 0.0,
        count: int = 5,
    ) -> None:
        ticks = nice_ticks(lo, hi, count, min_step)
        if extend:
            lo, hi = ticks[0], ticks[-1]
        if hi <= lo:
            hi = max(ticks[-1], lo + 1)
        self.lo, self.hi, self.label, self.grid = lo, hi, label, grid
        step = ticks[1] - ticks[0]
        slack = (hi - lo) * 1e-9
        self.ticks = [(t, tick_label(t, step)) for t in ticks if lo - slack <= t <= hi + slack]
        self.rotate = False
        self.start = self.end = 0.0

    def place(self, start: float, end: float) -> None:
        """Put `lo` at pixel `start` and `hi` at pixel `end`."""
        self.start, self.end = start, end

    def __call__(self, value: float) -> float:
        share = min(1.0, max(0.0, (value - self.lo) / (self.hi - self.lo)))
        return self.start + share * (self.end - self.start)

    def tick_marks(self) -> list[tuple[float, str]]:
        return [(self(value), text) for value, text in self.ticks]


class Bands:
    """Categories in equal bands, the first at the top of a vertical axis or the left of a
    horizontal one; a bar fills `fill` of its band. `rotate` slants the labels at 45 degrees."""

    def __init__(
        self,
        labels: Sequence[object],
        label: str = "",
        *,
        rotate: bool = False,
        grid: bool = False,
        fill: float = 0.8,
    ) -> None:
        self.labels = [str(x) for x in labels]
        self.label, self.rotate, self.fill, self.grid = label, rotate, fill, grid
        self.start = self.step = 0.0

    def place(self, start: float, end: float) -> None:
        self.start, self.step = start, (end - start) / max(1, len(self.labels))

    def __call__(self, index: float) -> float:
        """The centre of band `index`."""
        return self.start + (index + 0.5) * self.step

    @property
    def thickness(self) -> float:
        return abs(self.step) * self.fill

    def tick_marks(self) -> list[tuple[float, str]]:
        return [(self(i), text) for i, text in enumerate(self.labels)]


Axis = Linear | Bands


@dataclass(frozen=True)
class Key:
    """A legend entry: a filled box (bars) or a line, solid, dashed or dotted."""

    label: str
    colour: str
    mark: str = "box"


def _n(value: float) -> str:
    """A coordinate to 0.1 px: plenty on screen, and short, stable text."""
    text = f"{round(value, 1) + 0.0:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = TICK_FONT,
    anchor: str = "start",
    rotate: int = 0,
    centre: bool = False,
) -> str:
    attrs = f'x="{_n(x)}" y="{_n(y)}"'
    if size != TICK_FONT:
        attrs += f' font-size="{size}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if centre:  # middle of the letters on y, rather than their baseline
        attrs += ' dy="0.35em"'
    if rotate:
        attrs += f' transform="rotate({rotate} {_n(x)} {_n(y)})"'
    return f"<text {attrs}>{escape(text)}</text>"


def _line(
    x1: float, y1: float, x2: float, y2: float, colour: str, width: float = 1.0, dash: str = "solid"
) -> str:
    extra = f' stroke-dasharray="{DASHES[dash]}"' if DASHES[dash] else ""
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{colour}"'
        f' stroke-width="{width:g}"{extra}/>'
    )


def _rect(x: float, y: float, width: float, height: float, colour: str) -> str:
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" fill="{colour}"/>'
    )


def _bands(axis: Axis) -> Bands:
    if not isinstance(axis, Bands):
        raise TypeError("bars and error bars need a Bands axis across them")
    return axis


def _longest(axis: Axis, size: int = TICK_FONT) -> float:
    return max((text_width(text, size) for _, text in axis.tick_marks()), default=0.0)


class Plot:
    """One chart: a plot area inside margins worked out from its title, legend and tick labels.

    `height` is the plot area's, so a chart of bars grows with its rows. Marks are drawn in the
    order they are added, over the grid and under the axes, legend and title. The legend sits in
    a row above the plot area, or with `legend_right` in a column beside it: never over the data.
    """

    def __init__(
        self,
        title: str,
        x: Axis,
        y: Axis,
        *,
        width: float = 672,
        height: float = 240,
        legend: Sequence[Key] = (),
        legend_right: bool = False,
    ) -> None:
        self.title, self.x, self.y = title, x, y
        self.legend, self.legend_right = list(legend), legend_right and bool(legend)
        top = PAD + TITLE_FONT + PAD + (TICK_FONT + PAD if legend and not legend_right else 0)
        labels = x.tick_marks()
        first = text_width(labels[0][1]) if labels else 0.0
        last = text_width(labels[-1][1]) if labels else 0.0
        # Room left for the y labels and title, and for a slanted or centred first x label.
        left = PAD + TICK + GAP + _longest(y) + (LABEL_FONT + PAD if y.label else 0)
        left = max(left, PAD + (0.71 * first if x.rotate else first / 2))
        right = PAD + (0 if x.rotate else last / 2)
        if self.legend_right:
            right = 2 * PAD + SWATCH + 4 + max(text_width(k.label) for k in self.legend)
        below = 0.71 * (_longest(x) + TICK_FONT) if x.rotate else TICK_FONT
        bottom = TICK + GAP + below + (GAP + LABEL_FONT if x.label else 0) + PAD
        self.left, self.right = left, width - right
        self.top, self.bottom = top, top + height
        self.width, self.height = width, math.ceil(top + height + bottom)
        x.place(self.left, self.right)
        if isinstance(y, Bands):
            y.place(self.top, self.bottom)
        else:
            y.place(self.bottom, self.top)
        self._marks: list[str] = []

    def hbars(
        self,
        values: Sequence[float | None],
        colour: str,
        starts: Sequence[float | None] | None = None,
    ) -> None:
        """Bars along the y bands, from zero or from `starts` (stacked on an earlier series).
        A missing or zero value draws nothing."""
        bands = _bands(self.y)
        for i, value in enumerate(values):
            if not value:
                continue
            start = (starts[i] or 0) if starts is not None else 0
            a, b = self.x(start), self.x(start + value)
            self._marks.append(
                _rect(
                    min(a, b), bands(i) - bands.thickness / 2, abs(b - a), bands.thickness, colour
                )
            )

    def vbars(
        self, values: Sequence[float | None], colour: str, *, group: int = 0, groups: int = 1
    ) -> None:
        """Bars up from zero on the x bands; with `groups` > 1, the `group`-th of each cluster.
        A missing or zero value draws nothing."""
        bands = _bands(self.x)
        width = bands.thickness / groups
        for i, value in enumerate(values):
            if not value:
                continue
            left = bands(i) - bands.thickness / 2 + group * width
            top, base = self.y(value), self.y(0)
            self._marks.append(_rect(left, min(top, base), width, abs(base - top), colour))

    def line(
        self,
        xs: Sequence[float],
        ys: Sequence[float | None],
        colour: str,
        *,
        width: float = 2.0,
        dots: bool = False,
    ) -> None:
        """A line through the points, broken where a value is None; `dots` marks each point.
        A point with no neighbour gets a dot anyway, so no value goes undrawn."""
        runs: list[list[tuple[float, float]]] = [[]]
        for x, y in zip(xs, ys, strict=True):
            if y is None:
                runs.append([])
            else:
                runs[-1].append((self.x(x), self.y(y)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{_n(px)},{_n(py)}" for px, py in run)
                self._marks.append(
                    f'<polyline points="{points}" fill="none" stroke="{colour}"'
                    f' stroke-width="{width:g}" stroke-linejoin="round"/>'
                )
            if dots or len(run) == 1:
                self._marks.extend(
                    f'<circle cx="{_n(px)}" cy="{_n(py)}" r="{width + 1:g}" fill="{colour}"/>'
                    for px, py in run
                )

    def vline(self, value: float, colour: str, *, width: float = 1.0, dash: str = "solid") -> None:
        """A reference line across the plot at x = `value`."""
        x = self.x(value)
        self._marks.append(_line(x, self.top, x, self.bottom, colour, width, dash))

    def hline(self, value: float, colour: str, *, width: float = 1.0, dash: str = "solid") -> None:
        """A reference line across the plot at y = `value`."""
        y = self.y(value)
        self._marks.append(_line(self.left, y, self.right, y, colour, width, dash))

    def error_bar(
        self,
        index: int,
        low: float,
        high: float,
        colour: str,
        *,
        width: float = 1.5,
        cap: float = 4.0,
    ) -> None:
        """An interval from `low` to `high` across y band `index`, with caps at its ends."""
        y = _bands(self.y)(index)
        a, b = self.x(low), self.x(high)
        self._marks.append(_line(a, y, b, y, colour, width))
        self._marks.extend(_line(x, y - cap, x, y + cap, colour, width) for x in (a, b))

    def svg(self) -> str:
        """The chart as one <svg> element, with no XML prolog, to sit inline in HTML."""
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(self.width)} '
            f'{self.height}" width="{_n(self.width)}" height="{self.height}" role="img" '
            f'font-family="sans-serif" font-size="{TICK_FONT}" fill="{TEXT}">'
        )
        parts = [
            head,
            f"<title>{escape(self.title)}</title>",
            *self._grid(),
            *self._marks,
            *self._axes(),
            *self._legend(),
            _text(PAD, PAD + TITLE_FONT, self.title, size=TITLE_FONT),
            "</svg>",
        ]
        return "\n".join(parts)

    def _grid(self) -> list[str]:
        lines = []
        if self.x.grid:
            lines += [_line(x, self.top, x, self.bottom, GRID) for x, _ in self.x.tick_marks()]
        if self.y.grid:
            lines += [_line(self.left, y, self.right, y, GRID) for y, _ in self.y.tick_marks()]
        return lines

    def _axes(self) -> list[str]:
        x, y = self.x, self.y
        parts = [
            _line(self.left, self.bottom, self.right, self.bottom, AXIS),
            _line(self.left, self.top, self.left, self.bottom, AXIS),
        ]
        for px, text in x.tick_marks():
            parts.append(_line(px, self.bottom, px, self.bottom + TICK, AXIS))
            if x.rotate:
                parts.append(
                    _text(px, self.bottom + TICK + GAP, text, anchor="end", rotate=-45, centre=True)
                )
            else:
                parts.append(_text(px, self.bottom + TICK + GAP + TICK_FONT, text, anchor="middle"))
        for py, text in y.tick_marks():
            parts.append(_line(self.left - TICK, py, self.left, py, AXIS))
            parts.append(_text(self.left - TICK - GAP, py, text, anchor="end", centre=True))
        if x.label:
            below = 0.71 * (_longest(x) + TICK_FONT) if x.rotate else TICK_FONT
            parts.append(
                _text(
                    (self.left + self.right) / 2,
                    self.bottom + TICK + GAP + below + GAP + LABEL_FONT,
                    x.label,
                    size=LABEL_FONT,
                    anchor="middle",
                )
            )
        if y.label:
            parts.append(
                _text(
                    PAD + LABEL_FONT,
                    (self.top + self.bottom) / 2,
                    y.label,
                    size=LABEL_FONT,
                    anchor="middle",
                    rotate=-90,
                )
            )
        return parts

    def _legend(self) -> list[str]:
        if self.legend_right:
            x, step = self.right + 2 * PAD, TICK_FONT + 6
            return [
                part
                for i, key in enumerate(self.legend)
                for part in _key(key, x, self.top + TICK_FONT / 2 + i * step)
            ]
        widths = [SWATCH + 4 + text_width(key.label) + 2 * PAD for key in self.legend]
        x = max(PAD, self.right - sum(widths) + 2 * PAD)  # right-aligned over the plot
        y = PAD + TITLE_FONT + PAD + TICK_FONT / 2
        parts = []
        for key, width in zip(self.legend, widths, strict=True):
            parts += _key(key, x, y)
            x += width
        return parts


def _key(key: Key, x: float, y: float) -> list[str]:
    """A legend entry whose sample starts at `x`, centred on `y`."""
    if key.mark == "box":
        sample = _rect(x + 4, y - 5, 10, 10, key.colour)
    else:
        sample = _line(x, y, x + SWATCH, y, key.colour, 2, key.mark)
    return [sample, _text(x + SWATCH + 4, y, key.label, centre=True)]
