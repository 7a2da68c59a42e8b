"""The one definition of every table sensor pairing writes (pandera, checked on output).

Times ``*_s`` are float64 seconds on the pairing's timeline: seconds since the device booted
(``timeline == "boot"``) or since the Unix epoch (``"utc"``). ``utc_ns`` is int64 ns since
the Unix epoch.
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.pandas import Check, Column

METHODS = ("nearest", "interpolate")
TIMELINES = ("boot", "utc")
DROP_REASONS = ("beyond_tolerance", "outside_span")

_STREAM_PAIR = {
    "source": Column(str),
    "reference": Column(str),
    "other": Column(str),
}

PAIRED_SAMPLES = pa.DataFrameSchema(
    {
        "t_s": Column(float, Check.ge(0), description="reference stamp on the timeline"),
        "utc_ns": Column("Int64", nullable=True, description="null without a UTC link"),
        "complete": Column(bool, description="a partner in every other stream"),
    },
    name="sensor_paired_samples",
    strict=False,  # then '<stream>.<column>' for the reference and each other stream
    ordered=True,
)

PAIRING_SUMMARY = pa.DataFrameSchema(
    {
        **_STREAM_PAIR,
        "method": Column(str, Check.isin(METHODS)),
        "tolerance_s": Column(float, Check.ge(0)),
        "timeline": Column(str, Check.isin(TIMELINES)),
        "n_reference": Column("int64", Check.ge(1)),
        "n_other": Column("int64", Check.ge(1)),
        "n_paired": Column("int64", Check.ge(0)),
        "n_dropped": Column("int64", Check.ge(0)),
        "n_gaps": Column("int64", Check.ge(0), description="gaps of the other stream"),
        "max_gap_s": Column(
            float, Check.ge(0), nullable=True, description="longest interval of the other"
        ),
        "clock_offset_s": Column(float, description="added to the other's own seconds"),
        "median_abs_dt_s": Column(float, Check.ge(0), nullable=True),
        "max_abs_dt_s": Column(float, Check.ge(0), nullable=True),
    },
    name="sensor_pairing_summary",
    strict=True,
    ordered=True,
    checks=Check(lambda df: df["n_paired"] + df["n_dropped"] == df["n_reference"]),
    unique=["source", "reference", "other"],
)

SENSOR_GAPS = pa.DataFrameSchema(
    {
        "source": Column(str),
        "stream": Column(str),
        "start_s": Column(float),
        "end_s": Column(float),
        "gap_s": Column(float, Check.gt(0)),
        "median_period_s": Column(float, Check.gt(0)),
        "factor": Column(float, Check.gt(1)),
    },
    name="sensor_gaps",
    strict=True,
    ordered=True,
)

SENSOR_DROPPED = pa.DataFrameSchema(
    {
        **_STREAM_PAIR,
        "reference_row": Column("int64", Check.ge(0)),
        "t_s": Column(float),
        "nearest_dt_s": Column(float, description="signed distance to the nearest other sample"),
        "reason": Column(str, Check.isin(DROP_REASONS)),
    },
    name="sensor_dropped",
    strict=True,
    ordered=True,
)

CLOCK_LINKS = pa.DataFrameSchema(
    {
        "source": Column(str),
        "stream": Column(str, description="the stream whose rows carry both clocks"),
        "method": Column(str, Check.isin(["median", "theil_sen"])),
        "n_rows": Column("int64", Check.ge(1)),
        "offset_ns": Column("int64", description="UTC minus boot time at the pivot"),
        "offset_s": Column(float),
        "drift_ppm": Column(float),
        "pivot_boot_s": Column(float),
        "residual_median_abs_s": Column(float, Check.ge(0)),
        "residual_max_abs_s": Column(float, Check.ge(0)),
        "used": Column(bool, description="the link the source's pairing used"),
    },
    name="sensor_clock_links",
    strict=True,
    ordered=True,
)
