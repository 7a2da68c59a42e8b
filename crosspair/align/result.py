"""What an aligner returns: word and phone timings with a score, a status and a reason.

One shape serves both levels: a backend returns one ``WordTiming`` per word it was given, and
the pipeline returns one per token of the original transcript. A word that could not be timed
keeps its place with ``start_s = end_s = score = None``, so indices stay meaningful.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

OK = "ok"
LOW_SCORE = "low_score"
PARTIAL = "partial"
FAILED = "failed"
NO_SPEECH = "no_speech"
EMPTY_TRANSCRIPT = "empty_transcript"
UNSUPPORTED_LANGUAGE = "unsupported_language"
STATUSES = (OK, LOW_SCORE, PARTIAL, FAILED, NO_SPEECH, EMPTY_TRANSCRIPT, UNSUPPORTED_LANGUAGE)

LOW_SCORE_THRESHOLD = 0.5  # a word (or a whole result, by its mean) below this is suspect


@dataclass(frozen=True)
class WordTiming:
    """One word (or original token) with its span in seconds and a 0..1 confidence."""

    word: str
    start_s: float | None = None
    end_s: float | None = None
    score: float | None = None

    @property
    def timed(self) -> bool:
        return self.start_s is not None and self.end_s is not None


@dataclass(frozen=True)
class PhoneTiming:
    """One phone inside ``words[word_index]`` of the same result."""

    word_index: int
    phone: str
    start_s: float
    end_s: float
    score: float | None = None


@dataclass(frozen=True)
class AlignmentResult:
    """Timings of every word, the phones inside them, and how far the result can be trusted."""

    words: list[WordTiming] = field(default_factory=list)
    phones: list[PhoneTiming] = field(default_factory=list)
    status: str = OK
    reason: str = ""

    @property
    def coverage(self) -> float:
        """Share of words that got a timing (1.0 for an empty transcript: nothing was missed)."""
        if not self.words:
            return 1.0
        return sum(w.timed for w in self.words) / len(self.words)

    @property
    def mean_score(self) -> float | None:
        scores = [w.score for w in self.words if w.timed and w.score is not None]
        return sum(scores) / len(scores) if scores else None

    def low_score_words(self, threshold: float = LOW_SCORE_THRESHOLD) -> list[int]:
        """Indices of timed words whose score is below ``threshold``."""
        return [
            i
            for i, w in enumerate(self.words)
            if w.timed and w.score is not None and w.score < threshold
        ]

    def shifted(self, offset_s: float) -> AlignmentResult:
        """The same result with every time moved by ``offset_s`` (chunk to file time)."""

        def move(t: float | None) -> float | None:
            return None if t is None else t + offset_s

        words = [replace(w, start_s=move(w.start_s), end_s=move(w.end_s)) for w in self.words]
        phones = [
            replace(p, start_s=p.start_s + offset_s, end_s=p.end_s + offset_s) for p in self.phones
        ]
        return replace(self, words=words, phones=phones)


def untimed(words: list[str], status: str, reason: str) -> AlignmentResult:
    """A result that keeps every word but times none of them."""
    return AlignmentResult([WordTiming(w) for w in words], [], status, reason)
