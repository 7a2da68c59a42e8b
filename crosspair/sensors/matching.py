"""Match one stream's samples to reference stamps: nearest sample, or linear interpolation.

Both modes find each reference stamp's nearest sample with ``pandas.merge_asof``
(``direction="nearest"``) and keep the row when it lies within the tolerance; interpolation
also needs the stamp inside the other stream's span (it never extrapolates).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_integer_dtype, is_numeric_dtype

TOLERANCE_SLACK_S = 1e-9  # float stamps: 1.01 - 1.0 is 0.010000000000000009, not 0.01
# UTC seconds near 1.6e9 are float64 steps of 2.4e-7 s apart; the slack grows to a few steps
SLACK_STEPS = 4


@dataclass(frozen=True)
class Match:
    """Per reference stamp: nearest other row, signed distance, kept or not and why not."""

    nearest_row: np.ndarray
    dt_s: np.ndarray
    paired: np.ndarray
    outside_span: np.ndarray


def match(reference_s: np.ndarray, other_s: np.ndarray, tolerance_s: float, method: str) -> Match:
    """Nearest other sample of every reference stamp, kept when within ``tolerance_s``."""
    left = pd.DataFrame({"t": reference_s})
    right = pd.DataFrame({"t": other_s, "row": np.arange(other_s.size)})
    merged = pd.merge_asof(left, right, on="t", direction="nearest")
    rows = merged["row"].to_numpy(dtype=np.int64)
    dt_s = other_s[rows] - reference_s
    outside = (reference_s < other_s[0]) | (reference_s > other_s[-1])
    paired = np.abs(dt_s) <= tolerance_s + _slack(reference_s, other_s)
    if method == "interpolate":
        paired &= ~outside
    return Match(rows, dt_s, paired, outside)


def _slack(reference_s: np.ndarray, other_s: np.ndarray) -> float:
    """How far past the tolerance a distance may be by float rounding of stamps this large."""
    largest = max(np.abs(reference_s).max(initial=0.0), np.abs(other_s).max(initial=0.0))
    return max(TOLERANCE_SLACK_S, SLACK_STEPS * float(np.spacing(largest)))


def partner_columns(
    frame: pd.DataFrame,
    columns: list[str],
    other_s: np.ndarray,
    reference_s: np.ndarray,
    found: Match,
    method: str,
) -> dict[str, pd.Series]:
    """The other stream's columns on the reference rows; null where no partner was kept.

    ``interpolate`` turns numeric columns (not bools) into float64 by linear interpolation;
    every other column, and every column in ``nearest`` mode, takes the nearest row's value.
    """
    out = {}
    for column in columns:
        values = frame[column]
        numeric = is_numeric_dtype(values) and not is_bool_dtype(values)
        if method == "interpolate" and numeric:
            series = pd.Series(np.interp(reference_s, other_s, values.to_numpy(dtype=float)))
        else:
            series = values.iloc[found.nearest_row].reset_index(drop=True)
            if is_integer_dtype(series):
                series = series.astype("Int64")
            elif is_bool_dtype(series):
                series = series.astype("boolean")
            elif not numeric:
                series = series.astype(object)
        out[column] = series.where(found.paired)
    return out
