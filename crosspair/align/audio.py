"""Any audio file as 16 kHz mono float32, read piece by piece so long files stay cheap.

soundfile decodes (WAV, FLAC, MP3, OGG...; any bit depth), channels are averaged, and
``scipy.signal.resample_poly`` converts the rate. Pieces are read with extra context on both
sides and the context is cut off after resampling, so the filter has real signal at the
piece's edges and consecutive pieces join without clicks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf

from crosspair.align.backend import SAMPLE_RATE

CONTEXT_S = 0.05


@dataclass(frozen=True)
class AudioInfo:
    path: str
    sample_rate: int
    channels: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def audio_info(path: str | Path) -> AudioInfo:
    info = sf.info(str(path))
    return AudioInfo(str(path), int(info.samplerate), int(info.channels), int(info.frames))


def to_16k_mono(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Downmix (frames x channels or 1-D) and resample to 16 kHz float32."""
    audio = np.asarray(samples, dtype=np.float64)
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    if sample_rate != SAMPLE_RATE:
        from scipy.signal import resample_poly  # scipy.signal is slow to import

        factor = gcd(SAMPLE_RATE, sample_rate)
        audio = resample_poly(audio, SAMPLE_RATE // factor, sample_rate // factor)
    return audio.astype(np.float32)


def read_segment(path: str | Path, start_s: float = 0.0, end_s: float | None = None) -> np.ndarray:
    """Samples of ``[start_s, end_s)`` at 16 kHz mono (to the end of the file if no end)."""
    info = audio_info(path)
    end_s = info.duration_s if end_s is None else min(end_s, info.duration_s)
    start_s = max(0.0, min(start_s, end_s))
    context = round(CONTEXT_S * info.sample_rate)
    first = max(round(start_s * info.sample_rate) - context, 0)
    last = min(round(end_s * info.sample_rate) + context, info.frames)
    with sf.SoundFile(str(path)) as handle:
        handle.seek(first)
        raw = handle.read(last - first, dtype="float32", always_2d=True)
    audio = to_16k_mono(raw, info.sample_rate)
    skip = round((start_s - first / info.sample_rate) * SAMPLE_RATE)
    wanted = round((end_s - start_s) * SAMPLE_RATE)
    return audio[skip : skip + wanted]


def stream_16k(path: str | Path, block_s: float = 30.0) -> Iterator[np.ndarray]:
    """Consecutive 16 kHz mono blocks of about ``block_s`` covering the whole file."""
    info = audio_info(path)
    step = block_s
    start = 0.0
    while start < info.duration_s:
        end = min(start + step, info.duration_s)
        block = read_segment(path, start, end)
        if len(block) == 0:
            break
        yield block
        start = end
