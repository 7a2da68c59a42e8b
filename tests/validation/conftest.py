"""Real test data copied into tmp folders, and catalog rows built from it the way probes do."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import imagehash
import pandas as pd
import pytest
import soundfile
from PIL import Image

from crosspair.ids import item_id, pair_id, sha256_file, sha256_text
from crosspair.items import Candidate, catalog_base
from crosspair.schemas import AUDIO_CATALOG, IMAGE_CATALOG, PAIRS, TEXT_CATALOG

DATA = Path(
    os.environ.get("CROSSPAIR_TEST_DATA", Path(__file__).resolve().parents[3] / "shared/data")
)
COCO = DATA / "image_text"
SPEECH = DATA / "speech_text"

#: WAV PCM16, FLAC, MP3 (48 kHz) and a 24-bit WAVE_FORMAT_EXTENSIBLE: every libsndfile path
AUDIO_FILES = [
    "1995-1837-0001.wav",
    "61-70968-0000.flac",
    "common_voice_en_22058266.mp3",
    "mfa_cold_corpus_24bit.wav",
]


@pytest.fixture(scope="session", autouse=True)
def _require_data():
    if not DATA.is_dir():
        pytest.skip(f"test data not found at {DATA}; set CROSSPAIR_TEST_DATA")


def copy_into(src: Path, root: Path, rel: str) -> Path:
    """A writable copy (the shared data is read-only) at ``root / rel``."""
    dst = root / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def base_row(source: str, modality: str, rel: str, record_key: str, sha: str, size: int) -> dict:
    candidate = Candidate(
        item_id=item_id(source, rel, record_key),
        source=source,
        modality=modality,
        path=rel,
        record_key=record_key,
        abs_path=None,
        licence="CC BY 2.0" if modality == "image" else "CC BY 4.0",
        subject_ids="",
    )
    return catalog_base(candidate, size, sha)


def image_row(source: str, root: Path, rel: str) -> dict:
    path = root / rel
    with Image.open(path) as image:
        extra = {
            "width": image.width,
            "height": image.height,
            "mode": image.mode,
            "format": image.format,
            "exif_orientation": 1,
            "phash": str(imagehash.phash(image)),
        }
    return {**base_row(source, "image", rel, "", sha256_file(path), path.stat().st_size), **extra}


def audio_row(source: str, root: Path, rel: str) -> dict:
    path = root / rel
    info = soundfile.info(str(path))
    extra = {
        "format": info.format,
        "subtype": info.subtype,
        "sample_rate": info.samplerate,
        "channels": info.channels,
        "frames": info.frames,
        "duration_s": info.frames / info.samplerate,
    }
    return {**base_row(source, "audio", rel, "", sha256_file(path), path.stat().st_size), **extra}


def frame(rows: list[dict], schema) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(schema.columns))


def coco_records() -> list[dict]:
    return [json.loads(line) for line in (COCO / "captions.jsonl").read_text().splitlines()]


@pytest.fixture(scope="session")
def captions() -> pd.DataFrame:
    """All 200 real COCO captions as the text table the outlier check takes."""
    rows = []
    for record in coco_records():
        for index, text in enumerate(record["captions"]):
            rows.append(
                {
                    "item_id": item_id(
                        "coco", "captions.jsonl", f"{record['coco_image_id']}#{index}"
                    ),
                    "source": "coco",
                    "kind": "caption",
                    "text": text,
                    "n_words": len(text.split()),
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture
def coco_root(tmp_path: Path) -> Path:
    """The first 8 COCO images copied to ``tmp_path/coco/images``."""
    root = tmp_path / "coco"
    for record in coco_records()[:8]:
        copy_into(COCO / record["file_name"], root, record["file_name"])
    return root


@pytest.fixture
def image_catalog(coco_root: Path) -> pd.DataFrame:
    rels = sorted(str(p.relative_to(coco_root)) for p in (coco_root / "images").iterdir())
    return frame([image_row("coco", coco_root, rel) for rel in rels], IMAGE_CATALOG)


@pytest.fixture
def caption_catalog() -> pd.DataFrame:
    """Text catalog of the captions of the first 8 COCO images: manifest records, no files."""
    rows = []
    for record in coco_records()[:8]:
        for index, text in enumerate(record["captions"]):
            key = f"{record['coco_image_id']}#{index}"
            base = base_row("coco", "text", "captions.jsonl", key, sha256_text(text), len(text))
            rows.append(
                {
                    **base,
                    "kind": "caption",
                    "anchor": record["file_name"],
                    "text": text,
                    "n_chars": len(text),
                    "n_words": len(text.split()),
                    "language": "en",
                }
            )
    return frame(rows, TEXT_CATALOG)


@pytest.fixture
def speech_root(tmp_path: Path) -> Path:
    root = tmp_path / "speech"
    for name in AUDIO_FILES:
        copy_into(SPEECH / "audio" / name, root, f"audio/{name}")
    return root


@pytest.fixture
def audio_catalog(speech_root: Path) -> pd.DataFrame:
    rows = [audio_row("speech", speech_root, f"audio/{name}") for name in AUDIO_FILES]
    return frame(rows, AUDIO_CATALOG)


@pytest.fixture
def coco_pairs(image_catalog: pd.DataFrame, caption_catalog: pd.DataFrame) -> pd.DataFrame:
    """One image-caption pair per caption (40), joined on the caption's anchor file."""
    images = image_catalog.set_index("path")["item_id"]
    rows = []
    for caption in caption_catalog.itertuples():
        left = images[caption.anchor]
        rows.append(
            {
                "pair_id": pair_id(left, caption.item_id, "manifest"),
                "group_id": left,
                "source": "coco",
                "left_id": left,
                "left_modality": "image",
                "right_id": caption.item_id,
                "right_modality": "text",
                "method": "manifest",
                "params": json.dumps({"field": "captions", "index": int(caption.record_key[-1])}),
            }
        )
    return frame(rows, PAIRS)


@pytest.fixture
def make_image_row():
    """Build an image catalog row for any file under a root, as the image probe would."""
    return image_row
