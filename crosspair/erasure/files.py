"""Crash-safe file writes: a file is either its old bytes or its new bytes, never half."""

from __future__ import annotations

import os
from pathlib import Path

TMP_SUFFIX = ".crosspair-tmp"


def temp_path(path: Path) -> Path:
    """The one temporary name a write of ``path`` uses (so a rerun overwrites a stale one)."""
    return path.with_name(path.name + TMP_SUFFIX)


def write_atomic(path: str | Path, data: bytes, mode: int | None = None) -> None:
    """Write to a temporary file beside ``path``, fsync it, then ``os.replace`` it in place.

    ``mode`` defaults to the mode of the file being replaced (DVC objects are read-only).
    """
    path = Path(path)
    if mode is None:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    tmp = temp_path(path)
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    _sync_folder(path.parent)


def remove(path: str | Path) -> bool:
    """Delete a file if it is there; True if it was."""
    path = Path(path)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    _sync_folder(path.parent)
    return True


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
