"""Image↔text scorer: an open_clip model loaded from a local checkpoint or cache, never downloaded.

``load_open_clip("ViT-B-32", "/models/vit_b_32.pt", None)`` loads a checkpoint file;
``load_open_clip("ViT-B-32", "laion2b_s34b_b79k", "/models/cache")`` finds that pretrained tag's
weights in an open_clip / Hugging Face cache folder filled earlier on a machine with a network.
Runs on CUDA when there is one, else on the CPU, in eval mode without gradients.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from crosspair.semantic.clip_weights import checkpoint_digest, resolve_checkpoint
from crosspair.semantic.scorer import IMAGE, TEXT, ScorerUnavailable, normalise_rows

log = logging.getLogger(__name__)

INSTALL_HINT = "run `make vision-env` and use .venv-vision (open_clip needs torchvision)"


class OpenClipScorer:
    """Embeds texts and images with one open_clip model into its shared, L2-normalised space."""

    modalities = frozenset({TEXT, IMAGE})

    def __init__(
        self,
        model,
        preprocess,
        tokenizer,
        *,
        name: str,
        version: str,
        device: str,
        batch_size: int = 32,
    ):
        self._model = model
        self._preprocess = preprocess
        self._tokenizer = tokenizer
        self._device = device
        self._batch_size = batch_size
        self.name = name
        self.version = version
        self.text_limit: int | None = int(tokenizer.context_length)
        self.truncated_count = 0

    @functools.cached_property
    def dimension(self) -> int:
        """Width of the shared embedding space (measured once on a one-word text)."""
        return int(self._encode_texts(["a"]).shape[1])

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Tokens per text, start and end tokens included, before any truncation."""
        return [token_count(self._tokenizer, text) for text in texts]

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        texts = [str(text) for text in texts]
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)

        # The tokenizer cuts long captions to the context length on purpose; count them here.
        truncated = sum(count > self.text_limit for count in self.token_counts(texts))
        if truncated:
            limit = self.text_limit
            log.info("%d of %d texts truncated to %d tokens", truncated, len(texts), limit)
        self.truncated_count += truncated

        batches = [
            self._encode_texts(texts[start : start + self._batch_size])
            for start in range(0, len(texts), self._batch_size)
        ]
        return normalise_rows(np.concatenate(batches))

    def embed_images(self, paths: Sequence[Path]) -> np.ndarray:
        paths = [Path(path) for path in paths]
        if not paths:
            return np.zeros((0, self.dimension), dtype=np.float32)
        batches = [
            self._encode_images(paths[start : start + self._batch_size])
            for start in range(0, len(paths), self._batch_size)
        ]
        return normalise_rows(np.concatenate(batches))

    def _encode_texts(self, texts: list[str]) -> np.ndarray:
        import torch

        tokens = self._tokenizer(texts).to(self._device)
        with torch.inference_mode():
            features = self._model.encode_text(tokens, normalize=True)
        return features.float().cpu().numpy()

    def _encode_images(self, paths: list[Path]) -> np.ndarray:
        import torch

        pixels = torch.stack([self._preprocess(decode_image(path)) for path in paths])
        with torch.inference_mode():
            features = self._model.encode_image(pixels.to(self._device), normalize=True)
        return features.float().cpu().numpy()


def decode_image(path: Path):
    """The image as RGB through Pillow; an unreadable file names itself in the error."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except (OSError, UnidentifiedImageError) as error:
        raise ValueError(
            f"cannot decode image {path} for open_clip ({error}); it should have been a reject "
            "in the image catalog: check that the catalog's files are unchanged"
        ) from error


def token_count(tokenizer, text: str) -> int:
    """How many tokens ``tokenizer`` makes of ``text`` without truncating it."""
    if hasattr(tokenizer, "sot_token_id"):  # open_clip's SimpleTokenizer (CLIP BPE)
        return len(tokenizer.encode(text)) + 2
    inner = getattr(tokenizer, "tokenizer", None)  # HFTokenizer / SigLipTokenizer wrap HF ones
    if inner is None:
        raise TypeError(f"cannot count tokens with {type(tokenizer).__name__}")
    clean = getattr(tokenizer, "clean_fn", None)
    # TODO: SigLipTokenizer cleans with canonicalize_text and clips mode adds a class token; the
    # count here uses the plain HF encoding and can be off by one for those two.
    encoded = inner(clean(text) if clean else text, add_special_tokens=True, truncation=False)
    return len(encoded["input_ids"])


def _device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _open_clip():
    # HF code stays offline. huggingface_hub reads the variable once, when first imported; if
    # something imported it earlier, its module constant is what it checks from then on.
    os.environ["HF_HUB_OFFLINE"] = "1"
    hub_constants = sys.modules.get("huggingface_hub.constants")
    if hub_constants is not None:
        hub_constants.HF_HUB_OFFLINE = True
    try:
        import open_clip
    except Exception as error:  # beside the CPU torch, torchvision fails with a RuntimeError
        raise ScorerUnavailable(
            f"open_clip cannot be imported ({error}): {INSTALL_HINT}"
        ) from error
    return open_clip


def load_open_clip(
    model_name: str | None,
    checkpoint: str | Path | None,
    cache_dir: str | Path | None,
    batch_size: int = 32,
) -> OpenClipScorer:
    """An open_clip scorer for architecture ``model_name`` with local weights (see module doc)."""
    if not model_name:
        raise ScorerUnavailable("no open_clip architecture given: set clip_model, e.g. ViT-B-32")
    if not checkpoint:
        raise ScorerUnavailable(
            "no open_clip weights given: set clip_checkpoint to a local checkpoint file "
            "(or a pretrained tag together with clip_cache_dir)"
        )
    open_clip = _open_clip()
    weights, tag_config = resolve_checkpoint(open_clip, model_name, checkpoint, cache_dir)

    device = _device()
    try:
        model, _, preprocess = open_clip.create_model_and_transforms(
            model_name,
            pretrained=str(weights),
            device=device,
            force_quick_gelu=bool(tag_config.get("quick_gelu", False)),
            image_mean=tag_config.get("mean"),
            image_std=tag_config.get("std"),
            image_interpolation=tag_config.get("interpolation"),
            image_resize_mode=tag_config.get("resize_mode"),
            require_pretrained=True,
        )
    except Exception as error:  # unknown architecture, weights of another shape, not a checkpoint
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ScorerUnavailable(
            f"open_clip could not load {weights} as {model_name} "
            f"({type(error).__name__}: {reason}): check that clip_checkpoint is an open_clip "
            "checkpoint and clip_model names its architecture (open_clip.list_models())"
        ) from error
    model.eval()
    # Models with a Hugging Face tokenizer find its files in the same cache, offline.
    tokenizer = open_clip.get_tokenizer(model_name, cache_dir=str(cache_dir) if cache_dir else None)

    version = f"sha256:{checkpoint_digest(weights)}+open_clip=={open_clip.__version__}"
    log.info("loaded open_clip %s from %s on %s (%s)", model_name, weights, device, version)
    return OpenClipScorer(
        model,
        preprocess,
        tokenizer,
        name=f"open_clip:{model_name}",
        version=version,
        device=device,
        batch_size=batch_size,
    )
