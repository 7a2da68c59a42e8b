"""WebDataset shards: one sample per pair group, byte-identical across runs.

A sample is keyed by its group id (hex, so no dots: WebDataset splits member names at the
first dot, and source file names such as ``Track 2.0 (Clean).mp3`` would break the key). It
holds the left item as ``{key}.{ext}``, every text right side in ``{key}.json`` and
``{key}.txt``, and media right sides as ``{key}.right{i}.{ext}``.

>>> resolve = resolver_from_roots({"coco": "/data/coco"}, "/build/data")  # doctest: +SKIP
>>> write_shards(pairs, assignments, catalogs, extracted, resolve, "out/")  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path, PurePosixPath

import pandas as pd
from webdataset import TarWriter

from crosspair.export.item_index import item_index, item_records, lookup
from crosspair.schemas import SHARD_INDEX, SPLITS

logger = logging.getLogger(__name__)

# fixed tar header fields, so two runs write the same bytes
TAR_MTIME = 0.0
TAR_OWNER = "crosspair"
TAR_MODE = 0o444
CODE_SUFFIXES = {"python": "py"}
_RESERVED = {"json", "txt"}
_PAIR_FIELDS = ("group_id", "pair_id", "left_id", "right_id", "method")


@dataclass(frozen=True)
class ItemFile:
    """Where an item's bytes live, as the catalogs record it.

    ``table`` is the catalog name (``image``, ``audio``, ...) or ``extracted_audio``; ``path``
    is relative to the source's root folder for catalog items and relative to the build's
    data folder for extracted audio.
    """

    table: str
    item_id: str
    source: str
    path: str


Resolve = Callable[[ItemFile], Path]
"""Maps an :class:`ItemFile` to the absolute path of its file."""


def resolver_from_roots(roots: Mapping[str, str | Path], data_dir: str | Path) -> Resolve:
    """A :data:`Resolve` for the usual layout: source roots by name, one data folder.

    Refuses paths that climb out of their folder, since catalog paths come from manifests.
    """
    bases = {name: Path(root).resolve() for name, root in roots.items()}
    data = Path(data_dir).resolve()

    def resolve(item: ItemFile) -> Path:
        if item.table == "extracted_audio":
            base = data
        elif item.source in bases:
            base = bases[item.source]
        else:
            raise KeyError(f"item {item.item_id}: no root folder for source '{item.source}'")
        path = (base / item.path).resolve()
        if not path.is_relative_to(base):
            raise ValueError(f"item {item.item_id}: path {item.path!r} leaves {base}")
        return path

    return resolve


def _suffix(item: dict) -> str:
    if item["table"] == "code":
        return CODE_SUFFIXES.get(str(item["language"] or "").lower(), "py")
    suffix = PurePosixPath(item["path"]).suffix.lower().lstrip(".")
    return suffix or "bin"


def _payload(item: dict, resolve: Resolve) -> bytes:
    """The item's bytes: code as UTF-8, media read from disk and checked against its sha256."""
    if item["table"] == "code":
        return str(item["text"]).encode("utf-8")
    ref = ItemFile(item["table"], item["item_id"], item["source"], item["path"])
    data = resolve(ref).read_bytes()
    if item["sha256"] and hashlib.sha256(data).hexdigest() != item["sha256"]:
        raise ValueError(
            f"item {item['item_id']}: {item['path']} changed since it was catalogued "
            "(sha256 differs); re-run the catalog before exporting"
        )
    return data


def _sample(key: str, group: list[dict], items: Mapping[str, dict], resolve: Resolve) -> dict:
    """The tar members of one pair group (its pair rows, sorted by pair id), keyed by suffix."""
    first = group[0]
    left = lookup(items, first["left_id"], first["pair_id"])
    left_member = _suffix(left)
    if left_member in _RESERVED or left_member.startswith("right"):
        left_member = f"left.{left_member}"
    sample = {"__key__": key, left_member: _payload(left, resolve)}

    texts, media, members_of = [], [], {}
    for pair in group:
        right = lookup(items, pair["right_id"], pair["pair_id"])
        if right["table"] == "text":
            texts.append(
                {
                    "pair_id": pair["pair_id"],
                    "right_id": pair["right_id"],
                    "kind": right["kind"],
                    "text": right["text"],
                    "method": pair["method"],
                }
            )
            continue
        # a media item paired twice (two methods) is stored once
        if pair["right_id"] not in members_of:
            members_of[pair["right_id"]] = f"right{len(members_of)}.{_suffix(right)}"
            sample[members_of[pair["right_id"]]] = _payload(right, resolve)
        media.append(
            {
                "pair_id": pair["pair_id"],
                "right_id": pair["right_id"],
                "modality": right["modality"],
                "member": members_of[pair["right_id"]],
                "method": pair["method"],
            }
        )

    meta = {
        "group_id": first["group_id"],
        "left": {
            "item_id": left["item_id"],
            "modality": left["modality"],
            "source": left["source"],
            "path": left["path"],
            "member": left_member,
        },
        "texts": texts,
        "media": media,
    }
    sample["json"] = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")
    if texts:
        sample["txt"] = "\n".join(entry["text"] for entry in texts).encode("utf-8")
    return sample


def _clear_old_shards(folder: Path, split: str) -> None:
    stale = sorted(folder.glob(f"{split}-*.tar"))
    for path in stale:
        path.unlink()
    if stale:
        logger.info("removed %d shards of an earlier export from %s", len(stale), folder)


def write_shards(
    pairs: pd.DataFrame,
    assignments: pd.DataFrame,
    catalogs: Mapping[str, pd.DataFrame],
    extracted_audio: pd.DataFrame | None,
    resolve: Resolve,
    out_dir: str | Path,
    samples_per_shard: int = 500,
) -> pd.DataFrame:
    """Write ``{split}/{split}-{n:06d}.tar`` shards of the assigned pairs; returns the shard index.

    Pairs without an assignment (excluded ones) are left out. Samples are sorted by key and
    tar headers carry a fixed mtime and owner, so the same inputs give byte-identical shards.
    """
    if samples_per_shard < 1:
        raise ValueError(f"samples_per_shard must be at least 1, got {samples_per_shard}")
    out_dir = Path(out_dir)
    items = item_records(item_index(catalogs, extracted_audio))
    table = pairs.merge(assignments[["pair_id", "split"]], on="pair_id", how="inner")
    table = table.sort_values(["split", "group_id", "pair_id"])
    spread = table.groupby("group_id")["split"].nunique()
    if (spread > 1).any():
        logger.warning("%d pair groups span more than one split", int((spread > 1).sum()))

    rows = []
    for split in SPLITS:
        folder = out_dir / split
        folder.mkdir(parents=True, exist_ok=True)
        _clear_old_shards(folder, split)
        records = table.loc[table["split"] == split, list(_PAIR_FIELDS)].to_dict("records")
        groups = [
            (key, list(rows))
            for key, rows in itertools.groupby(records, key=itemgetter("group_id"))
        ]
        for shard_number, start in enumerate(range(0, len(groups), samples_per_shard)):
            shard = f"{split}/{split}-{shard_number:06d}.tar"
            with (
                open(out_dir / shard, "wb") as handle,
                TarWriter(
                    handle,
                    encoder=False,
                    mtime=TAR_MTIME,
                    user=TAR_OWNER,
                    group=TAR_OWNER,
                    mode=TAR_MODE,
                ) as writer,
            ):
                for key, group in groups[start : start + samples_per_shard]:
                    sample = _sample(key, group, items, resolve)
                    writer.write(sample)
                    members = sorted(name for name in sample if name != "__key__")
                    rows.append(
                        {
                            "split": split,
                            "shard": shard,
                            "key": key,
                            "group_id": key,
                            "pair_ids": ";".join(pair["pair_id"] for pair in group),
                            "members": ";".join(members),
                        }
                    )
        logger.info("split %s: %d samples written", split, len(groups))

    result = pd.DataFrame(rows, columns=list(SHARD_INDEX.columns))
    return SHARD_INDEX.validate(result)
