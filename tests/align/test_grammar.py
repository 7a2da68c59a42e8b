"""The alignment grammar: hesitations may be skipped, and may sound like speech noise."""

import numpy as np

from crosspair.align import align_audio
from crosspair.align.grammar import SPEECH_NOISE, add_speech_noise_variant
from crosspair.align.sphinx import _place

from .conftest import spoken


def test_inaudible_hesitations_do_not_drag_their_neighbours(backend):
    for said, transcript, voice in [
        (
            "The quick brown fox jumps over the lazy dog.",
            "The quick brown um fox jumps over the lazy dog.",
            "en-us",
        ),
        (
            "She sells sea shells by the sea shore every summer.",
            "She sells sea shells uh by the sea shore every summer.",
            "en-us+f2",
        ),
    ]:
        samples, truth = spoken(said, voice)
        result = align_audio(samples, transcript, backend).result
        assert result.status == "ok" and result.coverage == 1.0
        assert result.reason == ""  # the phone pass ran, after the skip
        assert all(w.score is not None for w in result.words)
        hesitation = next(w for w in result.words if w.word in ("um", "uh"))
        # not heard: a point between its neighbours, with no confidence
        assert hesitation.start_s == hesitation.end_s and hesitation.score == 0.0
        words = [w for w in result.words if w is not hesitation]
        errors = [
            max(abs(mine.start_s - theirs.start_s), abs(mine.end_s - theirs.end_s))
            for mine, theirs in zip(words, truth, strict=True)
        ]
        assert max(errors) <= 0.05, (transcript, errors)


def test_speech_noise_variant_is_added_once(backend):
    decoder = backend._decoder(None)
    add_speech_noise_variant(decoder, "uh")
    add_speech_noise_variant(decoder, "uh")
    variants = [decoder.lookup_word(f"uh({k})") for k in range(2, 6)]
    assert variants.count(SPEECH_NOISE) == 1
    assert decoder.lookup_word("uh") == "AH"  # the dictionary's own pronunciation stays


def test_skipped_optional_words_sit_at_the_end_of_the_word_before():
    heard = [("so", 10, 30), ("well", 42, 70)]
    placed = _place(["so", "um", "well", "uh"], heard)
    assert placed == [
        ("so", 10, 30, None),
        ("um", 30, 30, None),
        ("well", 42, 70, None),
        ("uh", 70, 70, None),
    ]
    assert _place(["um", "so", "well"], heard)[0] == ("um", 10, 10, None)
    assert _place(["so", "then", "well"], heard) is None  # only hesitations may be missing
    assert _place(["so"], heard) is None  # and nothing may be heard beyond the transcript


def test_heard_hesitations_keep_their_span(backend):
    samples, truth = spoken("um I think so")
    words = align_audio(samples, "um I think so", backend).result.words
    um = words[0]
    assert um.word == "um" and um.score > 0.5 and um.end_s - um.start_s >= 0.1
    assert abs(um.start_s - truth[0].start_s) <= 0.05
    assert np.all(np.diff([w.start_s for w in words]) > 0)
