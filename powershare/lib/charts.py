"""Charts as SVG text, drawn with matplotlib.

Charts are drawn off-screen (the Agg backend, never a window) with the object-oriented API, so
no global pyplot state is shared between requests. Text stays text in the SVG
(`svg.fonttype = "none"`): it can be read by screen readers, found by search and tested. Every
chart carries a <title> and a <desc>, and pages show the same numbers in a table beside it.
"""

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)

#: Colours from the design system's palette with enough contrast on white (WCAG 1.4.11).
BLUE = "#0065bd"
GREY = "#5e5e5e"
TEXT = "#333333"
GRID = "#d0d0d0"
DEFAULT_COLOURS = (BLUE, GREY, "#00437e", "#949494")

_SVG_SETTINGS = {
    "svg.fonttype": "none",
    # Stable element ids, so the same data draws the same file.
    "svg.hashsalt": "powershare",
    "font.family": "sans-serif",
    "font.sans-serif": ["Roboto", "Arial", "Helvetica", "DejaVu Sans"],
    "font.size": 10,
}


@dataclass
class Series:
    """One set of bars: a name for the legend, one value per category, and optionally the text
    written at the end of each bar (the value itself when not given)."""

    name: str
    values: Sequence[float]
    labels: Sequence[str] | None = None
    colour: str | None = None


def horizontal_grouped_bar_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    value_axis_label: str,
    category_axis_label: str = "",
    value_max: float | None = None,
    value_suffix: str = "",
) -> str:
    """A horizontal bar chart with one group of bars per category, as SVG text.

    Categories are drawn top to bottom in the order given. `value_max` fixes the end of the
    value axis (100 for percentages); `value_suffix` is added to the axis's tick labels.
    """
    if any(len(s.values) != len(categories) for s in series):
        raise ValueError("Every series needs one value per category.")
    with matplotlib.rc_context(_SVG_SETTINGS):
        height = 1.4 + 0.32 * max(1, len(categories)) * max(1, len(series))
        figure = Figure(figsize=(8, height), layout="constrained")
        axes = figure.add_subplot()
        bar_height = 0.8 / max(1, len(series))
        positions = range(len(categories))
        for index, one in enumerate(series):
            offsets = [
                p - 0.4 + bar_height * (index + 0.5) for p in positions
            ]  # the group is centred on its category
            bars = axes.barh(
                offsets,
                one.values,
                height=bar_height * 0.92,
                color=one.colour or DEFAULT_COLOURS[index % len(DEFAULT_COLOURS)],
                label=one.name,
            )
            labels = (
                list(one.labels) if one.labels is not None else [_number(v) for v in one.values]
            )
            axes.bar_label(bars, labels=labels, padding=3, color=TEXT, fontsize=9)
        axes.set_yticks(list(positions), labels=list(categories))
        axes.invert_yaxis()  # the first category at the top
        largest = max((max(s.values, default=0) for s in series), default=0)
        top = value_max if value_max is not None else max(largest, 1)
        # Room beyond the longest bar for its label.
        axes.set_xlim(0, top * 1.3)
        ticks = _ticks(top)
        axes.set_xticks(ticks, labels=[f"{_number(t)}{value_suffix}" for t in ticks])
        axes.set_xlabel(value_axis_label, color=TEXT)
        if category_axis_label:
            axes.set_ylabel(category_axis_label, color=TEXT)
        axes.tick_params(colors=TEXT)
        axes.grid(axis="x", color=GRID, linewidth=0.6)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        # Above the bars, so it never hides one.
        figure.legend(loc="outside upper left", frameon=False, ncols=1)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _with_title(buffer.getvalue(), title=title, description=description)


def _ticks(top: float) -> list[float]:
    if top <= 5:
        step = 1
    else:
        step = next(s for s in (2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if top / s <= 6)
        if top > 6000:
            step = top / 5
    ticks, value = [], 0
    while value <= top + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def _with_title(svg: str, *, title: str, description: str) -> str:
    """Name the drawing for assistive technology: role="img", then <title> and <desc> as the
    first children of the <svg> element."""
    found = _SVG_OPEN.search(svg)
    if found is None:  # matplotlib always writes one; never serve a chart without its name
        raise ValueError("Not an SVG document")
    opening = found.group(0)
    named = opening[:-1] + ' role="img" aria-labelledby="chart-title chart-desc">'
    inner = (
        f'\n <title id="chart-title">{escape(title)}</title>'
        f'\n <desc id="chart-desc">{escape(description)}</desc>'
    )
    return svg[: found.start()] + named + inner + svg[found.end() :]


#: Likert colours, from "strongly disagree" to "strongly agree": darker is stronger, warm is
#: disagreement, blue agreement, grey neither. Each has at least 3:1 contrast with the white
#: lines that separate the segments, and the text drawn on it has at least 4.5:1.
DIVERGING_COLOURS = ("#8a1a03", "#cb4e0b", "#949494", BLUE, "#00437e")
_DARK_TEXT_ON = {"#949494"}


def diverging_stacked_bar_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    segments: Sequence[str],
    values: Sequence[Sequence[float]],
    row_labels: Sequence[str] | None = None,
    neutral: int | None = None,
    colours: Sequence[str] | None = None,
    group_size: int = 1,
    value_axis_label: str = "Share of the people who answered",
    min_label: float = 9,
) -> str:
    """A diverging stacked bar chart (the usual chart of agree-or-disagree answers), as SVG.

    One horizontal bar per category, top to bottom in the order given. `segments` name the
    answers from the most negative to the most positive, and `values` give each category's
    percentage for each segment (of the people who answered). Segments before `neutral` are
    drawn left of zero, those after it right of zero, and the `neutral` one (the middle of an
    odd number, unless given) is split across zero. Each segment wide enough for it shows its
    percentage; `row_labels` (such as "57% agree") are written at the end of each bar.
    `group_size` leaves a small gap after every so many bars (before and after pairs, say).
    """
    if any(len(row) != len(segments) for row in values) or len(values) != len(categories):
        raise ValueError("Give one value per segment for every category.")
    if row_labels is not None and len(row_labels) != len(categories):
        raise ValueError("Give one row label per category.")
    if neutral is None and len(segments) % 2 == 1:
        neutral = len(segments) // 2
    from matplotlib.patches import Patch

    colours = list(colours or _diverging_colours(len(segments)))
    middle = neutral if neutral is not None else len(segments) / 2
    group_size = max(1, group_size)
    positions = [index + 0.4 * (index // group_size) for index in range(len(categories))]
    with matplotlib.rc_context(_SVG_SETTINGS):
        height = 1.6 + 0.42 * max(1, len(categories))
        figure = Figure(figsize=(8, height), layout="constrained")
        axes = figure.add_subplot()
        ends = []
        for row_index, row in enumerate(values):
            half = row[neutral] / 2 if neutral is not None else 0
            negative = sum(v for i, v in enumerate(row) if i < middle)
            left = -(negative + half)
            for index, value in enumerate(row):
                if not value:
                    continue
                colour = colours[index % len(colours)]
                axes.barh(
                    positions[row_index],
                    value,
                    left=left,
                    height=0.72,
                    color=colour,
                    edgecolor="white",
                    linewidth=0.8,
                )
                if value >= min_label:
                    axes.text(
                        left + value / 2,
                        positions[row_index],
                        f"{_number(value)}%",
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="#000000" if colour in _DARK_TEXT_ON else "#ffffff",
                    )
                left += value
            ends.append(left)
        # Every segment in the legend, in order, even one no category has.
        handles = [
            Patch(facecolor=colours[i % len(colours)], edgecolor="white", label=name)
            for i, name in enumerate(segments)
        ]
        if row_labels is not None:
            for row_index, text in enumerate(row_labels):
                axes.text(
                    max(ends[row_index], 0) + 2,
                    positions[row_index],
                    text,
                    ha="left",
                    va="center",
                    fontsize=9,
                    color=TEXT,
                )
        axes.set_yticks(positions, labels=list(categories))
        axes.invert_yaxis()  # the first category at the top
        axes.set_xlim(-100, 100 + (32 if row_labels is not None else 0))
        ticks = [-100, -75, -50, -25, 0, 25, 50, 75, 100]
        axes.set_xticks(ticks, labels=[f"{abs(t)}%" if t else "0" for t in ticks])
        axes.set_xlabel(value_axis_label, color=TEXT)
        axes.tick_params(colors=TEXT)
        axes.grid(axis="x", color=GRID, linewidth=0.6)
        axes.set_axisbelow(True)
        axes.axvline(0, color=TEXT, linewidth=1, zorder=0.9)  # behind the bars
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        figure.legend(
            handles=handles,
            loc="outside upper center",
            frameon=False,
            ncols=len(segments),
            fontsize=9,
        )
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _with_title(buffer.getvalue(), title=title, description=description)


def _diverging_colours(count: int) -> list[str]:
    if count == len(DIVERGING_COLOURS):
        return list(DIVERGING_COLOURS)
    if count == 2:
        return [DIVERGING_COLOURS[1], DIVERGING_COLOURS[3]]
    if count == 3:
        return [DIVERGING_COLOURS[1], DIVERGING_COLOURS[2], DIVERGING_COLOURS[3]]
    return [DIVERGING_COLOURS[i % len(DIVERGING_COLOURS)] for i in range(count)]


#: A heat-map's colours from the lowest level to the highest: white, a light grey, then blues
#: getting darker. Each cell also carries its level's mark as text (never colour alone), drawn
#: in black on the light ones and white on the dark ones, at 4.5:1 or more.
HEATMAP_COLOURS = ("#ffffff", "#d9d9d9", "#b3d4f0", "#5a9bd5", BLUE, "#00437e")
_HEATMAP_WHITE_TEXT_ON = {BLUE, "#00437e"}


def heatmap_chart(
    *,
    title: str,
    description: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[int | None]],
    levels: Sequence[str],
    marks: Sequence[str] | None = None,
    colours: Sequence[str] | None = None,
    row_axis_label: str = "",
    column_axis_label: str = "",
) -> str:
    """A grid of coloured cells (a heat-map), as SVG.

    `rows` are drawn top to bottom and `columns` left to right in the order given. `values`
    gives, for each row, one entry per column: the index of its level in `levels` (which names
    the levels from lowest to highest, for the legend), or None for no cell at all. Each cell
    shows its level's mark (`marks`, the level's number when not given) so that colour is never
    the only way to read it; each drawn cell is a group with the id "heatmap-cell-<row>-<col>".
    """
    if len(values) != len(rows) or any(len(row) != len(columns) for row in values):
        raise ValueError("Give one value per column for every row.")
    from matplotlib.patches import Patch, Rectangle

    colours = list(colours or _heatmap_colours(len(levels)))
    marks = list(marks) if marks is not None else [str(i) for i in range(len(levels))]
    if len(marks) != len(levels):
        raise ValueError("Give one mark per level.")
    with matplotlib.rc_context(_SVG_SETTINGS):
        width = min(14, max(8, 5.5 + 0.9 * len(columns)))
        height = 1.8 + 0.42 * max(1, len(rows))
        figure = Figure(figsize=(width, height), layout="constrained")
        axes = figure.add_subplot()
        for row_index, row in enumerate(values):
            for column_index, value in enumerate(row):
                if value is None:
                    continue
                if not 0 <= value < len(levels):
                    raise ValueError(f"No level {value}.")
                colour = colours[value % len(colours)]
                cell = Rectangle(
                    (column_index, row_index),
                    1,
                    1,
                    facecolor=colour,
                    edgecolor=GREY if colour == "#ffffff" else "white",
                    linewidth=1,
                )
                cell.set_gid(f"heatmap-cell-{row_index}-{column_index}")
                axes.add_patch(cell)
                axes.text(
                    column_index + 0.5,
                    row_index + 0.5,
                    marks[value],
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="#ffffff" if colour in _HEATMAP_WHITE_TEXT_ON else "#000000",
                )
        axes.set_xlim(0, max(1, len(columns)))
        axes.set_ylim(max(1, len(rows)), 0)  # the first row at the top
        axes.set_xticks(
            [i + 0.5 for i in range(len(columns))], labels=list(columns), rotation=30, ha="right"
        )
        axes.set_yticks([i + 0.5 for i in range(len(rows))], labels=list(rows))
        if row_axis_label:
            axes.set_ylabel(row_axis_label, color=TEXT)
        if column_axis_label:
            axes.set_xlabel(column_axis_label, color=TEXT)
        axes.tick_params(colors=TEXT, length=0)
        for side in ("top", "right", "left", "bottom"):
            axes.spines[side].set_visible(False)
        handles = [
            Patch(
                facecolor=colours[i % len(colours)],
                edgecolor=GREY,
                label=f"{marks[i]} {name}" if marks[i] != name else name,
            )
            for i, name in enumerate(levels)
        ]
        figure.legend(
            handles=handles,
            loc="outside upper center",
            frameon=False,
            ncols=min(len(levels), 3),
            fontsize=9,
        )
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _with_title(buffer.getvalue(), title=title, description=description)


def _heatmap_colours(count: int) -> list[str]:
    if count <= len(HEATMAP_COLOURS):
        return list(HEATMAP_COLOURS[len(HEATMAP_COLOURS) - count :])
    return [HEATMAP_COLOURS[i % len(HEATMAP_COLOURS)] for i in range(count)]
