"""WebDataset shards read back with webdataset itself: keys, bytes, determinism."""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path

import pandas as pd
import pytest
import webdataset

from crosspair.export.webdataset import ItemFile, resolver_from_roots, write_shards
from crosspair.schemas import SHARD_INDEX


def _write(build, out_dir: Path, **kwargs) -> pd.DataFrame:
    return write_shards(
        build.pairs,
        build.assignments,
        build.catalogs,
        build.extracted_audio,
        build.resolve,
        out_dir,
        **kwargs,
    )


def _read(out_dir: Path, index: pd.DataFrame) -> dict[str, dict]:
    urls = [str(out_dir / shard) for shard in sorted(index["shard"].unique())]
    samples = {}
    for sample in webdataset.WebDataset(urls, shardshuffle=False, empty_check=False):
        samples[sample["__key__"]] = sample
    return samples


def _item(build, modality: str, **match) -> pd.Series:
    catalog = build.catalogs[modality]
    for column, value in match.items():
        catalog = catalog[catalog[column] == value]
    return catalog.iloc[0]


def test_shards_read_back_with_expected_keys_and_bytes(build, tmp_path):
    out = tmp_path / "shards"
    index = _write(build, out, samples_per_shard=3)
    SHARD_INDEX.validate(index)
    samples = _read(out, index)

    expected_keys = sorted(build.pairs["group_id"].unique())
    assert sorted(samples) == expected_keys == sorted(index["key"])
    split_of = build.assignments.groupby("group_id")["split"].first()
    assert index.set_index("key")["split"].to_dict() == split_of.to_dict()
    for split, part in index.groupby("split"):
        assert part["key"].is_monotonic_increasing
        assert set(part["shard"]) <= {f"{split}/{split}-{n:06d}.tar" for n in range(6)}
        assert part.groupby("shard").size().max() <= 3

    for image in build.catalogs["image"].itertuples():
        sample = samples[image.item_id]
        suffix = Path(image.path).suffix.lstrip(".")
        assert hashlib.sha256(sample[suffix]).hexdigest() == image.sha256
        meta = json.loads(sample["json"])
        assert len(meta["texts"]) == 5 and meta["media"] == []
        assert [t["kind"] for t in meta["texts"]] == ["caption"] * 5
        assert sample["txt"].decode().splitlines() == [t["text"] for t in meta["texts"]]
        assert sorted(t["pair_id"] for t in meta["texts"]) == sorted(
            build.pairs.loc[build.pairs["group_id"] == image.item_id, "pair_id"]
        )


def test_dotted_file_name_keeps_its_key(build, tmp_path):
    out = tmp_path / "shards"
    index = _write(build, out)
    track = _item(build, "audio", path="Track 2.0 (Clean).mp3")
    samples = _read(out, index)

    sample = samples[track["item_id"]]
    assert set(sample) >= {"__key__", "mp3", "json", "txt"}
    assert hashlib.sha256(sample["mp3"]).hexdigest() == track["sha256"]
    assert json.loads(sample["json"])["left"]["path"] == "Track 2.0 (Clean).mp3"
    assert sample["txt"] == b"hello there"

    shard = index.set_index("key").loc[track["item_id"], "shard"]
    with tarfile.open(out / shard) as tar:
        names = tar.getnames()
    assert f"{track['item_id']}.mp3" in names
    assert not any("Track" in name for name in names)


def test_media_right_sides_code_and_mesh(build, tmp_path):
    out = tmp_path / "shards"
    samples = _read(out, _write(build, out))

    video = _item(build, "video", path="bunny.webm")
    sample = samples[video["item_id"]]
    assert hashlib.sha256(sample["webm"]).hexdigest() == video["sha256"]
    extracted = build.extracted_audio.iloc[0]
    assert hashlib.sha256(sample["right0.wav"]).hexdigest() == extracted["sha256"]
    meta = json.loads(sample["json"])
    assert meta["texts"] == [] and "txt" not in sample
    assert meta["media"] == [
        {
            "member": "right0.wav",
            "method": "own_track",
            "modality": "audio",
            "pair_id": build.pairs.loc[
                build.pairs["left_id"] == video["item_id"], "pair_id"
            ].item(),
            "right_id": extracted["item_id"],
        }
    ]

    code = build.catalogs["code"].iloc[0]
    assert samples[code["item_id"]]["py"].decode() == code["code"]
    assert json.loads(samples[code["item_id"]]["json"])["texts"][0]["kind"] == "docstring"

    mesh = _item(build, "mesh")
    assert hashlib.sha256(samples[mesh["item_id"]]["obj"]).hexdigest() == mesh["sha256"]


def test_two_writes_are_byte_identical(build, tmp_path):
    first = _write(build, tmp_path / "one", samples_per_shard=4)
    second = _write(build, tmp_path / "two", samples_per_shard=4)
    pd.testing.assert_frame_equal(first, second)
    for shard in first["shard"].unique():
        assert (tmp_path / "one" / shard).read_bytes() == (tmp_path / "two" / shard).read_bytes()

    # rewriting into the same folder with bigger shards leaves no stale shard behind
    _write(build, tmp_path / "one", samples_per_shard=500)
    assert sorted(p.name for p in (tmp_path / "one").rglob("*.tar")) == sorted(
        f"{split}-000000.tar" for split in first["split"].unique()
    )


def test_excluded_pairs_are_left_out(build, tmp_path):
    image = build.catalogs["image"].iloc[0]["item_id"]
    dropped = sorted(build.pairs.loc[build.pairs["group_id"] == image, "pair_id"])[0]
    build.assignments = build.assignments[build.assignments["pair_id"] != dropped]
    out = tmp_path / "shards"
    index = _write(build, out)
    meta = json.loads(_read(out, index)[image]["json"])
    assert dropped not in [t["pair_id"] for t in meta["texts"]]
    assert len(meta["texts"]) == 4


def test_changed_file_and_escaping_path_are_refused(build, tmp_path):
    image = build.catalogs["image"].iloc[0]
    (build.roots["coco"] / image["path"]).write_bytes(b"not the catalogued image")
    with pytest.raises(ValueError, match=image["item_id"]):
        _write(build, tmp_path / "shards")

    resolve = resolver_from_roots(build.roots, build.data_dir)
    with pytest.raises(ValueError, match="leaves"):
        resolve(ItemFile("image", "0" * 16, "coco", "../speech/Track 2.0 (Clean).mp3"))
