"""Lineage audit of the working tree of a real small build: items, subjects, splits, shards."""

import pandas as pd
import pytest

from crosspair.lineage import audit_version
from crosspair.schemas import LINEAGE_INDEX
from crosspair.versioned_tables import VersionedTables

pytestmark = pytest.mark.slow


def _expected(small_build, pair_ids):
    """Split and shard of each pair, read straight from the build's tables."""
    splits = small_build.table("split_assignments").set_index("pair_id")["split"]
    shards = small_build.table("webdataset_shards")
    shard_of = {
        pair: row["shard"] for _, row in shards.iterrows() for pair in row["pair_ids"].split(";")
    }
    return {pair: (splits[pair], shard_of[pair]) for pair in pair_ids}


def test_an_image_is_found_with_its_five_caption_pairs(small_build):
    images = small_build.table("image_catalog")
    image = images.loc[images["path"] == "images/000000062554.jpg", "item_id"].item()
    hits = audit_version(VersionedTables(small_build.root), item_id=image)

    assert hits.version == "workspace"
    assert hits.items[["item_id", "table", "path"]].values.tolist() == [
        [image, "image_catalog", "images/000000062554.jpg"]
    ]
    pairs = small_build.table("pairs")
    expected = set(pairs.loc[pairs["left_id"] == image, "pair_id"])
    assert len(expected) == 5
    assert set(hits.pairs["pair_id"]) == expected
    assert set(hits.pairs["matched"]) == {"left"}
    assert set(hits.pairs["group_id"]) == {image}  # one WebDataset sample per pair group
    assert set(hits.pairs["item_ids"]) == {image}
    found = {row.pair_id: (row.split, row.shard) for row in hits.pairs.itertuples()}
    assert found == _expected(small_build, expected)


def test_a_caption_is_found_on_the_right_side(small_build):
    pairs = small_build.table("pairs")
    caption = pairs.iloc[3]
    hits = audit_version(VersionedTables(small_build.root), item_id=caption["right_id"])
    assert hits.pairs["pair_id"].tolist() == [caption["pair_id"]]
    assert hits.pairs["matched"].tolist() == ["right"]


def test_a_speaker_is_found_through_audio_and_transcript(small_build):
    hits = audit_version(VersionedTables(small_build.root), subject_id="61")

    assert sorted(hits.items["table"]) == ["audio_catalog", "text_catalog"]
    assert set(hits.items["subject_ids"]) == {"61"}
    audio = small_build.table("audio_catalog")
    speaker = audio.loc[audio["subject_ids"] == "61", "item_id"].item()
    pairs = small_build.table("pairs")
    expected = pairs.loc[pairs["left_id"] == speaker, "pair_id"].tolist()
    assert hits.pairs["pair_id"].tolist() == expected
    assert hits.pairs["matched"].tolist() == ["both"]
    found = {row.pair_id: (row.split, row.shard) for row in hits.pairs.itertuples()}
    assert found == _expected(small_build, expected)


def test_subjects_match_whole_ids_only(small_build):
    tables = VersionedTables(small_build.root)
    for part in ("6", "1", "61-"):
        hits = audit_version(tables, subject_id=part)
        assert hits.items.empty and hits.pairs.empty, part
    with pytest.raises(ValueError, match="without ';'"):
        audit_version(tables, subject_id="61;62")


def test_an_unknown_item_is_in_no_pair(small_build):
    hits = audit_version(VersionedTables(small_build.root), item_id="0000000000000000")
    assert hits.items.empty and hits.pairs.empty
    with pytest.raises(ValueError, match="exactly one"):
        audit_version(VersionedTables(small_build.root))


def test_the_index_and_a_scan_of_the_tables_give_the_same_answers(small_build):
    tables = VersionedTables(small_build.root)
    pairs = small_build.table("pairs")
    queries = [{"item_id": item} for item in pairs["left_id"].unique()]
    queries += [{"item_id": pairs["right_id"].iloc[0]}, {"subject_id": "61"}, {"subject_id": "6"}]
    for query in queries:
        indexed = audit_version(tables, **query)
        scanned = audit_version(tables, **query, use_index=False)
        pd.testing.assert_frame_equal(indexed.pairs, scanned.pairs, check_dtype=False)
        pd.testing.assert_frame_equal(indexed.items, scanned.items, check_dtype=False)


def test_the_index_holds_each_pair_under_both_items_and_their_subjects(small_build):
    index = small_build.table("lineage_index")
    pairs = small_build.table("pairs")
    LINEAGE_INDEX.validate(index)
    assert index["key"].is_monotonic_increasing
    by_item = index[~index["key"].str.startswith("subject:")]
    assert len(by_item) == 2 * len(pairs) == 34
    assert (by_item["key"] == by_item["item_id"]).all()
    subject = index[index["key"] == "subject:61"]
    assert sorted(subject["side"]) == ["left", "right"]  # the audio and its transcript
    assert set(subject["item_table"]) == {"audio_catalog", "text_catalog"}
    assert len(index) == 34 + 2  # speaker 61 is the only subject of the small corpus
