"""A small corpus of real files copied from ../shared/data, for tests that change sources."""

import json
import shutil
from pathlib import Path

import yaml

IMAGES = ["000000062554.jpg", "000000099053.jpg", "000000126107.jpg"]
SPEECH = ["audio/61-70968-0000.flac", "audio/LJ002-0020.wav"]


def write_small_corpus(raw: Path, shared: Path) -> Path:
    """Three COCO images with captions and two speech files with transcripts; returns the
    sources file (roots relative to it)."""
    (raw / "images" / "images").mkdir(parents=True)
    (raw / "speech" / "audio").mkdir(parents=True)
    for name in IMAGES:
        shutil.copy(shared / "image_text" / "images" / name, raw / "images" / "images" / name)
    lines = [
        json.loads(line)
        for line in (shared / "image_text" / "captions.jsonl").read_text().splitlines()
    ]
    kept = [line for line in lines if Path(line["file_name"]).name in IMAGES]
    (raw / "images" / "captions.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in kept)
    )
    for name in SPEECH:
        shutil.copy(shared / "speech_text" / name, raw / "speech" / name)
    rows = [
        json.loads(line)
        for line in (shared / "speech_text" / "transcripts.jsonl").read_text().splitlines()
    ]
    (raw / "speech" / "transcripts.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows if r["audio_file"] in SPEECH)
    )
    sources = {
        "version": 1,
        "sources": [
            {
                "name": "coco",
                "modality": "image",
                "root": "images",
                "files": ["images/*.jpg"],
                "licence": "CC BY 2.0",
                "origin": "COCO",
                "manifest": {
                    "path": "captions.jsonl",
                    "kind": "caption",
                    "media_field": "file_name",
                    "text_field": "captions",
                },
            },
            {
                "name": "speech",
                "modality": "audio",
                "root": "speech",
                "files": ["audio/*"],
                "licence": "CC BY 4.0",
                "origin": "LibriSpeech, LJ Speech",
                "subject_pattern": r"^(?P<subject>\d+)-",
                "manifest": {
                    "path": "transcripts.jsonl",
                    "kind": "transcript",
                    "media_field": "audio_file",
                    "text_field": "text",
                },
            },
        ],
    }
    (raw / "sources.yaml").write_text(yaml.safe_dump(sources))
    return raw / "sources.yaml"


def web_and_pool_sources() -> list[dict]:
    """Sources 'web' (saved pages under web/pages) and 'code' (code.jsonl, a pool.jsonl of
    docstrings), for tests that change pages, the files they show, or a pool."""
    return [
        {
            "name": "web",
            "modality": "image",
            "root": "web",
            "licence": "CC0-1.0",
            "origin": "test pages",
            "html": {"pages": ["pages/**/*.html"]},
        },
        {
            "name": "code",
            "modality": "code",
            "root": "code",
            "licence": "MIT",
            "origin": "test",
            "manifest": {
                "path": "code.jsonl",
                "kind": "docstring",
                "id_field": "id",
                "code_fields": ["code"],
                "text_field": "doc",
            },
            "match": {"pool": "pool.jsonl", "kind": "docstring", "id_field": "id"},
        },
    ]
