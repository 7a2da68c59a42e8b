"""pair_scores, noisy_pairs, model_pairs and the noisy_share check, materialised by Dagster.

A tiny corpus: six HumanEval records (the third carries the first one's docstring, the last
three none) with a pool of the last three docstrings to match, and two COCO images with
captions. The catalogs and heuristic pairs come from the plain crosspair functions and are
stored where the IO manager reads them; the semantic assets then run for real.
"""

import json
import shutil

import pandas as pd
import pytest
import yaml
from dagster import AssetKey, SourceAsset, materialize

from assets.semantic import model_pairs, noisy_pairs, pair_scores
from checks.semantic import noisy_share_check
from crosspair.catalog import build_catalog, candidates_from_frame, discovered_frame
from crosspair.discover import discover
from crosspair.ids import item_id
from crosspair.pairing import pair_by_reference, pair_code_docstrings, pairs_frame
from crosspair.schemas import CATALOGS, PAIRS, UNPAIRED, empty_frame
from crosspair.semantic.tables import NOISY_PAIRS, PAIR_SCORES
from crosspair.sources import load_sources
from dagster_project.io_manager import TableIOManager
from dagster_project.resources import CrosspairSettings

pytestmark = pytest.mark.shared_data

IMAGES = ["000000062554.jpg", "000000099053.jpg"]
UPSTREAM = [
    "pairs",
    "image_caption_pairs",
    "audio_transcript_pairs",
    "mesh_description_pairs",
    "video_subtitle_pairs",
    "weak_pairs",
    *[f"{modality}_catalog" for modality in ("text", "code", "image", "audio", "mesh", "video")],
]


def _jsonl(path, records):
    path.write_text("".join(json.dumps(record) + "\n" for record in records))


def write_corpus(raw, shared):
    """The sources file of the tiny corpus (see the module docstring)."""
    lines = (shared / "text_code" / "humaneval_first50.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines[:6]]
    pool = [{"id": f"doc{i}", "text": records[i]["nl_docstring"]} for i in (5, 3, 4)]  # shuffled
    records[2]["nl_docstring"] = records[0]["nl_docstring"]  # a wrong docstring
    for record in records[3:]:
        record["nl_docstring"] = []  # no docstring in the manifest
    (raw / "code").mkdir(parents=True)
    _jsonl(raw / "code" / "humaneval.jsonl", records)
    pool_file = raw / "code" / "pool.jsonl"
    _jsonl(pool_file, pool)
    pool_file.write_text(pool_file.read_text() + "{not json\n")  # becomes a reject

    (raw / "coco" / "images").mkdir(parents=True)
    captions = [
        json.loads(line)
        for line in (shared / "image_text" / "captions.jsonl").read_text().splitlines()
    ]
    _jsonl(raw / "coco" / "captions.jsonl", [c for c in captions if c["file_name"][7:] in IMAGES])
    for name in IMAGES:
        shutil.copy(shared / "image_text" / "images" / name, raw / "coco" / "images" / name)

    sources = {
        "version": 1,
        "sources": [
            {
                "name": "code",
                "modality": "code",
                "root": "code",
                "licence": "MIT",
                "origin": "HumanEval",
                "manifest": {
                    "path": "humaneval.jsonl",
                    "kind": "docstring",
                    "id_field": "task_id",
                    "code_fields": ["prompt", "canonical_solution"],
                    "text_field": "nl_docstring",
                },
                "match": {
                    "pool": "pool.jsonl",
                    "kind": "docstring",
                    "id_field": "id",
                    "one_to_one": True,
                    "threshold": 0.2,
                },
            },
            {
                "name": "coco",
                "modality": "image",
                "root": "coco",
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
        ],
    }
    (raw / "sources.yaml").write_text(yaml.safe_dump(sources))
    return raw / "sources.yaml"


def write_upstream_tables(sources_path, data):
    """Catalogs and heuristic pairs, as the ingest and pairing assets would store them."""
    found = discover(load_sources(sources_path))
    discovered = discovered_frame(found)
    catalogs = {}
    for modality in CATALOGS:
        catalogs[modality], _ = build_catalog(modality, candidates_from_frame(discovered, modality))
    image_pairs = pair_by_reference(catalogs["image"], catalogs["text"], "caption")
    code_pairs = pair_code_docstrings(catalogs["code"], catalogs["text"])
    tables = {f"{m}_catalog": catalog for m, catalog in catalogs.items()}
    tables["image_caption_pairs"] = image_pairs
    tables["pairs"] = pairs_frame(pd.concat([image_pairs, code_pairs]).to_dict("records"))
    for name in UPSTREAM:
        table = tables.get(name, empty_frame(PAIRS))
        (data / "tables").mkdir(parents=True, exist_ok=True)
        table.to_parquet(data / "tables" / f"{name}.parquet", index=False)
    return tables, found


def test_semantic_assets_materialise(tmp_path, shared_data, dagster_instance):
    sources_path = write_corpus(tmp_path / "raw", shared_data)
    data = tmp_path / "data"
    tables, found = write_upstream_tables(sources_path, data)

    # the pool's three texts are text items; its broken line is a reject with the file named
    pool_texts = tables["text_catalog"][tables["text_catalog"]["path"] == "pool.jsonl"]
    assert sorted(pool_texts["record_key"]) == ["pool:doc3#0", "pool:doc4#0", "pool:doc5#0"]
    assert [(r["path"], r["reason"]) for r in found.rejects] == [("pool.jsonl", "invalid_record")]

    result = materialize(
        [
            *[SourceAsset(AssetKey(name)) for name in UPSTREAM],
            pair_scores,
            noisy_pairs,
            model_pairs,
            noisy_share_check,
        ],
        instance=dagster_instance,
        resources={
            "settings": CrosspairSettings(
                sources_path=str(sources_path), data_dir=str(data), clip_checkpoint=""
            ),
            "io_manager": TableIOManager(data_dir=str(data)),
        },
        raise_on_error=False,
    )
    assert result.success

    code = tables["code_catalog"].set_index("record_key")["item_id"]
    pool_ids = pool_texts.set_index("record_key")["item_id"]

    # pair_scores: the three code ↔ docstring pairs; the four caption pairs are not scored
    scores = PAIR_SCORES.validate(pd.read_parquet(data / "tables" / "pair_scores.parquet"))
    assert sorted(scores["left_id"]) == sorted(code[["HumanEval/0", "HumanEval/1", "HumanEval/2"]])
    assert set(scores["model_name"]) == {"sentence-transformers/all-MiniLM-L6-v2"}
    metadata = result.asset_materializations_for_node("pair_scores")[0].metadata
    assert metadata["image ↔ text"].value.startswith(
        "no image-text model configured: set clip_checkpoint"
    )
    assert metadata["# Pairs not scored"].value == 10  # 2 images × 5 captions

    # noisy_pairs: HumanEval/2 carries HumanEval/0's docstring, which fits HumanEval/0 better
    noisy = NOISY_PAIRS.validate(pd.read_parquet(data / "tables" / "noisy_pairs.parquet"))
    assert list(noisy["left_id"]) == [code["HumanEval/2"]]
    assert noisy["reason"].iat[0] == "better_match"
    assert noisy["better_id"].iat[0] == code["HumanEval/0"]

    # model_pairs: each pool docstring is paired with its own code item, one to one
    made = PAIRS.validate(pd.read_parquet(data / "tables" / "model_pairs.parquet"))
    assert set(zip(made["left_id"], made["right_id"], strict=True)) == {
        (code[f"HumanEval/{i}"], pool_ids[f"pool:doc{i}#0"]) for i in (3, 4, 5)
    }
    assert set(made["method"]) == {"model:minilm"}
    assert (made["score"] >= 0.2).all()
    assert item_id("code", "pool.jsonl", "pool:doc3#0") == pool_ids["pool:doc3#0"]

    # the check: 1 of 3 scored pairs flagged in source "code" is above the 0.2 ceiling
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["flagged_pairs"].value == 1
    assert "code" in evaluation.metadata["failing rows"].value
    # ... and it says which pairs it could not judge: coco's captions, with no image model
    assert evaluation.description == (
        "FAILED: 1 of 3 scored pairs flagged; sources above the ceiling 0.2: 1; 10 pairs not "
        "judged (sources without any score: coco; no image-text model configured: set "
        "clip_checkpoint)"
    )
    assert evaluation.metadata["pairs_not_scored"].value == 10

    # every pool text found a pair, so none is left for unpaired_items
    left_out = pd.read_parquet(data / "tables" / "unmatched_pool_texts.parquet")
    assert left_out.empty and list(left_out.columns) == list(UNPAIRED.columns)
