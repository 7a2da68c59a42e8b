"""Annotation assets: people's judgements of pairs, how far they agree, and their decisions."""

from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, AssetOut, MetadataValue, Output, asset, multi_asset

from assets.metadata import markdown_table, table_metadata
from crosspair.annotation import (
    adjudicate,
    agreement_table,
    find_annotation_files,
    human_pairs,
    import_judgements,
)
from crosspair.annotation.tables import UNREADABLE_FILE, UNRESOLVED
from crosspair.export.item_index import item_index
from dagster_project.resources import CrosspairSettings

GROUP = "annotation"


@multi_asset(
    outs={
        "human_judgements": AssetOut(description="one row per annotator and judged pair"),
        "annotation_rejects": AssetOut(
            description="annotations read but not used (cancelled, unknown item, ...), with why"
        ),
    },
    group_name=GROUP,
)
def annotation_import(
    context: AssetExecutionContext,
    settings: CrosspairSettings,
    image_catalog: pd.DataFrame,
    audio_catalog: pd.DataFrame,
    video_catalog: pd.DataFrame,
    mesh_catalog: pd.DataFrame,
    text_catalog: pd.DataFrame,
    code_catalog: pd.DataFrame,
    extracted_audio: pd.DataFrame,
    pair_candidates: pd.DataFrame,
):
    """Label Studio JSON exports and CSV files found by the ``annotations`` setting.

    A location set but missing fails the step; a malformed file is a reject row, the rest go on.
    """
    base = Path.cwd()
    files, note = find_annotation_files(settings.annotations, base)
    catalogs = {
        "image": image_catalog,
        "audio": audio_catalog,
        "video": video_catalog,
        "mesh": mesh_catalog,
        "text": text_catalog,
        "code": code_catalog,
    }
    items = item_index(catalogs, extracted_audio)
    result = import_judgements(files, items, pair_candidates, settings.annotation_labels, base=base)
    context.log.info(
        "%s: %d judgements, %d rejects", note, len(result.judgements), len(result.rejects)
    )
    unreadable = result.rejects[result.rejects["reason"] == UNREADABLE_FILE]
    for row in unreadable.itertuples():
        context.log.warning("%s not imported: %s", row.source_file, row.detail)
    metadata = table_metadata(result.judgements, "judgements", "source", "label")
    metadata["annotation files"] = note
    metadata["# Files"] = len(result.files)
    metadata["# Unreadable files"] = len(unreadable)
    metadata["# Annotators"] = int(result.judgements["annotator"].nunique())
    for warning in result.warnings:
        context.log.warning(warning)
    metadata["label set"] = "; ".join(result.warnings) or "has match and no_match"
    yield Output(result.judgements, "human_judgements", metadata=metadata)
    yield Output(
        result.rejects,
        "annotation_rejects",
        metadata=table_metadata(result.rejects, "rejects", "reason"),
    )


@asset(group_name=GROUP)
def annotation_agreement(
    context: AssetExecutionContext, settings: CrosspairSettings, human_judgements: pd.DataFrame
) -> Output[pd.DataFrame]:
    """Percent agreement, Cohen's or Fleiss' kappa and Krippendorff's alpha, per source."""
    table = agreement_table(human_judgements, settings.annotation_labels)
    if len(table):
        alpha = table.iloc[-1]["krippendorff_alpha"]  # the last row is all sources together
        context.log.info("Krippendorff's alpha over all judgements: %.4f", alpha)
    else:
        context.log.info("no judgements: nothing to measure")
    metadata = {
        "# Sources": max(len(table) - 1, 0),
        "# Judgements": len(human_judgements),
        "agreement": markdown_table(table.round(4), rows=len(table))
        if len(table)
        else MetadataValue.md("_no judgements_"),
    }
    return Output(table, metadata=metadata)


@multi_asset(
    outs={
        "human_pairs": AssetOut(description="adjudicated matches as pairs with method 'human'"),
        "human_decisions": AssetOut(
            description="one majority decision per judged pair, unresolved ones with the reason"
        ),
    },
    group_name=GROUP,
    deps=["annotation_agreement"],  # the pairs step applies decisions only above the floor
)
def adjudication(
    context: AssetExecutionContext, settings: CrosspairSettings, human_judgements: pd.DataFrame
):
    """Majority vote per (left, right); ties and too few annotators stay unresolved."""
    decisions = adjudicate(human_judgements, settings.min_annotators)
    pairs = human_pairs(decisions)
    unresolved = int((decisions["decision"] == UNRESOLVED).sum())
    context.log.info(
        "%d decisions, %d human pairs, %d unresolved", len(decisions), len(pairs), unresolved
    )
    yield Output(
        pairs,
        "human_pairs",
        metadata={**table_metadata(pairs, "pairs", "source"), "# Unresolved": unresolved},
    )
    yield Output(
        decisions,
        "human_decisions",
        metadata=table_metadata(decisions, "decisions", "source", "decision"),
    )
