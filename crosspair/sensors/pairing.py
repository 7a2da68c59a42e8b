"""Pair sensor streams by time: every reference sample gets its partner in each other stream.

The reference's clock sets the timeline (boot seconds, or UTC seconds since the epoch); other
streams on the other kind of clock come onto it through a boot-to-UTC ``ClockLink``. All
boot-clock streams of one call are taken to share the reference's device (one boot).

>>> pairing = pair_streams(imu, [can], "nearest", tolerance_s=0.010)   # doctest: +SKIP
>>> pairing.summary[["other", "n_paired", "n_dropped"]]                  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crosspair.schemas import empty_frame
from crosspair.sensors.clocks import ClockLink
from crosspair.sensors.gps_time import NS
from crosspair.sensors.matching import match, partner_columns
from crosspair.sensors.streams import (
    DEFAULT_GAP_FACTOR,
    LINK_COLUMNS,
    Stream,
    find_gaps,
    repeated_stamps,
)
from crosspair.sensors.tables import (
    CLOCK_LINKS,
    METHODS,
    PAIRED_SAMPLES,
    PAIRING_SUMMARY,
    SENSOR_DROPPED,
    SENSOR_GAPS,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SensorPairing:
    """Paired samples, gaps of every stream, dropped reference rows, one summary row per pair."""

    table: pd.DataFrame
    gaps: pd.DataFrame
    dropped: pd.DataFrame
    summary: pd.DataFrame
    links: pd.DataFrame = field(default_factory=lambda: empty_frame(CLOCK_LINKS))
    notes: tuple[str, ...] = ()  # what a user should know: repeated stamps, unusable UTC, ...


def pair_streams(
    reference: Stream,
    others: list[Stream],
    method: str = "nearest",
    *,
    tolerance_s: float,
    link: ClockLink | None = None,
    gap_factor: float = DEFAULT_GAP_FACTOR,
    source: str = "",
) -> SensorPairing:
    """Pair ``others`` onto the reference's stamps by ``nearest`` sample or ``interpolate``.

    A reference row without a partner within ``tolerance_s`` (inclusive) is dropped for that
    stream; the table keeps it, with nulls, and ``complete`` says whether every stream paired.
    Gaps are intervals over ``gap_factor`` x a stream's median positive interval. Repeated
    stamps are kept as samples and counted in ``notes``. A stream's match distance is
    ``<other>.dt_s``; should the stream have a data column ``dt_s`` the distance becomes
    ``<other>._dt_s`` (underscores added until unique).
    """
    _check(reference, others, method, tolerance_s, gap_factor)
    timeline = reference.timeline
    reference_s, _ = _on_timeline(reference, timeline, link)

    columns: dict[str, pd.Series | np.ndarray] = {
        "t_s": reference_s,
        "utc_ns": _utc_ns(reference, reference_s, link),
        "complete": np.ones(reference_s.size, dtype=bool),
    }
    for column in reference.frame.columns:
        columns[f"{reference.name}.{column}"] = reference.frame[column].reset_index(drop=True)
    gaps = [_gap_rows(source, reference.name, reference_s, gap_factor)]
    dropped, summary = [], []
    notes = [_repeats_note(source, reference.name, reference_s)]

    for other in others:
        other_s, offset_s = _on_timeline(other, timeline, link)
        found = match(reference_s, other_s, tolerance_s, method)
        columns["complete"] = columns["complete"] & found.paired
        columns[_dt_column(other)] = pd.Series(found.dt_s).where(found.paired)
        notes.append(_repeats_note(source, other.name, other_s))
        partners = partner_columns(
            other.frame, other.data_columns, other_s, reference_s, found, method
        )
        columns.update({f"{other.name}.{name}": values for name, values in partners.items()})

        other_gaps = _gap_rows(source, other.name, other_s, gap_factor)
        gaps.append(other_gaps)
        pair = {"source": source, "reference": reference.name, "other": other.name}
        dropped.append(_dropped_rows(pair, reference_s, found))
        summary.append(
            {
                **pair,
                "method": method,
                "tolerance_s": float(tolerance_s),
                "timeline": timeline,
                "n_reference": int(reference_s.size),
                "n_other": int(other_s.size),
                "n_paired": int(found.paired.sum()),
                "n_dropped": int((~found.paired).sum()),
                "n_gaps": len(other_gaps),
                "max_gap_s": float(np.diff(other_s).max()) if other_s.size > 1 else np.nan,
                "clock_offset_s": offset_s,
                **_dt_stats(found.dt_s[found.paired]),
            }
        )
        log.info(
            "%s: paired %s onto %s (%s, tolerance %.4f s): %d of %d reference rows, "
            "%d dropped, %d gaps in %s",
            source or "streams", other.name, reference.name, method, tolerance_s,
            summary[-1]["n_paired"], reference_s.size, summary[-1]["n_dropped"],
            len(other_gaps), other.name,
        )  # fmt: skip

    return SensorPairing(
        table=PAIRED_SAMPLES.validate(pd.DataFrame(columns), lazy=True),
        gaps=_frame(gaps, SENSOR_GAPS),
        dropped=_frame(dropped, SENSOR_DROPPED),
        summary=PAIRING_SUMMARY.validate(pd.DataFrame(summary), lazy=True),
        notes=tuple(note for note in notes if note),
    )


def _dt_column(other: Stream) -> str:
    """``<other>.dt_s``, or with underscores before ``dt_s`` while a data column has the name."""
    name = "dt_s"
    while name in other.data_columns:
        name = "_" + name
    if name != "dt_s":
        log.warning("stream %r has a column 'dt_s'; its match distance is %r", other.name, name)
    return f"{other.name}.{name}"


def _repeats_note(source: str, stream: str, seconds: np.ndarray) -> str:
    repeated = repeated_stamps(seconds)
    if not repeated:
        return ""
    note = (
        f"{source or 'streams'}: {repeated} of {seconds.size} samples of {stream!r} repeat the "
        "stamp before them; kept as samples, left out of its period and gaps"
    )
    log.warning("%s", note)
    return note


def _check(reference, others, method, tolerance_s, gap_factor) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown pairing method {method!r}; use one of {list(METHODS)}")
    if not others:
        raise ValueError("pair_streams needs at least one other stream")
    if not (np.isfinite(tolerance_s) and tolerance_s >= 0):
        raise ValueError(f"tolerance_s must be a finite number >= 0, got {tolerance_s!r}")
    if not gap_factor > 1:
        raise ValueError(f"gap_factor must be > 1, got {gap_factor!r}")
    names = [reference.name, *(other.name for other in others)]
    if len(set(names)) != len(names):
        raise ValueError(f"stream names must be unique, got {names}")


def _on_timeline(stream: Stream, timeline: str, link: ClockLink | None) -> tuple[np.ndarray, float]:
    """The stream's stamps in seconds on ``timeline``, and the offset added to get there."""
    if stream.timeline == timeline:
        return stream.native_seconds(), 0.0
    if link is None:
        raise ValueError(
            f"stream {stream.name!r} is on a {stream.timeline} clock and the reference on a "
            f"{timeline} clock, and no stream of the source carries a usable UTC column "
            f"({' or '.join(LINK_COLUMNS)}) to join them; in the sources file, add a boot-clock "
            "stream with such a column, or stamp all the source's streams on one clock "
            "(sensor.streams); from Python, pass link= (crosspair.sensors.estimate_link)"
        )
    if timeline == "utc":
        return link.to_utc_ns(stream.native_seconds()) / NS, link.offset_s
    return link.to_boot_s(stream.utc_ns()), -link.offset_s


def _utc_ns(reference: Stream, reference_s: np.ndarray, link: ClockLink | None) -> pd.Series:
    if reference.timeline == "utc":
        return pd.Series(reference.utc_ns(), dtype="Int64")
    if link is not None:
        return pd.Series(link.to_utc_ns(reference_s), dtype="Int64")
    return pd.Series(pd.NA, index=range(reference_s.size), dtype="Int64")


def _gap_rows(source: str, stream: str, seconds: np.ndarray, factor: float) -> pd.DataFrame:
    gaps = find_gaps(seconds, factor)
    gaps.insert(0, "stream", stream)
    gaps.insert(0, "source", source)
    gaps["factor"] = float(factor)
    return gaps


def _dropped_rows(pair: dict, reference_s: np.ndarray, found) -> pd.DataFrame:
    rows = np.flatnonzero(~found.paired)
    reason = np.where(found.outside_span[rows], "outside_span", "beyond_tolerance")
    return pd.DataFrame(
        {
            **{key: [value] * rows.size for key, value in pair.items()},
            "reference_row": rows.astype(np.int64),
            "t_s": reference_s[rows],
            "nearest_dt_s": found.dt_s[rows],
            "reason": reason.astype(object),
        }
    )


def _dt_stats(dt_s: np.ndarray) -> dict[str, float]:
    if dt_s.size == 0:
        return {"median_abs_dt_s": np.nan, "max_abs_dt_s": np.nan}
    return {
        "median_abs_dt_s": float(np.median(np.abs(dt_s))),
        "max_abs_dt_s": float(np.abs(dt_s).max()),
    }


def _frame(parts: list[pd.DataFrame], schema) -> pd.DataFrame:
    parts = [part for part in parts if len(part)]
    if not parts:
        return empty_frame(schema)
    return schema.validate(pd.concat(parts, ignore_index=True), lazy=True)
