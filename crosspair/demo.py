"""The built-in demo corpus: one small source per modality, made from what pip installs.

Images come from scikit-image's bundled samples, speech from eSpeak NG, clips from numpy
frames encoded by moviepy's ffmpeg, meshes from trimesh, code from the running Python's
standard library (five of them documented only in a pool for MiniLM to match), sensor
streams from a seeded simulation; ``annotations/`` holds simulated human judgements. Nothing
is downloaded, and two runs on the same machine write the same bytes.

>>> sources_yaml = generate_demo(Path("demo"))   # doctest: +SKIP
>>> load_sources(sources_yaml).by_name("demo_speech").modality   # doctest: +SKIP
'audio'
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import logging
import platform
import shutil
import textwrap
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import yaml

from crosspair.sources import load_sources
from crosspair.synth.demo_annotations import write_simulated_annotations
from crosspair.synth.demo_pool import (
    UNDOCUMENTED_FUNCTIONS,
    code_record_id,
    match_block,
    write_docstring_pool,
)
from crosspair.synth.html_pages import web_source, write_pages

log = logging.getLogger(__name__)

SEED = 20240501
SPEECH_RATE = 16_000

# (file in skimage's data folder, file written, licence as skimage documents it, captions)
IMAGES = [
    ("astronaut.png", "astronaut.jpg", "public domain (NASA)", [
        "A smiling astronaut in an orange flight suit poses in front of an American flag.",
        "Portrait of a woman astronaut holding a white helmet.",
        "An astronaut with short hair stands beside a model of the space shuttle.",
    ]),
    ("coffee.png", "coffee.jpg", "CC0-1.0 (Rachel Michetti)", [
        "A cup of espresso on a red saucer with a spoon.",
        "Coffee in a white and red cup on a wooden table.",
        "A small coffee cup seen from above on a dark wood surface.",
    ]),
    ("chelsea.png", "Chelsea the cat (v1.2).jpg", "CC0-1.0 (Stefan van der Walt)", [
        "Close-up of a tabby cat with green eyes.",
        "A brown striped cat looks to the side.",
    ]),
    ("rocket.jpg", "rocket.jpg", "public domain (SpaceX)", [
        "A rocket stands on the launch pad at dusk between lightning towers.",
        "A white rocket lit by floodlights under a blue evening sky.",
    ]),
    ("camera.png", "camera.png", "CC0-1.0 (Lav Varshney)", [
        "A black and white photo of a man looking through a camera on a tripod.",
        "A photographer in a dark coat films on a lawn with buildings behind him.",
        "Grayscale image of a person operating a camera outdoors.",
    ]),
]  # fmt: skip

VOICES = {"espeak_en_us": "en-us", "espeak_en_gb_f4": "en-gb-x-rp+f4"}
# (file written, speaker, sentence)
SENTENCES = [
    ("fox.wav", "espeak_en_us", "The quick brown fox jumps over the lazy dog."),
    ("offices.wav", "espeak_en_gb_f4", "We moved from 12 to 3 offices last spring."),
    ("bakery.wav", "espeak_en_us", "Turn left at the bakery, then walk two blocks north."),
    ("Track 2.0 (Clean).wav", "espeak_en_gb_f4", "Fresh bread smells best early in the morning."),
    ("voices.wav", "espeak_en_us", "Can you hear the difference between these two voices?"),
]

FLASHES_S = [0.48, 1.2, 2.0, 2.6]  # on frame boundaries at 25 fps
BOUNCE_PERIOD_S = 1.0
CLIP_SIZE, CLIP_FPS = (160, 120), 25

MESHES = [
    ("box.obj", "box", "A rectangular box 2 units long, 1 wide and 0.5 high."),
    ("icosphere.ply", "icosphere", "A unit sphere made of small triangles (icosphere)."),
    ("torus.glb", "torus", "A torus, a ring shaped like a doughnut, with a thin tube."),
]

STDLIB_FUNCTIONS = [
    "textwrap.dedent",
    "shlex.quote",
    "statistics.median",
    "calendar.isleap",
    "string.capwords",
    "html.escape",
    "fnmatch.fnmatchcase",
]


def _write_jsonl(path: Path, records: list[dict]) -> None:
    lines = [json.dumps(record, ensure_ascii=False) + "\n" for record in records]
    path.write_text("".join(lines), encoding="utf-8")


def _images(root: Path) -> list[dict]:
    """Copy or re-encode scikit-image's bundled samples; never through its downloader."""
    import skimage.data
    from PIL import Image

    data_dir = Path(skimage.data.data_dir)
    (root / "images").mkdir(parents=True)
    records = []
    for original, name, licence, captions in IMAGES:
        source = data_dir / original
        if not source.is_file():
            raise FileNotFoundError(f"{source}: scikit-image no longer bundles this sample")
        target = root / "images" / name
        if source.suffix == target.suffix:
            shutil.copyfile(source, target)
        else:
            with Image.open(source) as image:
                image.convert("RGB").save(target, format="JPEG", quality=90)
        with Image.open(target) as image:
            width, height = image.size
        records.append(
            {
                "file_name": f"images/{name}",
                "captions": captions,
                "licence": licence,
                "skimage_name": Path(original).stem,
                "width": width,
                "height": height,
            }
        )
    _write_jsonl(root / "captions.jsonl", records)
    return records


def _speech(root: Path) -> list[dict]:
    """Synthesise each sentence at 16 kHz with its word alignment as a TextGrid."""
    import soundfile

    from crosspair.synth.espeak import synthesize
    from crosspair.synth.textgrid import words_textgrid

    (root / "audio").mkdir(parents=True)
    (root / "alignments").mkdir()
    records = []
    for name, speaker, text in SENTENCES:
        speech = synthesize(text, VOICES[speaker]).resampled(SPEECH_RATE).padded(0.25, 0.25)
        soundfile.write(root / "audio" / name, speech.samples, SPEECH_RATE, subtype="PCM_16")
        alignment = f"alignments/{Path(name).stem}.TextGrid"
        grid = words_textgrid(speech.words, speech.duration_s)
        (root / alignment).write_text(grid, encoding="utf-8")
        records.append(
            {
                "audio_file": f"audio/{name}",
                "text": text,
                "speaker": speaker,
                "voice": VOICES[speaker],
                "language": "en",
                "sample_rate": SPEECH_RATE,
                "duration_s": round(speech.duration_s, 6),
                "alignment_file": alignment,
            }
        )
    _write_jsonl(root / "transcripts.jsonl", records)
    return records


def _video(root: Path) -> list[dict]:
    """A flashing clip with subtitles and a bouncing-ball clip without; beeps on each event."""
    from crosspair.synth.clips import beep_track, bounce_frames, flash_frames, srt, write_clip

    root.mkdir(parents=True)
    bounces = [0.5, 1.0, 1.5]
    clips = [
        ("flash.mp4", 3.0, flash_frames(FLASHES_S, CLIP_SIZE, CLIP_FPS), FLASHES_S, 1000.0),
        ("bounce.mp4", 2.0, bounce_frames(BOUNCE_PERIOD_S, CLIP_SIZE), bounces, 660.0),
    ]
    records = []
    for name, duration, frames, events, tone in clips:
        audio = beep_track(events, duration, SPEECH_RATE, tone)
        write_clip(
            root / name,
            frames,
            audio,
            duration_s=duration,
            fps=CLIP_FPS,
            sample_rate=SPEECH_RATE,
        )
        records.append({"file": name, "events_s": events, "av_offset_s": 0.0})
    cues = [(t, t + 0.4, f"Flash and beep number {n}.") for n, t in enumerate(FLASHES_S, 1)]
    (root / "flash.en.srt").write_text(srt(cues), encoding="utf-8")
    # not part of the sources file: ground truth for sync checks
    _write_jsonl(root / "av_events.jsonl", records)
    return records


def _meshes(root: Path) -> list[dict]:
    import trimesh

    (root / "meshes").mkdir(parents=True)
    shapes = {
        "box": trimesh.creation.box(extents=(2.0, 1.0, 0.5)),
        "icosphere": trimesh.creation.icosphere(subdivisions=2, radius=1.0),
        "torus": trimesh.creation.torus(major_radius=1.0, minor_radius=0.25),
    }
    records = []
    for name, shape, description in MESHES:
        mesh = shapes[shape]
        mesh.export(root / "meshes" / name)
        records.append(
            {
                "mesh_file": f"meshes/{name}",
                "name": shape,
                "description": description,
                "vertices": len(mesh.vertices),
                "faces": len(mesh.faces),
            }
        )
    _write_jsonl(root / "shapes.jsonl", records)
    return records


def _without_docstring(source: str) -> str:
    """The function's source with its docstring lines removed (the docstring is the text)."""
    body = ast.parse(source).body[0].body
    doc = body[0]
    lines = source.splitlines(keepends=True)
    return "".join(lines[: doc.lineno - 1] + lines[doc.end_lineno :])


def _code(root: Path) -> list[dict]:
    """Standard-library functions: code without docstring on one side, docstring on the other
    (or, for the undocumented ones, in a pool file that a model matches)."""
    root.mkdir(parents=True)
    records = []
    for dotted in STDLIB_FUNCTIONS + UNDOCUMENTED_FUNCTIONS:
        module_name, _, name = dotted.rpartition(".")
        function = getattr(importlib.import_module(module_name), name)
        source = textwrap.dedent(inspect.getsource(function))
        records.append(
            {
                "task_id": code_record_id(dotted),
                "entry_point": name,
                "module": module_name,
                "code": _without_docstring(source),
                "docstring": inspect.getdoc(function) if dotted in STDLIB_FUNCTIONS else [],
                "python_version": platform.python_version(),
            }
        )
    _write_jsonl(root / "stdlib_functions.jsonl", records)
    write_docstring_pool(root)
    return records


def _sensors(root: Path) -> dict[str, int]:
    from crosspair.synth.sensors import Drive, gps_csv, imu_csv

    root.mkdir(parents=True)
    rng = np.random.default_rng(SEED)
    drive = Drive()
    tables = {"imu.csv": imu_csv(drive, rng), "gps.csv": gps_csv(drive, rng)}
    for name, table in tables.items():
        (root / name).write_text(table, encoding="utf-8")
    return {name: table.count("\n") - 1 for name, table in tables.items()}


def _sources(python: str) -> dict:
    """The sources file; roots are relative to it."""
    espeak = f"eSpeak NG via espeakng-loader {version('espeakng-loader')}"
    return {
        "version": 1,
        "sources": [
            {
                "name": "demo_images",
                "modality": "image",
                "root": "image_text",
                "files": ["images/*.jpg", "images/*.png"],
                "licence": "public domain or CC0-1.0 per image (see each record's licence)",
                "origin": f"scikit-image {version('scikit-image')} sample data; "
                "captions written for the demo",
                "manifest": {
                    "path": "captions.jsonl",
                    "kind": "caption",
                    "media_field": "file_name",
                    "text_field": "captions",
                    "licence_field": "licence",
                },
            },
            {
                "name": "demo_speech",
                "modality": "audio",
                "root": "speech_text",
                "files": ["audio/*.wav"],
                "licence": "CC0-1.0 (synthetic speech made for the demo)",
                "origin": f"sentences written for the demo, spoken by {espeak}",
                "manifest": {
                    "path": "transcripts.jsonl",
                    "kind": "transcript",
                    "media_field": "audio_file",
                    "text_field": "text",
                    "subject_field": "speaker",
                    "language_field": "language",
                },
            },
            {
                "name": "demo_video",
                "modality": "video",
                "root": "video_audio",
                "files": ["*.mp4"],
                "licence": "CC0-1.0 (generated for the demo)",
                "origin": f"numpy frames and beeps encoded with moviepy {version('moviepy')}",
                "sidecars": {"subtitles": ["*.srt"]},
                "extract_audio": True,
            },
            {
                "name": "demo_meshes",
                "modality": "mesh",
                "root": "shape_text",
                "files": ["meshes/*.obj", "meshes/*.ply", "meshes/*.glb"],
                "licence": "CC0-1.0 (generated for the demo)",
                "origin": f"trimesh {version('trimesh')} primitives; descriptions written "
                "for the demo",
                "manifest": {
                    "path": "shapes.jsonl",
                    "kind": "description",
                    "media_field": "mesh_file",
                    "text_field": "description",
                },
            },
            {
                "name": "demo_code",
                "modality": "code",
                "root": "text_code",
                "licence": "PSF-2.0",
                "origin": f"CPython {python} standard library, read with inspect.getsource; "
                "pool docstrings written for the demo",
                "manifest": {
                    "path": "stdlib_functions.jsonl",
                    "kind": "docstring",
                    "text_field": "docstring",
                    "id_field": "task_id",
                    "code_fields": ["code"],
                },
                "match": match_block(),  # docstrings of the undocumented functions
            },
            {  # two streams on two clocks, paired on one: the IMU's boot seconds
                "name": "demo_drive",
                "modality": "sensor",
                "root": "sensor",
                "files": ["imu.csv", "gps.csv"],
                "licence": "CC0-1.0 (simulated for the demo)",
                "origin": "crosspair.synth.sensors, seeded simulation of a car on a circle",
                "sensor": {
                    "time_column": "t_boot_s",
                    "clock": "boot_s",
                    "streams": {"gps.csv": {"time_column": "timestamp", "clock": "boot_us"}},
                },
            },
            web_source("web_pages"),  # saved pages: images and texts for weak supervision
        ],
    }


def generate_demo(out_dir: Path) -> Path:
    """Write the demo corpus into ``out_dir`` (new or empty); returns its ``sources.yaml``."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty; pass a new or empty folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    sources_path = out_dir / "sources.yaml"

    steps = [
        ("images", lambda: _images(out_dir / "image_text")),
        ("speech", lambda: _speech(out_dir / "speech_text")),
        ("video", lambda: _video(out_dir / "video_audio")),
        ("meshes", lambda: _meshes(out_dir / "shape_text")),
        ("code", lambda: _code(out_dir / "text_code")),
        ("sensor", lambda: _sensors(out_dir / "sensor")),
        ("web pages", lambda: write_pages(out_dir / "web_pages")),
    ]
    for label, step in steps:
        started = time.perf_counter()
        written = step()
        log.info("demo %s: %d items in %.2f s", label, len(written), time.perf_counter() - started)

    text = yaml.safe_dump(_sources(platform.python_version()), sort_keys=False, width=100)
    sources_path.write_text(text, encoding="utf-8")
    write_simulated_annotations(out_dir / "annotations", load_sources(sources_path))
    files = [p for p in out_dir.rglob("*") if p.is_file()]
    size_kb = sum(p.stat().st_size for p in files) / 1024
    log.info("demo corpus: %d files, %.0f KiB, sources in %s", len(files), size_kb, sources_path)
    return sources_path
