"""Forgetting one of several byte-identical files erases them all, before the rebuild.

DVC's cache stores identical files as one object, so the purge deletes every copy with the
erased bytes; the rebuild must already leave them all out, or raw.dvc, the tables and the
shards would name files that are gone.
"""

import json
import shutil

import numpy as np
import pandas as pd
import yaml
from PIL import Image

from tests.dataset_repo import create_dataset_repo

COPIES = [f"copy_{n:02d}.png" for n in range(4)]
OTHERS = ["other_0.png", "other_1.png"]


def _fill(raw):
    images = raw / "photos" / "images"
    images.mkdir(parents=True)
    rng = np.random.default_rng(7)
    for name in ["base.png", *OTHERS]:
        pixels = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(images / name)
    for name in COPIES:
        shutil.copyfile(images / "base.png", images / name)
    names = ["base.png", *COPIES, *OTHERS]
    records = [
        {"file_name": f"images/{n}", "captions": [f"a picture of noise number {k} in colour"]}
        for k, n in enumerate(names)
    ]
    (raw / "photos" / "captions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    source = {
        "name": "photos",
        "modality": "image",
        "root": "photos",
        "files": ["images/*.png"],
        "licence": "CC0-1.0",
        "origin": "test",
        "manifest": {
            "path": "captions.jsonl",
            "kind": "caption",
            "media_field": "file_name",
            "text_field": "captions",
        },
    }
    (raw / "sources.yaml").write_text(yaml.safe_dump({"version": 1, "sources": [source]}))


def test_forgetting_one_copy_erases_every_byte_identical_copy_before_the_rebuild(tmp_path):
    repo = create_dataset_repo(tmp_path, _fill)
    repo.build()
    repo.commit("v1")
    repo.dvc("push", "-q")
    tables = repo.path / "data" / "tables"
    assert len(pd.read_parquet(tables / "image_catalog.parquet")) == 7

    done = repo.crosspair(
        "forget", "--item", "images/copy_01.png", "--requested-by", "dpo", "--reason", "test"
    )

    images = repo.path / "raw" / "photos" / "images"
    assert sorted(p.name for p in images.iterdir()) == OTHERS
    catalog = pd.read_parquet(tables / "image_catalog.parquet")
    assert sorted(catalog["path"]) == [f"images/{n}" for n in OTHERS]
    pairs = pd.read_parquet(tables / "pairs.parquet")
    texts = pd.read_parquet(tables / "text_catalog.parquet")
    assert len(texts) == 2 and len(pairs) == 2
    assert set(pairs["left_id"]) | set(pairs["right_id"]) == set(catalog["item_id"]) | set(
        texts["item_id"]
    )
    captions = (repo.path / "raw" / "photos" / "captions.jsonl").read_text().splitlines()
    assert [json.loads(line)["file_name"] for line in captions] == [f"images/{n}" for n in OTHERS]
    raw_listing = yaml.safe_load((repo.path / "raw.dvc").read_text())["outs"][0]
    assert raw_listing["nfiles"] == 4  # sources.yaml, captions.jsonl, two images
    assert "up to date" in repo.dvc("status")
    assert repo.git("status", "--short") == ""

    report = json.loads(next((repo.path / "erasure" / "reports").glob("*.json")).read_text())
    # base.png and the three other copies join copy_01.png
    assert report["resolved"]["identical_copies"] == 4
    assert "byte-identical to an erased item" in report["notes"][0]
    assert "byte-identical to an erased item" in done.stdout
    ledger = (repo.path / "erasure" / "ledger.jsonl").read_text().splitlines()
    assert [len(json.loads(line)["item_hashes"]) for line in ledger] == [1, 4]
    assert repo.crosspair("scan", "--item", "images/copy_01.png", check=False).returncode == 0
