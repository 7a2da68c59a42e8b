"""Targets survive the work file, and `--item` values become item ids."""

from crosspair.erasure.targets import RecordRule, Targets, item_ids_for
from crosspair.ids import item_id


def test_targets_round_trip_through_json_in_a_stable_order():
    targets = Targets(
        subjects={"61"},
        item_ids={"bbbbbbbbbbbbbbbb", "aaaaaaaaaaaaaaaa"},
        record_rules={
            RecordRule("speech/transcripts.jsonl", "audio_file", "audio/b.flac"),
            RecordRule("images/captions.jsonl", "file_name", "images/a.jpg", "captions", 2),
        },
    )
    data = targets.to_json()

    assert Targets.from_json(data) == targets
    assert data["item_ids"] == ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]
    assert [rule["manifest"] for rule in data["record_rules"]] == [
        "images/captions.jsonl",
        "speech/transcripts.jsonl",
    ]


def test_an_item_is_its_id_or_a_path_in_one_or_every_source():
    assert item_ids_for("3e07d531eda5ee7c", ["coco"]) == {"3e07d531eda5ee7c"}
    assert item_ids_for("images/./x.jpg", ["coco", "speech"]) == {
        item_id("coco", "images/x.jpg"),
        item_id("speech", "images/x.jpg"),
    }
    assert item_ids_for("coco:images/x.jpg", ["coco", "speech"]) == {
        item_id("coco", "images/x.jpg")
    }
