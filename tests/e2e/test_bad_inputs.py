"""Bad inputs made here each become a reject row (or a clear error) and the build completes."""

import json
import shutil
import struct
import subprocess

import imageio_ffmpeg
import numpy as np
import pandas as pd
import pytest
import soundfile
import yaml

from crosspair.sources import SourcesError, load_sources
from dagster_project.build import failed_checks, materialise_all

pytestmark = pytest.mark.slow


def _wav_claiming_2_gib(path):
    """A real 16-bit WAV whose data chunk header says 2 GiB follow."""
    samples = (np.sin(np.arange(1600) / 5) * 8000).astype("<i2").tobytes()
    header = b"RIFF" + struct.pack("<I", 36 + len(samples)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
    data = b"data" + struct.pack("<I", 2**31) + samples
    path.write_bytes(header + fmt + data)


def _mp3(path):
    tone = path.with_suffix(".wav")
    soundfile.write(tone, np.sin(np.arange(16000) / 8).astype("float32") * 0.3, 16000)
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-y",
            "-i",
            str(tone),
            "-codec:a",
            "libmp3lame",
            str(path),
        ],
        check=True,
    )
    tone.unlink()


@pytest.fixture
def bad_sources(tmp_path, shared_data):
    images = tmp_path / "raw_images" / "images"
    images.mkdir(parents=True)
    good = shared_data / "image_text" / "images" / "000000062554.jpg"
    shutil.copy(good, images / "good.jpg")
    (images / "truncated.jpg").write_bytes(good.read_bytes()[:4000])
    captions = [
        {
            "file_name": "images/good.jpg",
            "id": 1,
            "captions": ["A table 🍽️ full of\nfood", "Plates of food."],
        },
        {"file_name": "images/truncated.jpg", "id": 2, "captions": ["cut short"]},
        {"file_name": "images/good.jpg", "id": 3, "captions": ["the same image again"]},
        {"file_name": "../../etc/passwd", "id": 4, "captions": ["not an image"]},
    ]
    (tmp_path / "raw_images" / "captions.jsonl").write_text(
        "\n".join(json.dumps(c, ensure_ascii=False) for c in captions) + "\n", encoding="utf-8"
    )

    audio = tmp_path / "raw_speech" / "audio"
    audio.mkdir(parents=True)
    (audio / "empty.wav").write_bytes(b"")
    _wav_claiming_2_gib(audio / "huge_header.wav")
    _mp3(audio / "Track 2.0 (Clean).mp3")
    transcripts = [
        {"audio_file": "audio/empty.wav", "text": "nothing here"},
        {"audio_file": "audio/huge_header.wav", "text": "a header that lies"},
        {"audio_file": "audio/Track 2.0 (Clean).mp3", "text": "a clean track"},
    ]
    (tmp_path / "raw_speech" / "transcripts.jsonl").write_text(
        "\n".join(json.dumps(t) for t in transcripts) + "\n", encoding="utf-8"
    )

    sources = {
        "version": 1,
        "sources": [
            {
                "name": "photos",
                "modality": "image",
                "root": "raw_images",
                "files": ["images/*"],
                "licence": "CC BY 2.0",
                "origin": "test fixture",
                "manifest": {
                    "path": "captions.jsonl",
                    "kind": "caption",
                    "media_field": "file_name",
                    "text_field": "captions",
                    "id_field": "id",
                },
            },
            {
                "name": "talk",
                "modality": "audio",
                "root": "raw_speech",
                "files": ["audio/*"],
                "licence": "CC0",
                "origin": "test fixture",
                "manifest": {
                    "path": "transcripts.jsonl",
                    "kind": "transcript",
                    "media_field": "audio_file",
                    "text_field": "text",
                },
            },
        ],
    }
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    return path


def test_bad_inputs_become_rejects_and_the_build_completes(bad_sources, tmp_path, dagster_instance):
    result = materialise_all(bad_sources, tmp_path / "data", dagster_instance)
    assert result.success
    assert failed_checks(result) == []

    tables = tmp_path / "data" / "tables"
    rejects = pd.read_parquet(tables / "rejects.parquet")
    by_path = {(r.path, r.record_key): r.reason for r in rejects.itertuples()}
    assert by_path[("images/truncated.jpg", "")] == "truncated"
    assert by_path[("audio/empty.wav", "")] == "empty_file"
    assert by_path[("audio/huge_header.wav", "")] == "header_mismatch"
    assert by_path[("../../etc/passwd", "")] == "path_outside_root"
    assert by_path[("captions.jsonl", "../../etc/passwd|4#0")] == "missing_file"
    assert by_path[("captions.jsonl", "images/good.jpg|3@line3#0")] == "duplicate_record"
    assert "etc/passwd" in rejects.loc[rejects["reason"] == "path_outside_root", "detail"].iloc[0]

    audio = pd.read_parquet(tables / "audio_catalog.parquet")
    assert audio["path"].tolist() == ["audio/Track 2.0 (Clean).mp3"]
    assert audio["sample_rate"].iloc[0] == 16000

    texts = pd.read_parquet(tables / "text_catalog.parquet").set_index("record_key")
    assert texts.loc["images/good.jpg|1#0", "text"] == "A table 🍽️ full of food"

    pairs = pd.read_parquet(tables / "pairs.parquet")
    assert sorted(pairs["method"]) == ["manifest_reference"] * 3  # 2 captions + the mp3
    shards = pd.read_parquet(tables / "webdataset_shards.parquet")
    assert shards["key"].str.fullmatch(r"[0-9a-f]{16}").all()


def test_a_broken_sources_file_names_the_source_and_field(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {
                        "name": "speech",
                        "modality": "speech",
                        "root": ".",
                        "files": ["*.wav"],
                        "licence": "CC0",
                        "origin": "x",
                    }
                ]
            }
        )
    )
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    message = str(err.value)
    assert str(path) in message
    assert "source 'speech', field 'modality'" in message
