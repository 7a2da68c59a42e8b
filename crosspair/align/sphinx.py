"""The default backend: pocketsphinx forced alignment with the en-us model inside its wheel.

Each call runs two passes over the audio: an alignment search that places the words (with
optional silences and noises between them) and a state-level pass that times every phone
inside them. Words missing from the bundled CMU dictionary get espeak-ng pronunciations.

- Beams: the default beams sometimes prune away every path on hoarse or fast speech
  ("Final result does not match the grammar"); the search is then retried with wider beams,
  which cost 2-4x more time, so they are only used when needed.
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

from crosspair.align.backend import NOISE, SAMPLE_RATE
from crosspair.align.g2p import default_g2p
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
PAD_S = 0.3  # pocketsphinx needs silence around the speech ("Alignment failed in frame N")
NOISE_FLOOR = 3e-4  # about -70 dBFS
DEFAULT_CONFIG = {"dither": True, "seed": 1}  # fixed seed: equal inputs, equal results
BEAM_LADDER = (None, 1e-80, 1e-120)  # None: the model's own beams
SCORE_CENTRE = -40.0  # per-frame score that maps to 0.5
SCORE_WIDTH = 8.0
MIN_PAUSE_FRAMES = 10  # pauses of 0.1 s or more separate phrases
PHRASE_CONTEXT_S = 0.15
_NOISE_WORD = "[NOISE]"
_FILLERS = {"<sil>", "<s>", "</s>", _NOISE_WORD, "[SPEECH]"}
_VARIANT = re.compile(r"\(\d+\)$")


@dataclass
class _Pass:
    """Word segments (frames, relative to the padded audio) and phones of one decoding."""

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
            self._decoders[beam] = Decoder(lm=None, loglevel="FATAL", **options)
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
            if word != NOISE and decoder.lookup_word(word) is None:
                decoder.add_word(word, self.pronunciation(word), True)

    def align(self, audio: np.ndarray, words: list[str]) -> AlignmentResult:
        """Time ``words`` in 16 kHz mono ``audio``; see ``AlignmentBackend``."""
        samples = np.asarray(audio, dtype=np.float32).reshape(-1)
        if not words:
            return untimed([], EMPTY_TRANSCRIPT, "no words to align")
        duration = len(samples) / SAMPLE_RATE
        if duration < 0.05:
            return untimed(words, FAILED, f"audio too short to align ({duration:.3f} s)")

        # only words with a pronunciation go to the decoder; noise markers become [NOISE]
        sayable = [i for i, w in enumerate(words) if self.pronunciation(w) is not None]
        if not any(words[i] != NOISE for i in sayable):
            return untimed(words, FAILED, "no pronunciation for any word")
        tokens = [_NOISE_WORD if words[i] == NOISE else words[i] for i in sayable]

        pad = np.zeros(round(PAD_S * SAMPLE_RATE), np.float32)
        padded = np.concatenate([pad, samples, pad])
        # a fixed, faint noise floor: digital silence (synthetic speech, padding) makes the
        # silence model fit badly and the search lose every path
        padded = padded + np.random.default_rng(0).standard_normal(len(padded)) * NOISE_FLOOR
        pcm = np.round(np.clip(padded, -1, 1) * 32767).astype(np.int16)
        passes = self._decode(pcm, tokens)
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
        pad = np.zeros(round(PAD_S * SAMPLE_RATE), np.int16)
        hop = SAMPLE_RATE // 100
        passes = []
        for phrase in phrases:
            first = max(phrase[0][1] - context, 0)
            last = min(phrase[-1][2] + context, len(pcm) // hop)
            window = np.concatenate([pad, pcm[first * hop : last * hop], pad])
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
        try:
            decoder.set_align_text(" ".join(tokens))
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
        words, pauses = [], []
        for seg in decoder.seg():
            base = _VARIANT.sub("", seg.word)
            if base == "<sil>":
                pauses.append((seg.start_frame, seg.end_frame + 1))
            if base not in _FILLERS:
                words.append((base, seg.start_frame, seg.end_frame + 1, None))
        if [w[0] for w in words] != [t for t in tokens if t != _NOISE_WORD]:
            log.debug("alignment search ended early (beam %s); retrying", beam)
            return None
        phones = None
        if self.phones:
            phase = self._phone_pass(decoder, data, len(words))
            if phase is not None:
                phones, scores = phase
                words = [(w, s, e, sc) for (w, s, e, _), sc in zip(words, scores, strict=True)]
        return _Pass(words, phones, pauses)

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
                score_01 = word_score(score, end - start)
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


def _clip(seconds: float, duration: float) -> float:
    return round(min(max(seconds, 0.0), duration), 4)
