"""Audio onset strength: decode a track to mono on its timeline, then spectral flux.

The envelope is the half-wave rectified rise of log-compressed magnitude spectra in short
Hann frames, averaged over frequency and stamped at each frame's centre. It peaks where a
sound starts (a beep, a word, a hit), whatever its pitch or loudness.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import av
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

log = logging.getLogger(__name__)

WINDOW_S = 0.025
LOG_GAIN = 100.0  # log1p(gain × magnitude): compresses loud and soft onsets onto one scale
SILENCE_PEAK = 1e-3  # −60 dBFS: below this everywhere, a track is treated as silent
GAP_S = 0.05  # a jump in audio pts larger than this is filled with silence
_CHUNK_FRAMES = 4096


@dataclass(frozen=True)
class AudioTrack:
    """Mono samples in [-1, 1]; ``start_s`` is the first sample's time on the file's timeline."""

    samples: np.ndarray
    sample_rate: int
    start_s: float

    @property
    def peak(self) -> float:
        return float(np.max(np.abs(self.samples))) if self.samples.size else 0.0

    @property
    def silent(self) -> bool:
        return self.peak < SILENCE_PEAK


def decode_track(container: av.container.InputContainer, stream_number: int = 0) -> AudioTrack:
    """Audio stream ``stream_number`` (0 = first audio stream) as mono float samples.

    The start is the first decoded frame's pts minus the container's start, so a track that
    begins after its video keeps that delay. Samples are concatenated; a pts jump of more
    than ``GAP_S`` is filled with silence so later sounds stay at their times. Pass a freshly
    opened container.

    TODO: the whole mono track is held in memory (about 0.7 GB per hour at 48 kHz); long
    files would need a streamed envelope or an analysis window.
    """
    stream = container.streams.audio[stream_number]
    origin_s = (container.start_time or 0) / av.time_base
    to_mono = av.AudioResampler(format="flt", layout="mono")  # same rate: no filter delay
    chunks: list[np.ndarray] = []
    start_s = None
    written = 0
    sample_rate = stream.codec_context.sample_rate or 0

    for frame in container.decode(stream):
        sample_rate = frame.sample_rate
        if frame.pts is not None:
            time_s = float(frame.pts * frame.time_base) - origin_s
            if start_s is None:
                start_s = time_s
            gap = round((time_s - start_s) * sample_rate) - written
            if gap > GAP_S * sample_rate:
                chunks.append(np.zeros(gap, np.float32))
                written += gap
        for mono in to_mono.resample(frame):
            samples = mono.to_ndarray().reshape(-1)
            chunks.append(samples)
            written += samples.size
    for mono in to_mono.resample(None):
        chunks.append(mono.to_ndarray().reshape(-1))

    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    log.debug("audio stream %d: %d samples at %d Hz", stream_number, samples.size, sample_rate)
    return AudioTrack(np.clip(samples, -1.0, 1.0), int(sample_rate), start_s or 0.0)


def onset_envelope(track: AudioTrack, hop_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(frame centre times on the track's timeline, onset strength) every ``hop_s`` seconds."""
    rate = track.sample_rate
    window = max(16, round(WINDOW_S * rate))
    hop = max(1, round(hop_s * rate))
    if track.samples.size < window + hop or track.silent:
        return np.zeros(0), np.zeros(0)

    x = track.samples / track.peak
    frames = sliding_window_view(x, window)[::hop]
    taper = np.hanning(window).astype(np.float32)
    scale = 2.0 / taper.sum()  # a full-scale sine reads as magnitude 1
    strength = np.zeros(len(frames))
    last = None  # log spectrum of the frame before the current chunk
    for first in range(0, len(frames), _CHUNK_FRAMES):
        block = frames[first : first + _CHUNK_FRAMES] * taper
        logmag = np.log1p(LOG_GAIN * scale * np.abs(np.fft.rfft(block, axis=1)))
        if last is not None:
            logmag = np.vstack([last, logmag])
        rise = np.clip(np.diff(logmag, axis=0), 0, None).mean(axis=1)
        strength[first + (last is None) : first + len(block)] = rise
        last = logmag[-1:]
    times = track.start_s + (np.arange(len(frames)) * hop + window / 2) / rate
    return times, strength
