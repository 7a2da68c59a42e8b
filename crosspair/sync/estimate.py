"""Offset between a video's picture and a sound track, from visual events and audio onsets.

>>> est = estimate_offset("flash.mp4", "beeps_80ms_late.wav")  # doctest: +SKIP
>>> round(est.offset_s, 3), round(est.confidence, 1), est.reason  # doctest: +SKIP
(0.08, 5.5, '')

``offset_s > 0`` means the sound comes *later* than the picture (an event seen at 1.00 s is
heard at 1.00 s + offset). Both sides are on the container timeline: each stream's times are
its pts minus the container's start, so streams that start at different times are compared
as a player would show them. An external audio file is on its own timeline, whose zero is
taken to be the video container's zero.

The audio onset envelope is correlated with each visual event signal (brightness rise, for
things that light up or appear; velocity change, for impacts and bounces), each correlation
weighted by its overlap; at every lag the better of the two counts, since a sound comes with
one kind of event or the other, and an unrelated signal would only dilute the related one.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from crosspair.sync.correlation import best_peak, by_overlap, correlate, on_grid, overlaps
from crosspair.sync.onsets import LOWEST_HZ, AudioTrack, decode_track, onset_envelope
from crosspair.sync.visual import FrameSignal, frame_signal

log = logging.getLogger(__name__)

GRID_HZ = 100.0
MIN_MOTION = 0.5  # gray levels of mean brightness rise: below this on every frame, no motion
# The demo's flash/beep clip scores 5-7 at any shift; the shared real clips, whose sounds are
# not tied to what moves on screen, and the periodic bounce clip, score 2.5 or less.
MIN_CONFIDENCE = 3.0
MIN_OVERLAP_S = 0.5


@dataclass(frozen=True)
class SyncEstimate:
    """An A/V offset estimate; ``reason`` is empty when it can be trusted, else says why not.

    ``offset_s`` is NaN when nothing could be estimated; ``confidence`` is the correlation
    peak's margin over its best rival in robust standard deviations (0 when none);
    ``fps`` and ``frame_duration_s`` come from the decoded pts (from the stream header,
    with ``n_frames`` 0, when the video was not decoded).
    """

    offset_s: float
    confidence: float
    fps: float
    frame_duration_s: float
    n_frames: int
    reason: str = ""

    @property
    def reliable(self) -> bool:
        return not self.reason and math.isfinite(self.offset_s)


def _nominal(video_path: Path, video_stream: int, reason: str) -> SyncEstimate:
    """An estimate with no offset, timing from the stream header only."""
    fps = float("nan")
    with av.open(str(video_path)) as container:
        if video_stream < len(container.streams.video):
            rate = container.streams.video[video_stream].average_rate
            fps = float(rate) if rate else fps
    duration = 1.0 / fps if fps > 0 else float("nan")
    return SyncEstimate(float("nan"), 0.0, fps, duration, 0, reason)


def estimate_offset(
    video_path: str | Path,
    audio_path: str | Path | None = None,
    video_stream: int = 0,
    audio_stream: int = 0,
    max_lag_s: float = 1.0,
) -> SyncEstimate:
    """Estimate picture-vs-sound offset within ±``max_lag_s``.

    ``video_stream`` and ``audio_stream`` count streams of their kind (0 = first video /
    first audio stream). Without ``audio_path`` the audio is the video file's own stream.
    Content problems (no audio, silence, too low a sample rate, no motion, flat correlation)
    come back as a ``reason``; unreadable files raise ``av.error.FFmpegError`` or ``OSError``.
    """
    if max_lag_s <= 0:
        raise ValueError(f"max_lag_s must be positive, got {max_lag_s}")
    video_path = Path(video_path)
    audio_file = Path(audio_path) if audio_path is not None else video_path
    where = audio_file.name if audio_path is not None else "the video"

    with av.open(str(audio_file)) as container:
        count = len(container.streams.audio)
        if audio_stream >= count:
            have = f"has {count} audio stream{'s' if count != 1 else ''}" if count else "has none"
            reason = f"no audio stream {audio_stream} in {where} ({have})"
            return _nominal(video_path, video_stream, reason)
        track = decode_track(container, audio_stream)
    if track.silent:
        return _nominal(video_path, video_stream, f"silent audio (peak {track.peak:.1e})")
    if track.too_slow:
        reason = f"audio rate too low ({track.sample_rate} Hz): no band above {LOWEST_HZ:g} Hz"
        return _nominal(video_path, video_stream, reason)

    with av.open(str(video_path)) as container:
        if video_stream >= len(container.streams.video):
            count = len(container.streams.video)
            return SyncEstimate(
                math.nan, 0.0, math.nan, math.nan, 0, f"no video stream {video_stream} ({count})"
            )
        frames = frame_signal(container, video_stream)
    return _from_signals(frames, track, max_lag_s)


def _from_signals(frames: FrameSignal, track: AudioTrack, max_lag_s: float) -> SyncEstimate:
    """Correlate a decoded frame signal with a decoded track."""

    def result(offset_s: float, confidence: float, reason: str) -> SyncEstimate:
        return SyncEstimate(
            offset_s, confidence, frames.fps, frames.frame_duration_s, frames.n_frames, reason
        )

    if frames.n_frames < 3:
        return result(math.nan, 0.0, f"too few video frames ({frames.n_frames})")
    if float(np.max(frames.values)) < MIN_MOTION:
        return result(math.nan, 0.0, "no motion: the picture barely changes")
    times, strength = onset_envelope(track, 1.0 / GRID_HZ)
    if strength.size < 3 or float(np.ptp(strength)) == 0.0:
        return result(math.nan, 0.0, "no audio onsets")

    audio = on_grid(times, strength, GRID_HZ)
    max_lag = round(max_lag_s * GRID_HZ)
    curves = []
    for signal in _visual_signals(frames):
        video = on_grid(*signal, GRID_HZ)
        shorter = min(len(video.values), len(audio.values))
        min_overlap = max(round(MIN_OVERLAP_S * GRID_HZ), shorter // 2)
        lags, corr = correlate(video, audio, max_lag, min_overlap)
        curves.append(by_overlap(corr, overlaps(video, audio, max_lag)))
    corr = _best_of(curves)
    if not np.isfinite(corr).any():
        return result(math.nan, 0.0, "picture and sound overlap too little to correlate")

    exclude_s = max(2 * frames.frame_duration_s, 0.1)
    peak = best_peak(lags, corr, GRID_HZ, exclude_s)
    reason = ""
    if peak.confidence < MIN_CONFIDENCE:
        reason = f"flat correlation: confidence {peak.confidence:.1f} < {MIN_CONFIDENCE}"
    log.debug("offset %.3f s, r=%.2f: %s", peak.lag_s, peak.correlation, reason or "reliable")
    return result(peak.lag_s, peak.confidence, reason)


def _visual_signals(frames: FrameSignal) -> list[tuple[np.ndarray, np.ndarray]]:
    """(times, values) of each visual event signal, without the frames where it is undefined."""
    signals = [(frames.times_s[1:], frames.values[1:])]  # the first frame has no rise
    if frames.motion_change is not None and frames.n_frames >= 3:
        signals.append((frames.times_s[1:-1], frames.motion_change[1:-1]))
    return signals


def _best_of(curves: list[np.ndarray]) -> np.ndarray:
    """Per lag, the highest of the correlation curves that are defined there (else NaN)."""
    stacked = np.array(curves)
    defined = np.isfinite(stacked)
    best = np.where(defined, stacked, -np.inf).max(axis=0)
    return np.where(defined.any(axis=0), best, np.nan)
