"""Cross-correlation on hand-made signals: sign of the lag, sub-sample peak, confidence."""

from __future__ import annotations

import numpy as np
import pytest

from crosspair.sync.correlation import best_peak, by_overlap, correlate, on_grid, overlaps

RATE = 100.0
EVENTS_S = np.array([0.7, 1.9, 2.5, 4.1, 5.0, 6.3])


def _pulses(events_s: np.ndarray, times_s: np.ndarray, width_s: float = 0.02) -> np.ndarray:
    return np.exp(-0.5 * ((times_s[:, None] - events_s[None, :]) / width_s) ** 2).sum(axis=1)


@pytest.mark.parametrize("lag_s", [-0.31, -0.004, 0.0, 0.123, 0.5])
def test_peak_is_the_audio_delay_with_sub_sample_precision(lag_s):
    frames = np.arange(0, 8, 0.04)  # 25 fps picture
    hops = np.arange(0, 8, 0.005)  # 200 Hz onsets, off the 100 Hz grid
    video = on_grid(frames, _pulses(EVENTS_S, frames, 0.03), RATE)
    audio = on_grid(hops, _pulses(EVENTS_S + lag_s, hops), RATE)
    lags, corr = correlate(video, audio, max_lag=100, min_overlap=200)
    peak = best_peak(lags, corr, RATE, exclude_s=0.1)
    assert peak.lag_s == pytest.approx(lag_s, abs=0.004)
    assert peak.confidence > 5


def test_unrelated_noise_has_low_confidence():
    rng = np.random.default_rng(3)
    times = np.arange(0, 20, 0.01)
    video = on_grid(times, rng.random(times.size), RATE)
    audio = on_grid(times, rng.random(times.size), RATE)
    lags, corr = correlate(video, audio, max_lag=100, min_overlap=500)
    assert best_peak(lags, corr, RATE, exclude_s=0.1).confidence < 3


def test_lags_without_enough_overlap_are_left_out():
    times = np.arange(0, 1.0, 0.01)
    signal = on_grid(times, _pulses(np.array([0.3, 0.6]), times), RATE)
    lags, corr = correlate(signal, signal, max_lag=100, min_overlap=50)
    assert np.isnan(corr[np.abs(lags) > 50]).all()
    assert np.isfinite(corr[np.abs(lags) <= 50]).all()
    assert lags[np.nanargmax(corr)] == 0


def test_overlaps_and_their_weight():
    video = on_grid(np.arange(0, 1.0, 0.01), np.ones(100), RATE)  # grid 0 … 99
    audio = on_grid(np.arange(0.5, 1.0, 0.01), np.ones(50), RATE)  # grid 50 … 99
    counts = overlaps(video, audio, max_lag=60)
    assert counts[60] == 50  # lag 0: audio's whole span
    assert counts[60 + 50] == 50 and counts[-1] == 40  # audio later: video's start runs out
    assert counts[60 - 1] == 49 and counts[0] == 0  # audio earlier: it runs past the video
    weighted = by_overlap(np.ones(counts.size), counts)
    assert weighted[60] == 1.0 and weighted[-1] == pytest.approx(np.sqrt(40 / 50))


def test_weighting_keeps_chance_peaks_off_the_short_overlaps():
    """Unrelated noise: unweighted, the best lag sits at the ends more often than by chance."""
    rng = np.random.default_rng(11)
    times = np.arange(0, 3, 0.01)
    at_ends = {"plain": 0, "weighted": 0}
    for _ in range(40):
        video = on_grid(times, rng.random(times.size), RATE)
        audio = on_grid(times, rng.random(times.size), RATE)
        lags, corr = correlate(video, audio, max_lag=100, min_overlap=150)
        weighted = by_overlap(corr, overlaps(video, audio, 100))
        for name, curve in (("plain", corr), ("weighted", weighted)):
            at_ends[name] += abs(lags[np.nanargmax(curve)]) > 75  # a quarter of the lags
    assert at_ends["weighted"] < at_ends["plain"]
