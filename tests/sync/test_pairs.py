"""sync_table over real pair rows: embedded stream and file-stem pairs, flags and reasons."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest
import soundfile

from crosspair.engine import EngineConfig, map_items
from crosspair.extract import track_id
from crosspair.ids import item_id
from crosspair.pairing import pair_embedded_audio, pair_side_files, pairs_frame
from crosspair.sync import pairs as sync_pairs
from crosspair.sync.pairs import SyncJob, measure, sync_table
from crosspair.sync.shift import write_shifted_track
from crosspair.sync.tables import SYNC_OFFSETS

from .conftest import FRAME_S, ffmpeg


def _media(source: str, paths: list[str], modality: str) -> pd.DataFrame:
    ids = [item_id(source, p) for p in paths]
    return pd.DataFrame({"item_id": ids, "source": source, "path": paths, "modality": modality})


@pytest.fixture
def tables(flash_clip, video_audio, tmp_path):
    """Catalog stand-ins, pairs made by crosspair.pairing, and a resolver over two roots."""
    roots = {"demo": tmp_path, "real": video_audio}
    (tmp_path / "flash.mp4").symlink_to(flash_clip)
    (tmp_path / "late.mp4").symlink_to(flash_clip)
    write_shifted_track(flash_clip, tmp_path / "late.audio.wav", 0.3)
    soundfile.write(tmp_path / "flash.audio.wav", np.zeros(16_000), 16_000)  # a mute side file

    videos = pd.concat(
        [
            _media("demo", ["flash.mp4", "late.mp4"], "video"),
            _media("real", ["popeye_T00-1_noaudio.mkv", "nasa_13013.mp4"], "video"),
        ],
        ignore_index=True,
    )
    audio = pd.concat(
        [
            _media("demo", ["late.audio.wav", "flash.audio.wav"], "audio"),
            _media("real", ["nasa_13013.mp4.audio.mp3"], "audio"),
        ],
        ignore_index=True,
    )
    embedded = videos[videos["path"].isin(["flash.mp4", "nasa_13013.mp4"])]
    tracks = embedded.assign(stream_index=[0, 1])  # the flash clip's only stream, NASA's second
    extracted = pd.DataFrame(
        {
            "item_id": [track_id(t.source, t.path, t.stream_index) for t in tracks.itertuples()],
            "video_id": tracks["item_id"].to_numpy(),
            "stream_index": tracks["stream_index"].to_numpy(),
        }
    )
    by_stem = [
        pair_side_files(videos[videos["source"] == name], audio[audio["source"] == name])[0]
        for name in roots
    ]
    pairs = pairs_frame(
        pd.concat([pair_embedded_audio(videos, extracted), *by_stem]).to_dict("records")
    )

    def resolve(row: pd.Series):
        return roots[row["source"]] / row["path"]

    return pairs, videos, extracted, audio, resolve


def _by_path(table, pairs, videos, audio, extracted) -> dict:
    """Sync rows keyed by (video path, audio path or "stream N"), with the pair's method."""
    names = {}
    for frame in (videos, audio):
        names.update(zip(frame["item_id"], frame["path"], strict=True))
    streams = zip(extracted["item_id"], extracted["stream_index"], strict=True)
    names.update({track: f"stream {stream}" for track, stream in streams})
    rows = table.merge(pairs[["pair_id", "method"]], on="pair_id")
    return {(names[r.video_id], names[r.audio_id]): r for r in rows.itertuples()}


def test_sync_table_flags_offsets_and_explains_gaps(tables):
    pairs, videos, extracted, audio, resolve = tables
    table = sync_table(pairs, videos, extracted, audio, resolve, tolerance_s=0.1)
    SYNC_OFFSETS.validate(table, lazy=True)
    assert len(table) == 5 and table["pair_id"].is_monotonic_increasing

    rows = _by_path(table, pairs, videos, audio, extracted)
    in_sync = rows[("flash.mp4", "stream 0")]
    assert abs(in_sync.offset_s) < FRAME_S and bool(in_sync.within_tolerance)
    assert in_sync.frame_duration_s == pytest.approx(FRAME_S) and in_sync.reason == ""

    late = rows[("late.mp4", "late.audio.wav")]
    assert late.method == "file_stem"
    assert late.offset_s == pytest.approx(0.3, abs=FRAME_S)
    assert not pd.isna(late.within_tolerance) and not late.within_tolerance

    mute = rows[("flash.mp4", "flash.audio.wav")]
    assert pd.isna(mute.within_tolerance) and mute.reason.startswith("silent audio")

    # the second audio stream of the NASA clip, and its mp3: nothing to sync in a voice-over
    for key in [("nasa_13013.mp4", "stream 1"), ("nasa_13013.mp4", "nasa_13013.mp4.audio.mp3")]:
        assert pd.isna(rows[key].within_tolerance) and rows[key].reason.startswith("flat")


def test_sync_table_in_a_process_pool_with_missing_and_broken_items(tables, tmp_path):
    pairs, videos, extracted, audio, resolve = tables
    gone = videos[videos["path"] != "late.mp4"]
    (tmp_path / "flash.audio.wav").write_bytes(b"RIFF but not audio")
    pool = EngineConfig(workers=2, chunksize=1)
    table = sync_table(pairs, gone, extracted, audio, resolve, engine=pool)

    reasons = table["reason"].str.split(":").str[0].value_counts().to_dict()
    assert reasons == {"": 1, "not in the catalogs": 1, "unreadable": 1, "flat correlation": 2}
    assert table.loc[table["reason"] != "", "within_tolerance"].isna().all()
    assert table["within_tolerance"].sum() == 1  # flash.mp4 with its own stream


def test_sync_table_without_video_audio_pairs(tables):
    pairs, videos, extracted, audio, resolve = tables
    table = sync_table(pairs.iloc[:0], videos, extracted, audio, resolve)
    assert table.empty and list(table.columns) == list(SYNC_OFFSETS.columns)


def test_audio_sampled_at_100_hz_gets_a_reason_not_an_error(flash_clip, tmp_path):
    """The demo's flash video with a 100 Hz noise track: Nyquist is below every onset band."""
    path = tmp_path / "lowrate.mkv"
    noise = "anoisesrc=r=100:a=0.5:d=3"
    ffmpeg("-i", str(flash_clip), "-f", "lavfi", "-i", noise, "-map", "0:v", "-map", "1:a",
           "-c:v", "copy", "-c:a", "pcm_s16le", str(path))  # fmt: skip
    row = measure(SyncJob("p", "v", "a", str(path), None, 0, 1.0, 0.1))
    assert row["reason"] == "audio rate too low (100 Hz): no band above 60 Hz"
    assert pd.isna(row["within_tolerance"]) and math.isnan(row["offset_s"])
    assert row["frame_duration_s"] == pytest.approx(FRAME_S)


def test_unexpected_error_on_one_item_becomes_its_reason(flash_clip, monkeypatch, caplog):
    """The estimator is patched: no real input is known to raise more than OSError/FFmpegError."""
    estimate = sync_pairs.estimate_offset
    message = "index 0 is out of bounds for axis 0 with size 0"

    def fragile(video_path, audio_path, **kwargs):
        if audio_path == "bad.wav":
            raise IndexError(message)
        return estimate(video_path, audio_path, **kwargs)

    monkeypatch.setattr(sync_pairs, "estimate_offset", fragile)
    jobs = [
        SyncJob("bad", "v", "a", str(flash_clip), "bad.wav", 0, 1.0, 0.1),
        SyncJob("good", "v", "a", str(flash_clip), None, 0, 1.0, 0.1),
    ]
    with caplog.at_level(logging.ERROR, logger="crosspair.sync.pairs"):
        bad, good = map_items(measure, jobs)

    assert bad["reason"] == f"estimate failed: IndexError: {message}"
    assert pd.isna(bad["within_tolerance"]) and math.isnan(bad["offset_s"])
    assert good["reason"] == "" and bool(good["within_tolerance"])
    assert "bad.wav" in caplog.text and str(flash_clip) in caplog.text
