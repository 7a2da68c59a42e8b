"""Discovery on hand-made sources: every odd manifest line ends as a candidate or a reject."""

import json
import os
import shutil

import pytest

from crosspair.discover import discover
from crosspair.probe import probe
from crosspair.sources import parse_sources


def _config(root, **manifest):
    source = {
        "name": "photos",
        "modality": "image",
        "root": ".",
        "files": ["images/*"],
        "licence": "CC0",
        "origin": "test",
        "manifest": {
            "path": "captions.jsonl",
            "kind": "caption",
            "media_field": "file",
            "text_field": "caps",
            **manifest,
        },
    }
    return parse_sources({"sources": [source]}, base_dir=root)


@pytest.fixture
def photos(tmp_path, shared_data):
    (tmp_path / "images").mkdir()
    for name in ("a.jpg", "b.jpg"):
        shutil.copy(
            shared_data / "image_text" / "images" / "000000062554.jpg", tmp_path / "images" / name
        )
    return tmp_path


def _write(root, lines: list[bytes]):
    (root / "captions.jsonl").write_bytes(b"\n".join(lines) + b"\n")


def _outcomes(config):
    found = discover(config)
    reasons = {(r["record_key"], r["reason"]) for r in found.rejects}
    for candidate in found.candidates:
        _, reject = probe(candidate)
        if reject is not None:
            reasons.add((candidate.record_key, reject["reason"]))
    return found, reasons


def test_junk_captions_are_rejected_not_exported(photos):
    caps = [5, True, {"a": 1}, ["x"], "\u200b\u200b", "\u0000\u0001", "\ufeff\u2060", "fine"]
    _write(photos, [json.dumps({"file": "images/a.jpg", "caps": caps}).encode()])
    found, reasons = _outcomes(_config(photos))
    by_index = {key.rsplit("#", 1)[1]: reason for key, reason in reasons}
    assert by_index == {
        "0": "invalid_record",
        "1": "invalid_record",
        "2": "invalid_record",
        "3": "invalid_record",
        "4": "empty_text",
        "5": "empty_text",
        "6": "empty_text",
    }
    kept = [c for c in found.candidates if c.modality == "text"]
    assert len(kept) == 8  # all reach the probe; only "fine" survives it
    assert probe(kept[-1])[0]["text"] == "fine"


def test_an_empty_caption_list_keeps_its_image_without_texts(photos):
    _write(photos, [json.dumps({"file": "images/a.jpg", "caps": []}).encode()])
    found, reasons = _outcomes(_config(photos))
    assert reasons == set()
    # both images are catalogued; unpaired_items lists them, as no text names them
    assert sorted((c.modality, c.path) for c in found.candidates) == [
        ("image", "images/a.jpg"),
        ("image", "images/b.jpg"),
    ]


def test_a_media_field_that_is_not_text_says_so(photos):
    _write(photos, [json.dumps({"file": 5, "caps": "a cat"}).encode()])
    found = discover(_config(photos))
    assert [(r["reason"], r["detail"]) for r in found.rejects] == [
        (
            "invalid_record",
            "captions.jsonl line 1: field 'file' is not a file path (got 5); "
            "write the path as text",
        )
    ]


def test_null_ids_are_not_duplicates_and_numbers_are_text(photos):
    _write(
        photos,
        [
            json.dumps({"file": "images/a.jpg", "id": None, "caps": "one", "lic": 4}).encode(),
            json.dumps(
                {"file": "images/b.jpg", "id": None, "caps": "two", "lic": "CC BY"}
            ).encode(),
        ],
    )
    found, reasons = _outcomes(_config(photos, id_field="id", licence_field="lic"))
    assert reasons == set()
    licences = {c.path: c.licence for c in found.candidates if c.modality == "image"}
    assert licences == {"images/a.jpg": "4", "images/b.jpg": "CC BY"}


def test_unreadable_lines_each_become_one_reject(photos):
    _write(
        photos,
        [
            b"\xef\xbb\xbf" + json.dumps({"file": "images/a.jpg", "caps": "bom first"}).encode(),
            "caf\u00e9 latin-1".encode("latin-1"),
            b"[" * 100_000 + b"]" * 100_000,
            json.dumps({"file": "images/a\u0000.jpg", "caps": "nul"}).encode(),
        ],
    )
    found, reasons = _outcomes(_config(photos))
    details = sorted(r["detail"] for r in found.rejects)
    assert any("line 2 is not UTF-8" in d for d in details)
    assert any("line 3 nests too deeply" in d for d in details)
    assert any("NUL byte" in d for d in details)
    texts = [c for c in found.candidates if c.modality == "text"]
    assert [c.payload["text"] for c in texts] == ["bom first"]


def test_a_lone_surrogate_escape_rejects_its_line_only(photos):
    _write(
        photos,
        [
            b'{"file": "images/a.jpg", "caps": ["bad \\ud800 surrogate"]}',
            b'{"file": "images/b.jpg", "caps": ["a pair \\ud83d\\ude00 is fine"]}',
        ],
    )
    found, _ = _outcomes(_config(photos))
    assert [(r["record_key"], r["reason"]) for r in found.rejects] == [("line:1", "invalid_record")]
    assert "line 1 holds a lone surrogate escape" in found.rejects[0]["detail"]
    texts = [c.payload["text"] for c in found.candidates if c.modality == "text"]
    assert texts == ["a pair \U0001f600 is fine"]


def test_a_name_that_starts_with_a_tilde_is_an_ordinary_file(photos):
    os.rename(photos / "images" / "b.jpg", photos / "images" / "~b.jpg")
    _write(photos, [json.dumps({"file": "images/~b.jpg", "caps": "tilde"}).encode()])
    found, reasons = _outcomes(_config(photos))
    assert found.rejects == []
    assert reasons == set()
    images = sorted(c.path for c in found.candidates if c.modality == "image")
    assert images == ["images/a.jpg", "images/~b.jpg"]


def test_undecodable_file_name_is_rejected_with_its_name(photos):
    os.rename(photos / "images" / "b.jpg", os.fsencode(photos / "images") + b"/caf\xe9.jpg")
    _write(photos, [json.dumps({"file": "images/a.jpg", "caps": "ok"}).encode()])
    found, _ = _outcomes(_config(photos))
    assert [r["reason"] for r in found.rejects] == ["invalid_record"]
    assert "not valid UTF-8" in found.rejects[0]["detail"]
    assert "caf\\xe9.jpg" in found.rejects[0]["path"]


def test_a_side_file_matched_by_the_media_globs_is_found_once(tmp_path, shared_data):
    shutil.copy(shared_data / "video_audio" / "fire2.mp4", tmp_path / "clip.mp4")
    (tmp_path / "clip.en.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhello\n")
    config = parse_sources(
        {
            "sources": [
                {
                    "name": "clips",
                    "modality": "video",
                    "root": ".",
                    "files": ["*"],
                    "licence": "MIT",
                    "origin": "test",
                    "sidecars": {"subtitles": ["*.srt"]},
                }
            ]
        },
        base_dir=tmp_path,
    )
    found = discover(config)
    assert sorted((c.modality, c.path) for c in found.candidates) == [
        ("text", "clip.en.srt"),
        ("video", "clip.mp4"),
    ]


def test_a_sensor_file_named_in_streams_takes_its_own_clock(tmp_path):
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "imu.csv").write_text("t_boot_s,acc\n1.0,9.8\n1.01,9.7\n")
    (tmp_path / "log" / "gps.csv").write_text("timestamp,lat\n1000000,52.0\n1100000,52.1\n")
    source = {
        "name": "drive",
        "modality": "sensor",
        "root": "log",
        "files": ["*.csv"],
        "licence": "CC0",
        "origin": "test",
        "sensor": {
            "time_column": "t_boot_s",
            "clock": "boot_s",
            "streams": {"gps*.csv": {"time_column": "timestamp", "clock": "boot_us"}},
        },
    }
    found = discover(parse_sources({"sources": [source]}, base_dir=tmp_path))
    payloads = {c.path: c.payload for c in found.candidates}
    assert payloads == {
        "gps.csv": {"time_column": "timestamp", "clock": "boot_us"},
        "imu.csv": {"time_column": "t_boot_s", "clock": "boot_s"},
    }
    rows = {c.path: probe(c)[0] for c in found.candidates}
    # 100,000 us between the two fixes: read in the file's own unit
    assert rows["gps.csv"]["clock"] == "boot_us"
    assert rows["gps.csv"]["duration_s"] == pytest.approx(0.1)


def _drive(tmp_path, streams):
    (tmp_path / "imu.csv").write_text("t_boot_s,acc\n1.0,9.8\n1.01,9.7\n")
    (tmp_path / "gps_a.csv").write_text("timestamp,lat\n1000000,52.0\n1100000,52.1\n")
    source = {
        "name": "drive",
        "modality": "sensor",
        "root": ".",
        "files": ["*.csv"],
        "licence": "CC0",
        "origin": "test",
        "sensor": {"time_column": "t_boot_s", "clock": "boot_s", "streams": streams},
    }
    return parse_sources({"sources": [source]}, base_dir=tmp_path)


def test_a_stream_clock_must_be_known(tmp_path):
    with pytest.raises(
        ValueError, match=r"'sensor\.streams\.gps\.csv\.clock': Input should be 'boot_s'"
    ):
        _drive(tmp_path, {"gps.csv": {"time_column": "timestamp", "clock": "sundial"}})


def test_a_glob_that_matches_no_file_is_a_warning_naming_it(photos, caplog):
    config = parse_sources(
        {
            "sources": [
                {
                    "name": "photos",
                    "modality": "image",
                    "root": ".",
                    "files": ["images/*.jpg", "imgs/*.jpg"],
                    "licence": "CC0",
                    "origin": "test",
                }
            ]
        },
        base_dir=photos,
    )
    with caplog.at_level("WARNING", logger="crosspair.discover"):
        found = discover(config)
    assert len(found.candidates) == 2
    assert [r.getMessage() for r in caplog.records] == [
        f"source photos: glob 'imgs/*.jpg' matches no file in {photos.resolve()}"
    ]


def test_a_sensor_file_given_two_clocks_by_streams_is_rejected_naming_both_globs(tmp_path):
    config = _drive(
        tmp_path,
        {
            "gps*.csv": {"time_column": "timestamp", "clock": "boot_us"},
            "*_a.csv": {"time_column": "timestamp", "clock": "utc_ms"},
        },
    )
    found = discover(config)
    assert [c.path for c in found.candidates] == ["imu.csv"]
    [reject] = found.rejects
    assert (reject["path"], reject["reason"]) == ("gps_a.csv", "ambiguous_clock")
    assert "'gps*.csv', '*_a.csv'" in reject["detail"]
    assert "make the globs match each file once" in reject["detail"]


def test_overlapping_stream_globs_that_agree_are_fine(tmp_path):
    same = {"time_column": "timestamp", "clock": "boot_us"}
    found = discover(_drive(tmp_path, {"gps*.csv": same, "*_a.csv": dict(same)}))
    assert found.rejects == []
    assert {c.path: c.payload["clock"] for c in found.candidates} == {
        "gps_a.csv": "boot_us",
        "imu.csv": "boot_s",
    }


def test_a_stream_glob_that_matches_no_sensor_file_is_a_warning(tmp_path, caplog):
    config = _drive(tmp_path, {"gsp*.csv": {"time_column": "timestamp", "clock": "boot_us"}})
    with caplog.at_level("WARNING", logger="crosspair.discover"):
        found = discover(config)
    assert {c.path: c.payload["clock"] for c in found.candidates} == {
        "gps_a.csv": "boot_s",
        "imu.csv": "boot_s",
    }
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "source drive: sensor.streams glob 'gsp*.csv' matches none of its sensor files, so they "
        "all keep the source's clock; fix the glob in the sources file"
    ]
