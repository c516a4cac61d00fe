"""Server-rendered SVG pictures for the analytics pages (pure Python; the pages mark the
output safe). Every text that reaches the markup goes through ``escape``.

Why SVG from the server rather than a chart library: the pictures are grids of coloured cells
and a few dots, which SVG draws directly; they print (the fairness report has a print layout),
work without JavaScript, ship no vendored library to keep current, and the numbers behind each
cell are computed once, in the same selectors the exports read.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

GAP_RED = "#c0392b"
EMPTY = "#eef1f4"


SHADES = 12  # colour steps of a heatmap: few enough that one path per colour stays small


def shade(value: float, high: float, *, hue: tuple[int, int, int] = (29, 78, 137)) -> str:
    """A colour from near white (0) to ``hue`` (``high`` and above), in ``SHADES`` steps."""
    if high <= 0 or value <= 0:
        return EMPTY
    t = math.ceil(min(value / high, 1.0) * SHADES) / SHADES
    r, g, b = (round(255 - (255 - c) * (0.15 + 0.85 * t)) for c in hue)
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass(frozen=True)
class Cell:
    fill: str
    title: str
    text: str = ""  # drawn inside the cell when it is wide enough
    outline: str = ""  # a stroke colour (the limit-breaking days)


# Up to this many cells a heatmap draws one <rect> per cell with its own hover title; above it
# (a year of 170 people x 53 weeks is 9 010 cells, 8 shift types x 365 days 2 920) one <path>
# per colour and one hover title per row: a 1.1 MB page became ~0.2 MB, and the exports carry
# every cell's number.
CELL_TITLES_UP_TO = 1500


def titled(rows: int, columns: int) -> bool:
    """Whether a grid of this size gets a hover title per cell (else one per row)."""
    return rows * columns <= CELL_TITLES_UP_TO


def grid(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[Cell]],
    *,
    label: str,
    cell_width: int = 16,
    cell_height: int = 14,
    row_label_width: int = 150,
    column_every: int = 1,
    row_titles: Sequence[str] | None = None,
) -> str:
    """A heatmap: one coloured square per (row, column), row labels on the left and every
    ``column_every``-th column label on top. ``row_titles`` (hover text of a whole row) are
    used when the grid is too large for a title per cell."""
    top = 34
    width = row_label_width + cell_width * len(columns) + 4
    height = top + cell_height * len(rows) + 4
    per_cell = titled(len(rows), len(columns))
    w, h = cell_width - 1, cell_height - 1
    out = [
        f'<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
    ]
    for j, column in enumerate(columns):
        if j % column_every == 0:
            x = row_label_width + j * cell_width + 2
            out.append(
                f'<text x="{x}" y="{top - 6}" font-size="10" fill="#5f6b7a" '
                f'transform="rotate(-40 {x} {top - 6})">{escape(column)}</text>'
            )
    squares: dict[str, list[str]] = defaultdict(list)  # fill -> subpaths (large grids)
    marks: list[str] = []  # outlines and numbers, drawn over the squares
    for i, (row, row_cells) in enumerate(zip(rows, cells, strict=True)):
        y = top + i * cell_height
        out.append(
            f'<text x="{row_label_width - 6}" y="{y + cell_height - 3}" font-size="11" '
            f'text-anchor="end" fill="#1f2933">{escape(row)}</text>'
        )
        for j, cell in enumerate(row_cells):
            x = row_label_width + j * cell_width
            stroke = f' stroke="{cell.outline}" stroke-width="2"' if cell.outline else ""
            if per_cell:
                out.append(
                    f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{cell.fill}"{stroke}>'
                    f"<title>{escape(cell.title)}</title></rect>"
                )
            else:
                squares[cell.fill].append(f"M{x} {y}h{w}v{h}h-{w}z")
                if stroke:
                    marks.append(
                        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none"{stroke}/>'
                    )
            if cell.text and cell_width >= 18:
                marks.append(
                    f'<text x="{x + cell_width / 2 - 0.5}" y="{y + cell_height - 4}" '
                    f'font-size="9" text-anchor="middle" fill="#1f2933">{escape(cell.text)}</text>'
                )
    out += [f'<path fill="{fill}" d="{"".join(d)}"/>' for fill, d in squares.items()]
    out += marks
    if not per_cell:
        band = cell_width * len(columns) - 1
        for i, title in enumerate(row_titles if row_titles is not None else rows):
            out.append(
                f'<rect x="{row_label_width}" y="{top + i * cell_height}" width="{band}" '
                f'height="{h}" fill="transparent"><title>{escape(title)}</title></rect>'
            )
    out.append("</svg>")
    return "".join(out)


def strip(values: Sequence[float], own: float, *, label: str, width: int = 220) -> str:
    """Peers' values as grey dots on one axis, the viewer's own value as a larger blue dot.
    No names: the dots carry only values."""
    low, high = min([*values, own, 0.0]), max([*values, own])
    span = (high - low) or 1.0

    def x(v: float) -> float:
        return 8 + (width - 16) * (v - low) / span

    dots = "".join(
        f'<circle cx="{x(v):.1f}" cy="12" r="3.5" fill="#9aa5b1" fill-opacity=".7"/>'
        for v in values
    )
    return (
        f'<svg class="strip" viewBox="0 0 {width} 24" width="{width}" height="24" role="img" '
        f'aria-label="{escape(label)}"><line x1="8" y1="12" x2="{width - 8}" y2="12" '
        f'stroke="#cbd2d9"/>{dots}<circle cx="{x(own):.1f}" cy="12" r="6" fill="#1d4e89"/></svg>'
    )


def scatter(
    points: Sequence[tuple[float, float, str, bool]],
    *,
    x_label: str,
    y_label: str,
    width: int = 560,
    height: int = 320,
    links: Sequence[str] = (),
    labels: Sequence[str] = (),
    join: bool = True,
) -> str:
    """Points (x, y, title, highlighted) on two axes, lower-left best (both minimised).
    ``links``: each point's page (the dot is a link); ``labels``: a short text beside each dot;
    ``join``: a dashed line through the points in x order (a two-objective front; a projection
    of a larger front is not one)."""
    pad = 44
    xs = [p[0] for p in points] or [0.0]
    ys = [p[1] for p in points] or [0.0]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    xs_span, ys_span = (x1 - x0) or 1.0, (y1 - y0) or 1.0

    def px(v: float) -> float:
        return pad + (width - 2 * pad) * (v - x0) / xs_span

    def py(v: float) -> float:
        return height - pad - (height - 2 * pad) * (v - y0) / ys_span

    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(y_label)} against {escape(x_label)}">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#9aa5b1"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#9aa5b1"/>',
        f'<text x="{width / 2}" y="{height - 10}" font-size="12" text-anchor="middle" '
        f'fill="#1f2933">{escape(x_label)} ({x0:g}–{x1:g})</text>',
        f'<text x="14" y="{height / 2}" font-size="12" text-anchor="middle" fill="#1f2933" '
        f'transform="rotate(-90 14 {height / 2})">{escape(y_label)} ({y0:g}–{y1:g})</text>',
    ]
    ordered = sorted(points)
    if join and len(ordered) > 1:
        line = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y, _, _ in ordered)
        out.append(
            f'<polyline points="{line}" fill="none" stroke="#9aa5b1" stroke-dasharray="4 3"/>'
        )
    for i, (x, y, title, hot) in enumerate(points):
        fill, r = ("#c0392b", 7) if hot else ("#1d4e89", 5)
        dot = (
            f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="{r}" fill="{fill}">'
            f"<title>{escape(title)}</title></circle>"
        )
        if i < len(labels):
            dot += (
                f'<text x="{px(x) + r + 3:.1f}" y="{py(y) - r:.1f}" font-size="11" '
                f'fill="#1f2933">{escape(labels[i])}</text>'
            )
        if i < len(links):
            dot = f'<a href="{escape(links[i])}">{dot}</a>'
        out.append(dot)
    out.append("</svg>")
    return "".join(out)
