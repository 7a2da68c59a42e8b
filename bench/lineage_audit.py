"""Lineage audit of the current version at a million pairs, against plain pandas in the same run.

A synthetic table set is generated first (not timed) in the layout a build writes
(``data/tables/*.parquet``, written with ``DataFrame.to_parquet`` as the IO manager does):

- ``image_catalog``: ``--images`` images, each with ``--captions`` captions in ``text_catalog``;
- ``audio_catalog``: ``--speech`` speech files with one transcript each, spread over
  ``--speakers`` speakers (``subject_ids``, inherited by the transcripts);
- ``pairs`` (sorted by source, group, right item, as ``pairs_frame`` sorts them),
  ``split_assignments`` (by pair id) and ``webdataset_shards`` (one sample per group, 500 per
  shard);
- ``lineage_index``, built by ``crosspair.lineage_index.lineage_index`` and written with
  ``PARQUET_OPTIONS`` as the Dagster asset writes it (its build time is printed).

Then, best of ``--repeat`` runs each:

- ``audit item``: ``crosspair.lineage.audit_version`` on the working tree for one image
  (its catalog row, caption pairs, their split and shard), answered from the index;
- ``audit subject``: the same for one speaker (its audio and transcripts, their pairs);
- ``... (scan)``: the same two answers with ``use_index=False``, as for a version built
  before the index existed (two-pass Arrow reads of pairs, splits and shards);
- baseline ``pd.read_parquet(pairs)``: loading the pair table alone, the least a pandas
  answer must do;
- baseline ``pandas full scan``: the same item answer from whole tables loaded with
  ``pd.read_parquet`` and filtered in pandas (pairs, split assignments, shard index and the
  image catalog).

Ratios are each audit's time over each baseline's. Results go to ``--out`` (git-ignored).

    .venv/bin/python bench/lineage_audit.py [--images 200000] [--captions 4] [--speech 200000]
"""

from __future__ import annotations

import argparse
import binascii
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crosspair.lineage import audit_version  # noqa: E402
from crosspair.lineage_index import PARQUET_OPTIONS, lineage_index  # noqa: E402
from crosspair.versioned_tables import VersionedTables  # noqa: E402

SPLITS = np.array(["train", "val", "test"])
SAMPLES_PER_SHARD = 500


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=200_000)
    parser.add_argument("--captions", type=int, default=4, help="captions per image")
    parser.add_argument("--speech", type=int, default=200_000, help="speech files")
    parser.add_argument("--speakers", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per line; the best counts")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--tables", type=Path, help="keep the table set here (reused if there)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "lineage.json")
    return parser.parse_args(argv)


# -- the table set ----------------------------------------------------------------------------


def _hex(rng: np.random.Generator, n: int, chars: int) -> np.ndarray:
    """``n`` random lower-case hex strings of ``chars`` characters."""
    raw = rng.integers(0, 256, size=n * chars // 2, dtype=np.uint8).tobytes()
    return np.frombuffer(binascii.hexlify(raw), dtype=f"S{chars}").astype(str)


def _catalog(ids, source, modality, paths, keys, rng, licence, subjects) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item_id": ids,
            "source": source,
            "modality": modality,
            "path": paths,
            "record_key": keys,
            "size_bytes": rng.integers(1_000, 500_000, size=len(ids)),
            "sha256": _hex(rng, len(ids), 64),
            "licence": licence,
            "subject_ids": subjects,
        }
    )


def generate(folder: Path, args: argparse.Namespace) -> dict:
    """Write the table set under ``folder/data/tables``; returns what the queries look for."""
    rng = np.random.default_rng(args.seed)
    tables = folder / "data" / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    n_img, n_cap, n_sp = args.images, args.images * args.captions, args.speech
    ids = _hex(rng, n_img + n_cap + 2 * n_sp, 16)
    image_ids, caption_ids = ids[:n_img], ids[n_img : n_img + n_cap]
    audio_ids, transcript_ids = ids[n_img + n_cap : -n_sp], ids[-n_sp:]

    image_paths = np.char.add(np.char.add("images/", np.arange(n_img).astype(str)), ".jpg")
    images = _catalog(image_ids, "coco", "image", image_paths, "", rng, "CC BY 2.0", "")
    speaker = rng.integers(0, args.speakers, size=n_sp) + 1000
    audio_paths = np.char.add(np.char.add("audio/", speaker.astype(str)), "-")
    audio_paths = np.char.add(np.char.add(audio_paths, np.arange(n_sp).astype(str)), ".flac")
    subjects = speaker.astype(str)
    audio = _catalog(audio_ids, "speech", "audio", audio_paths, "", rng, "CC BY 4.0", subjects)
    owner = np.repeat(np.arange(n_img), args.captions)
    caption_keys = np.char.add(np.char.add(image_paths[owner], "#"), "0")
    texts = pd.concat(
        [
            _catalog(
                caption_ids, "coco", "text", "captions.jsonl", caption_keys, rng, "CC BY 4.0", ""
            ),
            _catalog(
                transcript_ids,
                "speech",
                "text",
                "transcripts.jsonl",
                audio_paths,
                rng,
                "CC BY 4.0",
                subjects,
            ),
        ],
        ignore_index=True,
    )
    texts["text"] = "a short caption or transcript of a few words"

    pairs = pd.DataFrame(
        {
            "pair_id": _hex(rng, n_cap + n_sp, 16),
            "group_id": np.concatenate([image_ids[owner], audio_ids]),
            "source": np.concatenate([np.full(n_cap, "coco"), np.full(n_sp, "speech")]),
            "left_id": np.concatenate([image_ids[owner], audio_ids]),
            "left_modality": np.concatenate([np.full(n_cap, "image"), np.full(n_sp, "audio")]),
            "right_id": np.concatenate([caption_ids, transcript_ids]),
            "right_modality": "text",
            "method": "manifest_reference",
            "params": '{"kind": "caption", "record_key": "images/0.jpg#0"}',
        }
    )
    pairs = pairs.sort_values(["source", "group_id", "right_id"], kind="mergesort")
    pairs = pairs.reset_index(drop=True)
    group_split = pd.Series(
        SPLITS[rng.choice(3, size=n_img + n_sp, p=[0.8, 0.1, 0.1])],
        index=np.concatenate([image_ids, audio_ids]),
    )
    assignments = pd.DataFrame(
        {
            "pair_id": pairs["pair_id"],
            "group_id": pairs["group_id"],
            "leakage_group": "item:" + pairs["group_id"],
            "split": pairs["group_id"].map(group_split).to_numpy(),
        }
    ).sort_values("pair_id")

    samples = (
        assignments.sort_values(["split", "group_id", "pair_id"])
        .groupby(["split", "group_id"], sort=True)["pair_id"]
        .agg(";".join)
        .reset_index()
    )
    number = samples.groupby("split").cumcount() // SAMPLES_PER_SHARD
    shards = pd.DataFrame(
        {
            "split": samples["split"],
            "shard": samples["split"]
            + "/"
            + samples["split"]
            + "-"
            + number.map("{:06d}".format)
            + ".tar",
            "key": samples["group_id"],
            "group_id": samples["group_id"],
            "pair_ids": samples["pair_id"],
            "members": "jpg;json;txt",
        }
    )

    for name, frame in (
        ("image_catalog", images),
        ("audio_catalog", audio),
        ("text_catalog", texts),
        ("pairs", pairs),
        ("split_assignments", assignments),
        ("webdataset_shards", shards),
    ):
        frame.to_parquet(tables / f"{name}.parquet", index=False)
    start = time.perf_counter()
    index = lineage_index(
        pairs, assignments, shards, {"image": images, "audio": audio, "text": texts}
    )
    index.to_parquet(tables / "lineage_index.parquet", index=False, **PARQUET_OPTIONS)
    probe = {
        "index_build_s": round(time.perf_counter() - start, 2),
        "image": str(image_ids[n_img // 2]),
        "speaker": str(speaker[n_sp // 3]),
        "pairs": len(pairs),
        "items": n_img + n_cap + 2 * n_sp,
    }
    (folder / "probe.json").write_text(json.dumps(probe))
    return probe


# -- what is timed ----------------------------------------------------------------------------


def pandas_full_scan(tables: Path, image: str) -> pd.DataFrame:
    """The item answer from whole tables: what a straightforward pandas audit does."""
    catalog = pd.read_parquet(tables / "image_catalog.parquet")
    pairs = pd.read_parquet(tables / "pairs.parquet")
    assignments = pd.read_parquet(tables / "split_assignments.parquet")
    shards = pd.read_parquet(tables / "webdataset_shards.parquet")
    assert len(catalog[catalog["item_id"] == image]) == 1
    hits = pairs[(pairs["left_id"] == image) | (pairs["right_id"] == image)]
    hits = hits.merge(assignments[["pair_id", "split"]], on="pair_id", how="left")
    return hits.merge(shards[["group_id", "shard"]], on="group_id", how="left")


def best_of(repeat: int, run) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="crosspair-lineage-") as scratch:
        folder = args.tables or Path(scratch)
        start = time.perf_counter()
        if (folder / "probe.json").is_file():
            probe = json.loads((folder / "probe.json").read_text())
            generated = "reused"
        else:
            probe = generate(folder, args)
            generated = f"{time.perf_counter() - start:.1f} s"
        tables = folder / "data" / "tables"
        workspace = VersionedTables(folder)

        lines = {}
        lines["audit item"] = best_of(
            args.repeat, lambda: audit_version(workspace, item_id=probe["image"])
        )
        lines["audit subject"] = best_of(
            args.repeat, lambda: audit_version(workspace, subject_id=probe["speaker"])
        )
        lines["audit item (scan)"] = best_of(
            args.repeat, lambda: audit_version(workspace, item_id=probe["image"], use_index=False)
        )
        lines["audit subject (scan)"] = best_of(
            args.repeat,
            lambda: audit_version(workspace, subject_id=probe["speaker"], use_index=False),
        )
        lines["pd.read_parquet(pairs)"] = best_of(
            args.repeat, lambda: pd.read_parquet(tables / "pairs.parquet")
        )
        lines["pandas full scan"] = best_of(
            max(1, args.repeat // 2), lambda: pandas_full_scan(tables, probe["image"])
        )
        sizes = {p.name: p.stat().st_size for p in sorted(tables.glob("*.parquet"))}

    item, subject = lines["audit item"][2], lines["audit subject"][2]
    for name, fast in (("audit item", item), ("audit subject", subject)):
        slow = lines[f"{name} (scan)"][2]
        if not (fast.pairs.equals(slow.pairs) and fast.items.equals(slow.items)):
            raise SystemExit(f"{name}: the index and the scan disagree")
    scan = lines["pandas full scan"][2]
    if set(item.pairs["pair_id"]) != set(scan["pair_id"]):
        raise SystemExit("the audit and the pandas full scan disagree on the item's pairs")
    if list(item.pairs["shard"]) != list(
        scan.set_index("pair_id").loc[item.pairs["pair_id"], "shard"]
    ):
        raise SystemExit("the audit and the pandas full scan disagree on the shards")

    baselines = ("pd.read_parquet(pairs)", "pandas full scan")
    print(f"{probe['pairs']:,} pairs, {probe['items']:,} items; tables generated: {generated}")
    index_bytes = sizes["lineage_index.parquet"]
    print(f"lineage index: built in {probe['index_build_s']} s, {index_bytes:,} bytes")
    print(
        f"item {probe['image']}: {len(item.pairs)} pairs; speaker {probe['speaker']}: "
        f"{len(subject.items)} items, {len(subject.pairs)} pairs"
    )
    print(
        f"{'line':<26}{'best s':>9}{'median s':>10}" + "".join(f"{'/ ' + b:>28}" for b in baselines)
    )
    for name, (best, median, _) in lines.items():
        ratios = "".join(f"{best / lines[b][0]:>28.3f}" for b in baselines)
        print(f"{name:<26}{best:>9.3f}{median:>10.3f}{ratios}")

    result = {
        "pairs": probe["pairs"],
        "items": probe["items"],
        "index_build_s": probe["index_build_s"],
        "repeat": args.repeat,
        "lines": {
            name: {
                "best_s": round(best, 4),
                "median_s": round(median, 4),
                **{f"ratio_to {b}": round(best / lines[b][0], 4) for b in baselines},
            }
            for name, (best, median, _) in lines.items()
        },
        "item_pairs": len(item.pairs),
        "subject_items": len(subject.items),
        "subject_pairs": len(subject.pairs),
        "table_bytes": sizes,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_1min": os.getloadavg()[0],
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
