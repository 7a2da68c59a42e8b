"""A seeded synthetic corpus shaped like real multimodal sets, with its crosspair sources file.

Of N media files, 60% are small photo-like JPEG images with 2-5 captions each, 30% are short
16 kHz speech-like WAVs with one transcript each, and the rest is split between OBJ meshes
with a description and timestamped sensor CSVs (no text). Files sit in shard folders of 1,000
as large sets store them. Each file comes from its own generator seeded by (seed, modality,
index), so its bytes do not depend on generation order; the same seed gives the same corpus.

>>> corpus = open_or_generate(Path("/tmp/corpus"), items=100, seed=7)   # doctest: +SKIP
>>> corpus.media_counts                                                # doctest: +SKIP
{'image': 60, 'audio': 30, 'mesh': 5, 'sensor': 5}
"""

from __future__ import annotations

import json
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import soundfile
import trimesh
import yaml
from PIL import Image, ImageDraw

GENERATOR_VERSION = 1  # bump when the bytes written for a seed change
STAMP = "corpus.json"
SHARD = 1000
SPEECH_RATE = 16_000
SENSOR_RATE_HZ = 100
SPEAKERS = 40
MODALITY_SEEDS = {"image": 1, "audio": 2, "mesh": 3, "sensor": 4}

COLOURS = {
    "red": (200, 40, 40),
    "green": (40, 160, 60),
    "blue": (40, 70, 200),
    "yellow": (230, 210, 50),
    "orange": (240, 140, 30),
    "purple": (130, 50, 160),
    "white": (240, 240, 240),
    "black": (20, 20, 20),
    "grey": (128, 128, 128),
}
WORDS = (
    "the a of to and in is it that was for on are with as his they be at one have this from "
    "by hot word but what some we can out other were all there when up use your how said an "
    "each she which do their time if will way about many then them write would like so these "
    "her long make thing see him two has look more day could go come did number sound no most "
    "people my over know water than call first who may down side been now find"
).split()


@dataclass(frozen=True)
class Corpus:
    """Where a generated corpus lies and what it holds; paths are relative to ``root``."""

    root: Path
    items: int
    seed: int
    media: list[str]
    manifests: list[str]
    media_counts: dict[str, int]
    text_counts: dict[str, int]
    generate_s: float

    @property
    def sources(self) -> Path:
        return self.root / "sources.yaml"

    @property
    def text_records(self) -> int:
        return sum(self.text_counts.values())


def split_counts(items: int) -> dict[str, int]:
    """Media files per modality: 60% image, 30% audio, the rest half mesh, half sensor."""
    image = round(items * 0.6)
    audio = round(items * 0.3)
    mesh = (items - image - audio) // 2
    return {"image": image, "audio": audio, "mesh": mesh, "sensor": items - image - audio - mesh}


def open_or_generate(root: Path, items: int, seed: int) -> Corpus:
    """The corpus in ``root`` if it was generated with these settings, else a new one there."""
    stamp = root / STAMP
    if stamp.is_file():
        saved = json.loads(stamp.read_text(encoding="utf-8"))
        if (saved["items"], saved["seed"], saved["version"]) == (items, seed, GENERATOR_VERSION):
            fields = {k: v for k, v in saved.items() if k not in {"version", "root"}}
            return Corpus(root=root, **fields)
    if root.exists() and any(root.iterdir()):
        raise SystemExit(
            f"{root} holds something other than a corpus of {items} items with seed {seed}; "
            "pass an empty or new folder to `--corpus`"
        )
    return generate(root, items, seed)


def generate(root: Path, items: int, seed: int) -> Corpus:
    """Write every file, the manifests and ``sources.yaml`` into ``root``."""
    started = time.perf_counter()
    counts = split_counts(items)
    media: list[str] = []
    texts: dict[str, int] = {}

    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        made = {
            modality: list(pool.map(_write, _jobs(root, seed, modality, n), chunksize=64))
            for modality, n in counts.items()
        }
    texts["caption"] = _write_manifest(root / "image_text" / "captions.jsonl", made["image"])
    texts["transcript"] = _write_manifest(root / "speech" / "transcripts.jsonl", made["audio"])
    texts["description"] = _write_manifest(root / "shapes" / "shapes.jsonl", made["mesh"])
    media += [f"image_text/{record['file_name']}" for record in made["image"]]
    media += [f"speech/{record['audio_file']}" for record in made["audio"]]
    media += [f"shapes/{record['mesh_file']}" for record in made["mesh"]]
    media += [f"sensor/{rel}" for rel in made["sensor"]]
    manifests = [
        path
        for path, n in [
            ("image_text/captions.jsonl", counts["image"]),
            ("speech/transcripts.jsonl", counts["audio"]),
            ("shapes/shapes.jsonl", counts["mesh"]),
        ]
        if n
    ]
    _write_sources(root / "sources.yaml", seed, counts)

    corpus = Corpus(
        root=root,
        items=items,
        seed=seed,
        media=sorted(media),
        manifests=manifests,
        media_counts=counts,
        text_counts=texts,
        generate_s=round(time.perf_counter() - started, 3),
    )
    stamp = {**asdict(corpus), "root": str(root), "version": GENERATOR_VERSION}
    (root / STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
    return corpus


def _jobs(root: Path, seed: int, modality: str, n: int) -> list[tuple[str, Path, int, int]]:
    return [(modality, root / _FOLDERS[modality], seed, index) for index in range(n)]


def _write(job: tuple[str, Path, int, int]):
    """Write one file (in a pool worker); returns its manifest record, or its path."""
    modality, folder, seed, index = job
    rng = np.random.default_rng([seed, MODALITY_SEEDS[modality], index])
    return _WRITERS[modality](folder, index, rng)


def _shard_path(folder: Path, index: int, name: str) -> tuple[Path, str]:
    rel = f"{index // SHARD:03d}/{name}"
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, rel


def _write_manifest(path: Path, records: list[dict]) -> int:
    """One JSON record a line; returns how many texts the records hold."""
    if not records:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    text_field = next(k for k in ("captions", "text", "description") if k in records[0])
    return sum(len(r[text_field]) if isinstance(r[text_field], list) else 1 for r in records)


def _words(rng: np.random.Generator, low: int, high: int) -> str:
    picked = rng.choice(WORDS, size=int(rng.integers(low, high + 1)))
    return " ".join(picked).capitalize() + "."


# -- images ---------------------------------------------------------------------------------


def _write_image(folder: Path, index: int, rng: np.random.Generator) -> dict:
    """A JPEG of 64-256 px: a noisy gradient with a few coloured shapes; 10% greyscale."""
    width, height = (int(v) for v in rng.integers(64, 257, size=2))
    names = list(COLOURS)
    top, bottom = (names[int(i)] for i in rng.choice(len(names), size=2, replace=False))
    ramp = np.linspace(0.0, 1.0, height)[:, None, None]
    pixels = np.array(COLOURS[top]) * (1 - ramp) + np.array(COLOURS[bottom]) * ramp
    pixels = pixels + rng.normal(0.0, 8.0, size=(height, width, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")

    draw = ImageDraw.Draw(image)
    drawn = []
    for _ in range(int(rng.integers(1, 5))):
        colour = names[int(rng.integers(len(names)))]
        shape = ("circle", "square", "bar")[int(rng.integers(3))]
        x0, x1 = sorted(int(v) for v in rng.integers(0, width, size=2))
        y0, y1 = sorted(int(v) for v in rng.integers(0, height, size=2))
        box = (x0, y0, max(x1, x0 + 4), max(y1, y0 + 4))
        if shape == "circle":
            draw.ellipse(box, fill=COLOURS[colour])
        elif shape == "square":
            draw.rectangle(box, fill=COLOURS[colour])
        else:
            draw.line(box, fill=COLOURS[colour], width=int(rng.integers(2, 9)))
        drawn.append(f"a {colour} {shape}")
    if rng.random() < 0.1:
        image = image.convert("L")

    path, rel = _shard_path(folder / "images", index, f"img_{index:06d}.jpg")
    image.save(path, "JPEG", quality=int(rng.integers(70, 96)))
    scene = ", ".join(drawn)
    captions = [
        f"{scene.capitalize()} over a {top} to {bottom} background.",
        f"A {width} by {height} picture showing {scene}.",
        f"Shapes on a gradient: {scene}.",
        _words(rng, 5, 12),
        f"An abstract {top} and {bottom} image. {_words(rng, 3, 8)}",
    ]
    keep = int(rng.integers(2, 6))
    return {"image_id": index, "file_name": f"images/{rel}", "captions": captions[:keep]}


# -- speech ---------------------------------------------------------------------------------


def _write_speech(folder: Path, index: int, rng: np.random.Generator) -> dict:
    """0.5-3 s of 16 kHz mono PCM: a voiced tone with a syllable-rate envelope and noise."""
    frames = int(rng.uniform(0.5, 3.0) * SPEECH_RATE)
    t = np.arange(frames) / SPEECH_RATE
    pitch = rng.uniform(90.0, 250.0) * (1 + 0.05 * np.sin(2 * math.pi * 0.7 * t))
    phase = 2 * math.pi * np.cumsum(pitch) / SPEECH_RATE
    voiced = sum(np.sin(k * phase) / k for k in range(1, 6))
    envelope = 0.5 * (1 - np.cos(2 * math.pi * rng.uniform(3.0, 6.0) * t))
    signal = 0.25 * voiced * envelope + rng.normal(0.0, 0.01, frames)
    pcm = (np.clip(signal, -1, 1) * 32767).astype(np.int16)

    speaker = int(rng.integers(SPEAKERS))
    path, rel = _shard_path(folder / "audio", index, f"spk{speaker:03d}-{index:06d}.wav")
    soundfile.write(path, pcm, SPEECH_RATE, subtype="PCM_16")
    return {"audio_file": f"audio/{rel}", "text": _words(rng, 4, 16), "language": "en"}


# -- meshes and sensors ----------------------------------------------------------------------


def _write_mesh(folder: Path, index: int, rng: np.random.Generator) -> dict:
    """An OBJ of a scaled primitive (box, sphere, cylinder, cone or capsule)."""
    kind = ("box", "sphere", "cylinder", "cone", "capsule")[int(rng.integers(5))]
    if kind == "box":
        mesh = trimesh.creation.box()
    elif kind == "sphere":
        mesh = trimesh.creation.icosphere(subdivisions=int(rng.integers(1, 4)))
    elif kind == "cylinder":
        mesh = trimesh.creation.cylinder(radius=0.5, height=1.0, sections=int(rng.integers(8, 48)))
    elif kind == "cone":
        mesh = trimesh.creation.cone(radius=0.5, height=1.0, sections=int(rng.integers(8, 48)))
    else:
        mesh = trimesh.creation.capsule(height=1.0, radius=0.3, count=[16, 16])
    scale = rng.uniform(0.2, 3.0, size=3).round(2)
    mesh.apply_transform(np.diag([*scale, 1.0]))
    text = mesh.export(file_type="obj", include_normals=False, include_texture=False)

    path, rel = _shard_path(folder / "meshes", index, f"{kind}_{index:06d}.obj")
    path.write_text(text, encoding="utf-8")
    size = " by ".join(f"{v:g}" for v in scale)
    return {"mesh_file": f"meshes/{rel}", "description": f"A {kind} scaled {size} units."}


def _write_sensor(folder: Path, index: int, rng: np.random.Generator) -> str:
    """An IMU-like CSV: boot-clock seconds and six channels at about 100 Hz."""
    rows = int(rng.integers(100, 1001))
    start = rng.uniform(0.0, 3600.0)
    jitter = rng.uniform(-1e-4, 1e-4, rows)
    times = start + np.arange(rows) / SENSOR_RATE_HZ + jitter
    motion = np.cumsum(rng.normal(0.0, 0.05, size=(rows, 6)), axis=0)
    motion[:, 2] += 9.81
    table = np.column_stack([times, motion])

    path, rel = _shard_path(folder / "csv", index, f"imu_{index:06d}.csv")
    header = "t_boot_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
    np.savetxt(path, table, fmt="%.6f", delimiter=",", header=header, comments="")
    return f"csv/{rel}"


_FOLDERS = {"image": "image_text", "audio": "speech", "mesh": "shapes", "sensor": "sensor"}
_WRITERS = {
    "image": _write_image,
    "audio": _write_speech,
    "mesh": _write_mesh,
    "sensor": _write_sensor,
}


def _write_sources(path: Path, seed: int, counts: dict[str, int]) -> None:
    origin = f"bench/synthetic_corpus.py, seed {seed}"
    licence = "CC0-1.0 (generated)"
    sources = [
        {
            "name": "bench_images",
            "modality": "image",
            "root": "image_text",
            "files": ["images/*/*.jpg"],
            "licence": licence,
            "origin": origin,
            "manifest": {
                "path": "captions.jsonl",
                "kind": "caption",
                "media_field": "file_name",
                "text_field": "captions",
                "id_field": "image_id",
            },
        },
        {
            "name": "bench_speech",
            "modality": "audio",
            "root": "speech",
            "files": ["audio/*/*.wav"],
            "licence": licence,
            "origin": origin,
            "subject_pattern": r"^(?P<subject>spk\d{3})-",
            "manifest": {
                "path": "transcripts.jsonl",
                "kind": "transcript",
                "media_field": "audio_file",
                "text_field": "text",
                "language_field": "language",
            },
        },
        {
            "name": "bench_shapes",
            "modality": "mesh",
            "root": "shapes",
            "files": ["meshes/*/*.obj"],
            "licence": licence,
            "origin": origin,
            "manifest": {
                "path": "shapes.jsonl",
                "kind": "description",
                "media_field": "mesh_file",
                "text_field": "description",
            },
        },
        {
            "name": "bench_imu",
            "modality": "sensor",
            "root": "sensor",
            "files": ["csv/*/*.csv"],
            "licence": licence,
            "origin": origin,
            "sensor": {"time_column": "t_boot_s", "clock": "boot_s"},
        },
    ]
    present = {"image", "audio", "mesh", "sensor"} - {m for m, n in counts.items() if n == 0}
    doc = {"version": 1, "sources": [s for s in sources if s["modality"] in present]}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
