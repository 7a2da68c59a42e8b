"""A timestamped sensor stream: a table, its time column and the clock that stamped it.

``gps_week_s`` streams name two columns, week and seconds of week, as ``"week,tow"``. Rows must
be in time order; a stream may carry a second stamp that links its boot clock to UTC
(``LINK_COLUMNS``: comma2k19 GNSS ``utc_timestamp`` in ms, PX4 ``time_utc_usec`` in us).
Repeated stamps (a row stamped like the one before it) are kept: they are samples, but not
periods, so gaps and rates come from the positive intervals only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crosspair.sensors.clocks import (
    GPS_CLOCK,
    UTC_RANGE_NS,
    UTC_UNITS_NS,
    ClockLink,
    Timeline,
    boot_seconds,
    estimate_link,
    timeline_of,
    utc_ns,
)
from crosspair.sensors.gps_time import NS
from crosspair.sources import time_columns

log = logging.getLogger(__name__)

LINK_COLUMNS = {"utc_timestamp": "utc_ms", "time_utc_usec": "utc_us"}
DEFAULT_GAP_FACTOR = 1.5  # an interval of 2 periods is one lost sample; 1.5 sits between


@dataclass(frozen=True)
class Stream:
    """One sensor stream; rows in time order on ``clock`` (see ``crosspair.sources.CLOCKS``)."""

    name: str
    frame: pd.DataFrame
    time_column: str
    clock: str

    def __post_init__(self) -> None:
        timeline_of(self.clock)
        missing = [c for c in self.time_columns if c not in self.frame.columns]
        if missing:
            raise ValueError(
                f"stream {self.name!r}: no time column(s) {missing}; "
                f"columns are {list(self.frame.columns)}"
            )
        if len(self.frame) == 0:
            raise ValueError(f"stream {self.name!r} has no rows")
        steps = np.diff(self.native_seconds())
        if not np.all(np.isfinite(steps)) or np.any(steps < 0):
            row = int(np.flatnonzero(~(steps >= 0))[0]) + 1
            raise ValueError(
                f"stream {self.name!r}: time is blank or goes backwards at row index {row}; "
                "sort the rows by time or drop the broken ones first"
            )

    @property
    def time_columns(self) -> list[str]:
        try:
            return time_columns(self.time_column, self.clock)
        except ValueError as err:
            raise ValueError(f"stream {self.name!r}: {err}") from None

    @property
    def timeline(self) -> Timeline:
        return timeline_of(self.clock)

    @property
    def data_columns(self) -> list[str]:
        return [c for c in self.frame.columns if c not in self.time_columns]

    def native_seconds(self) -> np.ndarray:
        """Stamps as float64 seconds on the stream's own timeline (boot, or UTC epoch)."""
        if self.timeline == "boot":
            return boot_seconds(self.frame[self.time_column].to_numpy(), self.clock)
        return self.utc_ns() / NS

    def utc_ns(self) -> np.ndarray:
        """UTC stamps (int64 ns) of a UTC-clock stream."""
        columns = self.time_columns if self.clock == GPS_CLOCK else self.time_column
        return utc_ns(self.frame[columns].to_numpy(), self.clock)


def read_stream(path: str | Path, time_column: str, clock: str, name: str | None = None) -> Stream:
    """A sensor CSV as a ``Stream`` named after the file stem unless ``name`` is given."""
    path = Path(path)
    frame = pd.read_csv(path)
    stream = Stream(name or path.stem, frame, time_column, clock)
    log.info("read stream %s: %d rows from %s", stream.name, len(frame), path)
    return stream


def stream_link(stream: Stream, method: str = "median") -> ClockLink | None:
    """Boot-to-UTC link from a boot-clock stream's UTC column, or None when it has none."""
    return link_report(stream, method)[0]


def link_report(stream: Stream, method: str = "median") -> tuple[ClockLink | None, str]:
    """The stream's boot-to-UTC link (or None) and a note on UTC values it could not use.

    Blank, text, zero or negative (no fix yet) and out-of-range (outside 1980-2100) UTC values
    count as missing; with too few rows left the stream gives no link, which the note says.
    """
    if stream.timeline != "boot":
        return None, ""
    for column, clock in LINK_COLUMNS.items():
        if column in stream.frame.columns:
            utc, missing = link_utc_ns(stream.frame[column], clock)
            usable = int(utc.size - missing)
            where = f"stream {stream.name!r} column {column!r}"
            if usable < (2 if method == "theil_sen" else 1):
                note = (
                    f"{where}: {usable} of {utc.size} UTC value(s) usable (blank, text, <= 0 "
                    "or outside 1980-2100 are missing); no boot-to-UTC link from it"
                )
                log.warning("%s", note)
                return None, note
            note = ""
            if missing:
                note = (
                    f"{where}: {missing} of {utc.size} UTC value(s) blank, text, <= 0 or "
                    "outside 1980-2100; link fitted on the rest"
                )
                log.info("%s", note)
            return estimate_link(stream.native_seconds(), utc, method), note
    return None, ""


def link_utc_ns(values: pd.Series, clock: str) -> tuple[np.ndarray, int]:
    """UTC column as int64 ns, 0 where missing (blank, text, <= 0, outside 1980-2100); count."""
    low, high = (bound // UTC_UNITS_NS[clock] for bound in UTC_RANGE_NS)
    if values.dtype.kind in "iu":  # whole units: exact, no float detour
        raw = values.to_numpy()
        keep = (raw >= low) & (raw <= high)
    else:
        raw = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
        keep = np.isfinite(raw) & (raw >= low) & (raw <= high)
    utc = np.zeros(len(values), dtype=np.int64)
    utc[keep] = utc_ns(raw[keep], clock)
    return utc, int((~keep).sum())


def repeated_stamps(seconds: np.ndarray) -> int:
    """How many samples carry the same stamp as the sample before them."""
    return int(np.count_nonzero(np.diff(seconds) == 0))


def find_gaps(seconds: np.ndarray, factor: float = DEFAULT_GAP_FACTOR) -> pd.DataFrame:
    """Intervals longer than ``factor`` x the median interval: start_s, end_s, gap_s, period.

    The median is over the positive intervals: a repeated stamp is a sample, not a period.
    Without any positive interval there is no period and so no gap.
    """
    steps = np.diff(seconds)
    positive = steps[steps > 0]
    period = float(np.median(positive)) if positive.size else float("nan")
    at = np.flatnonzero(steps > factor * period) if positive.size else np.array([], dtype=int)
    return pd.DataFrame(
        {
            "start_s": seconds[at].astype(np.float64),
            "end_s": seconds[at + 1].astype(np.float64),
            "gap_s": steps[at].astype(np.float64),
            "median_period_s": np.full(at.size, period),
        }
    )
