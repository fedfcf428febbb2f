"""The statistics report's charts: a grouped (or stacked) vertical bar chart, drawn once with
``reportlab.graphics`` and written two ways.

- :func:`chart_svg` gives SVG for the screen. Qt's ``QSvgRenderer`` draws it and shapes Tibetan
  itself, so every label is a plain ``<text>`` whose runs name the families the app loads into
  Qt (``Noto Serif Tibetan``, ``AR PL UMing CN``).
- :class:`ChartFlowable` puts the same chart in a PDF: bars, axes and gridlines go through
  ``renderPDF``; every label is drawn by :func:`reports.layout.draw_line`, Tibetan shaped in the
  registered Tibetan face, never wrapped by ReportLab.

Labels are laid out here, not by ReportLab's chart classes (whose labels know one face and no
shaping): category names under their bars (one line; in a bilingual chart Tibetan over
Chinese when ``bo / zh`` does not fit; the size shrinks to a floor of 7 pt before that), the
value axis from 0 in round steps, the unit above it, a legend under the chart.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.platypus import Flowable

from reports.layout import (
    TIBETAN_FONT,
    TIBETAN_SCALE,
    FontFiles,
    Measurer,
    break_points,
    draw_line,
    is_tibetan,
    runs,
)
from reports.notices import Both
from reports.statistics import ChartSpec

ZH, BO, BILINGUAL = "zh", "bo", "bilingual"
MODES = (ZH, BO, BILINGUAL)

# The families Qt knows the shipped fonts by (``ui/core/fonts.py`` loads them).
SVG_FAMILIES = {TIBETAN_FONT: "Noto Serif Tibetan"}
SVG_CHINESE_FAMILY = "AR PL UMing CN"

# Restrained, and still apart when printed in grey: dark and light alternate.
SERIES_COLOURS = ("#2F4B7C", "#9DB3D4", "#B0642A", "#7F7F7F", "#5E7F4F", "#D8BC6A")
TEXT_COLOUR = "#222222"
GRID_GREY = 0.82
AXIS_GREY = 0.35

CATEGORY_SIZE = 9.0
MIN_SIZE = 7.0
TICK_SIZE = 8.0
LEGEND_SIZE = 8.5
TITLE_SIZE = 11.0
PAD = 6.0
SWATCH = 8.0
SVG_WIDTH = 520.0
PLOT_HEIGHT = 160.0


class TextWidths(Protocol):
    """What measures a label: :class:`reports.layout.Measurer`, or :class:`EstimatedWidths`."""

    def width(self, text: str, size: float) -> float: ...


class EstimatedWidths:
    """Widths close to the shipped faces' without their files (for SVG, which Qt lays out
    itself: only the choice of one line or two and of the size depends on them)."""

    def width(self, text: str, size: float) -> float:
        em = 0.0
        for ch in text:
            if unicodedata.category(ch) in ("Mn", "Mc"):
                continue
            if is_tibetan(ch):
                em += (0.25 if ch in "\u0f0b\u0f0d\u0f0e" else 0.66) * TIBETAN_SCALE
            elif unicodedata.east_asian_width(ch) in ("W", "F"):
                em += 1.0
            else:
                em += 0.5
        return em * size


def line_height(text: str, size: float) -> float:
    """Room for one label line: Tibetan stacks reach far above and below the baseline."""
    return size * (1.8 if any(is_tibetan(ch) for ch in text) else 1.3)


def _baseline(text: str, size: float) -> float:
    """The baseline's height above the bottom of the line's room."""
    return size * (0.6 if any(is_tibetan(ch) for ch in text) else 0.3)


def texts(value: Both, mode: str) -> list[str]:
    """The lines a label is printed in: one script, or Tibetan over Chinese."""
    if mode == BO:
        return [value.get("bo")]
    if mode == BILINGUAL and value.bo and value.bo != value.zh:
        return [value.bo, value.zh]
    return [value.zh]


def inline(value: Both, mode: str) -> str:
    """The label on one line: ``bo / zh`` in a bilingual chart."""
    return " / ".join(texts(value, mode))


@dataclass(frozen=True)
class Label:
    """One line of text in drawing coordinates (y up): ``x`` is where ``anchor`` says."""

    text: str
    x: float
    baseline: float
    size: float
    anchor: str = "start"  # "start", "middle" or "end"


@dataclass(frozen=True)
class ChartLayout:
    drawing: Drawing
    labels: list[Label]
    width: float
    height: float


def nice_axis(top: float, integers: bool) -> tuple[float, float]:
    """(maximum, step) of a value axis from 0 that shows ``top`` in about five round steps."""
    if top <= 0:
        return (5.0, 1.0) if integers else (1.0, 0.2)
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    if integers:
        step = max(1.0, float(math.ceil(step)))
    maximum = math.ceil(top / step - 1e-9) * step
    return float(maximum), float(step)


def tick_text(value: float, step: float) -> str:
    """A tick's value with as many decimals as the step needs, thousands grouped."""
    decimals = 0
    while not math.isclose(step * 10 ** decimals, round(step * 10 ** decimals)) \
            and decimals < 6:
        decimals += 1
    return f"{value:,.{decimals}f}"


def _split_chinese(text: str) -> list[str]:
    """A Chinese label too long at the smallest size, in two lines (Tibetan is never cut)."""
    if any(is_tibetan(ch) for ch in text):
        return [text]
    points = break_points(text)
    if not points:
        return [text]
    cut = min(points, key=lambda p: abs(p - len(text) / 2))
    return [text[:cut].rstrip(), text[cut:].lstrip()]


def _category_lines(spec: ChartSpec, mode: str, widths: TextWidths,
                    room: float) -> tuple[list[list[str]], float]:
    """Every category's lines and the one size they are all printed at."""
    sizes = [CATEGORY_SIZE - 0.5 * i for i in range(int((CATEGORY_SIZE - MIN_SIZE) / 0.5) + 1)]
    def fits(lines: list[list[str]], size: float) -> bool:
        return all(widths.width(line, size) <= room for ls in lines for line in ls)

    if mode == BILINGUAL:  # "bo / zh" on one line only at the full size
        one_line = [[inline(c, mode)] for c in spec.categories]
        if fits(one_line, CATEGORY_SIZE):
            return one_line, CATEGORY_SIZE
    lines = [texts(c, mode) for c in spec.categories]
    for size in sizes:
        if fits(lines, size):
            return lines, size
    # Nothing fits at the floor: Chinese lines go on two lines, Tibetan stays whole.
    lines = [[part for line in texts(c, mode) for part in
              (_split_chinese(line) if widths.width(line, MIN_SIZE) > room else [line])]
             for c in spec.categories]
    return lines, MIN_SIZE


def _lines_height(lines: list[str], size: float) -> float:
    return sum(line_height(line, size) for line in lines)


def _stack(lines: list[str], x: float, top: float, size: float, anchor: str) -> list[Label]:
    """Lines one under another from ``top`` down."""
    result = []
    for line in lines:
        room = line_height(line, size)
        result.append(Label(line, x, top - room + _baseline(line, size), size, anchor))
        top -= room
    return result


def _legend(spec: ChartSpec, mode: str, widths: TextWidths,
            width: float) -> tuple[list[list[tuple[list[str], float]]], float]:
    """Legend entries (lines, width) flowed into rows no wider than ``width``; its height."""
    entries = []
    for series in spec.series:
        lines = [inline(series.name, mode)]
        if mode == BILINGUAL and widths.width(lines[0], LEGEND_SIZE) > width / 2.5:
            lines = texts(series.name, mode)
        text_width = max(widths.width(line, LEGEND_SIZE) for line in lines)
        entries.append((lines, SWATCH + 4 + text_width))
    rows: list[list[tuple[list[str], float]]] = []
    for entry in entries:
        if rows and sum(e[1] for e in rows[-1]) + 14 * len(rows[-1]) + entry[1] <= width:
            rows[-1].append(entry)
        else:
            rows.append([entry])
    height = sum(max(_lines_height(e[0], LEGEND_SIZE) for e in row) for row in rows)
    return rows, height + 4 * max(len(rows) - 1, 0)


def layout_chart(spec: ChartSpec, mode: str, widths: TextWidths, width: float,
                 with_title: bool = True, plot_height: float = PLOT_HEIGHT) -> ChartLayout:
    """The chart ``width`` points wide: its drawing (bars, axes, grid, legend swatches) and
    the labels to draw over it."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    n = max(len(spec.categories), 1)
    data = [[float(v) for v in s.values[:n]] + [0.0] * (n - len(s.values[:n]))
            for s in spec.series]
    integers = all(float(v).is_integer() for row in data for v in row)
    if spec.stacked:
        top = max((sum(max(row[i], 0.0) for row in data) for i in range(n)), default=0.0)
    else:
        top = max((v for row in data for v in row), default=0.0)
    maximum, step = nice_axis(top, integers)
    ticks = [step * i for i in range(round(maximum / step) + 1)]
    tick_labels = [tick_text(v, step) for v in ticks]

    labels: list[Label] = []
    y = 0.0  # measured from the top for now, turned over at the end
    heading: list[tuple[list[str], float, float]] = []  # (lines, size, top from the top)
    y += PAD
    if with_title:
        title = texts(spec.title, mode)
        heading.append((title, TITLE_SIZE, y))
        y += _lines_height(title, TITLE_SIZE) + 4
    unit = [inline(spec.unit, mode)] if inline(spec.unit, mode) else []
    tick_width = max(widths.width(t, TICK_SIZE) for t in tick_labels)
    plot_left = PAD + max(tick_width + 5, 18.0)
    plot_right = width - PAD - 4
    plot_width = max(plot_right - plot_left, 40.0)
    slot = plot_width / n
    category_lines, category_size = _category_lines(spec, mode, widths, slot - 6)
    category_height = max((_lines_height(ls, category_size) for ls in category_lines),
                          default=0.0)
    legend_rows, legend_height = _legend(spec, mode, widths, width - 2 * PAD)
    unit_top = y
    if unit:
        y += _lines_height(unit, TICK_SIZE) + 2
    y += TICK_SIZE  # half a tick label above the top gridline
    y += plot_height
    plot_bottom = y
    y += 4
    category_top = y
    y += category_height + 8
    legend_top = y
    y += legend_height + PAD
    height = float(math.ceil(y))  # renderSVG writes whole points in the viewBox

    def up(from_top: float) -> float:
        return height - from_top

    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = plot_left, up(plot_bottom)
    chart.width, chart.height = plot_width, plot_height
    chart.data = data or [[0.0] * n]
    chart.categoryAxis.categoryNames = [inline(c, mode) for c in spec.categories] or [""]
    chart.categoryAxis.visibleLabels = 0
    chart.categoryAxis.visibleTicks = 0
    chart.categoryAxis.strokeColor = colors.Color(AXIS_GREY, AXIS_GREY, AXIS_GREY)
    chart.categoryAxis.strokeWidth = 0.8
    if spec.stacked:
        chart.categoryAxis.style = "stacked"
    value_axis = chart.valueAxis
    value_axis.valueMin, value_axis.valueMax, value_axis.valueStep = 0.0, maximum, step
    value_axis.visibleLabels = 0
    value_axis.visibleTicks = 0
    value_axis.visibleAxis = 0
    value_axis.visibleGrid = 1
    value_axis.gridStrokeColor = colors.Color(GRID_GREY, GRID_GREY, GRID_GREY)
    value_axis.gridStrokeWidth = 0.5
    chart.barWidth = 10
    chart.barSpacing = 1 if len(data) > 1 else 0
    chart.groupSpacing = 8 if spec.stacked else 6 + 2 * len(data)
    for index in range(max(len(data), 1)):
        chart.bars[index].fillColor = colors.HexColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])
        chart.bars[index].strokeColor = colors.white
        chart.bars[index].strokeWidth = 0.4
    drawing.add(chart)

    for lines, size, top_at in heading:
        labels += _stack(lines, width / 2, up(top_at), size, "middle")
    if unit:
        labels += _stack(unit, PAD, up(unit_top), TICK_SIZE, "start")
    for value, text in zip(ticks, tick_labels, strict=True):
        at = up(plot_bottom) + plot_height * value / maximum
        labels.append(Label(text, plot_left - 4, at - TICK_SIZE * 0.32, TICK_SIZE, "end"))
    for index, lines in enumerate(category_lines):
        labels += _stack(lines, plot_left + slot * (index + 0.5), up(category_top),
                         category_size, "middle")
    row_top, series_index = legend_top, 0
    for row in legend_rows:
        row_width = sum(e[1] for e in row) + 14 * (len(row) - 1)
        x = (width - row_width) / 2
        row_height = max(_lines_height(e[0], LEGEND_SIZE) for e in row)
        for lines, entry_width in row:
            # The swatch stands by the first line, centred on its letters.
            first = lines[0]
            middle = up(row_top) - line_height(first, LEGEND_SIZE) \
                + _baseline(first, LEGEND_SIZE) + LEGEND_SIZE * 0.35
            drawing.add(Rect(x, middle - SWATCH / 2, SWATCH, SWATCH, strokeColor=None,
                             fillColor=colors.HexColor(
                                 SERIES_COLOURS[series_index % len(SERIES_COLOURS)])))
            labels += _stack(lines, x + SWATCH + 4, up(row_top), LEGEND_SIZE, "start")
            x += entry_width + 14
            series_index += 1
        row_top += row_height + 4
    return ChartLayout(drawing, labels, width, height)


def _svg_text(label: Label, height: float) -> str:
    # Tibetan set TIBETAN_SCALE larger, as in the PDF.
    scaled = f' font-size="{label.size * TIBETAN_SCALE:g}"'
    spans = "".join(
        f"<tspan font-family={quoteattr(SVG_FAMILIES.get(font, SVG_CHINESE_FAMILY))}"
        f"{scaled if font == TIBETAN_FONT else ''}>"
        f"{escape(part)}</tspan>" for font, part in runs(label.text))
    return (f'<text x="{label.x:.2f}" y="{height - label.baseline:.2f}" '
            f'font-size="{label.size:g}" text-anchor="{label.anchor}" '
            f'fill="{TEXT_COLOUR}" xml:space="preserve">{spans}</text>\n')


def chart_svg(spec: ChartSpec, mode: str, fonts: FontFiles | None = None,
              width: float = SVG_WIDTH) -> bytes:
    """The chart as SVG for ``QSvgRenderer``, with its title; labels name Qt's families.

    With ``fonts`` the labels are measured with the shipped faces (exactly as Qt will draw
    them); without, their widths are estimated.
    """
    widths: TextWidths = Measurer(fonts) if fonts is not None else EstimatedWidths()
    layout = layout_chart(spec, mode, widths, width, with_title=True)
    svg = renderSVG.drawToString(layout.drawing).replace(
        "<title>...</title>", f"<title>{escape(inline(spec.title, mode))}</title>", 1)
    # Qt draws a clipPath's rectangle, black, unless the clipPath is inside <defs>.
    svg = re.sub(r"(<clipPath\b.*?</clipPath>)", r"<defs>\1</defs>", svg, count=1, flags=re.S)
    text = "".join(_svg_text(label, layout.height) for label in layout.labels)
    head, sep, tail = svg.rpartition("</svg>")
    return (head + text + sep + tail).encode("utf-8")


class ChartFlowable(Flowable):  # type: ignore[misc]
    """The chart in a PDF, as wide as the frame; its title is the caller's paragraph."""

    def __init__(self, spec: ChartSpec, mode: str, measurer: Measurer,
                 plot_height: float = PLOT_HEIGHT) -> None:
        super().__init__()
        self.spec, self.mode, self.measurer = spec, mode, measurer
        self.plot_height = plot_height
        self._layout: ChartLayout | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self._layout is None or self._layout.width != avail_width:
            self._layout = layout_chart(self.spec, self.mode, self.measurer, avail_width,
                                        with_title=False, plot_height=self.plot_height)
        self.width, self.height = self._layout.width, self._layout.height
        return self.width, self.height

    def draw(self) -> None:
        assert self._layout is not None, "wrap() first"
        renderPDF.draw(self._layout.drawing, self.canv, 0, 0)
        self.canv.saveState()
        self.canv.setFillColor(colors.black)  # as Tibetan runs' paragraphs are
        for label in self._layout.labels:
            x = label.x
            if label.anchor != "start":
                text_width = self.measurer.width(label.text, label.size)
                x -= text_width / 2 if label.anchor == "middle" else text_width
            draw_line(self.canv, label.text, x, label.baseline, label.size, self.measurer)
        self.canv.restoreState()


__all__ = [
    "BILINGUAL",
    "BO",
    "MODES",
    "ZH",
    "ChartFlowable",
    "ChartLayout",
    "EstimatedWidths",
    "Label",
    "chart_svg",
    "inline",
    "layout_chart",
    "nice_axis",
    "texts",
]
