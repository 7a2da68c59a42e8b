"""Sensor clocks onto two common timelines: seconds since the device booted, and UTC.

Boot time is float64 seconds since the device booted: one timeline per device. UTC is int64
nanoseconds since the Unix epoch: exact for millisecond and microsecond stamps, where float
seconds near 1.6e9 keep only about 0.24 us. A ``ClockLink`` maps one device's boot clock to
UTC; ``estimate_link`` fits it from rows that carry both stamps.

>>> link = estimate_link([20.471648], [1_618_986_658_600_345_000])   # PX4 GPS, first row
>>> link.offset_ns                       # UTC at boot = 2021-04-21T06:30:38.128697Z
1618986638128697000
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import theilslopes

from crosspair.sensors.gps_time import NS, gps_to_utc_ns
from crosspair.sources import GPS_CLOCK

log = logging.getLogger(__name__)

BOOT_UNITS_S = {"boot_s": 1.0, "boot_us": 1e-6}
UTC_UNITS_NS = {"utc_ms": 1_000_000, "utc_us": 1_000}
LINK_METHODS = ("median", "theil_sen")
# UTC stamps outside 1980-2100 are broken (0 = no fix, or the wrong unit): missing, not data
UTC_RANGE_NS = (315_532_800 * NS, 4_102_444_800 * NS)
THEIL_SEN_MAX_ROWS = 2000  # its cost grows with the square of the rows; thin evenly above this

Timeline = Literal["boot", "utc"]


def timeline_of(clock: str) -> Timeline:
    """``boot`` for boot_s / boot_us, ``utc`` for utc_ms / utc_us / gps_week_s."""
    if clock in BOOT_UNITS_S:
        return "boot"
    if clock in UTC_UNITS_NS or clock == GPS_CLOCK:
        return "utc"
    known = [*BOOT_UNITS_S, *UTC_UNITS_NS, GPS_CLOCK]
    raise ValueError(f"unknown clock {clock!r}; use one of {known}")


def boot_seconds(values, clock: str) -> np.ndarray:
    """Boot-clock stamps (``boot_s`` or ``boot_us``) as float64 seconds since boot."""
    if timeline_of(clock) != "boot":
        raise ValueError(f"{clock!r} is not a boot clock; convert it with utc_ns() instead")
    return np.asarray(values, dtype=np.float64) * BOOT_UNITS_S[clock]


def utc_ns(values, clock: str) -> np.ndarray:
    """UTC stamps as int64 ns; ``gps_week_s`` takes an (n, 2) array of (week, seconds)."""
    if clock == GPS_CLOCK:
        pairs = np.asarray(values, dtype=np.float64).reshape(-1, 2)
        return gps_to_utc_ns(pairs[:, 0], pairs[:, 1])
    if timeline_of(clock) != "utc":
        raise ValueError(f"{clock!r} is not a UTC clock; convert it with boot_seconds() instead")
    values = np.asarray(values)
    if values.dtype.kind in "iu":
        return values.astype(np.int64) * UTC_UNITS_NS[clock]
    # Whole units and fraction apart: 1.5e12 ms * 1e6 as one float would round to 256 ns.
    values = values.astype(np.float64)
    whole = np.floor(values)
    fraction_ns = np.round((values - whole) * UTC_UNITS_NS[clock]).astype(np.int64)
    return whole.astype(np.int64) * UTC_UNITS_NS[clock] + fraction_ns


@dataclass(frozen=True)
class ClockLink:
    """UTC of one device's boot clock: utc = boot + offset + drift * (boot - pivot).

    ``offset_ns`` is UTC minus boot time at ``pivot_boot_s``; ``drift`` is dimensionless
    (1e-6 is 1 ppm, 0 for the median fit). Residuals are those of the rows it was fitted on.
    """

    offset_ns: int
    drift: float
    pivot_boot_s: float
    method: str
    n_rows: int
    residual_median_abs_s: float
    residual_max_abs_s: float

    @property
    def offset_s(self) -> float:
        return self.offset_ns / NS

    @property
    def drift_ppm(self) -> float:
        return self.drift * 1e6

    def to_utc_ns(self, boot_s) -> np.ndarray:
        """UTC (int64 ns) of boot-clock seconds."""
        boot_s = np.asarray(boot_s, dtype=np.float64)
        correction = np.round(self.drift * (boot_s - self.pivot_boot_s) * NS).astype(np.int64)
        return np.round(boot_s * NS).astype(np.int64) + self.offset_ns + correction

    def to_boot_s(self, utc) -> np.ndarray:
        """Boot-clock seconds of UTC instants (int64 ns)."""
        shifted_s = (np.asarray(utc, dtype=np.int64) - self.offset_ns) / NS
        return (shifted_s + self.drift * self.pivot_boot_s) / (1.0 + self.drift)


def estimate_link(boot_s, utc, method: str = "median") -> ClockLink:
    """Fit a boot-to-UTC link from rows stamped on both clocks (UTC as int64 ns).

    ``median``: offset = median of (UTC - boot), no drift; robust to late rows. ``theil_sen``:
    median of pairwise slopes gives the drift too. Rows with UTC <= 0 (no fix yet) are left
    out. A link from receiver messages inherits the receiver's output latency: the stamps say
    when a message was logged, the UTC field when the fix was valid.
    """
    if method not in LINK_METHODS:
        raise ValueError(f"unknown link method {method!r}; use one of {list(LINK_METHODS)}")
    boot_s = np.asarray(boot_s, dtype=np.float64)
    utc = np.asarray(utc, dtype=np.int64)
    keep = np.isfinite(boot_s) & (utc > 0)
    boot_s, utc = boot_s[keep], utc[keep]
    if boot_s.size < (2 if method == "theil_sen" else 1):
        raise ValueError(f"{boot_s.size} row(s) carry both clocks; too few for a {method} fit")

    differences = utc - np.round(boot_s * NS).astype(np.int64)
    offset_ns = _median_int(differences)
    pivot_s, drift = 0.0, 0.0
    if method == "theil_sen":
        pivot_s = float(np.median(boot_s))
        x, y = boot_s - pivot_s, (differences - offset_ns) / NS
        thin = _evenly(x.size, THEIL_SEN_MAX_ROWS)
        drift = float(theilslopes(y[thin], x[thin]).slope)
        # scipy's intercept is median(y) - slope * median(x), which a few late rows pull off
        # the line; the median of the detrended differences stays on it.
        pivot_differences = differences - np.round(drift * x * NS).astype(np.int64)
        offset_ns = _median_int(pivot_differences)
    else:
        pivot_differences = differences
    residuals = np.abs(pivot_differences - offset_ns) / NS

    link = ClockLink(
        offset_ns=int(offset_ns),
        drift=float(drift),
        pivot_boot_s=pivot_s,
        method=method,
        n_rows=int(boot_s.size),
        residual_median_abs_s=float(np.median(residuals)),
        residual_max_abs_s=float(residuals.max()),
    )
    log.info(
        "boot-to-UTC link (%s) from %d rows: offset %.6f s, drift %.2f ppm, "
        "median |residual| %.3f ms, max %.3f ms",
        method, link.n_rows, link.offset_s, link.drift_ppm,
        link.residual_median_abs_s * 1e3, link.residual_max_abs_s * 1e3,
    )  # fmt: skip
    return link


def _median_int(values: np.ndarray) -> int:
    """Median of int64 values without the float64 detour (which rounds 1.6e18 to 256 ns)."""
    ordered = np.sort(values)
    middle = ordered.size // 2
    if ordered.size % 2:
        return int(ordered[middle])
    low, high = int(ordered[middle - 1]), int(ordered[middle])
    return low + (high - low) // 2


def _evenly(n: int, most: int) -> np.ndarray:
    """Indices of at most ``most`` rows spread evenly over ``n``."""
    if n <= most:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, most).round().astype(np.int64))
