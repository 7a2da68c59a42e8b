"""Per-split Parquet manifests hold exactly their split's pairs, with both sides described."""

from __future__ import annotations

import pandas as pd
import pytest

from crosspair.export.manifest import write_split_manifests
from crosspair.schemas import SPLIT_MANIFEST


def test_each_manifest_holds_exactly_its_splits_pairs(build, tmp_path):
    paths = write_split_manifests(
        build.pairs,
        build.assignments,
        build.catalogs,
        tmp_path,
        extracted_audio=build.extracted_audio,
    )
    assert sorted(paths) == ["test", "train", "val"]
    for split, path in paths.items():
        manifest = pd.read_parquet(path)
        SPLIT_MANIFEST.validate(manifest)
        expected = sorted(build.assignments.loc[build.assignments["split"] == split, "pair_id"])
        assert manifest["pair_id"].tolist() == expected
        assert set(manifest["split"]) <= {split}


def test_rows_describe_both_sides(build, tmp_path):
    paths = write_split_manifests(
        build.pairs,
        build.assignments,
        build.catalogs,
        tmp_path,
        extracted_audio=build.extracted_audio,
    )
    rows = pd.concat([pd.read_parquet(path) for path in paths.values()]).set_index("right_id")

    caption = build.catalogs["text"].iloc[0]
    row = rows.loc[caption["item_id"]]
    image = build.catalogs["image"].set_index("item_id").loc[row["left_id"]]
    assert row["right_text"] == caption["text"] and row["right_kind"] == "caption"
    assert (row["left_path"], row["left_sha256"], row["left_licence"]) == (
        image["path"],
        image["sha256"],
        image["licence"],
    )
    assert row["left_text"] is None and row["method"] == "manifest"

    extracted = build.extracted_audio.iloc[0]
    row = rows.loc[extracted["item_id"]]
    assert row["right_path"] == extracted["path"] and row["right_sha256"] == extracted["sha256"]
    assert row["right_licence"] == "CC BY 3.0"  # inherited from its video
    assert row["right_text"] is None and row["left_modality"] == "video"

    docstring = build.catalogs["text"].set_index("kind").loc["docstring"]
    row = rows.loc[docstring["item_id"]]
    assert row["left_text"] == build.catalogs["code"].iloc[0]["code"]

    transcript = build.catalogs["text"].set_index("kind").loc["transcript"]
    assert rows.loc[transcript["item_id"], "left_subject_ids"] == "spk7"


def test_manifests_are_byte_identical_and_empty_splits_keep_columns(build, tmp_path):
    train_only = build.assignments[build.assignments["split"] == "train"]
    first = write_split_manifests(
        build.pairs, train_only, build.catalogs, tmp_path / "a", build.extracted_audio
    )
    second = write_split_manifests(
        build.pairs, train_only, build.catalogs, tmp_path / "b", build.extracted_audio
    )
    for split in first:
        assert first[split].read_bytes() == second[split].read_bytes()
    empty = pd.read_parquet(first["val"])
    assert empty.empty and list(empty.columns) == list(SPLIT_MANIFEST.columns)


def test_missing_extracted_audio_names_the_way_out(build, tmp_path):
    with pytest.raises(KeyError, match="extracted_audio"):
        write_split_manifests(build.pairs, build.assignments, build.catalogs, tmp_path)
