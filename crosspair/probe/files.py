"""What every file-based probe shares: the catalog columns computed from the file's bytes."""

from __future__ import annotations

import os

from crosspair.ids import sha256_file
from crosspair.items import Candidate, catalog_base


def file_base(candidate: Candidate) -> dict:
    """The shared catalog columns, with size and sha256 of the file as stored on disk."""
    path = candidate.abs_path
    return catalog_base(candidate, os.path.getsize(path), sha256_file(path))
