"""Filters on small real files: Parquet rows, WebDataset tar members, DVC listings, JSONL."""

import hashlib
import io
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from webdataset import TarWriter

from crosspair.erasure.rewrite import (
    classify,
    examine,
    filter_jsonl,
    filter_listing,
    filter_parquet,
    filter_tar,
    row_filter,
)
from crosspair.erasure.targets import RecordRule, Targets
from crosspair.export.webdataset import TAR_MODE, TAR_MTIME, TAR_OWNER

GONE, KEPT, OTHER = "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "cccccccccccccccc"


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item_id": [GONE, KEPT, OTHER, "dddddddddddddddd"],
            "subject_ids": ["", "1088", "61;LJ", ""],
            "pair_ids": ["", "", "", f"{KEPT};{GONE}"],
            "leakage_group": ["item:a", "subject:1088", "subject:61", "item:d"],
            "frames": [1, 2, 3, 4],
            "score": [0.5, None, 1.5, 2.5],
        }
    )


def test_parquet_rows_of_erased_items_and_subjects_go_and_the_rest_stays_as_it_was():
    table = pa.Table.from_pandas(_table(), preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    targets = Targets(item_ids={GONE}, subjects={"61"})

    data, removed = filter_parquet(buffer.getvalue(), row_filter(targets))
    kept = pq.read_table(io.BytesIO(data))

    assert removed == 3  # by item id, by subject, by a ';'-joined pair list
    assert kept.schema == table.schema  # types and pandas metadata carried over
    assert pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0).column(0).compression == "ZSTD"
    pd.testing.assert_frame_equal(kept.to_pandas(), _table().iloc[[1]].reset_index(drop=True))
    assert filter_parquet(data, row_filter(targets)) == (None, 0)  # a second pass does nothing


def _tar(samples: list[dict]) -> bytes:
    out = io.BytesIO()
    writer = TarWriter(
        out, encoder=False, mtime=TAR_MTIME, user=TAR_OWNER, group=TAR_OWNER, mode=TAR_MODE
    )
    for sample in samples:
        writer.write(sample)
    writer.close()
    return out.getvalue()


def _sample(key: str, picture: bytes) -> dict:
    text = f"caption of {key}".encode()
    meta = json.dumps({"left": {"item_id": key}}).encode()
    return {"__key__": key, "jpg": picture, "json": meta, "txt": text}


def test_tar_members_of_an_erased_sample_go_and_the_others_stay_byte_for_byte():
    a, b, c = _sample(KEPT, b"\xff\xd8a"), _sample(GONE, b"\xff\xd8b"), _sample(OTHER, b"\xff\xd8c")
    whole = _tar([a, b, c])

    by_key, removed = filter_tar(whole, {GONE}, set())
    by_bytes, _ = filter_tar(whole, set(), {hashlib.sha256(b"\xff\xd8b").hexdigest()})

    assert removed == 3
    assert by_key == _tar([a, c]) == by_bytes  # what the exporter writes without that sample
    assert filter_tar(by_key, {GONE}, set()) == (None, 0)


def test_listing_entries_of_deleted_objects_and_erased_raw_files_go():
    entries = [
        {"md5": "1" * 32, "relpath": "raw/sources.yaml"},
        {"md5": "2" * 32, "relpath": "raw/speech/audio/61-70968-0000.flac"},
        {"md5": "3" * 32, "relpath": "raw/speech/audio/LJ002-0020.wav"},
        {"md5": "4" * 32, "relpath": "raw/speech/transcripts.jsonl"},
        {"md5": "5" * 32, "relpath": "other/speech/audio/61-70968-0000.flac"},
    ]
    data = json.dumps(entries).encode()
    targets = Targets(raw_paths={"speech/audio/61-70968-0000.flac"}, delete_md5s={"3" * 32})

    out, removed = filter_listing(data, targets)

    assert removed == 2  # the raw path is relative to the sources file's folder: 'other/' stays
    assert json.loads(out) == [entries[0], entries[3], entries[4]]
    assert out == json.dumps([entries[0], entries[3], entries[4]]).encode()  # DVC's own format
    assert filter_listing(out, targets) == (None, 0)


def test_jsonl_records_are_dropped_or_one_text_blanked_and_other_lines_kept_verbatim():
    lines = [
        '{"audio_file": "audio/61-70968-0000.flac", "text": "HE BEGAN"}\n',
        '{"file_name": "images/1.jpg",  "captions": ["one", "two", "three"]}\n',
        "not json at all\n",
        '{"audio_file": "audio/LJ002-0020.wav", "text": "IN THE"}\n',
    ]
    rules = [
        RecordRule("speech/transcripts.jsonl", "audio_file", "audio/61-70968-0000.flac"),
        RecordRule("images/captions.jsonl", "file_name", "images/1.jpg", "captions", 1),
    ]
    data = "".join(lines).encode()

    out, removed = filter_jsonl(data, rules)
    out_lines = out.decode().splitlines(keepends=True)

    assert removed == 2
    assert json.loads(out_lines[0])["captions"] == ["one", "", "three"]  # later ids stay put
    assert out_lines[1:] == lines[2:]
    assert filter_jsonl(out, rules) == (None, 0)


def test_examine_deletes_erased_bytes_and_classifies_the_rest(tmp_path):
    picture = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
    targets = Targets(sha256s={hashlib.sha256(picture).hexdigest()})

    assert examine(picture, "x.jpg", targets).op == "delete"
    assert examine(b"\xff\xd8other\x00", "y.jpg", targets).op is None
    assert examine(b"abc", "00/1111", Targets(delete_md5s={"001111"}), md5="001111").op == "delete"
    assert classify("x.dir", b"[]") == "dir"
    assert classify("t", _tar([_sample(KEPT, b"x")])) == "tar"
    assert classify("m", b'{"a": 1}\n{"a": 2}\n') == "jsonl"
    assert classify("c.md", b"# card\n") == "text"


@pytest.mark.parametrize("compression", ["snappy", "zstd"])
def test_a_parquet_file_with_nothing_erased_is_left_alone(compression):
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(_table()), buffer, compression=compression)
    outcome = examine(buffer.getvalue(), "t.parquet", Targets(item_ids={"e" * 16}))
    assert (outcome.kind, outcome.op) == ("parquet", None)


def test_derived_records_and_per_item_files_named_by_an_erased_id_go():
    supervisions = (
        json.dumps({"id": KEPT, "recording_id": OTHER, "text": "kept"})
        + "\n"
        + json.dumps({"id": "eeeeeeeeeeeeeeee", "recording_id": GONE, "text": "gone"})
        + "\n"
    ).encode()
    listing = json.dumps(
        [
            {"md5": "1" * 32, "relpath": "alignments/supervisions.jsonl"},
            {"md5": "2" * 32, "relpath": f"alignments/textgrid/{GONE}.TextGrid"},
            {"md5": "3" * 32, "relpath": f"alignments/textgrid/{KEPT}.TextGrid"},
        ]
    ).encode()
    targets = Targets(item_ids={GONE})

    records, dropped = filter_jsonl(supervisions, [], targets.ids)
    entries, removed = filter_listing(listing, targets)

    assert (records, dropped) == (supervisions.splitlines(keepends=True)[0], 1)
    assert removed == 1 and GONE not in entries.decode()
    assert examine(b"File type", f"exports/{GONE}.TextGrid", targets).op == "delete"
