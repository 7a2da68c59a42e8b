"""Audio onset strength: decode a track to mono on its timeline, then spectral flux in bands.

The envelope is the half-wave rectified rise of log-compressed band magnitudes in short Hann
frames, averaged over log-spaced bands and stamped at each frame's centre. It peaks where a
sound starts (a beep, a word, a hit), whatever its pitch or loudness. Bands of equal width in
octaves keep a low thud from being outvoted by the many linear FFT bins of the top octave,
where lossy codecs leave mostly noise. Frame centres sit on multiples of the hop on the
track's timeline, so the envelope does not depend on where the track's first sample falls.
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
N_BANDS = 24  # log-spaced from LOWEST_HZ to Nyquist: a third of an octave at 44.1 kHz
LOWEST_HZ = 60.0
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

    @property
    def too_slow(self) -> bool:
        """Sampled so slowly that no FFT bin lies between ``LOWEST_HZ`` and Nyquist: no bands."""
        return _bands(_window(self.sample_rate), self.sample_rate) is None


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


def _window(rate: int) -> int:
    """Analysis frame length in samples at ``rate`` Hz."""
    return max(16, round(WINDOW_S * rate))


def _bands(window: int, rate: int) -> tuple[int, np.ndarray, np.ndarray] | None:
    """(first FFT bin, start bin of each non-empty log-spaced band after it, bins per band).

    None when no bin falls in a band (Nyquist at or barely above ``LOWEST_HZ``). The bands
    are contiguous runs of bins, so each is averaged with ``np.add.reduceat``: a plain sum in
    bin order. (A matrix product would hand the sum to BLAS, whose result depends on its
    thread count, and a Dask worker runs BLAS on one thread.)
    """
    if rate / 2 <= LOWEST_HZ:
        return None
    freqs = np.fft.rfftfreq(window, 1.0 / rate)
    edges = np.geomspace(LOWEST_HZ, rate / 2, N_BANDS + 1)
    band = np.searchsorted(edges, freqs, side="right") - 1
    inside = np.flatnonzero((band >= 0) & (band < N_BANDS))
    if not inside.size:
        return None
    first = int(inside[0])
    starts = np.flatnonzero(np.diff(band[inside], prepend=-1))
    counts = np.diff(np.append(starts, len(inside)))
    return first, starts, counts


def onset_envelope(track: AudioTrack, hop_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(frame centre times on the track's timeline, onset strength) at multiples of ``hop_s``.

    The first frame has no predecessor, so its strength is 0. Empty for a silent track, one
    too short for two frames, or one sampled too slowly to have any band.
    """
    rate = track.sample_rate
    window = _window(rate)
    bands = _bands(window, rate)
    if track.samples.size < window + round(hop_s * rate) or track.silent or bands is None:
        return np.zeros(0), np.zeros(0)

    half_s = window / 2 / rate
    first = int(np.ceil((track.start_s + half_s) / hop_s - 0.5 - 1e-9))
    last = int(np.floor((track.start_s + track.samples.size / rate - half_s) / hop_s - 0.5 + 1e-9))
    times = (np.arange(first, last + 1) + 0.5) * hop_s
    starts = np.round((times - track.start_s - half_s) * rate).astype(int)
    starts = np.clip(starts, 0, track.samples.size - window)

    x = track.samples / track.peak
    frames = sliding_window_view(x, window)
    taper = np.hanning(window).astype(np.float32)
    first_bin, band_starts, band_bins = bands
    last_bin = first_bin + int(band_bins.sum())
    scale = (2.0 / taper.sum()) / band_bins  # band means; a full-scale sine reads as 1
    strength = np.zeros(len(times))
    last_bands = None  # log band magnitudes of the frame before the current chunk
    for chunk in range(0, len(times), _CHUNK_FRAMES):
        block = frames[starts[chunk : chunk + _CHUNK_FRAMES]] * taper
        spectrum = np.abs(np.fft.rfft(block, axis=1))[:, first_bin:last_bin]
        logmag = np.log1p(LOG_GAIN * np.add.reduceat(spectrum, band_starts, axis=1) * scale)
        if last_bands is not None:
            logmag = np.vstack([last_bands, logmag])
        rise = np.clip(np.diff(logmag, axis=0), 0, None).mean(axis=1)
        strength[chunk + (last_bands is None) : chunk + len(block)] = rise
        last_bands = logmag[-1:]
    return times, strength
