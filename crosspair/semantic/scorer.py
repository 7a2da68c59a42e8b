"""One interface for every embedding model that scores pairs, and the loader that picks one.

A scorer turns texts (and, for image-text models, images) into L2-normalised float32 rows, so
the cosine of two items is the dot product of their rows. Texts longer than the model's limit
are truncated on purpose and counted in ``truncated_count``, never an error.

>>> scorer = load_scorer("minilm")                      # doctest: +SKIP
>>> vectors = scorer.embed_texts(["a dog", "a puppy"])  # doctest: +SKIP
>>> score_pairs(vectors[:1], vectors[1:])               # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

TEXT = "text"
IMAGE = "image"


class ScorerUnavailable(RuntimeError):
    """The requested model cannot be loaded here; the message says what to configure."""


class ConfiguredModelError(ScorerUnavailable):
    """A model the settings name (a checkpoint is given) cannot be loaded: stop, don't skip it."""


@runtime_checkable
class EmbeddingScorer(Protocol):
    """An embedding model that scores items by the cosine of their vectors."""

    name: str
    version: str
    modalities: frozenset[str]
    text_limit: int | None
    truncated_count: int

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 rows, one per text (long texts truncated and counted)."""
        ...

    def embed_images(self, paths: Sequence[Path]) -> np.ndarray:
        """L2-normalised float32 rows, one per image; text-only models raise NotImplementedError."""
        ...


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length as float32 (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"expected a 2-d array of embeddings, got shape {vectors.shape}")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of every row of ``a`` with every row of ``b`` (shape len(a) × len(b)), in [-1, 1]."""
    similarity = normalise_rows(a) @ normalise_rows(b).T
    return np.clip(similarity, -1.0, 1.0)


def score_pairs(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Cosine of row i of ``left`` with row i of ``right``, for aligned pairs."""
    left, right = normalise_rows(left), normalise_rows(right)
    if left.shape != right.shape:
        raise ValueError(f"aligned rows need equal shapes, got {left.shape} and {right.shape}")
    return np.clip(np.einsum("ij,ij->i", left, right), -1.0, 1.0)


def _load_minilm(**config) -> EmbeddingScorer:
    from crosspair.semantic.minilm import load_minilm

    return load_minilm(**config)


def _load_open_clip(
    model_name: str | None = None,
    checkpoint: str | Path | None = None,
    cache_dir: str | Path | None = None,
    **unused,
) -> EmbeddingScorer:
    if not checkpoint:
        raise ScorerUnavailable(
            "no image-text model configured: set clip_checkpoint (a local open_clip checkpoint "
            "file) and clip_model (its architecture, e.g. ViT-B-32) in the settings"
        )
    # a pretrained tag is looked up in the cache folder; without one it must be a file
    path = Path(checkpoint).expanduser()
    if not cache_dir and not path.is_file():
        raise ScorerUnavailable(
            f"open_clip checkpoint {path} not found: set clip_checkpoint to an existing local "
            "checkpoint file, or to a pretrained tag together with clip_cache_dir"
        )
    try:
        clip = importlib.import_module("crosspair.semantic.clip")
    except ImportError as error:
        raise ScorerUnavailable(
            f"open_clip scorer unavailable ({error}): install open_clip_torch and make sure "
            "crosspair/semantic/clip.py is present"
        ) from error
    return clip.load_open_clip(model_name, checkpoint, cache_dir)


SCORERS: dict[str, Callable[..., EmbeddingScorer]] = {
    "minilm": _load_minilm,
    "open_clip": _load_open_clip,
}


def load_image_scorer(
    model_name: str | None, checkpoint: str | None, cache_dir: str | None
) -> tuple[EmbeddingScorer | None, str]:
    """(open_clip scorer, "") or, when no checkpoint is configured, (None, why not).

    A configured checkpoint that cannot be loaded raises :class:`ConfiguredModelError` naming
    the setting and the file: asking for a model and silently building without it would hide
    every pair it should have scored or made.
    """
    try:
        scorer = load_scorer(
            "open_clip", model_name=model_name, checkpoint=checkpoint, cache_dir=cache_dir
        )
    except ScorerUnavailable as error:
        if not checkpoint:
            return None, str(error)
        raise ConfiguredModelError(
            f"clip_checkpoint (env CROSSPAIR_CLIP_CHECKPOINT) is set to {checkpoint!r}, but no "
            f"open_clip model can be loaded from it: {error}. Fix the checkpoint or the "
            "environment, or clear clip_checkpoint to build without open_clip (image ↔ text "
            "pairs then go unscored and open_clip pools unmatched, both listed in the tables)"
        ) from None
    return scorer, ""


def load_scorer(kind: str, **config) -> EmbeddingScorer:
    """The scorer of one kind ("minilm", "open_clip"), configured by keyword arguments."""
    try:
        loader = SCORERS[kind]
    except KeyError:
        known = ", ".join(sorted(SCORERS))
        raise ScorerUnavailable(f"unknown scorer kind {kind!r}: use one of {known}") from None
    return loader(**config)
