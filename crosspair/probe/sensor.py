"""Sensor probe: rows, channels, sample rate, span and largest gap of a timestamped CSV stream.

The sources file names the time column and its clock; the clock gives the unit that turns
timestamp differences into seconds. A stream that parses as CSV but breaks that contract (no
such column, fewer than two samples, infinite times, time running backwards, a row with more
cells than the header, boot times below 0, UTC times outside 1980-2100) is an
``invalid_record``: the file is readable, its content is not a usable stream. Unparsable CSV
ends up ``corrupt``.
Repeated timestamps (a sample stamped like the one before it) are kept and counted: the probe
logs them and takes the rate from the positive steps only; pairing keeps them too.
"""

from __future__ import annotations

import csv
import logging

import numpy as np
import pandas as pd

from crosspair.items import Candidate, Rejected
from crosspair.probe.files import file_base
from crosspair.probe.limits import ProbeLimits
from crosspair.sources import GPS_CLOCK, time_columns

log = logging.getLogger(__name__)

SECONDS_PER_UNIT = {
    "boot_s": 1.0,
    "boot_us": 1e-6,
    "utc_ms": 1e-3,
    "utc_us": 1e-6,
    "gps_week_s": 1.0,
}
SECONDS_PER_GPS_WEEK = 604_800
# 1980-01-01 and 2100-01-01 in each UTC clock's unit (as crosspair.sensors.clocks.UTC_RANGE_NS;
# not imported from there: crosspair.sensors loads scipy, too heavy for every probe worker)
UTC_RANGE = {"utc_ms": (315_532_800e3, 4_102_444_800e3), "utc_us": (315_532_800e6, 4_102_444_800e6)}


def probe_sensor(candidate: Candidate, limits: ProbeLimits) -> dict:
    """Catalog row of a sensor CSV; ``invalid_record`` when it is not a usable time series."""
    path = candidate.abs_path
    time_column = candidate.payload.get("time_column")
    clock = candidate.payload.get("clock")
    if not time_column or clock not in SECONDS_PER_UNIT:
        raise Rejected(
            "invalid_record",
            f"sensor item needs payload time_column and a clock of {sorted(SECONDS_PER_UNIT)}, "
            f"got time_column={time_column!r} clock={clock!r}; fix the source's sensor block",
        )

    stamp_columns = _time_columns(str(time_column), clock)
    # The header first, through the csv module: a missing time column or an empty file is
    # named as such before pandas parses the whole file (which also catches ragged rows).
    # utf-8-sig: spreadsheet programs start "CSV UTF-8" files with a byte-order mark.
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            columns = next(csv.reader(handle), [])
    except UnicodeDecodeError as exc:
        raise _not_utf8(exc) from exc
    missing = [name for name in stamp_columns if name not in columns]
    if missing:
        raise Rejected("invalid_record", f"no time column {missing[0]!r}; columns are {columns}")
    channels = len(columns) - len(stamp_columns)
    if channels < 1:
        raise Rejected("invalid_record", f"only the time column {time_column!r}, no channels")

    try:  # every column: a row with an extra cell breaks the pairing's full read later
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(exc) from exc
    except pd.errors.ParserError as exc:
        raise Rejected(
            "invalid_record",
            f"ragged CSV, a row has more cells than the header: {exc}; fix or drop that row",
        ) from exc
    if clock == GPS_CLOCK:
        week, seconds = (_times(frame[name]) for name in stamp_columns)
        _check_gps(week, seconds)
        # seconds since the first week: continuous across rollovers, small enough to stay exact
        times = (week - week[0]) * SECONDS_PER_GPS_WEEK + seconds
    else:
        times = _times(frame[time_column])
    _check_range(times, clock)
    steps = np.diff(times)  # in the clock's own unit: exact for integer microseconds
    backwards = np.flatnonzero(steps < 0)
    if backwards.size:
        row = int(backwards[0]) + 1
        raise Rejected(
            "invalid_record",
            f"time goes backwards at data row {row + 1}: {times[row]} after {times[row - 1]}",
        )
    intervals_s = steps.astype(np.float64) * SECONDS_PER_UNIT[clock]
    # repeated timestamps would pull the median step towards 0 and double the rate
    positive_s = intervals_s[intervals_s > 0]
    if not positive_s.size:
        raise Rejected("invalid_record", f"all {times.size} samples share one timestamp; no rate")
    repeated = intervals_s.size - positive_s.size
    if repeated:
        log.warning(
            "sensor %s: %d samples repeat the timestamp before them; rate taken from the %d "
            "positive steps",
            candidate.path,
            repeated,
            positive_s.size,
        )
    median_s = float(np.median(positive_s))

    row = {
        "rows": int(times.size),
        "channels": int(channels),
        "time_column": str(time_column),
        "clock": str(clock),
        "rate_hz": 1.0 / median_s,
        "duration_s": float(times[-1] - times[0]) * SECONDS_PER_UNIT[clock],
        "max_gap_s": float(intervals_s.max()),
    }
    return {**file_base(candidate), **row}


def _not_utf8(exc: UnicodeDecodeError) -> Rejected:
    return Rejected(
        "invalid_record",
        f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8",
    )


def _time_columns(time_column: str, clock: str) -> list[str]:
    """The stream's time columns, or ``invalid_record`` for a GPS time column that names one."""
    try:
        return time_columns(time_column, clock)
    except ValueError as err:
        raise Rejected("invalid_record", f"{err}; fix the source's sensor block") from None


def _check_gps(week: np.ndarray, seconds: np.ndarray) -> None:
    """Reject negative weeks and seconds of week outside [0, 604800), naming the first row."""
    bad = np.flatnonzero((week < 0) | (seconds < 0) | (seconds >= SECONDS_PER_GPS_WEEK))
    _reject_rows(
        bad,
        "GPS time(s) are not a week >= 0 and seconds of week in [0, 604800)",
        lambda row: f"week {week[row]}, seconds {seconds[row]}",
    )


def _check_range(times: np.ndarray, clock: str) -> None:
    """Reject boot times below 0 and UTC times outside 1980-2100, naming the first such row."""
    if clock in UTC_RANGE:
        low, high = UTC_RANGE[clock]
        bad = np.flatnonzero((times < low) | (times > high))
        what = f"outside 1980-2100 for a {clock} clock (is the clock right?)"
    elif clock in ("boot_s", "boot_us"):
        bad = np.flatnonzero(times < 0)
        what = f"negative on the {clock} clock (time since boot); drop those rows"
    else:
        return
    _reject_rows(bad, f"time value(s) are {what}", lambda row: times[row])


def _reject_rows(bad: np.ndarray, what: str, shown) -> None:
    """Reject when ``bad`` holds row indices: how many, what they are, and the first one."""
    if bad.size:
        first = int(bad[0])
        raise Rejected(
            "invalid_record", f"{bad.size} {what}, first at data row {first + 1}: {shown(first)}"
        )


def _times(column: pd.Series) -> np.ndarray:
    """The time column as numbers, rejecting blanks, text, infinities and fewer than 2 samples."""
    if len(column) < 2:
        raise Rejected("invalid_record", f"{len(column)} data row(s); a stream needs at least 2")
    numeric = pd.to_numeric(column, errors="coerce")
    missing = np.flatnonzero(numeric.isna().to_numpy())
    _reject_rows(missing, "time value(s) are blank or not numbers", lambda r: repr(column.iloc[r]))
    infinite = np.flatnonzero(np.isinf(numeric.to_numpy(dtype=np.float64)))
    _reject_rows(infinite, "time value(s) are infinite", lambda row: float(numeric.iloc[row]))
    return numeric.to_numpy()
