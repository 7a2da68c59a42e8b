"""A static HTML report of one dataset version: headline counts, distributions, rejects, and
a pair browser with thumbnails, waveforms with word timings and video keyframe strips.

Modules: ``tables`` (what the report reads), ``summary`` (counts, histogram data), ``media``
(thumbnails, keyframes, audio envelopes), ``charts`` (matplotlib PNGs), ``previews`` (per-item
jobs), ``pairs`` (the pair browser's cards), ``writer`` (pages and files).

>>> index = write_report("data", "data/exports/report", "v1", resolve=resolve)  # doctest: +SKIP
"""

from crosspair.report.summary import headline_counts, rejects_by_reason, report_histograms
from crosspair.report.tables import ReportTables, load_report_tables
from crosspair.report.writer import render_report, write_report

__all__ = [
    "ReportTables",
    "headline_counts",
    "load_report_tables",
    "rejects_by_reason",
    "render_report",
    "report_histograms",
    "write_report",
]
