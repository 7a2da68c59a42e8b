"""Where an open_clip model's weights are on this machine: a checkpoint file or a cached tag.

Nothing here downloads: a pretrained tag is looked up in the cache folder that open_clip (through
the Hugging Face hub or a release URL) filled earlier on a machine with a network.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from crosspair.semantic.scorer import ScorerUnavailable


def checkpoint_digest(path: Path, prefix: int = 12) -> str:
    """The first ``prefix`` hex digits of the file's sha256 (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:prefix]


def resolve_checkpoint(
    open_clip, model_name: str, checkpoint: str | Path, cache_dir: str | Path | None
) -> tuple[Path, dict]:
    """The local weights file for ``checkpoint`` (a file, or a pretrained tag in ``cache_dir``).

    Returns the path and the tag's pretrained config ({} for a plain file), whose quick_gelu and
    image normalisation the model must be built with.
    """
    path = Path(checkpoint).expanduser()
    if path.is_file():
        return path, {}
    tag_config = open_clip.get_pretrained_cfg(model_name, str(checkpoint))
    if not tag_config:
        raise ScorerUnavailable(
            f"open_clip checkpoint {path} not found: set clip_checkpoint to an existing local "
            f"checkpoint file, or to a pretrained tag of {model_name} "
            f"({', '.join(open_clip.list_pretrained_tags_by_model(model_name)) or 'none known'}) "
            "with clip_cache_dir pointing at a cache that holds its weights"
        )
    if cache_dir is None:
        raise ScorerUnavailable(
            f"pretrained tag {checkpoint!r} of {model_name} needs a cache folder: set "
            "clip_cache_dir to where open_clip cached its weights (nothing is downloaded)"
        )
    cached = cached_tag_file(tag_config, Path(cache_dir))
    if cached is None:
        raise ScorerUnavailable(
            f"weights of {model_name} / {checkpoint} not found in cache {cache_dir}: fill it on a "
            f"machine with a network (open_clip.create_model_and_transforms({model_name!r}, "
            f"pretrained={str(checkpoint)!r}, cache_dir={str(cache_dir)!r})) and copy it here, "
            "or set clip_checkpoint to a local checkpoint file"
        )
    return cached, tag_config


def cached_tag_file(tag_config: dict, cache_dir: Path) -> Path | None:
    """Where open_clip's download of a pretrained tag lies in ``cache_dir``, if it is there."""
    hub = tag_config.get("hf_hub", "")
    if hub:
        from huggingface_hub import try_to_load_from_cache

        repo_id, filename = os.path.split(hub)
        filename = filename or "open_clip_pytorch_model.bin"
        # open_clip prefers a safetensors twin of a .bin/.pth file when the hub has one.
        stem, suffix = os.path.splitext(filename)
        candidates = [f"{stem}.safetensors"] if suffix in (".bin", ".pth") else []
        for name in [*candidates, filename]:
            found = try_to_load_from_cache(repo_id, name, cache_dir=str(cache_dir))
            if isinstance(found, str) and Path(found).is_file():
                return Path(found)
    url = tag_config.get("url", "")
    if url:
        direct = cache_dir / os.path.basename(url)
        if direct.is_file():
            return direct
    return None
