"""CTC forced alignment on hand-made emissions whose best path is known frame by frame."""

import itertools

import numpy as np
import pytest

from crosspair.align.ctc import BLANK, Span, align_path, frames_needed, group_spans, token_spans

BLANK_ID, A, B, C = 0, 1, 2, 3


def peaked(labels: list[int], vocab: int = 4, peak: float = 0.7) -> np.ndarray:
    """Log-probs where frame t gives ``peak`` to ``labels[t]`` and shares the rest evenly."""
    probs = np.full((len(labels), vocab), (1 - peak) / (vocab - 1))
    probs[np.arange(len(labels)), labels] = peak
    return np.log(probs)


def test_path_follows_the_evidence_frame_by_frame():
    emissions = peaked([BLANK_ID, A, A, BLANK_ID, B, B, BLANK_ID])
    path = align_path(emissions, [A, B], blank=BLANK_ID)
    assert path.tolist() == [BLANK, 0, 0, BLANK, 1, 1, BLANK]
    spans = token_spans(path, emissions, [A, B])
    assert [(s.start, s.end) for s in spans] == [(1, 3), (4, 6)]
    assert [s.score for s in spans] == pytest.approx([0.7, 0.7])


def test_transcript_wins_over_a_louder_token_it_does_not_contain():
    probs = np.array(
        [
            [0.60, 0.30, 0.05, 0.05],
            [0.10, 0.20, 0.10, 0.60],  # "c" is loudest, "a" second
            [0.70, 0.10, 0.10, 0.10],
            [0.10, 0.10, 0.70, 0.10],
        ]
    )
    path = align_path(np.log(probs), [A, B], blank=BLANK_ID)
    assert path.tolist() == [BLANK, 0, BLANK, 1]
    spans = token_spans(path, np.log(probs), [A, B])
    assert spans == [Span(1, 2, pytest.approx(0.2)), Span(3, 4, pytest.approx(0.7))]


def test_a_repeated_token_gets_a_blank_between_its_copies():
    emissions = peaked([A, A, BLANK_ID, A])
    assert align_path(emissions, [A, A], blank=BLANK_ID).tolist() == [0, 0, BLANK, 1]
    # with no blank in the evidence the blank is still forced in
    assert align_path(peaked([B, B, B]), [A, A], blank=BLANK_ID).tolist() == [0, BLANK, 1]


def test_different_tokens_may_touch_without_a_blank():
    assert align_path(peaked([A, B]), [A, B], blank=BLANK_ID).tolist() == [0, 1]


def test_too_few_frames_or_zero_probability_gives_no_path():
    assert frames_needed([A, A, B]) == 4 and frames_needed([A, B, C]) == 3
    assert align_path(peaked([A, B]), [A, B, C], blank=BLANK_ID) is None
    assert align_path(peaked([A, A, A]), [A, A, A], blank=BLANK_ID) is None
    never_c = peaked([A, B, C])
    never_c[:, C] = -np.inf
    assert align_path(never_c, [A, C], blank=BLANK_ID) is None


def test_no_tokens_is_all_blank():
    assert align_path(peaked([A, BLANK_ID]), [], blank=BLANK_ID).tolist() == [BLANK, BLANK]


def test_ties_resolve_the_same_way_every_time():
    flat = np.log(np.full((3, 2), 0.5))
    # backtracking stays in a state while that is as good: the trailing blank runs longest
    assert align_path(flat, [A], blank=BLANK_ID).tolist() == [0, BLANK, BLANK]


def test_a_blank_other_than_zero():
    emissions = peaked([C, A, C, B], vocab=4)
    assert align_path(emissions, [A, B], blank=C).tolist() == [BLANK, 0, BLANK, 1]


def _brute_force_best(log_probs: np.ndarray, tokens: list[int], blank: int) -> float:
    labels = [blank]
    for token in tokens:
        labels += [token, blank]
    n_states, best = len(labels), -np.inf
    for states in itertools.product(range(n_states), repeat=len(log_probs)):
        if states[0] > 1 or states[-1] < n_states - 2:
            continue
        steps = [b - a for a, b in zip(states, states[1:], strict=False)]
        ok = all(
            d in (0, 1) or (d == 2 and b % 2 == 1 and labels[b] != labels[b - 2])
            for d, b in zip(steps, states[1:], strict=False)
        )
        if ok:
            best = max(best, sum(log_probs[t, labels[s]] for t, s in enumerate(states)))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_path_is_the_best_of_all_paths(seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(5, 4)) * 2
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    tokens = [[A, B, C], [A, A], [B, A, B], [C]][seed % 4]
    path = align_path(log_probs, tokens, blank=BLANK_ID)
    labels = [BLANK_ID if k == BLANK else tokens[k] for k in path]
    ours = sum(log_probs[t, label] for t, label in enumerate(labels))
    assert ours == pytest.approx(_brute_force_best(log_probs, tokens, BLANK_ID))
    # every token is visited once, in order, in contiguous frames
    visited = [k for k, _ in itertools.groupby(path) if k != BLANK]
    assert visited == list(range(len(tokens)))


def test_token_spans_merge_into_words():
    emissions = peaked([A, A, B, BLANK_ID, C, C, C, BLANK_ID], peak=0.8)
    path = align_path(emissions, [A, B, C], blank=BLANK_ID)
    spans = token_spans(path, emissions, [A, B, C])
    assert [(s.start, s.end) for s in spans] == [(0, 2), (2, 3), (4, 7)]
    words = group_spans(spans, [0, 0, 2], n_groups=3)
    assert (words[0].start, words[0].end) == (0, 3)
    assert words[0].score == pytest.approx(0.8)
    assert words[1] is None
    assert (words[2].start, words[2].end) == (4, 7)
    # a token owned by -1 (a word separator) belongs to no word
    skipped = group_spans(spans, [0, -1, 1], n_groups=2)
    assert (skipped[0].start, skipped[0].end, skipped[1].start) == (0, 2, 4)
