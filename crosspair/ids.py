"""Stable identifiers: the same source, path and record always give the same id."""

from __future__ import annotations

import hashlib

ID_LENGTH = 16


def _digest(*parts: str) -> str:
    joined = "\x1f".join(parts).encode("utf-8")
    return hashlib.blake2b(joined, digest_size=ID_LENGTH // 2).hexdigest()


def item_id(source: str, path: str, record_key: str | None = None) -> str:
    """Id of a media file or of one record inside a manifest (hex, no dots)."""
    return _digest("item", source, path, record_key or "")


def pair_id(left_id: str, right_id: str, method: str) -> str:
    """Id of a pair: which two items, joined by which method."""
    return _digest("pair", left_id, right_id, method)


def sha256_file(path, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks so large media stay out of memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
