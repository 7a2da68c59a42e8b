"""Cross-correlation of two timed signals on one uniform grid: lag, sub-sample peak, confidence.

Both signals are put on the grid ``t = k / rate_hz`` of the container timeline by linear
interpolation at their own timestamps, their slow trend is removed, and the Pearson
correlation is taken over the overlap at every lag. A positive lag means the audio comes
*later* than the picture. ``by_overlap`` scales each lag's correlation by the square root of
its share of the longest overlap: a Pearson r over n samples varies by about 1/√n by chance,
so without it the short overlaps at the ends of the search would win by luck.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d

TREND_S = 0.5  # moving-mean window removed before correlating: keeps the peaks, not the level
MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class GridSignal:
    """Samples at grid indices ``first, first + 1, ...`` (time = index / rate_hz)."""

    first: int
    values: np.ndarray
    rate_hz: float


@dataclass(frozen=True)
class Peak:
    """Best lag in seconds, its correlation, and its margin over the rest in robust σ."""

    lag_s: float
    correlation: float
    confidence: float


def on_grid(times_s: np.ndarray, values: np.ndarray, rate_hz: float) -> GridSignal:
    """Linear interpolation of (time, value) samples at the grid points inside their span."""
    if len(times_s) < 2:
        return GridSignal(0, np.zeros(0), rate_hz)
    first = int(np.ceil(times_s[0] * rate_hz - 1e-9))
    last = int(np.floor(times_s[-1] * rate_hz + 1e-9))
    grid = np.arange(first, last + 1) / rate_hz
    resampled = np.interp(grid, times_s, values)
    trend = uniform_filter1d(resampled, max(1, round(TREND_S * rate_hz)), mode="nearest")
    return GridSignal(first, resampled - trend, rate_hz)


def correlate(
    video: GridSignal, audio: GridSignal, max_lag: int, min_overlap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlation of video[k] with audio[k + lag] for lag in ±max_lag (grid steps).

    Lags whose overlap is shorter than ``min_overlap`` samples, or where either side is
    constant, are NaN.
    """
    lags = np.arange(-max_lag, max_lag + 1)
    corr = np.full(len(lags), np.nan)
    v_end, a_end = video.first + len(video.values), audio.first + len(audio.values)
    for i, lag in enumerate(lags):
        start = max(video.first, audio.first - lag)
        stop = min(v_end, a_end - lag)
        if stop - start < max(min_overlap, 2):
            continue
        v = video.values[start - video.first : stop - video.first]
        a = audio.values[start + lag - audio.first : stop + lag - audio.first]
        v, a = v - v.mean(), a - a.mean()
        # numpy's own sums, not BLAS dot products: the same bits whatever the thread count
        norm = np.sqrt((v * v).sum() * (a * a).sum())
        if norm > 0:
            corr[i] = (v * a).sum() / norm
    return lags, corr


def overlaps(video: GridSignal, audio: GridSignal, max_lag: int) -> np.ndarray:
    """Samples shared by video[k] and audio[k + lag] for lag in ±max_lag (grid steps)."""
    lags = np.arange(-max_lag, max_lag + 1)
    start = np.maximum(video.first, audio.first - lags)
    stop = np.minimum(video.first + len(video.values), audio.first + len(audio.values) - lags)
    return np.clip(stop - start, 0, None)


def by_overlap(corr: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``corr × √(overlap / longest overlap)``: equal chance spread at every lag."""
    longest = counts.max() if counts.size else 0
    return corr * np.sqrt(counts / longest) if longest > 0 else corr


def best_peak(lags: np.ndarray, corr: np.ndarray, rate_hz: float, exclude_s: float) -> Peak:
    """Highest correlation, refined by a parabola through it and its neighbours.

    Confidence is the peak's margin over the highest correlation further than ``exclude_s``
    away, in robust standard deviations (1.4826 × MAD) of all lags: high for one sharp peak,
    near zero for a flat, noisy or periodic correlation.
    """
    valid = np.flatnonzero(np.isfinite(corr))
    best = valid[np.argmax(corr[valid])]
    shift = 0.0
    if 0 < best < len(corr) - 1 and np.isfinite(corr[best - 1]) and np.isfinite(corr[best + 1]):
        left, mid, right = corr[best - 1], corr[best], corr[best + 1]
        curvature = left - 2 * mid + right
        if curvature < 0:
            shift = float(np.clip(0.5 * (left - right) / curvature, -0.5, 0.5))

    values = corr[valid]
    far = valid[np.abs(lags[valid] - lags[best]) > exclude_s * rate_hz]
    rival = float(np.max(corr[far])) if far.size else float(np.median(values))
    spread = MAD_TO_SIGMA * float(np.median(np.abs(values - np.median(values))))
    spread = spread if spread > 0 else float(np.std(values))
    confidence = (corr[best] - rival) / spread if spread > 0 else 0.0
    lag_s = float((lags[best] + shift) / rate_hz)
    return Peak(lag_s, float(corr[best]), max(0.0, float(confidence)))
