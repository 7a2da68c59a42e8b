"""Speech from the bundled libespeak-ng: word events, timings, repeatability."""

import re
import threading
from itertools import pairwise

import numpy as np
import pytest

from crosspair.synth.espeak import EspeakError, WordEvent, synthesize

SENTENCE = "Hello there, we moved from 12 to 3 offices in 2019."


def _tokens(text: str) -> list[str]:
    return [re.sub(r"^\W+|\W+$", "", token) for token in text.split()]


@pytest.fixture(scope="module")
def speech():
    return synthesize(SENTENCE)


def test_one_word_per_token(speech):
    assert [w.word for w in speech.words] == _tokens(SENTENCE)
    assert [w.char_offset for w in speech.words] == [
        m.start() for m in re.finditer(r"\S+", SENTENCE)
    ]


def test_timings_increase_and_lie_within_the_audio(speech):
    assert speech.sample_rate == 22050
    assert speech.samples.dtype == np.int16
    for word in speech.words:
        assert 0.0 <= word.start_s < word.end_s <= speech.duration_s
    for before, after in pairwise(speech.words):
        assert before.end_s <= after.start_s


def test_duration_is_plausible(speech):
    # 11 words (one spoken as four: "two thousand and nineteen") at 160 words a minute
    assert 3.0 < speech.duration_s < 7.0
    assert 2.5 < speech.words[-1].end_s - speech.words[0].start_s < speech.duration_s


def test_a_number_is_one_word_spanning_all_its_spoken_words(speech):
    year = speech.words[-1]
    assert year.word == "2019"
    assert year.end_s - year.start_s > 0.6


def test_pause_after_a_comma_is_silent_and_outside_the_words(speech):
    there, we = speech.words[1], speech.words[2]
    assert we.start_s - there.end_s > 0.1
    gap = speech.samples[round(there.end_s * 22050) : round(we.start_s * 22050)]
    spoken = speech.samples[round(there.start_s * 22050) : round(there.end_s * 22050)]
    assert np.abs(gap).max() < 0.01 * np.abs(spoken).max()


def test_faster_rate_gives_shorter_audio(speech):
    fast = synthesize(SENTENCE, rate_wpm=300)
    assert fast.duration_s < 0.7 * speech.duration_s
    assert len(fast.words) == len(speech.words)


def test_same_text_gives_same_samples_whatever_was_spoken_before(speech):
    # espeak keeps pitch flutter and roughness phases in C statics; without the generated
    # voice file this repeat would differ in its samples
    synthesize("Something else entirely, to move the internal state on.", "en-gb-x-rp+f4")
    again = synthesize(SENTENCE)
    assert np.array_equal(again.samples, speech.samples)
    assert again.words == speech.words


def test_variant_voice_differs_but_keeps_the_words(speech):
    other = synthesize(SENTENCE, "en-gb-x-rp+f4")
    assert [w.word for w in other.words] == [w.word for w in speech.words]
    assert not np.array_equal(other.samples[:1000], speech.samples[:1000])


def test_threads_share_one_engine_safely():
    texts = [f"Thread number {n} says hello." for n in range(4)]
    expected = [synthesize(text).samples for text in texts]
    results: dict[int, np.ndarray] = {}

    def run(index: int) -> None:
        results[index] = synthesize(texts[index]).samples

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(np.array_equal(results[n], expected[n]) for n in range(4))


def test_pairs_the_dictionary_joins_still_get_one_word_each():
    # espeak's English dictionary reads "in the" as one word and sends one WORD event for it
    speech = synthesize("Fresh bread smells best early in the morning.")
    assert [w.word for w in speech.words][-3:] == ["in", "the", "morning"]
    inside, article = speech.words[-3], speech.words[-2]
    assert inside.start_s < inside.end_s <= article.start_s < article.end_s


def test_an_unspoken_token_joins_the_word_before():
    speech = synthesize("Wait - what?")
    assert [(w.word, w.char_offset) for w in speech.words] == [("Wait", 0), ("what", 7)]


def test_resampled_keeps_word_times(speech):
    low = speech.resampled(16000)
    assert low.sample_rate == 16000
    assert abs(len(low.samples) - len(speech.samples) * 16000 / 22050) <= 1
    assert low.words == speech.words


def test_padded_shifts_word_times(speech):
    padded = speech.resampled(16000).padded(0.25, 0.5)
    assert padded.duration_s == pytest.approx(speech.duration_s + 0.75, abs=1e-4)
    assert padded.words[0] == WordEvent(
        "Hello", speech.words[0].start_s + 0.25, speech.words[0].end_s + 0.25, 0
    )
    assert not padded.samples[:4000].any()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "   "}, ValueError),
        ({"text": "hi", "rate_wpm": 20}, ValueError),
        ({"text": "hi", "voice": "xx-nowhere"}, EspeakError),
        ({"text": "hi", "voice": "en-us+nobody"}, EspeakError),
    ],
)
def test_bad_requests_are_refused(kwargs, error):
    with pytest.raises(error):
        synthesize(**kwargs)
