"""CTC forced alignment: the best frame-by-frame path of a known token sequence.

Viterbi search over the CTC topology (each token may be preceded and followed by blanks; a
token repeated back to back needs a blank between the two), then backtracking from the last
frame. This is the trellis-and-backtrack alignment WhisperX and torchaudio run over wav2vec2
emissions, written in numpy so it needs no torchaudio. Ties prefer staying in a state over
moving on, so equal inputs give equal paths.

>>> import numpy as np
>>> frames = np.log(np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]))
>>> align_path(frames, [1, 2], blank=0).tolist()   # blank, token 0, token 1
[-1, 0, 1]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BLANK = -1  # path value of a frame that belongs to no token

_STAY, _STEP, _SKIP = 0, 1, 2


@dataclass(frozen=True)
class Span:
    """Frames ``[start, end)`` of one token (or word) and its mean frame probability."""

    start: int
    end: int
    score: float

    @property
    def frames(self) -> int:
        return self.end - self.start


def frames_needed(tokens: Sequence[int]) -> int:
    """Fewest frames that can hold ``tokens``: one each, plus a blank between repeats."""
    return len(tokens) + sum(a == b for a, b in zip(tokens, tokens[1:], strict=False))


def align_path(log_probs: np.ndarray, tokens: Sequence[int], blank: int = 0) -> np.ndarray | None:
    """Per frame, the index into ``tokens`` it is aligned to, or ``BLANK``.

    ``log_probs`` is frames x vocabulary (log-softmax output). Returns None when no path
    exists: fewer frames than ``frames_needed(tokens)``, or every path has probability 0.
    """
    emissions = np.asarray(log_probs, dtype=np.float64)
    n_frames = emissions.shape[0]
    if not tokens:
        return np.full(n_frames, BLANK) if np.isfinite(emissions[:, blank]).all() else None
    if n_frames < frames_needed(tokens):
        return None

    # states: blank, token 0, blank, token 1, ..., blank (odd states are tokens)
    labels = np.full(2 * len(tokens) + 1, blank)
    labels[1::2] = tokens
    n_states = len(labels)
    may_skip = np.zeros(n_states, dtype=bool)  # token state reachable from the token before
    may_skip[3::2] = np.asarray(tokens[1:]) != np.asarray(tokens[:-1])
    emit = emissions[:, labels]

    score = np.full(n_states, -np.inf)
    score[:2] = emit[0, :2]
    moves = np.zeros((n_frames, n_states), dtype=np.int8)
    candidates = np.full((3, n_states), -np.inf)
    for t in range(1, n_frames):
        candidates[_STAY] = score
        candidates[_STEP, 1:] = score[:-1]
        candidates[_SKIP, 2:] = np.where(may_skip[2:], score[:-2], -np.inf)
        moves[t] = np.argmax(candidates, axis=0)  # first maximum: staying wins ties
        score = candidates[moves[t], np.arange(n_states)] + emit[t]

    state = n_states - 1 if score[-1] >= score[-2] else n_states - 2
    if not np.isfinite(score[state]):
        return None
    path = np.empty(n_frames, dtype=np.int64)
    for t in range(n_frames - 1, -1, -1):
        path[t] = (state - 1) // 2 if state % 2 else BLANK
        state -= moves[t, state]
    return path


def token_spans(path: np.ndarray, log_probs: np.ndarray, tokens: Sequence[int]) -> list[Span]:
    """One ``Span`` per token of a path from ``align_path``, scored by its frames' mean prob."""
    emissions = np.asarray(log_probs, dtype=np.float64)
    spans = []
    for k, token in enumerate(tokens):
        frames = np.flatnonzero(path == k)
        probs = np.exp(emissions[frames, token])
        spans.append(Span(int(frames[0]), int(frames[-1]) + 1, float(probs.mean())))
    return spans


def group_spans(spans: list[Span], owners: Sequence[int], n_groups: int) -> list[Span | None]:
    """Merge token spans into one span per owner (a word); tokens owned by -1 are skipped.

    A group's score is the mean probability over all its tokens' frames; a group with no
    tokens gets None.
    """
    members: list[list[Span]] = [[] for _ in range(n_groups)]
    for span, owner in zip(spans, owners, strict=True):
        if owner >= 0:
            members[owner].append(span)
    groups: list[Span | None] = []
    for found in members:
        if not found:
            groups.append(None)
            continue
        frames = sum(s.frames for s in found)
        score = sum(s.score * s.frames for s in found) / frames
        groups.append(Span(found[0].start, found[-1].end, score))
    return groups
