"""Report charts drawn with matplotlib and inlined as SVG (text kept as text).

Every chart has a data table beside it in the report, so the figure never stands
alone; labels are plain text (``$`` cannot start mathematics) and the SVG's element
ids are made unique per chart so several charts share one page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from geosuff._palettes import PALETTES
from geosuff.report.fmt import esc

__all__ = ["Chart", "benchmark_bars", "line_chart", "range_bars", "travel_cost_bars"]

_BELOW, _ABOVE = PALETTES["RdYlBu"][0], PALETTES["RdYlBu"][-1]
_INK = "#222222"


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart and the words that describe it.

    Attributes
    ----------
    svg
        The SVG markup (ids prefixed, no XML declaration).
    alt
        A one-sentence description for screen readers.
    """

    svg: str
    alt: str

    def html(self, caption: str) -> str:
        """Return the chart as an accessible ``<figure>`` with its caption.

        Parameters
        ----------
        caption
            The figure caption (plain text).

        Returns
        -------
        str
            HTML.
        """
        return (
            f'<figure class="chart"><div role="img" aria-label="{esc(self.alt)}">{self.svg}'
            f"</div><figcaption>{esc(caption)}</figcaption></figure>"
        )


def _plain(text: object) -> str:
    """Keep matplotlib from reading ``$...$`` as mathematics."""
    return str(text).replace("$", r"\$")


#: matplotlib settings of every chart (applied in a context, never globally).
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "geosuff",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "axes.labelcolor": _INK,
    "xtick.color": _INK,
    "ytick.color": _INK,
}


def _pyplot():  # noqa: ANN202 - matplotlib's pyplot module
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


_counter = iter(range(1, 1_000_000))


def _svg(fig: object, prefix: str | None = None) -> str:
    plt = _pyplot()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    pid = prefix or f"c{next(_counter)}"
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    for old in sorted(ids, key=len, reverse=True):
        text = text.replace(f'id="{old}"', f'id="{pid}-{old}"')
        text = text.replace(f"url(#{old})", f"url(#{pid}-{old})")
        text = text.replace(f'href="#{old}"', f'href="#{pid}-{old}"')
    # matplotlib's style sheet selects every element ("*"): keep it inside this chart.
    text = text.replace('<style type="text/css">*{', f'<style type="text/css">svg#{pid} *{{')
    # Scale with the page: keep the drawing's aspect ratio, fill the column width.
    text = re.sub(r'(<svg[^>]*?)\swidth="[^"]+"\sheight="[^"]+"', r"\1", text, count=1)
    return text.replace(
        "<svg ", f'<svg id="{pid}" class="chart-svg" preserveAspectRatio="xMinYMin meet" ', 1
    )


def _styled(func):  # noqa: ANN001, ANN202 - a decorator
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        with _pyplot().rc_context(_RC):
            return func(*args, **kwargs)

    return wrapper


@_styled
def benchmark_bars(
    labels: Sequence[str],
    panels: Sequence[tuple[str, Sequence[float], float]],
    *,
    unit: str,
    before: Sequence[Sequence[float]] | None = None,
    years: tuple[str, str] | None = None,
) -> Chart:
    """Horizontal bars per unit, one panel per measure, each with its benchmark line.

    Bars below the benchmark are red, at or above it blue (the map's colours). With
    *before*, each unit also gets a thin pale bar for the earlier year under the main
    bar (e.g. beds per 1,000 aged 75+ now, and with the 2030 population).

    Parameters
    ----------
    labels
        Unit names (districts, towns, zones), top to bottom.
    panels
        ``(title, values, benchmark)`` per panel.
    unit
        The values' unit (x-axis label).
    before
        Values of an earlier year, one sequence per panel, or ``None``.
    years
        ``(earlier, later)`` year labels for the legend, with *before*.

    Returns
    -------
    Chart
        The chart.
    """
    plt = _pyplot()
    n = len(labels)
    paired = before is not None
    row_h = 0.42 if paired else 0.28
    fig, axes = plt.subplots(
        1, len(panels), figsize=(3.4 * len(panels) + 1.2, row_h * n + 1.3), sharey=True
    )
    axes = np.atleast_1d(axes)
    y = np.arange(n)[::-1]
    for i, (ax, (title, values, mark)) in enumerate(zip(axes, panels, strict=True)):
        vals = np.asarray(values, dtype=float)
        colours = [_BELOW if v < mark else _ABOVE for v in np.nan_to_num(vals, nan=mark)]
        if paired:
            old = np.asarray(before[i], dtype=float)  # type: ignore[index]
            old_colours = [_BELOW if v < mark else _ABOVE for v in np.nan_to_num(old, nan=mark)]
            ax.barh(y + 0.2, np.nan_to_num(old), color=old_colours, height=0.32, alpha=0.35)
            ax.barh(y - 0.15, np.nan_to_num(vals), color=colours, height=0.38)
        else:
            ax.barh(y, np.nan_to_num(vals), color=colours, height=0.7)
        ax.axvline(mark, color=_INK, linestyle="--", linewidth=1)
        ax.text(mark, n - 0.3, f" benchmark {mark:g}", fontsize=8, va="bottom", color=_INK)
        for yi, v in zip(y, vals, strict=True):  # a bar too short to see still says its value
            if not np.isfinite(v) or v == 0:
                word = " none" if v == 0 else " no data"
                ax.text(0, yi - (0.15 if paired else 0), word, fontsize=7, va="center")
        ax.set_title(_plain(title), fontsize=9, loc="left")
        ax.set_xlabel(_plain(unit))
        ax.set_ylim(-0.6, n + 0.4)
    axes[0].set_yticks(y, [_plain(v) for v in labels])
    if paired and years is not None:
        from matplotlib.patches import Patch

        handles = [
            Patch(color="#888888", alpha=0.35, label=_plain(years[0])),
            Patch(color="#888888", label=_plain(years[1])),
        ]
        fig.legend(
            handles=handles,
            loc="lower center",
            ncol=2,
            frameon=False,
            fontsize=8,
            bbox_to_anchor=(0.5, -0.01),
        )
        fig.tight_layout(rect=(0, 0.04, 1, 1))
    else:
        fig.tight_layout()
    below = {t: int(np.sum(np.asarray(v, dtype=float) < m)) for t, v, m in panels}
    when = f" in {years[1]}" if paired and years is not None else ""
    alt = f"Bar chart of {unit} for {n} units against the benchmark{when}; " + "; ".join(
        f"{t}: {k} of {n} below" for t, k in below.items()
    )
    return Chart(_svg(fig), alt)


@_styled
def travel_cost_bars(
    labels: Sequence[str],
    minutes: tuple[Sequence[float], Sequence[float], Sequence[float]],
    cost_gbp: Sequence[float],
    *,
    threshold: float | None = None,
    title: str,
) -> Chart:
    """Two panels per unit, longest travel first: minutes per visit (p10-p90) and its cost.

    Parameters
    ----------
    labels
        Unit names (zones or districts).
    minutes
        Mean, p10 and p90 of care-worker travel per visit, minutes.
    cost_gbp
        Travel cost per visit (pay for the minutes plus mileage), pounds.
    threshold
        The gap threshold of travel per visit (a dashed line), or ``None``.
    title
        Title of the minutes panel.

    Returns
    -------
    Chart
        The chart.
    """
    plt = _pyplot()
    m, lo, hi = (np.asarray(v, dtype=float) for v in minutes)
    cost = np.asarray(cost_gbp, dtype=float)
    order = np.argsort(-m, kind="stable")
    n = len(labels)
    fig, (ax, ax2) = plt.subplots(
        1, 2, figsize=(8.2, 0.3 * n + 1.2), sharey=True, gridspec_kw={"width_ratios": [3, 2]}
    )
    y = np.arange(n)[::-1]
    ax.barh(y, m[order], color=PALETTES["YlOrRd"][2], height=0.65)
    err = np.vstack([m[order] - lo[order], hi[order] - m[order]])
    ax.errorbar(m[order], y, xerr=np.clip(err, 0, None), fmt="none", ecolor=_INK, capsize=3)
    if threshold is not None:
        ax.axvline(threshold, color=_INK, linestyle="--", linewidth=1)
        ax.text(threshold, n - 0.3, f" gap threshold {threshold:g}", fontsize=8, va="bottom")
    ax.set_yticks(y, [_plain(labels[i]) for i in order])
    ax.set_xlabel("minutes per visit (bar: mean; line: p10 to p90)")
    ax.set_title(_plain(title), fontsize=9, loc="left")
    ax.set_ylim(-0.6, n + 0.4)
    ax2.barh(y, cost[order], color=PALETTES["YlOrRd"][1], height=0.65)
    for yi, value in zip(y, cost[order], strict=True):
        ax2.text(value, yi, f" £{value:.2f}", va="center", fontsize=7.5, color=_INK)
    ax2.set_xlabel("£ per visit (pay + mileage)")
    ax2.set_title("Cost of that travel per visit", fontsize=9, loc="left")
    ax2.set_xlim(0, float(np.nanmax(cost)) * 1.3 if n and np.isfinite(cost).any() else 1)
    fig.tight_layout()
    top = labels[int(order[0])] if n else ""
    alt = (
        f"Bar charts of care-worker travel per visit (minutes, with p10 to p90) and its cost "
        f"(pounds per visit) for {n} units; longest: {top}"
    )
    return Chart(_svg(fig), alt)


@_styled
def range_bars(
    labels: Sequence[str],
    mean: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    *,
    unit: str,
    title: str,
    colour: str = PALETTES["YlOrRd"][3],
) -> Chart:
    """Horizontal bars of a mean with its p10-p90 range, largest first.

    Parameters
    ----------
    labels
        Unit names.
    mean, low, high
        The mean and the range ends per unit.
    unit
        The x-axis label.
    title
        The chart title.
    colour
        Bar colour.

    Returns
    -------
    Chart
        The chart.
    """
    plt = _pyplot()
    m, lo, hi = (np.asarray(v, dtype=float) for v in (mean, low, high))
    order = np.argsort(-m, kind="stable")
    n = len(labels)
    fig, ax = plt.subplots(figsize=(6.8, 0.3 * n + 1.1))
    y = np.arange(n)[::-1]
    ax.barh(y, m[order], color=colour, height=0.65, alpha=0.85)
    err = np.vstack([m[order] - lo[order], hi[order] - m[order]])
    ax.errorbar(m[order], y, xerr=np.clip(err, 0, None), fmt="none", ecolor=_INK, capsize=3)
    ax.set_yticks(y, [_plain(labels[i]) for i in order])
    ax.set_xlabel(_plain(unit))
    ax.set_title(_plain(title), fontsize=9, loc="left")
    fig.tight_layout()
    top = labels[int(order[0])] if n else ""
    alt = f"Bar chart of {unit} for {n} units with p10 to p90 ranges; longest: {top}"
    return Chart(_svg(fig), alt)


@_styled
def line_chart(
    x: Sequence[int],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str,
    title: str,
    mark_x: int | None = None,
) -> Chart:
    """Lines over years (e.g. people aged 65+, 75+ and 85+), with an optional marked year.

    Parameters
    ----------
    x
        Years.
    series
        ``(name, values)`` per line.
    unit
        The y-axis label.
    title
        The chart title.
    mark_x
        A year to mark with a vertical line (the report's chosen year).

    Returns
    -------
    Chart
        The chart.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.8, 3.2))
    colours = PALETTES["YlGnBu"][2:]
    for (name, values), colour in zip(series, colours, strict=False):
        ax.plot(list(x), list(values), marker="o", markersize=3, color=colour, label=_plain(name))
    if mark_x is not None:
        ax.axvline(mark_x, color="#888888", linestyle=":", linewidth=1)
        ax.text(
            mark_x,
            1.0,
            f" {mark_x}",
            transform=ax.get_xaxis_transform(),
            fontsize=8,
            va="top",
            color="#555555",
        )
    ax.set_ylabel(_plain(unit))
    ax.set_title(_plain(title), fontsize=9, loc="left")
    ax.set_xticks(list(x), [str(v) for v in x])
    ax.set_ylim(bottom=0)  # counts from zero, so growth is not exaggerated
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    alt = f"Line chart of {unit} from {min(x)} to {max(x)}: " + ", ".join(n for n, _ in series)
    return Chart(_svg(fig), alt)
