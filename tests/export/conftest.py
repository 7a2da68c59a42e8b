"""A small real build on disk: images, a dotted MP3 name, a video with extracted audio, a mesh
and a code record, with catalogs, pairs and split assignments over them."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from PIL import Image

from crosspair.export.webdataset import Resolve, resolver_from_roots
from crosspair.ids import item_id, pair_id, sha256_file, sha256_text
from crosspair.schemas import EXTRACTED_AUDIO, PAIRS
from crosspair.splits import assign_splits

VIDEO = "video_audio/big_buck_bunny_432_433.webm"  # under the shared test data


@dataclass
class ExportBuild:
    roots: dict[str, Path]
    data_dir: Path
    catalogs: dict[str, pd.DataFrame]
    extracted_audio: pd.DataFrame
    pairs: pd.DataFrame
    assignments: pd.DataFrame
    resolve: Resolve


def _row(source: str, modality: str, root: Path, path: str, licence: str, subjects: str = ""):
    return {
        "item_id": item_id(source, path),
        "source": source,
        "modality": modality,
        "path": path,
        "record_key": "",
        "size_bytes": (root / path).stat().st_size,
        "sha256": sha256_file(root / path),
        "licence": licence,
        "subject_ids": subjects,
    }


def _text(source: str, manifest: str, key: str, kind: str, text: str, licence: str) -> dict:
    data = text.encode("utf-8")
    return {
        "item_id": item_id(source, manifest, key),
        "source": source,
        "modality": "text",
        "path": manifest,
        "record_key": key,
        "size_bytes": len(data),
        "sha256": sha256_text(text),
        "licence": licence,
        "subject_ids": "",
        "kind": kind,
        "text": text,
        "language": "en",
    }


def _pair(source, left, left_modality, right, right_modality, method) -> dict:
    return {
        "pair_id": pair_id(left, right, method),
        "group_id": left,
        "source": source,
        "left_id": left,
        "left_modality": left_modality,
        "right_id": right,
        "right_modality": right_modality,
        "method": method,
        "score": float("nan"),
        "params": "{}",
    }


@pytest.fixture
def build(tmp_path: Path, shared_data: Path) -> ExportBuild:
    roots = {
        name: tmp_path / "raw" / name for name in ("coco", "speech", "films", "shapes", "code")
    }
    for root in roots.values():
        root.mkdir(parents=True)
    data_dir = tmp_path / "data"
    (data_dir / "extracted").mkdir(parents=True)
    rng = np.random.default_rng(3)

    images, texts, pairs = [], [], []
    for number in range(12):
        name = f"images/{number:03d}.{'png' if number % 4 == 0 else 'jpg'}"
        (roots["coco"] / "images").mkdir(exist_ok=True)
        pixels = rng.integers(0, 255, (24 + number, 32, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(roots["coco"] / name)
        licence = "CC BY 2.0" if number % 3 else "CC BY-SA 2.0"
        images.append(_row("coco", "image", roots["coco"], name, licence))
        for caption in range(5):
            text = f"photo {number} caption {caption}"
            texts.append(
                _text("coco", "captions.jsonl", f"{name}#{caption}", "caption", text, licence)
            )
            pairs.append(
                _pair(
                    "coco", images[-1]["item_id"], "image", texts[-1]["item_id"], "text", "manifest"
                )
            )

    track = "Track 2.0 (Clean).mp3"
    sf.write(
        roots["speech"] / track, rng.normal(0, 0.1, 16000).astype("float32"), 16000, format="MP3"
    )
    audio = [_row("speech", "audio", roots["speech"], track, "CC0 1.0", subjects="spk7")]
    texts.append(
        _text("speech", "transcripts.jsonl", track, "transcript", "hello there", "CC0 1.0")
    )
    pairs.append(
        _pair("speech", audio[0]["item_id"], "audio", texts[-1]["item_id"], "text", "manifest")
    )

    shutil.copyfile(shared_data / VIDEO, roots["films"] / "bunny.webm")
    video = [_row("films", "video", roots["films"], "bunny.webm", "CC BY 3.0")]
    wav = "extracted/bunny.stream1.wav"
    sf.write(data_dir / wav, rng.normal(0, 0.1, (8000, 2)).astype("float32"), 8000)
    extracted = pd.DataFrame(
        [
            {
                "item_id": item_id("films", "bunny.webm", "audio:1"),
                "video_id": video[0]["item_id"],
                "source": "films",
                "path": wav,
                "stream_index": 1,
                "sample_rate": 8000,
                "channels": 2,
                "frames": 8000,
                "sha256": sha256_file(data_dir / wav),
            }
        ]
    )
    EXTRACTED_AUDIO.validate(extracted)
    pairs.append(
        _pair("films", video[0]["item_id"], "video", extracted["item_id"][0], "audio", "own_track")
    )

    (roots["shapes"] / "cube.OBJ").write_text(
        "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\nf 1 2 4\nf 1 3 4\nf 2 3 4\n"
    )
    mesh = [_row("shapes", "mesh", roots["shapes"], "cube.OBJ", "CC0 1.0")]
    texts.append(
        _text("shapes", "shapes.jsonl", "cube", "description", "a small tetrahedron", "CC0 1.0")
    )
    pairs.append(
        _pair("shapes", mesh[0]["item_id"], "mesh", texts[-1]["item_id"], "text", "manifest")
    )

    source = "def add(a, b):\n    return a + b\n"
    code = [
        {
            "item_id": item_id("code", "tasks.jsonl", "add#code"),
            "source": "code",
            "modality": "code",
            "path": "tasks.jsonl",
            "record_key": "add",
            "size_bytes": len(source),
            "sha256": sha256_text(source),
            "licence": "MIT",
            "subject_ids": "",
            "language": "python",
            "entry_point": "add",
            "code": source,
            "n_lines": 2,
        }
    ]
    texts.append(_text("code", "tasks.jsonl", "add", "docstring", "Add two numbers.", "MIT"))
    pairs.append(
        _pair("code", code[0]["item_id"], "code", texts[-1]["item_id"], "text", "manifest")
    )

    catalogs = {
        "image": pd.DataFrame(images),
        "audio": pd.DataFrame(audio),
        "video": pd.DataFrame(video),
        "mesh": pd.DataFrame(mesh),
        "text": pd.DataFrame(texts),
        "code": pd.DataFrame(code),
    }
    pairs_frame = PAIRS.validate(pd.DataFrame(pairs))
    items = pd.concat(
        [frame[["item_id", "sha256", "subject_ids"]] for frame in catalogs.values()]
        + [extracted[["item_id", "sha256"]].assign(subject_ids="")],
        ignore_index=True,
    )
    assignments, _ = assign_splits(
        pairs_frame, items, ratios={"train": 0.5, "val": 0.25, "test": 0.25}
    )
    return ExportBuild(
        roots=roots,
        data_dir=data_dir,
        catalogs=catalogs,
        extracted_audio=extracted,
        pairs=pairs_frame,
        assignments=assignments,
        resolve=resolver_from_roots(roots, data_dir),
    )
