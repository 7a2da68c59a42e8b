"""The default backend: pocketsphinx forced alignment with the en-us model inside its wheel.

Each call runs two passes over the audio: an alignment search that places the words (with
optional silences and noises between them) and a state-level pass that times every phone
inside them. Words missing from the bundled CMU dictionary get espeak-ng pronunciations.

- Grammar: the transcript in order, hesitations ("um", "uh") optional and also pronounceable
  as speech noise (``grammar``). A skipped hesitation gets no length and a score of 0; the
  phone pass cannot follow a skip, so the words heard are then searched once more in a chain.
- No lattice rescoring (``bestpath`` off): with one word sequence there is nothing for it to
  choose, yet on long hoarse recordings its best path left the grammar ("Final result does
  not match the grammar"), broke the phone pass and took seconds at wide beams. Without it
  the Viterbi path is used as it is, and wider beams cost only 10-20% more.
- Beams: the default beams sometimes prune away every path on hoarse or fast speech; the
  search is then retried with wider beams.
- Phone pass failures: when the phone pass cannot reach the end of a long utterance, the
  words keep their times and each phrase between pauses is aligned again on its own.
- Score: the phone pass gives each word an acoustic log-likelihood relative to the best
  senone in every frame. Per frame this sits near -10 to -25 for words that are there and
  below -50 for words that are not, so a logistic centred on -40 maps it to 0..1.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, replace
from importlib.metadata import version

import numpy as np

from crosspair.align.backend import NOISE, SAMPLE_RATE, SILENT_PEAK
from crosspair.align.g2p import default_g2p
from crosspair.align.grammar import (
    HESITATIONS,
    NOISE_WORD,
    activate_grammar,
    add_speech_noise_variant,
    is_optional,
)
from crosspair.align.result import (
    EMPTY_TRANSCRIPT,
    FAILED,
    OK,
    AlignmentResult,
    PhoneTiming,
    WordTiming,
    untimed,
)

log = logging.getLogger(__name__)

FRAME_S = 0.01
EDGE_SILENCE_S = 0.5  # digital silence kept at either edge; longer runs are cut off
PAD_S = 0.3  # pocketsphinx needs silence around the speech ("Alignment failed in frame N")
NOISE_FLOOR = 3e-4  # about -70 dBFS
# fixed seed: equal inputs, equal results; no lattice rescoring (see above)
DEFAULT_CONFIG = {"dither": True, "seed": 1, "bestpath": False}
BEAM_LADDER = (None, 1e-80, 1e-120)  # None: the model's own beams
SCORE_CENTRE = -40.0  # per-frame score that maps to 0.5
SCORE_WIDTH = 8.0
MIN_PAUSE_FRAMES = 10  # pauses of 0.1 s or more separate phrases
PHRASE_CONTEXT_S = 0.15
_SKIP = "(NULL)"  # the segment of a skipped optional token
_SILENCES = {"<sil>", "<s>", "</s>", _SKIP}
_FILLERS = _SILENCES | {NOISE_WORD, "[SPEECH]"}
_VARIANT = re.compile(r"\(\d+\)$")


@dataclass
class _Pass:
    """Word segments (frames, relative to the padded audio) and phones of one decoding.

    A word the search skipped (an optional hesitation it did not hear) has start == end.
    """

    words: list[tuple[str, int, int, int | None]]  # word, start, end (exclusive), score
    phones: list[tuple[int, str, int, int, int]] | None  # word, phone, start, end, score
    pauses: list[tuple[int, int]]


def word_score(score: int | None, frames: int) -> float | None:
    """0..1 confidence from a pocketsphinx acoustic score summed over ``frames`` frames."""
    if score is None or frames <= 0:
        return None
    return 1.0 / (1.0 + math.exp(-(score / frames - SCORE_CENTRE) / SCORE_WIDTH))


class PocketsphinxBackend:
    """Forced alignment with pocketsphinx 5 and its bundled en-us acoustic model + cmudict."""

    name = "pocketsphinx"
    languages = ("en",)  # the bundled acoustic model and dictionary are US English

    def __init__(self, phones: bool = True, **config) -> None:
        self.version = f"{version('pocketsphinx')}/en-us"
        self.phones = phones
        self.config = {**DEFAULT_CONFIG, **config}  # pocketsphinx options, e.g. silprob=1e-4
        self._decoders: dict[float | None, object] = {}
        self._g2p = None
        self._pronunciations: dict[str, str | None] = {}

    def __getstate__(self) -> dict:
        # decoders hold C state: a copy in another process builds its own
        return {"phones": self.phones, "config": self.config, "version": self.version}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["phones"], **state["config"])

    def _decoder(self, beam: float | None):
        if beam not in self._decoders:
            from pocketsphinx import Decoder

            options = dict(self.config)
            if beam is not None:
                options.update(beam=beam, wbeam=beam, pbeam=beam)
            self._decoders[beam] = Decoder(lm=None, **{"loglevel": "FATAL", **options})
        return self._decoders[beam]

    def pronunciation(self, word: str) -> str | None:
        """Phones for ``word``: the dictionary's, else espeak's; None if there are none."""
        if word == NOISE:
            return "+NSN+"
        if word not in self._pronunciations:
            found = self._decoder(None).lookup_word(word)
            if found is None:
                if self._g2p is None:
                    self._g2p = default_g2p()
                phones = self._g2p.pronounce(word)
                found = " ".join(phones) if phones else None
                log.debug("pronunciation for unknown word %r from espeak: %s", word, found)
            self._pronunciations[word] = found
        return self._pronunciations[word]

    def _prepare(self, decoder, words: list[str]) -> None:
        for word in words:
            if word != NOISE_WORD and decoder.lookup_word(word) is None:
                decoder.add_word(word, self.pronunciation(word), True)
            if word in HESITATIONS:
                add_speech_noise_variant(decoder, word)

    def align(self, audio: np.ndarray, words: list[str]) -> AlignmentResult:
        """Time ``words`` in 16 kHz mono ``audio``; see ``AlignmentBackend``."""
        samples = np.asarray(audio, dtype=np.float32).reshape(-1)
        first, end = _sounding_span(samples)
        if first > 0 or end < len(samples):
            log.debug(
                "%.1f s of digital silence cut off", (len(samples) - end + first) / SAMPLE_RATE
            )
            return self._align(samples[first:end], words).shifted(first / SAMPLE_RATE)
        return self._align(samples, words)

    def _align(self, samples: np.ndarray, words: list[str]) -> AlignmentResult:
        if not words:
            return untimed([], EMPTY_TRANSCRIPT, "no words to align")
        duration = len(samples) / SAMPLE_RATE
        if duration < 0.05:
            return untimed(words, FAILED, f"audio too short to align ({duration:.3f} s)")

        # only words with a pronunciation go to the decoder; noise markers become [NOISE]
        sayable = [i for i, w in enumerate(words) if self.pronunciation(w) is not None]
        if not any(words[i] != NOISE for i in sayable):
            return untimed(words, FAILED, "no pronunciation for any word")
        tokens = [NOISE_WORD if words[i] == NOISE else words[i] for i in sayable]

        passes = self._decode(_padded_pcm(samples), tokens)
        if passes is None:
            reason = (
                "no alignment path even with wide beams: the transcript may not match the "
                "audio, or the audio may hold no speech"
            )
            return untimed(words, FAILED, reason)
        return self._result(words, sayable, passes, duration)

    def _decode(self, pcm: np.ndarray, tokens: list[str]) -> list | None:
        """[(frame offset into ``pcm``, pass)], or None when no beam finds a path."""
        for beam in BEAM_LADDER:
            found = self._search(pcm, tokens, beam)
            if found is None:
                continue
            if found.phones is not None or not self.phones:
                return [(0, found)]
            return self._by_phrase(pcm, found)
        return None

    def _by_phrase(self, pcm: np.ndarray, found: _Pass) -> list:
        """Phone pass again, phrase by phrase (words between pauses), where the whole failed.

        The word times of the whole-utterance search stay; each phrase is cut out with some
        context and aligned on its own, which is short enough for the phone pass to finish.
        A phrase that still fails keeps its words without phones or scores.
        """
        pauses = [p for p in found.pauses if p[1] - p[0] >= MIN_PAUSE_FRAMES]
        phrases: list[list[tuple[str, int, int, int | None]]] = [[]]
        for word in found.words:
            if phrases[-1] and any(phrases[-1][-1][2] <= p[0] and p[1] <= word[1] for p in pauses):
                phrases.append([])
            phrases[-1].append(word)
        context = round(PHRASE_CONTEXT_S * 100)
        hop = SAMPLE_RATE // 100
        passes = []
        for phrase in phrases:
            first = max(phrase[0][1] - context, 0)
            last = min(phrase[-1][2] + context, len(pcm) // hop)
            window = _padded_pcm(pcm[first * hop : last * hop].astype(np.float32) / 32767)
            tokens = [w[0] for w in phrase]
            sub = None
            for beam in BEAM_LADDER[:2]:
                sub = self._search(window, tokens, beam)
                if sub is not None:
                    break
            if sub is None or sub.phones is None:
                passes.append((0, _Pass(phrase, None, [])))
            else:
                passes.append((first - round(PAD_S * 100), sub))
        log.debug("phone pass redone over %d phrases", len(phrases))
        return passes

    def _search(self, pcm: np.ndarray, tokens: list[str], beam: float | None) -> _Pass | None:
        decoder = self._decoder(beam)
        self._prepare(decoder, tokens)
        data = pcm.tobytes()
        segments = self._segments(decoder, data, tokens, [is_optional(t) for t in tokens], beam)
        if segments is None:
            return None
        heard = [s for s in segments if s[0] not in _FILLERS]
        pauses = [(s[1], s[2]) for s in segments if s[0] == "<sil>"]
        words = _place([t for t in tokens if t != NOISE_WORD], heard)
        if words is None:
            log.debug("alignment search ended early (beam %s); retrying", beam)
            return None
        if not self.phones:
            return _Pass(words, None, pauses)

        if any(s[0] == _SKIP for s in segments):
            # the phone pass cannot follow a skip: search again along what was heard
            kept = [s[0] for s in segments if s[0] not in _SILENCES]
            again = self._segments(decoder, data, kept, [False] * len(kept), beam)
            if again is None or [s[0] for s in again if s[0] not in _FILLERS] != [
                w[0] for w in heard
            ]:
                return _Pass(words, None, pauses)
        phase = self._phone_pass(decoder, data, len(heard))
        if phase is None:
            return _Pass(words, None, pauses)
        heard_phones, scores = phase
        at = [i for i, (_, start, end, _) in enumerate(words) if end > start]
        for k, index in enumerate(at):
            word, start, end, _ = words[index]
            words[index] = (word, start, end, scores[k])
        return _Pass(words, [(at[k], *rest) for k, *rest in heard_phones], pauses)

    def _segments(self, decoder, data: bytes, tokens, optional, beam) -> list | None:
        """(word or filler, start, end) of one search over ``tokens``; None if it fails."""
        try:
            activate_grammar(decoder, tokens, optional)
            # a reused decoder keeps its running mean and dither state from the last utterance;
            # start every utterance afresh so timings never depend on what was aligned before
            decoder.reinit_feat()
            decoder.start_utt()
            decoder.process_raw(data, full_utt=True)
            decoder.end_utt()
        except RuntimeError as err:
            log.debug("alignment search failed (beam %s): %s", beam, err)
            return None
        if decoder.hyp() is None:
            return None
        return [
            (_VARIANT.sub("", seg.word), seg.start_frame, seg.end_frame + 1)
            for seg in decoder.seg()
        ]

    def _phone_pass(self, decoder, data: bytes, n_words: int):
        """(phones, word scores) of the words just found, or None when the state pass fails."""
        try:
            decoder.set_alignment()
            decoder.reinit_feat()
            decoder.start_utt()
            decoder.process_raw(data, full_utt=True)
            decoder.end_utt()
            alignment = decoder.get_alignment()
        except RuntimeError as err:
            log.debug("phone alignment failed: %s", err)
            return None
        phones, scores = [], []
        for word in alignment:
            if _VARIANT.sub("", word.name) in _FILLERS:
                continue
            scores.append(word.score)
            for phone in word:
                start = phone.start
                end = start + phone.duration
                phones.append((len(scores) - 1, phone.name, start, end, phone.score))
        if len(scores) != n_words:
            return None
        return phones, scores

    def _result(self, words, sayable, passes, duration) -> AlignmentResult:
        """Seconds in the caller's audio, clipped to it; one timing per input word."""
        pad_frames = round(PAD_S * 100)
        spoken = [i for i in sayable if words[i] != NOISE]
        timings: dict[int, WordTiming] = {}
        phones: list[PhoneTiming] = []
        position = 0

        def seconds(frame: int, offset: int) -> float:
            return _clip((frame + offset - pad_frames) * FRAME_S, duration)

        for offset, found in passes:
            for word, start, end, score in found.words:
                index = spoken[position]
                position += 1
                # a skipped hesitation was not heard: a point in time, and no confidence
                score_01 = word_score(score, end - start) if end > start else 0.0
                timings[index] = WordTiming(
                    word, seconds(start, offset), seconds(end, offset), score_01
                )
            base = position - len(found.words)
            for k, name, start, end, score in found.phones or []:
                phones.append(
                    PhoneTiming(
                        spoken[base + k],
                        name,
                        seconds(start, offset),
                        seconds(end, offset),
                        word_score(score, end - start),
                    )
                )
        result = [
            replace(timings[i], word=w) if i in timings else WordTiming(w)
            for i, w in enumerate(words)
        ]
        reason = ""
        if self.phones and any(found.phones is None for _, found in passes):
            reason = "phone pass failed for part of the audio: no phones or scores there"
        return AlignmentResult(result, phones, OK, reason)


def _place(expected: list[str], heard: list[tuple[str, int, int]]) -> list | None:
    """``expected`` words with the frames they were ``heard`` at, or None if they differ.

    An optional word the search skipped sits, with no length, at the end of the word before.
    """
    words: list[tuple[str, int, int, int | None]] = []
    k = 0
    for word in expected:
        if k < len(heard) and heard[k][0] == word:
            words.append((word, heard[k][1], heard[k][2], None))
            k += 1
        elif is_optional(word):
            at = words[-1][2] if words else (heard[k][1] if k < len(heard) else 0)
            words.append((word, at, at, None))
        else:
            return None
    return words if k == len(heard) else None


def _sounding_span(samples: np.ndarray) -> tuple[int, int]:
    """Sample range of ``samples`` less the digital silence at its edges beyond ``EDGE_SILENCE_S``.

    Long digital silence around speech makes the search lose every path (10 s of speech then
    17 s of zeros fails, with 14 s it passes; batch or live CMN, noise removal and dither
    change nothing). Words cannot lie in it, so it is cut off before decoding.
    """
    sounding = np.flatnonzero(np.abs(samples) >= SILENT_PEAK)
    if len(sounding) == 0:
        return 0, len(samples)
    margin = round(EDGE_SILENCE_S * SAMPLE_RATE)
    return max(int(sounding[0]) - margin, 0), min(int(sounding[-1]) + 1 + margin, len(samples))


def _padded_pcm(samples: np.ndarray) -> np.ndarray:
    """16-bit PCM of ``samples`` with ``PAD_S`` of padding each side and a faint noise floor.

    The noise floor is fixed (seeded): digital silence (synthetic speech, padding) makes the
    silence model fit badly and the search lose every path.
    """
    pad = np.zeros(round(PAD_S * SAMPLE_RATE), np.float32)
    padded = np.concatenate([pad, samples, pad])
    padded = padded + np.random.default_rng(0).standard_normal(len(padded)) * NOISE_FLOOR
    return np.round(np.clip(padded, -1, 1) * 32767).astype(np.int16)


def _clip(seconds: float, duration: float) -> float:
    return round(min(max(seconds, 0.0), duration), 4)
