"""The built-in demo corpus: valid sources file, the intended items, and repeatable bytes."""

import ast
import hashlib
import json
import re
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest
import soundfile
import trimesh

from crosspair.demo import generate_demo
from crosspair.sources import load_sources

EXPECTED_FILES = {  # source -> number of media files its globs match
    "demo_images": 5,
    "demo_speech": 5,
    "demo_video": 2,
    "demo_meshes": 3,
    "demo_drive": 2,
}
EXPECTED_RECORDS = {  # source -> records in its manifest
    "demo_images": 5,
    "demo_speech": 5,
    "demo_meshes": 3,
    "demo_code": 12,  # 7 with their docstring, 5 documented only in the match pool
}
# Every file of the corpus is byte-identical between two runs on one machine, the MP4s
# included (libx264 with one thread and ffmpeg's +bitexact flags; no timestamps are written).
BYTE_IDENTICAL = {
    "sources.yaml",
    "image_text/captions.jsonl",
    "image_text/images/astronaut.jpg",
    "image_text/images/coffee.jpg",
    "image_text/images/Chelsea the cat (v1.2).jpg",
    "image_text/images/rocket.jpg",
    "image_text/images/camera.png",
    "speech_text/transcripts.jsonl",
    *(f"speech_text/audio/{n}.wav" for n in ("fox", "offices", "bakery", "voices")),
    "speech_text/audio/Track 2.0 (Clean).wav",
    *(f"speech_text/alignments/{n}.TextGrid" for n in ("fox", "offices", "bakery", "voices")),
    "speech_text/alignments/Track 2.0 (Clean).TextGrid",
    "video_audio/flash.mp4",
    "video_audio/bounce.mp4",
    "video_audio/flash.en.srt",
    "video_audio/av_events.jsonl",
    "shape_text/shapes.jsonl",
    "shape_text/meshes/box.obj",
    "shape_text/meshes/icosphere.ply",
    "shape_text/meshes/torus.glb",
    "text_code/stdlib_functions.jsonl",
    "text_code/docstring_pool.jsonl",
    "annotations/simulated_label_studio.json",
    "annotations/simulated.csv",
    "sensor/imu.csv",
    "sensor/gps.csv",
    "web_pages/pages/index.html",
    "web_pages/pages/sky/moon.html",
    *(f"web_pages/img/{n}.png" for n in ("coins", "moon", "logo")),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return generate_demo(tmp_path_factory.mktemp("demo_a") / "corpus")


@pytest.fixture(scope="module")
def config(demo):
    return load_sources(demo)


def _records(config, name: str) -> list[dict]:
    source = config.by_name(name)
    path = config.root_of(source) / source.manifest.path
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _media(config, name: str) -> list[Path]:
    source = config.by_name(name)
    root = config.root_of(source)
    return sorted({p for pattern in source.files for p in root.glob(pattern)})


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_sources_file_loads_with_one_source_per_set(config):
    modalities = {s.name: s.modality for s in config.sources}
    assert modalities == {
        "demo_images": "image",
        "demo_web": "image",
        "demo_speech": "audio",
        "demo_video": "video",
        "demo_meshes": "mesh",
        "demo_code": "code",
        "demo_drive": "sensor",
    }
    assert all(not Path(s.root).is_absolute() for s in config.sources)


def test_counts_per_source(config):
    assert {name: len(_media(config, name)) for name in EXPECTED_FILES} == EXPECTED_FILES
    counts = {name: len(_records(config, name)) for name in EXPECTED_RECORDS}
    assert counts == EXPECTED_RECORDS
    captions = sum(len(r["captions"]) for r in _records(config, "demo_images"))
    assert captions == 13


def test_every_referenced_file_exists(config):
    for source in config.sources:
        root = config.root_of(source)
        if source.manifest is None:
            continue
        assert (root / source.manifest.path).is_file()
        if source.manifest.media_field is None:
            continue
        linked = {
            (root / r[source.manifest.media_field]).resolve() for r in _records(config, source.name)
        }
        assert linked == {p.resolve() for p in _media(config, source.name)}, source.name
    for record in _records(config, "demo_speech"):
        assert (config.root_of(config.by_name("demo_speech")) / record["alignment_file"]).is_file()


def test_names_with_spaces_and_dots_survive(config):
    names = {p.name for name in EXPECTED_FILES for p in _media(config, name)}
    assert {"Track 2.0 (Clean).wav", "Chelsea the cat (v1.2).jpg"} <= names


def test_speech_is_16k_mono_with_two_speakers_and_aligned_words(config):
    root = config.root_of(config.by_name("demo_speech"))
    records = _records(config, "demo_speech")
    assert {r["speaker"] for r in records} == {"espeak_en_us", "espeak_en_gb_f4"}
    assert any(re.search(r"\d", r["text"]) for r in records)
    for record in records:
        samples, rate = soundfile.read(root / record["audio_file"], dtype="int16")
        assert rate == 16000 and samples.ndim == 1
        assert len(samples) / rate == pytest.approx(record["duration_s"], abs=1e-6)
        assert not samples[:4000].any() and not samples[-4000:].any()  # 0.25 s padding
        grid = (root / record["alignment_file"]).read_text(encoding="utf-8")
        words = [w for w in re.findall(r'text = "(.*)"', grid) if w]
        assert words == [re.sub(r"^\W+|\W+$", "", t) for t in record["text"].split()]


def test_meshes_load_with_trimesh(config):
    root = config.root_of(config.by_name("demo_meshes"))
    for record in _records(config, "demo_meshes"):
        mesh = trimesh.load(root / record["mesh_file"], force="mesh")
        assert (len(mesh.vertices), len(mesh.faces)) == (record["vertices"], record["faces"])
        assert mesh.is_watertight


def test_images_open_at_their_recorded_size(config):
    from PIL import Image

    root = config.root_of(config.by_name("demo_images"))
    for record in _records(config, "demo_images"):
        with Image.open(root / record["file_name"]) as image:
            assert image.size == (record["width"], record["height"])
        assert 2 <= len(record["captions"]) <= 3


def test_code_records_are_functions_without_their_docstring(config):
    records = _records(config, "demo_code")
    for record in records:
        tree = ast.parse(record["code"])
        function = tree.body[0]
        assert isinstance(function, ast.FunctionDef) and function.name == record["entry_point"]
        assert ast.get_docstring(function) is None
    documented = [r for r in records if r["docstring"]]
    assert len(documented) == 7
    assert all(r["docstring"].splitlines()[0] not in r["code"] for r in documented)
    assert all(r["docstring"] == [] for r in records if r not in documented)  # in the pool


def test_video_beeps_start_on_the_flashes(config):
    source = config.by_name("demo_video")
    root = config.root_of(source)
    assert [p.name for p in root.glob(source.sidecars.subtitles[0])] == ["flash.en.srt"]
    events = {r["file"]: r["events_s"] for r in map(json.loads, (root / "av_events.jsonl").open())}

    with av.open(str(root / "flash.mp4")) as container:
        frames = [(float(f.time), f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]
    assert len(frames) == 75 and frames[0][1].shape == (120, 160, 3)
    lit = [t for t, image in frames if image.mean() > 200]
    assert lit == pytest.approx(
        sorted([*events["flash.mp4"], *(e + 0.04 for e in events["flash.mp4"])])
    )

    for name in ("flash.mp4", "bounce.mp4"):
        with av.open(str(root / name)) as container:
            rate = container.streams.audio[0].rate
            audio = np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)])
        loud = np.abs(audio) > 0.05
        onsets = np.flatnonzero(loud[1:] & ~loud[:-1]) + 1
        onsets = onsets[np.r_[True, np.diff(onsets) > rate // 10]] / rate
        assert onsets == pytest.approx(events[name], abs=0.005), name


def test_sensor_streams_share_one_boot_clock_and_the_imu_has_a_gap(config):
    root = config.root_of(config.by_name("demo_drive"))
    imu = pd.read_csv(root / "imu.csv")
    gps = pd.read_csv(root / "gps.csv")
    assert (len(imu), len(gps)) == (575, 60)
    steps = np.diff(imu["t_boot_s"].to_numpy())
    assert np.median(steps) == pytest.approx(0.01, abs=1e-3)
    assert steps.max() == pytest.approx(0.26, abs=2e-3)
    assert set(np.diff(gps["timestamp"].to_numpy())) == {100_000}
    gps_s = gps["timestamp"].to_numpy() / 1e6
    assert imu["t_boot_s"].iloc[0] < gps_s[0] < gps_s[-1] < imu["t_boot_s"].iloc[-1]


def test_second_generation_writes_identical_bytes(demo, tmp_path):
    first = _files(demo.parent)
    second = _files(generate_demo(tmp_path / "corpus").parent)
    assert set(first) == BYTE_IDENTICAL
    assert second == first


def test_refuses_a_folder_that_is_not_empty(demo):
    with pytest.raises(FileExistsError):
        generate_demo(demo.parent)
