"""GPS time (week, seconds of week) to and from UTC, with the GPS-UTC leap-second offset.

GPS time started at 1980-01-06T00:00:00 UTC and has no leap seconds, so it runs ahead of UTC
by the leap seconds inserted since then: 18 s since 2017-01-01. Weeks are full week numbers
(2012 in August 2018), not the 10-bit count some receivers broadcast modulo 1024.

>>> int(gps_to_utc_ns(2012, 404106.397))   # 2018-08-02T16:14:48.397Z
1533226488397000000
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np

log = logging.getLogger(__name__)

NS = 1_000_000_000
SECONDS_PER_WEEK = 604_800
GPS_EPOCH_UNIX_S = 315_964_800  # 1980-01-06T00:00:00Z in seconds since 1970-01-01

# GPS-UTC in seconds from the UTC date on which each leap second took effect (IERS bulletins;
# TAI-UTC minus the 19 s TAI-GPS). No leap second has been announced after 2017-01-01; add a
# row here when IERS Bulletin C announces one.
LEAP_SECONDS: tuple[tuple[dt.date, int], ...] = (
    (dt.date(1981, 7, 1), 1),
    (dt.date(1982, 7, 1), 2),
    (dt.date(1983, 7, 1), 3),
    (dt.date(1985, 7, 1), 4),
    (dt.date(1988, 1, 1), 5),
    (dt.date(1990, 1, 1), 6),
    (dt.date(1991, 1, 1), 7),
    (dt.date(1992, 7, 1), 8),
    (dt.date(1993, 7, 1), 9),
    (dt.date(1994, 7, 1), 10),
    (dt.date(1996, 1, 1), 11),
    (dt.date(1997, 7, 1), 12),
    (dt.date(1999, 1, 1), 13),
    (dt.date(2006, 1, 1), 14),
    (dt.date(2009, 1, 1), 15),
    (dt.date(2012, 7, 1), 16),
    (dt.date(2015, 7, 1), 17),
    (dt.date(2017, 1, 1), 18),
)

_EFFECTIVE_UTC_S = np.array(
    [(date - dt.date(1970, 1, 1)).days * 86_400 for date, _ in LEAP_SECONDS], dtype=np.int64
)
_OFFSETS_S = np.array([offset for _, offset in LEAP_SECONDS], dtype=np.int64)


def leap_seconds_at_utc(utc_ns) -> np.ndarray:
    """GPS-UTC in whole seconds at the given UTC instants (int64 ns since the Unix epoch)."""
    utc_s = np.floor_divide(np.asarray(utc_ns, dtype=np.int64), NS)
    index = np.searchsorted(_EFFECTIVE_UTC_S, utc_s, side="right")
    return np.concatenate([[0], _OFFSETS_S])[index]


def leap_seconds_at_gps(gps_unix_s) -> np.ndarray:
    """GPS-UTC at instants given on the GPS time scale (seconds since 1970 on that scale)."""
    # A leap second effective at UTC midnight D happens at D + new offset on the GPS scale.
    thresholds = _EFFECTIVE_UTC_S + _OFFSETS_S
    index = np.searchsorted(thresholds, np.asarray(gps_unix_s, dtype=np.float64), side="right")
    return np.concatenate([[0], _OFFSETS_S])[index]


def gps_to_utc_ns(week, seconds_of_week) -> np.ndarray:
    """UTC as int64 ns since the Unix epoch for GPS (full week number, seconds of week)."""
    week = np.asarray(week)
    tow = np.asarray(seconds_of_week, dtype=np.float64)
    if np.any(week != np.round(week)) or np.any(week < 0):
        raise ValueError("GPS week must be a whole, non-negative week number")
    if np.any((tow < 0) | (tow >= SECONDS_PER_WEEK)):
        raise ValueError(f"GPS seconds of week must lie in [0, {SECONDS_PER_WEEK})")
    whole_s = GPS_EPOCH_UNIX_S + week.astype(np.int64) * SECONDS_PER_WEEK
    gps_unix_ns = whole_s * NS + np.round(tow * NS).astype(np.int64)
    leap = leap_seconds_at_gps(whole_s + tow)
    return gps_unix_ns - leap * NS


def utc_ns_to_gps(utc_ns) -> tuple[np.ndarray, np.ndarray]:
    """(full GPS week, seconds of week) of UTC instants given as int64 ns since the epoch."""
    utc_ns = np.asarray(utc_ns, dtype=np.int64)
    gps_ns = utc_ns + leap_seconds_at_utc(utc_ns) * NS - GPS_EPOCH_UNIX_S * NS
    week, rest_ns = np.divmod(gps_ns, SECONDS_PER_WEEK * NS)
    return week, rest_ns / NS
