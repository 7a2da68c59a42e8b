"""Sharing a transcript out over audio chunks before each chunk is aligned.

Proportional with anchors: a word's expected length is its letter count plus a constant for
the gap after it, and the words go to chunks so that each chunk's share of the expected
length equals its share of the detected speech. The split between two chunks is then moved to
a sentence end (an anchor: a token ending in . ? ! ; :) if one lies within a few words, since
speakers pause there and VAD cuts fall there. Chunks without speech get no words.

A split can still be a word or two off where the speaking rate changes; the pipeline then
sees a failed or low-scoring chunk and aligns it again together with its neighbour.
"""

from __future__ import annotations

from collections.abc import Sequence

from crosspair.align.backend import NOISE

GAP_WEIGHT = 2.0
NOISE_WEIGHT = 4.0


def word_weight(word: str) -> float:
    """Expected length of a word, in letter units."""
    if word == NOISE:
        return NOISE_WEIGHT
    return sum(ch.isalnum() for ch in word) + GAP_WEIGHT


def distribute(
    weights: Sequence[float],
    speech_s: Sequence[float],
    anchors: set[int] | frozenset[int] = frozenset(),
    snap_words: int = 3,
) -> list[tuple[int, int]]:
    """Index ranges ``[first, end)`` into ``weights``, one per chunk, in order, covering all.

    ``weights`` are expected lengths (``word_weight``) of the words or tokens to share out;
    ``anchors`` holds indices after which a split is welcome.
    """
    n = len(weights)
    total_speech = sum(speech_s)
    total_weight = sum(weights)
    if not n or total_speech <= 0 or total_weight <= 0:
        return [(0, n)] + [(n, n)] * (len(speech_s) - 1)

    # the first word whose midpoint lies past each chunk's cumulative speech share
    splits: list[int] = []
    cumulative, acc, index = 0.0, 0.0, 0
    for seconds in speech_s[:-1]:
        cumulative += seconds / total_speech
        while index < n and (acc + weights[index] / 2) / total_weight < cumulative:
            acc += weights[index]
            index += 1
        splits.append(index)

    snapped = []
    for split in splits:
        near = [a + 1 for a in anchors if abs(a + 1 - split) <= snap_words]
        best = min(near, key=lambda s: (abs(s - split), s)) if near else split
        previous = snapped[-1] if snapped else 0
        snapped.append(max(best, previous))
    bounds = [0, *snapped, n]
    ranges = list(zip(bounds, bounds[1:], strict=False))

    # chunks with no speech take no words: hand theirs to the next chunk that has speech
    fixed: list[tuple[int, int]] = []
    carry = None
    for (first, end), seconds in zip(ranges, speech_s, strict=True):
        first = carry if carry is not None else first
        if seconds <= 0:
            fixed.append((first, first))
            carry = first
        else:
            fixed.append((first, end))
            carry = None
    if carry is not None:  # trailing silent chunks: give their words to the last speech chunk
        last = max(i for i, s in enumerate(speech_s) if s > 0)
        fixed[last] = (fixed[last][0], n)
        fixed[last + 1 :] = [(n, n)] * (len(fixed) - last - 1)
    return fixed
