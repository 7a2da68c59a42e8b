"""Forced alignment of transcripts to speech: word and phone timings with scores.

The backend interface (``crosspair.align.backend``) is all a new aligner implements::

    class MyBackend:                      # structural: no base class needed
        name = "mybackend"
        version = "1.0"
        def align(self, audio: np.ndarray, words: list[str]) -> AlignmentResult: ...

    register_backend("mybackend", MyBackend)
    backend = get_backend("mybackend", **options)

- ``audio``: float32, mono, 16 kHz, one utterance or chunk (the pipeline keeps it <= 30 s).
- ``words``: spoken words, already normalised: lower case, numbers read out. The word
  ``NOISE`` ("<noise>") marks a non-speech sound from the transcript: absorb it if you can,
  never time it.
- return: ``AlignmentResult(words=[WordTiming(word, start_s, end_s, score)], phones=[PhoneTiming(
  word_index, phone, start_s, end_s, score)], status, reason)`` with exactly one WordTiming per
  input word, in order; an untimed word has ``start_s = end_s = score = None``. Times are
  seconds from the start of ``audio``, inside it and never going backwards; scores are 0..1
  (higher is better) or None. ``phones`` may be empty.
- never raise for bad input (silence, empty list, wrong transcript): return a status from
  ``result.STATUSES`` and a reason a person can act on.

Everything else is the pipeline's: text normalisation (``normalize``), reading any audio
file (``audio``), VAD chunking (``chunking``), sharing the transcript over chunks
(``distribute``), mapping word timings back to the original tokens (``pipeline``), exports
(``export``) and tables (``tables``). The default backend is pocketsphinx (``sphinx``).

>>> aligned = align_file("speech.flac", "We moved from 12 to 3 offices.")  # doctest: +SKIP
>>> [(w.word, w.start_s, w.end_s) for w in aligned.result.words]          # doctest: +SKIP
"""

from crosspair.align.backend import (
    NOISE,
    SAMPLE_RATE,
    AlignmentBackend,
    available_backends,
    get_backend,
    register_backend,
)
from crosspair.align.export import to_lhotse_supervision, to_textgrid, write_lhotse_supervisions
from crosspair.align.pipeline import TranscriptAlignment, align_audio, align_file
from crosspair.align.result import STATUSES, AlignmentResult, PhoneTiming, WordTiming

__all__ = [
    "NOISE",
    "SAMPLE_RATE",
    "STATUSES",
    "AlignmentBackend",
    "AlignmentResult",
    "PhoneTiming",
    "TranscriptAlignment",
    "WordTiming",
    "align_audio",
    "align_file",
    "available_backends",
    "get_backend",
    "register_backend",
    "to_lhotse_supervision",
    "to_textgrid",
    "write_lhotse_supervisions",
]
