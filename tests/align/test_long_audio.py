"""A long file goes through VAD chunking in bounded memory and keeps its word order."""

import resource

import numpy as np
import soundfile as sf

from crosspair.align import align_file
from crosspair.align.chunking import vad_chunks

from .conftest import spoken

SENTENCES = [
    "The weather was calm when the boats left the harbour.",
    "Every morning the baker opened his shop at six.",
    "Students gathered in the hall to hear the results.",
    "A quiet river runs through the middle of the town.",
]


def test_three_minutes_in_chunks_with_bounded_memory(backend, tmp_path):
    pieces, texts = [], []
    while sum(len(p) for p in pieces) < 185 * 16000:
        text = SENTENCES[len(texts) % len(SENTENCES)]
        samples, _ = spoken(text)
        pieces += [samples, np.zeros(8000, np.float32)]
        texts.append(text)
    audio = np.concatenate(pieces)
    path = tmp_path / "long.wav"
    sf.write(path, audio, 16000, subtype="PCM_16")
    del pieces, audio

    chunks = vad_chunks(path, 30.0)
    assert len(chunks) >= 7 and max(c.duration_s for c in chunks) <= 30.0 + 1e-6

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    aligned = align_file(path, " ".join(texts), backend)
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert growth_mb < 200, growth_mb

    words = aligned.result.words
    assert aligned.duration_s >= 180 and aligned.n_chunks >= 7
    assert aligned.result.coverage >= 0.95
    starts = [w.start_s for w in words if w.timed]
    assert starts == sorted(starts) and words[-1].end_s <= aligned.duration_s
