"""Align a transcript to an audio file: normalise, chunk, align each chunk, map back to tokens.

The result has one ``WordTiming`` per spoken token of the ORIGINAL transcript ("15.09.2021"
is one token even though seven words are aligned for it), phones indexed by token, a status
and a reason. Times never run backwards and never pass the end of the audio.

Audio up to ``max_chunk_s`` is aligned in one piece. Longer audio is streamed through
silero-vad, cut at silences (``chunking``), the transcript is shared out over the chunks
(``distribute``) and each chunk is read and aligned on its own, so memory does not grow with
the length of the file. A chunk that fails or scores low is aligned again together with the
next one, which repairs a transcript split that landed a word or two off.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from crosspair.align.audio import audio_info, read_segment
from crosspair.align.backend import (
    NOISE,
    SAMPLE_RATE,
    SILENT_PEAK,
    AlignmentBackend,
    get_backend,
)
from crosspair.align.chunking import (
    SPEECH_THRESHOLD,
    WINDOW_S,
    Chunk,
    plan_chunks,
    speech_probabilities,
    vad_chunks,
)
from crosspair.align.distribute import distribute, word_weight
from crosspair.align.normalize import Token, flatten, normalize_transcript
from crosspair.align.result import (
    EMPTY_TRANSCRIPT,
    FAILED,
    LOW_SCORE,
    LOW_SCORE_THRESHOLD,
    NO_SPEECH,
    OK,
    PARTIAL,
    AlignmentResult,
    PhoneTiming,
    WordTiming,
)

log = logging.getLogger(__name__)

MAX_CHUNK_S = 30.0
# a transcript that matches spans most of the speech silero-vad hears, at a plausible rate
MIN_VOICED_S = 1.0
MIN_SPAN_SHARE = 0.4
MIN_WORDS_PER_S, MAX_WORDS_PER_S = 0.3, 8.0
_SENTENCE_ENDS = (".", "?", "!", ";", ":")
_VAD_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crosspair-vad")


@dataclass(frozen=True)
class TranscriptAlignment:
    """A token-level ``AlignmentResult`` plus what it was made from."""

    result: AlignmentResult
    duration_s: float
    backend: str
    backend_version: str
    n_chunks: int


def align_file(
    path: str | Path,
    text: str,
    backend: AlignmentBackend | None = None,
    max_chunk_s: float = MAX_CHUNK_S,
) -> TranscriptAlignment:
    """Align ``text`` to the audio file at ``path`` (any rate, depth or channel count)."""
    backend = backend or get_backend()
    duration = audio_info(path).duration_s

    def read(start_s: float, end_s: float) -> np.ndarray:
        return read_segment(path, start_s, end_s)

    def chunks() -> list[Chunk]:
        return vad_chunks(path, max_chunk_s)

    return _align(text, duration, read, chunks, backend, max_chunk_s)


def align_audio(
    samples: np.ndarray,
    text: str,
    backend: AlignmentBackend | None = None,
    max_chunk_s: float = MAX_CHUNK_S,
) -> TranscriptAlignment:
    """Align ``text`` to 16 kHz mono float32 ``samples`` held in memory."""
    backend = backend or get_backend()
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    duration = len(samples) / SAMPLE_RATE

    def read(start_s: float, end_s: float) -> np.ndarray:
        return samples[round(start_s * SAMPLE_RATE) : round(end_s * SAMPLE_RATE)]

    def chunks() -> list[Chunk]:
        return plan_chunks(speech_probabilities([samples]), duration, max_chunk_s)

    return _align(text, duration, read, chunks, backend, max_chunk_s)


def _align(text, duration, read, plan, backend, max_chunk_s) -> TranscriptAlignment:
    tokens = normalize_transcript(text or "")
    spoken = [t for t in tokens if t.is_spoken]

    def finish(result: AlignmentResult, n_chunks: int) -> TranscriptAlignment:
        return TranscriptAlignment(result, duration, backend.name, backend.version, n_chunks)

    if not spoken:
        empty = AlignmentResult([], [], EMPTY_TRANSCRIPT, "the transcript has no words to align")
        return finish(empty, 0)
    vad = None
    if duration <= max_chunk_s:
        chunks = [Chunk(0.0, duration, duration)]
        audio = read(0.0, duration)
        non_finite = int(np.count_nonzero(~np.isfinite(audio)))
        if non_finite:  # the audio probe rejects such files; this covers direct callers
            reason = f"audio holds {non_finite} non-finite samples (NaN/inf)"
            return finish(_untimed(spoken, FAILED, reason), 0)
        if duration == 0 or float(np.abs(audio).max(initial=0.0)) < SILENT_PEAK:
            return finish(_untimed(spoken, NO_SPEECH, "the audio is silent"), 0)
        # silero-vad runs beside the aligner (torch leaves the GIL) to catch noise-only audio
        vad = _VAD_POOL.submit(speech_probabilities, [audio])
    else:
        chunks = plan()
        if not any(c.speech_s > 0 for c in chunks):
            return finish(_untimed(spoken, NO_SPEECH, "no speech detected by silero-vad"), 0)

    weights = [sum(word_weight(w) for w in t.words) for t in tokens]
    anchors = {t.index for t in tokens if t.text.rstrip("\"')]").endswith(_SENTENCE_ENDS)}
    ranges = distribute(weights, [c.speech_s for c in chunks], anchors)
    by_token, phones, reasons = _align_chunks(tokens, chunks, ranges, read, backend)
    result = _to_tokens(tokens, by_token, phones, duration)
    if vad is None:
        voiced_s = sum(c.speech_s for c in chunks)
    else:
        voiced_s = float((vad.result() >= SPEECH_THRESHOLD).sum()) * WINDOW_S
    if voiced_s == 0:
        result = _untimed(spoken, NO_SPEECH, "no speech detected by silero-vad")
    result = _judge(result, reasons, voiced_s)
    log.info(
        "aligned %d of %d tokens over %.1f s in %d chunks: %s",
        sum(w.timed for w in result.words),
        len(result.words),
        duration,
        len(chunks),
        result.status,
    )
    return finish(result, len(chunks))


def _align_tokens(tokens: list[Token], audio: np.ndarray, backend) -> tuple:
    """Align one piece; if it fails or scores low, try the second reading of numbers."""
    best = None
    readings = [False, True] if any(t.alternative for t in tokens) else [False]
    for alternative in readings:
        words, owners = flatten(tokens, alternative)
        result = backend.align(audio, words)
        if best is None or _rank(result) > _rank(best[0]):
            best = (result, owners)
        if not _needs_retry(result):
            break
    return best


def _align_chunks(tokens, chunks, ranges, read, backend):
    """Word timings per token index (file time), phones by token, and chunk reasons."""
    by_token: dict[int, list[WordTiming]] = {}
    phones: list[PhoneTiming] = []
    reasons: list[str] = []
    index = 0
    while index < len(chunks):
        first, end = ranges[index]
        if first == end:
            index += 1
            continue
        chunk, span = chunks[index], 1
        result, owners = _align_tokens(tokens[first:end], read(chunk.start_s, chunk.end_s), backend)
        if _needs_retry(result) and index + 1 < len(chunks):
            merged_end = ranges[index + 1][1]
            audio = read(chunk.start_s, chunks[index + 1].end_s)
            retry, retry_owners = _align_tokens(tokens[first:merged_end], audio, backend)
            if _rank(retry) > _rank(result):
                log.debug("chunks %d and %d aligned together", index, index + 1)
                result, owners, span = retry, retry_owners, 2
        result = result.shifted(chunk.start_s)
        for owner, timing in zip(owners, result.words, strict=True):
            if timing.word != NOISE:
                by_token.setdefault(owner, []).append(timing)
        phones += [replace(p, word_index=owners[p.word_index]) for p in result.phones]
        if result.reason:
            reasons.append(f"{chunk.start_s:.1f}-{chunk.end_s:.1f} s: {result.reason}")
        index += span
    return by_token, phones, reasons


def _needs_retry(result: AlignmentResult) -> bool:
    score = result.mean_score
    return result.status == FAILED or (score is not None and score < LOW_SCORE_THRESHOLD)


def _rank(result: AlignmentResult) -> tuple[float, float]:
    return (result.coverage, result.mean_score or 0.0)


def _to_tokens(tokens: list[Token], by_token, phones, duration) -> AlignmentResult:
    """One timing per spoken token, spanning its words; phones re-indexed to tokens."""
    spoken = [t for t in tokens if t.is_spoken]
    position = {t.index: k for k, t in enumerate(spoken)}
    words: list[WordTiming] = []
    cursor = 0.0
    for token in spoken:
        timings = by_token.get(token.index, [])
        timed = [w for w in timings if w.timed]
        if not timed:
            words.append(WordTiming(token.text))
            continue
        start = min(max(min(w.start_s for w in timed), cursor), duration)
        end = min(max(max(w.end_s for w in timed), start), duration)
        score = None
        if any(w.score is not None for w in timed):
            scores = [w.score if w.score is not None else 0.0 for w in timings]
            score = sum(scores) / len(scores)
        words.append(WordTiming(token.text, start, end, score))
        cursor = end

    token_phones = []
    for phone in phones:  # word_index holds the token index here
        if phone.word_index not in position:
            continue
        k = position[phone.word_index]
        word = words[k]
        if not word.timed:
            continue
        start = min(max(phone.start_s, word.start_s), word.end_s)
        end = min(max(phone.end_s, start), word.end_s)
        token_phones.append(replace(phone, word_index=k, start_s=start, end_s=end))
    return AlignmentResult(words, token_phones)


def _judge(result: AlignmentResult, reasons: list[str], voiced_s: float) -> AlignmentResult:
    """Status and reason from coverage, scores and how much of the speech the words account
    for (``voiced_s``: seconds silero-vad heard speech in); a NO_SPEECH verdict stays."""
    if result.status == NO_SPEECH:
        return result
    n_timed = sum(w.timed for w in result.words)
    notes = list(dict.fromkeys(reasons))
    if n_timed == 0:
        return replace(result, status=FAILED, reason="; ".join(notes) or "nothing could be timed")
    score = result.mean_score
    if n_timed < len(result.words):
        status = PARTIAL
        notes.insert(0, f"{len(result.words) - n_timed} of {len(result.words)} tokens untimed")
    elif score is not None and score < LOW_SCORE_THRESHOLD:
        status = LOW_SCORE
        notes.insert(
            0, f"mean score {score:.2f} < {LOW_SCORE_THRESHOLD}: the transcript may not match"
        )
    else:
        status = OK
    mismatch = _mismatch(result.words, voiced_s)
    if mismatch:
        status = LOW_SCORE if status == OK else status
        notes.insert(0, mismatch)
    return replace(result, status=status, reason="; ".join(notes))


def _mismatch(words: list[WordTiming], voiced_s: float) -> str:
    """Why the transcript cannot be what was said, judged against the speech heard; or ""."""
    timed = [w for w in words if w.timed]
    if voiced_s < MIN_VOICED_S or not timed:
        return ""
    span_s = timed[-1].end_s - timed[0].start_s
    rate = len(words) / voiced_s
    if span_s < MIN_SPAN_SHARE * voiced_s:
        return (
            f"the timed words span {span_s:.1f} s of {voiced_s:.1f} s of speech: "
            "the transcript may not match"
        )
    if not MIN_WORDS_PER_S <= rate <= MAX_WORDS_PER_S:
        return (
            f"{len(words)} words in {voiced_s:.1f} s of speech ({rate:.1f} per second): "
            "the transcript may not match"
        )
    return ""


def _untimed(spoken: list[Token], status: str, reason: str) -> AlignmentResult:
    return AlignmentResult([WordTiming(t.text) for t in spoken], [], status, reason)
