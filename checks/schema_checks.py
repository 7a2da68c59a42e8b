"""Blocking pandera checks: every table matches its one schema definition."""

import pandas as pd
from dagster import AssetCheckExecutionContext, AssetKey, asset_check

from checks.result import to_result
from crosspair import schemas
from crosspair.align import tables as alignment_tables
from crosspair.annotation import tables as annotation_tables
from crosspair.semantic import tables as semantic_tables
from crosspair.sensors import tables as sensor_tables
from crosspair.sync import SYNC_OFFSETS
from crosspair.validation.schema import validate_table

PAIR_TABLES = (
    "image_caption_pairs",
    "audio_transcript_pairs",
    "video_audio_pairs",
    "video_subtitle_pairs",
    "code_docstring_pairs",
    "mesh_description_pairs",
    "weak_pairs",
    "model_pairs",
    "human_pairs",
    "pair_candidates",
    "pairs",
)
TABLE_SCHEMAS = {
    "discovered_items": schemas.DISCOVERED,
    "discovery_rejects": schemas.REJECTS,
    **{f"{modality}_catalog": schema for modality, schema in schemas.CATALOGS.items()},
    **{f"{modality}_rejects": schemas.REJECTS for modality in schemas.CATALOGS},
    **{name: schemas.PAIRS for name in PAIR_TABLES},
    "near_duplicates": schemas.NEAR_DUPLICATES,
    "split_exclusions": schemas.SPLIT_EXCLUSIONS,
    **{f"{split}_split": schemas.SPLIT_MANIFEST for split in schemas.SPLITS},
    "webdataset_shards": schemas.SHARD_INDEX,
    "sensor_pairing_summary": sensor_tables.PAIRING_SUMMARY,
    "sensor_gaps": sensor_tables.SENSOR_GAPS,
    "sensor_dropped": sensor_tables.SENSOR_DROPPED,
    "clock_links": sensor_tables.CLOCK_LINKS,
    "sync_offsets": SYNC_OFFSETS,
    "word_alignment": alignment_tables.WORD_ALIGNMENTS,
    "phone_alignment": alignment_tables.PHONE_ALIGNMENTS,
    "alignment_summary": alignment_tables.ALIGNMENT_SUMMARY,
    "rejects": schemas.REJECTS,
    "extracted_audio": schemas.EXTRACTED_AUDIO,
    "unpaired_items": schemas.UNPAIRED,
    "unmatched_pool_texts": schemas.UNPAIRED,
    "split_assignments": schemas.SPLIT_ASSIGNMENTS,
    "provenance": schemas.PROVENANCE,
    "lineage_index": schemas.LINEAGE_INDEX,
    "weak_label_votes": schemas.WEAK_LABEL_VOTES,
    "pair_scores": semantic_tables.PAIR_SCORES,
    "noisy_pairs": semantic_tables.NOISY_PAIRS,
    "human_judgements": schemas.JUDGEMENTS,
    "annotation_rejects": annotation_tables.JUDGEMENT_REJECTS,
    "annotation_agreement": annotation_tables.ANNOTATION_AGREEMENT,
    "human_decisions": annotation_tables.HUMAN_DECISIONS,
    "removed_pairs": annotation_tables.REMOVED_PAIRS,
}


def schema_check(asset_name: str, schema):
    """A blocking check that validates ``asset_name`` against ``schema`` (all failures)."""

    @asset_check(
        asset=AssetKey(asset_name),
        name="schema",
        blocking=True,
        description=f"pandera schema '{schema.name}', every failure collected (lazy)",
    )
    def _check(context: AssetCheckExecutionContext, table: pd.DataFrame):
        return to_result(validate_table(table, schema))

    return _check


schema_checks = [schema_check(name, schema) for name, schema in TABLE_SCHEMAS.items()]
