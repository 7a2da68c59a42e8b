"""Checks on timing: picture and sound in sync, transcripts aligned, sensor streams paired."""

import pandas as pd
from dagster import AssetCheckExecutionContext, AssetIn, AssetKey, asset_check

from checks.result import to_result
from crosspair.sensors.coverage import unpaired_streams
from crosspair.validation import CheckOutcome


@asset_check(
    asset=AssetKey("sync_offsets"),
    name="within_tolerance",
    blocking=True,
    description="video ↔ audio pairs whose reliable offset estimate exceeds the tolerance "
    "(a warning; unreliable estimates are listed in the asset, not here)",
)
def sync_within_tolerance(context: AssetCheckExecutionContext, sync_offsets: pd.DataFrame):
    reliable = sync_offsets[sync_offsets["reason"] == ""]
    beyond = reliable[reliable["within_tolerance"].eq(False)]
    outcome = CheckOutcome.build(
        beyond.empty,
        {"pairs": len(sync_offsets), "reliable": len(reliable), "beyond_tolerance": len(beyond)},
        beyond,
    )
    return to_result(outcome, warn_only=True)


@asset_check(
    asset=AssetKey("alignment_summary"),
    name="coverage",
    blocking=True,
    description="transcripts whose tokens are not all timed, or whose alignment scores low "
    "(a warning; the reason is in each row)",
)
def alignment_coverage(context: AssetCheckExecutionContext, alignment_summary: pd.DataFrame):
    weak = alignment_summary[
        (alignment_summary["coverage"] < 1.0) | (alignment_summary["status"] != "ok")
    ]
    low_tokens = (
        alignment_summary["low_score_tokens"]
        .str.split(";")
        .map(lambda parts: len([p for p in parts if p]))
    )
    outcome = CheckOutcome.build(
        weak.empty,
        {
            "pairs": len(alignment_summary),
            "mean_coverage": round(float(alignment_summary["coverage"].mean()), 4)
            if len(alignment_summary)
            else 0.0,
            "low_score_tokens": int(low_tokens.sum()),
            "pairs_not_ok": len(weak),
        },
        weak[["pair_id", "status", "coverage", "mean_score", "low_score_tokens", "reason"]],
    )
    return to_result(outcome, warn_only=True)


@asset_check(
    asset=AssetKey("sensor_pairing_summary"),
    name="every_stream_paired",
    blocking=True,
    additional_ins={"sensor_catalog": AssetIn("sensor_catalog")},
    description="catalogued sensor streams that are in no stream pair: a source that could "
    "not be paired, or a source with one stream (a warning; the reason is in each row)",
)
def sensor_streams_paired(
    context: AssetCheckExecutionContext,
    sensor_pairing_summary: pd.DataFrame,
    sensor_catalog: pd.DataFrame,
):
    unpaired = unpaired_streams(sensor_catalog, sensor_pairing_summary)
    outcome = CheckOutcome.build(
        unpaired.empty,
        {
            "streams": len(sensor_catalog),
            "stream_pairs": len(sensor_pairing_summary),
            "unpaired_streams": len(unpaired),
            "sources_with_unpaired_streams": unpaired["source"].nunique(),
        },
        unpaired,
    )
    return to_result(outcome, warn_only=True)


timing_checks = [sync_within_tolerance, alignment_coverage, sensor_streams_paired]
