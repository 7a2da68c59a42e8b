"""Shared fixtures of the probe tests: the real test data, candidates and row checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from crosspair.ids import item_id
from crosspair.items import Candidate
from crosspair.schemas import CATALOGS, REJECT_REASONS, REJECTS

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

_PY_TYPES = {"int64": int, "Int64": int, "float64": float, "bool": bool, "str": str}


@pytest.fixture(scope="session")
def data() -> Path:
    """The shared real test data (../shared/data next to the repository)."""
    if not DATA.is_dir():
        pytest.skip(f"real test data not found at {DATA}; fetch the shared data folder first")
    return DATA


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    """The ffmpeg binary that imageio-ffmpeg ships."""
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    if not exe or not shutil.which(exe):
        pytest.skip("imageio-ffmpeg has no ffmpeg binary on this platform")
    return exe


def make_candidate(
    modality: str,
    abs_path: Path | str | None,
    payload: dict | None = None,
    path: str | None = None,
    record_key: str = "",
) -> Candidate:
    """A candidate as discovery would hand it over, for a file or a manifest record."""
    rel = path or (Path(abs_path).name if abs_path is not None else "manifest.jsonl")
    return Candidate(
        item_id=item_id("test", rel, record_key),
        source="test",
        modality=modality,
        path=rel,
        record_key=record_key,
        abs_path=None if abs_path is None else str(abs_path),
        licence="CC0-1.0",
        subject_ids="",
        payload=payload or {},
    )


def check_row(modality: str, row: dict | None) -> dict:
    """Assert a catalog row has the schema's columns, in order, as Python values of its dtypes,
    and validates as a one-row frame."""
    assert row is not None
    schema = CATALOGS[modality]
    assert list(row) == list(schema.columns)
    for name, column in schema.columns.items():
        value = row[name]
        if value is None:
            assert column.nullable, f"{name} is None but not nullable"
        else:
            assert type(value) is _PY_TYPES[str(column.dtype)], f"{name}: {type(value)}"
    nullable = {
        n: str(c.dtype)
        for n, c in schema.columns.items()
        if c.nullable and str(c.dtype) in {"Int64", "float64"}
    }
    schema.validate(pd.DataFrame([row]).astype(nullable), lazy=True)
    return row


def check_reject(reject: dict | None, reason: str) -> dict:
    """Assert a reject row of the given reason that validates against the rejects schema."""
    assert reject is not None
    assert reason in REJECT_REASONS
    assert reject["reason"] == reason, reject["detail"]
    assert reject["stage"] == "probe"
    REJECTS.validate(pd.DataFrame([reject]), lazy=True)
    return reject
