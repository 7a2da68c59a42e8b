"""Statistical checks: they warn (they never block) about outliers, duplicates and imbalance."""

import pandas as pd
from dagster import AssetCheckExecutionContext, AssetIn, AssetKey, asset_check

from assets.metadata import by_modality
from checks.result import to_result
from crosspair.validation.statistics import (
    exact_duplicates_report,
    modality_imbalance,
    near_duplicates_report,
    text_length_outliers,
)
from dagster_project.resources import CrosspairSettings

MEDIA_CATALOGS = ("image", "audio", "video", "mesh", "sensor", "code")
_MEDIA_INS = {f"{m}_catalog": AssetIn(f"{m}_catalog") for m in MEDIA_CATALOGS}


@asset_check(
    asset=AssetKey("text_catalog"),
    name="length_outliers",
    blocking=True,
    description="captions and transcripts whose word count is an outlier in their "
    "source (modified z-score > 3.5)",
)
def text_length_check(context: AssetCheckExecutionContext, text_catalog: pd.DataFrame):
    return to_result(text_length_outliers(text_catalog), warn_only=True)


@asset_check(
    asset=AssetKey("near_duplicates"),
    name="exact_duplicates",
    blocking=True,
    additional_ins=_MEDIA_INS,
    description="media files with identical bytes (sha256), within or across sources",
)
def exact_duplicates_check(
    context: AssetCheckExecutionContext,
    near_duplicates: pd.DataFrame,
    image_catalog: pd.DataFrame,
    audio_catalog: pd.DataFrame,
    video_catalog: pd.DataFrame,
    mesh_catalog: pd.DataFrame,
    sensor_catalog: pd.DataFrame,
    code_catalog: pd.DataFrame,
):
    catalogs = by_modality(locals())  # the *_catalog inputs, keyed by modality
    return to_result(exact_duplicates_report(catalogs), warn_only=True)


@asset_check(
    asset=AssetKey("near_duplicates"),
    name="perceptual_duplicates",
    blocking=True,
    description="images whose perceptual hashes are within the configured distance",
)
def near_duplicates_check(context: AssetCheckExecutionContext, near_duplicates: pd.DataFrame):
    return to_result(near_duplicates_report(near_duplicates), warn_only=True)


@asset_check(
    asset=AssetKey("pairs"),
    name="modality_imbalance",
    blocking=True,
    additional_ins={k: v for k, v in _MEDIA_INS.items() if k != "sensor_catalog"},
    description="per source: items per modality, pairs per method, unpaired share",
)
def modality_imbalance_check(
    context: AssetCheckExecutionContext,
    settings: CrosspairSettings,
    pairs: pd.DataFrame,
    image_catalog: pd.DataFrame,
    audio_catalog: pd.DataFrame,
    video_catalog: pd.DataFrame,
    mesh_catalog: pd.DataFrame,
    code_catalog: pd.DataFrame,
):
    # Sensor streams are paired sample by sample in `sensor_pairing`, not as rows of the pair
    # table, so they would all count as unpaired here.
    catalogs = by_modality(locals())  # the *_catalog inputs, keyed by modality
    outcome = modality_imbalance(catalogs, pairs, settings.max_unpaired_share)
    return to_result(outcome, warn_only=True)


statistics_checks = [
    text_length_check,
    exact_duplicates_check,
    near_duplicates_check,
    modality_imbalance_check,
]
