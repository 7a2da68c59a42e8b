"""Sync asset: the picture-to-sound offset of every video ↔ audio pair."""

import pandas as pd
from dagster import AssetExecutionContext, Output, asset

from assets.metadata import table_metadata
from crosspair.sync import sync_table
from dagster_project.resources import CrosspairSettings


@asset(group_name="pairing")
def sync_offsets(
    context: AssetExecutionContext,
    settings: CrosspairSettings,
    video_audio_pairs: pd.DataFrame,
    video_catalog: pd.DataFrame,
    extracted_audio: pd.DataFrame,
    audio_catalog: pd.DataFrame,
):
    """Offset (sound later than picture is positive) and confidence per video ↔ audio pair."""
    table = sync_table(
        video_audio_pairs,
        video_catalog,
        extracted_audio,
        audio_catalog,
        settings.resolve,
        tolerance_s=settings.sync_tolerance_s,
        engine=settings.engine,
    )
    reliable = table[table["reason"] == ""]
    outside = int(reliable["within_tolerance"].eq(False).sum())
    context.log.info(
        "%d pairs measured, %d reliable, %d beyond tolerance", len(table), len(reliable), outside
    )
    metadata = table_metadata(table, "pairs")
    metadata["# Reliable estimates"] = len(reliable)
    metadata["# Beyond tolerance"] = outside
    return Output(table, metadata=metadata)
