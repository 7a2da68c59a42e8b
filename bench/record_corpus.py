"""A corpus of N records for the scaling benchmark: mostly JSONL records, a few media files.

At a million records, a million media files would take an hour to write and fill the disk
with what the ingest benchmark already measures (decoding and hashing per file). What grows
with a large dataset is the number of rows every table-level stage handles, so most records
are code ↔ docstring pairs from one JSONL manifest (two items and one pair per record, no
file on disk). About 1% of the records are media files from ``synthetic_corpus.py`` (images,
speech, meshes, sensor CSVs) with their captions, transcripts and descriptions (about 2.5
texts per file), so every stage also sees real files, the same share at every scale.

>>> corpus = open_or_generate(Path("/tmp/records"), records=10_000, seed=7)  # doctest: +SKIP
>>> corpus["discovered"]                                                    # doctest: +SKIP
10000
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import yaml
from synthetic_corpus import WORDS
from synthetic_corpus import open_or_generate as open_or_generate_media

GENERATOR_VERSION = 1
STAMP = "records.json"
MEDIA_SHARE = 0.01
OPERATORS = ("+", "-", "*", "//", "%", "**")


def open_or_generate(root: Path, records: int, seed: int) -> dict:
    """The stamp of the corpus in ``root`` if made with these settings, else a new corpus."""
    stamp = root / STAMP
    if stamp.is_file():
        saved = json.loads(stamp.read_text(encoding="utf-8"))
        if (saved["records"], saved["seed"], saved["version"]) == (
            records,
            seed,
            GENERATOR_VERSION,
        ):
            return saved
    if root.exists() and any(p.name != "media" for p in root.iterdir()):
        raise SystemExit(
            f"{root} holds something other than a record corpus of {records} records with seed "
            f"{seed}; pass an empty or new folder to `--corpus`"
        )
    return generate(root, records, seed)


def generate(root: Path, records: int, seed: int) -> dict:
    """Media from ``synthetic_corpus``, code records to make up ``records`` items in all."""
    started = time.perf_counter()
    media = open_or_generate_media(root / "media", max(1, round(records * MEDIA_SHARE)), seed)
    code_records = max(0, (records - len(media.media) - media.text_records) // 2)
    write_code_manifest(root / "code" / "functions.jsonl", code_records, seed)
    write_sources(root, media.sources, code_records)
    stamp = {
        "records": records,
        "seed": seed,
        "version": GENERATOR_VERSION,
        "media_files": len(media.media),
        "media_counts": media.media_counts,
        "media_texts": media.text_records,
        "code_records": code_records,
        # every media file and text is one item, every code record two (code and docstring)
        "discovered": len(media.media) + media.text_records + 2 * code_records,
        "generate_s": round(time.perf_counter() - started, 1),
    }
    (root / STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
    return stamp


def write_code_manifest(path: Path, count: int, seed: int) -> None:
    """``count`` small Python functions with a one-line docstring each, HumanEval-shaped."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for index in range(count):
            words = rng.choices(WORDS, k=rng.randint(4, 14))
            doc = " ".join(words).capitalize() + "."
            name = f"{'_'.join(words[:2])}_{index}"
            operator = OPERATORS[index % len(OPERATORS)]
            record = {
                "task_id": f"generated/{index}",
                "prompt": f'def {name}(x: int, y: int) -> int:\n    """{doc}"""\n',
                "canonical_solution": f"    return x {operator} (y + {rng.randint(1, 999)})\n",
                "entry_point": name,
                "nl_docstring": doc,
            }
            handle.write(json.dumps(record) + "\n")


def write_sources(root: Path, media_sources: Path, code_records: int) -> None:
    """The media corpus's sources with their roots moved under ``media/``, plus the code."""
    doc = yaml.safe_load(media_sources.read_text(encoding="utf-8"))
    for source in doc["sources"]:
        source["root"] = f"media/{source['root']}"
    if code_records:
        doc["sources"].append(
            {
                "name": "bench_code",
                "modality": "code",
                "root": "code",
                "licence": "CC0-1.0 (generated)",
                "origin": "bench/record_corpus.py",
                "manifest": {
                    "path": "functions.jsonl",
                    "kind": "docstring",
                    "id_field": "task_id",
                    "code_fields": ["prompt", "canonical_solution"],
                    "text_field": "nl_docstring",
                },
            }
        )
    path = root / "sources.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
