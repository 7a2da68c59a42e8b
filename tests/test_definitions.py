"""What `dagster dev` shows: every asset and check, loaded the way workspace.yaml loads them."""

import os
import subprocess
import sys
from pathlib import Path

from dagster_project.definitions import defs

REPO = Path(__file__).resolve().parents[1]

MODALITIES = ["image", "audio", "video", "mesh", "sensor", "text", "code"]
EXPECTED_ASSETS = {
    "discovered_items",
    "discovery_rejects",
    "rejects",
    "extracted_audio",
    *(f"{m}_catalog" for m in MODALITIES),
    *(f"{m}_rejects" for m in MODALITIES),
    "image_caption_pairs",
    "audio_transcript_pairs",
    "video_audio_pairs",
    "video_subtitle_pairs",
    "code_docstring_pairs",
    "mesh_description_pairs",
    "weak_label_votes",
    "weak_pairs",
    "model_pairs",
    "pair_candidates",
    "pair_scores",
    "noisy_pairs",
    "unmatched_pool_texts",
    "human_judgements",
    "annotation_rejects",
    "annotation_agreement",
    "human_pairs",
    "human_decisions",
    "pairs",
    "removed_pairs",
    "unpaired_items",
    "near_duplicates",
    "split_assignments",
    "split_exclusions",
    "train_split",
    "val_split",
    "test_split",
    "webdataset_shards",
    "dataset_card",
    "dataset_report",
    "erasure_ledger",
    "erasure_report",
    "provenance",
    "lineage_index",
    "sensor_pairing_summary",
    "sensor_gaps",
    "sensor_dropped",
    "clock_links",
    "sync_offsets",
    "word_alignment",
    "phone_alignment",
    "alignment_summary",
}


def test_every_asset_is_defined():
    keys = {spec.key.to_user_string() for spec in defs.resolve_all_asset_specs()}
    assert keys == EXPECTED_ASSETS


def test_every_check_is_attached_to_its_asset():
    graph = defs.resolve_asset_graph()
    checks = {f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys}
    # the card is Markdown and the erasure assets store no value (metadata only); the rest are
    # tables
    tables = EXPECTED_ASSETS - {
        "dataset_card",
        "dataset_report",
        "erasure_ledger",
        "erasure_report",
    }
    missing = sorted(t for t in tables if f"{t}:schema" not in checks)
    assert missing == []
    for table in [*(f"{m}_catalog" for m in MODALITIES), "extracted_audio"]:
        assert f"{table}:integrity" in checks
    assert {
        "rejects:conservation",
        "pairs:expectations",
        "pairs:modality_imbalance",
        "split_assignments:no_leakage",
        "text_catalog:length_outliers",
        "near_duplicates:exact_duplicates",
        "near_duplicates:perceptual_duplicates",
    } <= checks
    assert {"noisy_pairs:noisy_share", "annotation_agreement:agreement_floor"} <= checks
    assert len(checks) == len(tables) + 20  # schema per table, 8 integrity, 12 others


def test_workspace_file_loads_with_the_dagster_cli(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "DAGSTER_DISABLE_TELEMETRY": "1"}
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-w",
            "workspace.yaml",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Validation successful for code location dagster_project.definitions" in (
        done.stdout + done.stderr
    )
