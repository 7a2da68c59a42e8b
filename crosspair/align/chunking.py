"""Long audio cut into chunks at silences, found by silero-vad, without loading the file.

The file is streamed once through silero-vad (its model ships in the wheel), giving one speech
probability per 32 ms window. Chunks are then cut greedily: each chunk ends at the middle of
the longest silence that keeps it under ``max_chunk_s``; where speech runs on without any
pause the cut goes to the least speech-like window. Each chunk records how much speech it
holds, which is what the transcript is shared out by.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from crosspair.align.audio import audio_info, stream_16k
from crosspair.align.backend import SAMPLE_RATE

log = logging.getLogger(__name__)

WINDOW = 512  # samples per silero-vad call at 16 kHz
WINDOW_S = WINDOW / SAMPLE_RATE
SPEECH_THRESHOLD = 0.5
MIN_SILENCE_S = 0.2


@dataclass(frozen=True)
class Chunk:
    start_s: float
    end_s: float
    speech_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@lru_cache(maxsize=1)
def _vad_model():
    from silero_vad import load_silero_vad

    return load_silero_vad()


def speech_probabilities(blocks: Iterable[np.ndarray]) -> np.ndarray:
    """One speech probability per 32 ms window of the concatenated 16 kHz blocks.

    Each block goes through the model in one call (its state restarts per block, which
    matters only for the first windows of a 30 s block). One torch thread: on two cores more
    threads made it several times slower.
    """
    import torch

    model = _vad_model()
    probabilities: list[np.ndarray] = []
    carry = np.zeros(0, np.float32)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.inference_mode():
            for block in blocks:
                audio = np.concatenate([carry, block.astype(np.float32, copy=False)])
                usable = len(audio) // WINDOW * WINDOW
                carry = audio[usable:]
                if usable:
                    model.reset_states()
                    out = model.audio_forward(torch.from_numpy(audio[:usable].copy()), SAMPLE_RATE)
                    probabilities.append(out.reshape(-1).numpy()[: usable // WINDOW])
    finally:
        torch.set_num_threads(threads)
    if not probabilities:
        return np.zeros(0, np.float32)
    return np.concatenate(probabilities).astype(np.float32)


def _silences(speech: np.ndarray) -> list[tuple[int, int]]:
    """Runs of non-speech windows as (first, end) window indices."""
    runs, start = [], None
    for index, is_speech in enumerate(speech):
        if not is_speech and start is None:
            start = index
        elif is_speech and start is not None:
            runs.append((start, index))
            start = None
    if start is not None:
        runs.append((start, len(speech)))
    return runs


def plan_chunks(
    probabilities: np.ndarray, duration_s: float, max_chunk_s: float = 30.0
) -> list[Chunk]:
    """Cut ``[0, duration_s]`` into chunks no longer than ``max_chunk_s``, at silences."""
    speech = probabilities >= SPEECH_THRESHOLD
    min_run = round(MIN_SILENCE_S / WINDOW_S)
    cuts_at = [((a + b) // 2, b - a) for a, b in _silences(speech) if b - a >= min_run]
    max_windows = max(int(max_chunk_s / WINDOW_S), 2)
    total = len(probabilities)
    bounds = [0]
    while total - bounds[-1] > max_windows:
        low, high = bounds[-1] + max_windows // 3, bounds[-1] + max_windows
        inside = [(length, centre) for centre, length in cuts_at if low < centre <= high]
        if inside:
            cut = max(inside)[1]
        else:  # speech without a pause: the least speech-like window
            cut = low + 1 + int(np.argmin(probabilities[low + 1 : high + 1]))
            log.debug("no pause in %.1f-%.1f s; hard cut", low * WINDOW_S, high * WINDOW_S)
        bounds.append(cut)
    bounds.append(total)

    chunks = []
    for first, end in zip(bounds, bounds[1:], strict=False):
        start_s = first * WINDOW_S
        end_s = duration_s if end == total else end * WINDOW_S
        chunks.append(Chunk(start_s, end_s, float(speech[first:end].sum()) * WINDOW_S))
    return chunks


def vad_chunks(path: str | Path, max_chunk_s: float = 30.0) -> list[Chunk]:
    """Stream ``path`` through silero-vad and plan chunks; memory stays one block."""
    info = audio_info(path)
    probabilities = speech_probabilities(stream_16k(path))
    chunks = plan_chunks(probabilities, info.duration_s, max_chunk_s)
    speech_s = sum(c.speech_s for c in chunks)
    log.info(
        "%s: %d chunks, %.1f s of speech in %.1f s", path, len(chunks), speech_s, info.duration_s
    )
    return chunks
