"""Pool texts a model leaves unpaired reach ``unpaired_items`` with the reason, a configured
checkpoint that cannot be loaded fails the build naming it, and ``noisy_share`` says when it
judged nothing; materialised by Dagster on a tiny corpus.

Corpus: a code source with two undocumented functions and a pool of three docstrings (two
describe ``add``) matched by MiniLM with ``top_k 2, one_to_one``; an image source with two
captioned images and a caption pool for ``open_clip``.
"""

import json

import pandas as pd
import pytest
import yaml
from dagster import AssetKey, SourceAsset, materialize
from PIL import Image

from assets.pairing import unpaired_items
from assets.semantic import model_pairs, noisy_pairs, pair_scores
from checks.schema_checks import schema_check
from checks.semantic import noisy_share_check
from crosspair.catalog import build_catalog, candidates_from_frame, discovered_frame
from crosspair.discover import discover
from crosspair.pairing import pair_by_reference, pairs_frame
from crosspair.schemas import CATALOGS, EXTRACTED_AUDIO, PAIRS, REJECTS, UNPAIRED, empty_frame
from crosspair.sources import load_sources
from crosspair.weak.tables import label_votes, weak_pair_table
from dagster_project.io_manager import TableIOManager
from dagster_project.resources import CrosspairSettings

CODE = [
    {"id": "add", "code": "def add(a, b):\n    return a + b\n", "doc": []},
    {"id": "reverse", "code": "def reverse(text):\n    return text[::-1]\n", "doc": []},
]
DOC_POOL = [
    {"id": "sum", "text": "Return the sum of the two numbers a and b."},
    {"id": "rev", "text": "Return the string reversed, last character first."},
    {"id": "plus", "text": "Add two values together."},
]
CAPTION_POOL = [{"id": "c1", "text": "A red square."}, {"id": "c2", "text": "A blue square."}]
CAPTIONS = [
    {"file_name": "images/red.png", "captions": ["A red picture."]},
    {"file_name": "images/blue.png", "captions": ["A blue picture."]},
]
HEURISTIC = ["image_caption_pairs", "audio_transcript_pairs"]
HEURISTIC += ["mesh_description_pairs", "video_subtitle_pairs", "weak_pairs"]
MODALITIES = ("text", "code", "image", "audio", "mesh", "video")


def _jsonl(path, records):
    path.write_text("".join(json.dumps(record) + "\n" for record in records))


def write_corpus(raw):
    (raw / "code").mkdir(parents=True)
    _jsonl(raw / "code" / "code.jsonl", CODE)
    _jsonl(raw / "code" / "pool.jsonl", DOC_POOL)
    (raw / "photos" / "images").mkdir(parents=True)
    for name, colour in (("red", (220, 0, 0)), ("blue", (0, 0, 220))):
        Image.new("RGB", (16, 16), colour).save(raw / "photos" / "images" / f"{name}.png")
    _jsonl(raw / "photos" / "captions.jsonl", CAPTIONS)
    _jsonl(raw / "photos" / "pool.jsonl", CAPTION_POOL)
    code = {
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
        "match": {
            "pool": "pool.jsonl",
            "kind": "docstring",
            "id_field": "id",
            "top_k": 2,
            "one_to_one": True,
        },
    }
    photos = {
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
        "match": {"pool": "pool.jsonl", "kind": "caption", "id_field": "id", "model": "open_clip"},
    }
    path = raw / "sources.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "sources": [code, photos]}))
    return path


def write_upstream_tables(sources_path, data):
    """What ingest, heuristic pairing and weak labelling would store for the corpus."""
    discovered = discovered_frame(discover(load_sources(sources_path)))
    tables = {}
    for modality in CATALOGS:
        catalog, _ = build_catalog(modality, candidates_from_frame(discovered, modality))
        tables[f"{modality}_catalog"] = catalog
    captions = pair_by_reference(tables["image_catalog"], tables["text_catalog"], "caption")
    tables["image_caption_pairs"] = captions
    tables["pairs"] = pairs_frame(captions.to_dict("records"))
    tables["rejects"] = empty_frame(REJECTS)
    tables["extracted_audio"] = empty_frame(EXTRACTED_AUDIO)
    tables["weak_label_votes"] = label_votes(
        discovered, tables["image_catalog"], tables["text_catalog"]
    )
    tables["weak_pairs"] = weak_pair_table(tables["weak_label_votes"])
    (data / "tables").mkdir(parents=True)
    for name in [*tables, *HEURISTIC]:
        tables.get(name, empty_frame(PAIRS)).to_parquet(data / "tables" / f"{name}.parquet")
    return tables


def _materialise(tmp_path, dagster_instance, checkpoint="", corpus=write_corpus):
    sources = corpus(tmp_path / "raw")
    data = tmp_path / "data"
    tables = write_upstream_tables(sources, data)
    upstream = [*tables, *HEURISTIC]
    result = materialize(
        [
            *[SourceAsset(AssetKey(name)) for name in dict.fromkeys(upstream)],
            model_pairs,
            pair_scores,
            noisy_pairs,
            unpaired_items,
            noisy_share_check,
            schema_check("unmatched_pool_texts", UNPAIRED),
        ],
        instance=dagster_instance,
        resources={
            "settings": CrosspairSettings(
                sources_path=str(sources), data_dir=str(data), clip_checkpoint=checkpoint
            ),
            "io_manager": TableIOManager(data_dir=str(data)),
        },
        raise_on_error=False,
    )
    return result, tables, data


@pytest.fixture
def built(tmp_path, dagster_instance):
    return _materialise(tmp_path, dagster_instance)


def _ids(tables, source, path="pool.jsonl"):
    texts = tables["text_catalog"]
    mine = texts[(texts["source"] == source) & (texts["path"] == path)]
    return dict(zip(mine["record_key"], mine["item_id"], strict=True))


def test_every_pool_text_without_a_pair_is_unpaired_with_its_reason(built):
    result, tables, data = built
    assert result.success
    docs, captions = _ids(tables, "code"), _ids(tables, "photos")
    code = tables["code_catalog"].set_index("record_key")["item_id"]

    made = pd.read_parquet(data / "tables" / "model_pairs.parquet")
    chosen = dict(zip(made["right_id"], made["left_id"], strict=True))
    assert chosen == {docs["pool:sum#0"]: code["add"], docs["pool:rev#0"]: code["reverse"]}

    unmatched = UNPAIRED.validate(pd.read_parquet(data / "tables" / "unmatched_pool_texts.parquet"))
    unpaired = pd.read_parquet(data / "tables" / "unpaired_items.parquet")
    pool_rows = unpaired[unpaired["path"] == "pool.jsonl"].reset_index(drop=True)
    pd.testing.assert_frame_equal(pool_rows, unmatched)
    reasons = dict(zip(pool_rows["item_id"], pool_rows["reason"], strict=True))
    assert set(reasons) == {docs["pool:plus#0"], captions["pool:c1#0"], captions["pool:c2#0"]}

    # the shorter docstring of add lost it to the closer one: two texts, one item
    assert reasons[docs["pool:plus#0"]].startswith(
        f"lost the one-to-one assignment: 3 texts for 2 items; its best item {code['add']} "
    )
    # no open_clip checkpoint configured: the caption pool is unpaired, not failed
    for caption in ("pool:c1#0", "pool:c2#0"):
        assert reasons[captions[caption]].startswith(
            "no model: no image-text model configured: set clip_checkpoint"
        )
    wanted = dict(zip(pool_rows["item_id"], pool_rows["wanted"], strict=True))
    assert wanted[docs["pool:plus#0"]] == "pool docstring ↔ code item (model:minilm)"
    assert wanted[captions["pool:c1#0"]] == "pool caption ↔ image item (model:open_clip)"

    metadata = result.asset_materializations_for_node("model_pairs")
    notes = next(m for m in metadata if m.asset_key == AssetKey("model_pairs")).metadata["notes"]
    assert notes.value.startswith("photos: 2 pool texts not matched, no model: no image-text")
    schema = [e for e in result.get_asset_check_evaluations() if e.check_name == "schema"]
    assert [(e.asset_key, e.passed) for e in schema] == [(AssetKey("unmatched_pool_texts"), True)]


def test_noisy_share_says_it_judged_nothing_when_no_pair_was_scored(built):
    result, _, _ = built
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name != "schema"]
    assert evaluation.passed
    assert evaluation.description == (
        "NOT JUDGED: no pair was scored (2 pairs not scored: no image-text model configured: "
        "set clip_checkpoint), so the noisy share is unknown"
    )
    metadata = evaluation.metadata
    assert metadata["scored_pairs"].value == 0 and metadata["pairs_not_scored"].value == 2
    assert metadata["sources_judged"].value == "none"
    assert metadata["sources_not_judged"].value == "photos"
    assert "no image-text model configured" in metadata["pairs not scored"].value


def test_a_checkpoint_that_cannot_be_loaded_fails_the_build_naming_it(tmp_path, dagster_instance):
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"\x00" * 32)
    result, _, data = _materialise(tmp_path, dagster_instance, checkpoint=str(corrupt))
    assert not result.success
    failures = {
        event.step_key: event.step_failure_data.error for event in result.get_step_failure_events()
    }
    assert sorted(failures) == ["model_pairs", "pair_scores"]  # both would use open_clip
    error = failures["model_pairs"]
    while error.cause is not None:  # the innermost error is what `crosspair build` prints
        error = error.cause
    assert f"clip_checkpoint (env CROSSPAIR_CLIP_CHECKPOINT) is set to '{corrupt}'" in error.message
    assert not (data / "tables" / "unpaired_items.parquet").exists()


def write_page_corpus(raw):
    """An image known only through a saved page's alt text, and a caption pool for MiniLM."""
    (raw / "web" / "img").mkdir(parents=True)
    (raw / "web" / "pages").mkdir()
    Image.new("RGB", (16, 16), (0, 90, 200)).save(raw / "web" / "img" / "wave.png")
    (raw / "web" / "pages" / "surf.html").write_text(
        '<html lang="en"><body><figure><img src="../img/wave.png" '
        'alt="A surfer riding a large ocean wave"><figcaption>Surfing at the beach in summer'
        "</figcaption></figure></body></html>"
    )
    _jsonl(raw / "web" / "pool.jsonl", [{"id": "c1", "text": "A person surfing a big wave."}])
    web = {
        "name": "web",
        "modality": "image",
        "root": "web",
        "licence": "CC0-1.0",
        "origin": "test",
        "html": {"pages": ["pages/*.html"]},
        "match": {"pool": "pool.jsonl", "kind": "caption", "id_field": "id"},
    }
    path = raw / "sources.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "sources": [web]}))
    return path


def test_an_image_known_by_its_weak_pairs_is_matched_to_the_pool(tmp_path, dagster_instance):
    result, tables, data = _materialise(tmp_path, dagster_instance, corpus=write_page_corpus)
    assert result.success
    assert len(tables["weak_pairs"]) == 2  # the alt text and the figcaption
    (image,) = tables["image_catalog"]["item_id"]
    made = pd.read_parquet(data / "tables" / "model_pairs.parquet")
    assert made[["left_id", "right_id"]].values.tolist() == [
        [image, _ids(tables, "web")["pool:c1#0"]]
    ]
    assert pd.read_parquet(data / "tables" / "unmatched_pool_texts.parquet").empty
