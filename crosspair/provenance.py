"""Provenance per pair: both sides' origin, how the pair was made, and by which code and run.

One row per pair, so a question such as "where did this caption come from and under which
licence?" is a filter on one table. Heuristic pairs leave the model and annotator columns empty;
model-made and human-made pairs fill them from the ``model_name``, ``model_version`` and
``annotator`` keys of their parameters.

>>> lookup("data", pair_id="280d4b6a3cf89383")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from crosspair.export.item_index import item_index
from crosspair.schemas import PROVENANCE

log = logging.getLogger(__name__)

CODE_VERSION_ENV = "CROSSPAIR_CODE_VERSION"
UNKNOWN = "unknown"
TABLE = Path("tables") / "provenance.parquet"
_SIDE_FIELDS = ("modality", "source", "path", "sha256", "licence")
_MODEL_COLUMNS = ("model_name", "model_version", "annotator")


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=folder, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def code_version(folder: str | Path | None = None) -> str:
    """Git commit of the code in ``folder`` (default: crosspair's own checkout), ``-dirty`` when
    tracked files have uncommitted changes, ``unknown`` outside git.

    ``CROSSPAIR_CODE_VERSION`` overrides it, for builds from an installed package or an image.
    """
    if os.environ.get(CODE_VERSION_ENV):
        return os.environ[CODE_VERSION_ENV]
    package = Path(__file__).resolve().parent
    folder = Path(folder).resolve() if folder else package
    # an installed copy inside some other repository's ignored folder is not that repository
    if folder == package and not _git(folder, "ls-files", "--", "__init__.py"):
        return UNKNOWN
    commit = _git(folder, "rev-parse", "--verify", "HEAD")
    if not commit:
        return UNKNOWN
    changes = _git(folder, "status", "--porcelain", "--untracked-files=no")
    return f"{commit}-dirty" if changes else commit


def provenance_table(
    pairs: pd.DataFrame,
    catalogs: Mapping[str, pd.DataFrame],
    extracted_audio: pd.DataFrame | None,
    code_version: str,
    run_id: str,
) -> pd.DataFrame:
    """One ``PROVENANCE`` row per pair, in the pair table's order.

    Each side's source, path, sha256 and licence come from its catalog (audio extracted from a
    video takes the video's licence); a pair whose item is in no catalog is an error.
    """
    index = item_index(catalogs, extracted_audio)
    table = pd.DataFrame({"pair_id": pairs["pair_id"], "group_id": pairs["group_id"]})

    for side in ("left", "right"):
        ids = pairs[f"{side}_id"]
        unknown = sorted(set(ids[~ids.isin(index.index)]))
        if unknown:
            raise KeyError(
                f"{len(unknown)} {side} items of the pair table are in no catalog "
                f"(first: {unknown[:3]}); pass every catalog the pairs use, and extracted_audio"
            )
        sides = index.reindex(ids.to_numpy())
        table[f"{side}_id"] = ids.to_numpy()
        for field in _SIDE_FIELDS:
            table[f"{side}_{field}"] = sides[field].fillna("").astype(str).to_numpy()

    table["method"] = pairs["method"].to_numpy()
    table["score"] = pairs["score"].astype("float64").to_numpy()
    table["params"] = pairs["params"].to_numpy()
    params = [json.loads(text) if text else {} for text in pairs["params"]]
    for column in _MODEL_COLUMNS:
        table[column] = [str(entry.get(column, "")) for entry in params]
    table["code_version"] = code_version
    table["run_id"] = run_id
    table = table[list(PROVENANCE.columns)].reset_index(drop=True)
    log.info("provenance of %d pairs (code %s, run %s)", len(table), code_version, run_id)
    return table


def lookup(
    data_dir: str | Path, *, pair_id: str | None = None, item_id: str | None = None
) -> pd.DataFrame:
    """Provenance rows of one pair, or of every pair with the item on either side.

    Reads only the matching rows of ``<data_dir>/tables/provenance.parquet``.
    """
    if (pair_id is None) == (item_id is None):
        raise ValueError("give exactly one of pair_id or item_id")
    path = Path(data_dir) / TABLE
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: build the dataset first (`crosspair build --data {data_dir}` or "
            "`dvc repro`), or point --data at the folder that holds tables/"
        )
    if pair_id is not None:
        filters = [("pair_id", "==", pair_id)]
    else:
        filters = [[("left_id", "==", item_id)], [("right_id", "==", item_id)]]
    return pq.read_table(path, filters=filters).to_pandas()
