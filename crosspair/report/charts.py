"""PNG charts drawn with matplotlib's object API (no pyplot state, safe in worker processes):
histograms, and waveforms with word timings or video frame times over them."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from crosspair.report.media import Envelope

DPI = 100
# no software version in the PNG, so a matplotlib upgrade alone does not change the bytes
PNG_METADATA = {"Software": None}
WAVE_COLOUR = "#4a6fa5"
WORD_COLOURS = ("#f4b860", "#8cc084")


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata=PNG_METADATA)
    return buffer.getvalue()


def histogram_png(edges: Sequence[float], series: dict[str, Sequence[int]], xlabel: str) -> bytes:
    """Bars per bin, one colour per series (stacked), with a legend when there are several."""
    figure = Figure(figsize=(4.8, 2.6), layout="constrained")
    axes = figure.add_subplot()
    edges = np.asarray(edges, dtype=float)
    widths = np.diff(edges)
    bottom = np.zeros(len(widths))
    for label, counts in series.items():
        counts = np.asarray(counts, dtype=float)
        axes.bar(
            edges[:-1],
            counts,
            widths,
            bottom=bottom,
            align="edge",
            label=label,
            edgecolor="white",
            linewidth=0.5,
        )
        bottom += counts
    axes.set_xlabel(xlabel)
    axes.set_ylabel("count")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        axes.legend(fontsize="small", frameon=False)
    return _png(figure)


@dataclass(frozen=True)
class Word:
    """A timed token drawn over a waveform."""

    token: str
    start_s: float
    end_s: float


def waveform_png(
    envelope: Envelope,
    words: Sequence[Word] = (),
    frame_times_s: Sequence[float] = (),
    offset_s: float | None = None,
    title: str = "",
) -> bytes:
    """The envelope over time; words as shaded spans labelled with their token; frame times
    as dashed lines, and with ``offset_s`` where their sound lands (solid lines)."""
    figure = Figure(figsize=(9.0, 1.9), layout="constrained")
    axes = figure.add_subplot()
    times = np.linspace(0.0, envelope.duration_s, len(envelope.low), endpoint=False)
    peak = float(max(np.abs(envelope.low).max(), np.abs(envelope.high).max(), 1e-6))
    axes.fill_between(times, envelope.low / peak, envelope.high / peak, color=WAVE_COLOUR, lw=0)
    axes.set_xlim(0.0, max(envelope.duration_s, 1e-3))
    axes.set_ylim(-1.25, 1.6)
    axes.set_yticks([])
    axes.set_xlabel("seconds")
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)

    # labels only where a word is wide enough to hold them (long files get crowded)
    min_label_s = envelope.duration_s / 60.0
    for index, word in enumerate(words):
        axes.axvspan(
            word.start_s, word.end_s, color=WORD_COLOURS[index % 2], alpha=0.35, lw=0, zorder=0
        )
        if word.end_s - word.start_s >= min_label_s:
            axes.text(
                (word.start_s + word.end_s) / 2,
                1.3,
                word.token,
                ha="center",
                va="center",
                fontsize=8,
                clip_on=True,
            )
    for index, time_s in enumerate(frame_times_s):
        axes.axvline(
            time_s, color="#333333", ls="--", lw=1, label="frame shown" if index == 0 else None
        )
        if offset_s is not None:
            axes.axvline(
                time_s + offset_s,
                color="#c0392b",
                lw=1.2,
                label="its sound (offset)" if index == 0 else None,
            )
    if frame_times_s:
        axes.legend(
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            fontsize="small",
            frameon=False,
            ncols=2,
            borderaxespad=0,
        )
    if title:
        axes.set_title(title, fontsize=9, loc="left")
    return _png(figure)
