"""Report asset: the static HTML report of the build, beside the dataset card."""

import json

import pandas as pd
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from crosspair.export.webdataset import resolver_from_roots
from crosspair.report import ReportTables, headline_counts, render_report
from dagster_project.resources import CrosspairSettings

# the dataset card links to report/index.html relative to itself (crosspair.export.card)
REPORT_FOLDER = ("exports", "report")


@asset(group_name="export")
def dataset_report(
    context: AssetExecutionContext,
    settings: CrosspairSettings,
    image_catalog: pd.DataFrame,
    audio_catalog: pd.DataFrame,
    video_catalog: pd.DataFrame,
    mesh_catalog: pd.DataFrame,
    sensor_catalog: pd.DataFrame,
    text_catalog: pd.DataFrame,
    code_catalog: pd.DataFrame,
    pairs: pd.DataFrame,
    split_assignments: pd.DataFrame,
    split_exclusions: pd.DataFrame,
    rejects: pd.DataFrame,
    unpaired_items: pd.DataFrame,
    extracted_audio: pd.DataFrame,
    word_alignment: pd.DataFrame,
    alignment_summary: pd.DataFrame,
    sync_offsets: pd.DataFrame,
    pair_scores: pd.DataFrame,
):
    """Pair browser (thumbnails, waveforms with word timings, keyframes with A/V offsets),
    histograms and reject counts as static HTML in exports/report/."""
    tables = ReportTables(
        catalogs={
            "image": image_catalog,
            "audio": audio_catalog,
            "video": video_catalog,
            "mesh": mesh_catalog,
            "sensor": sensor_catalog,
            "text": text_catalog,
            "code": code_catalog,
        },
        pairs=pairs,
        split_assignments=split_assignments,
        rejects=rejects,
        split_exclusions=split_exclusions,
        unpaired_items=unpaired_items,
        extracted_audio=extracted_audio,
        word_alignment=word_alignment,
        alignment_summary=alignment_summary,
        sync_offsets=sync_offsets,
        pair_scores=pair_scores,
    )
    config = settings.sources
    roots = {source.name: config.root_of(source) for source in config.sources}
    index = render_report(
        tables,
        settings.data.joinpath(*REPORT_FOLDER),
        settings.version,
        resolve=resolver_from_roots(roots, settings.data),
        engine=settings.engine,
    )
    counts = headline_counts(tables)
    written = json.loads((index.parent / "report.json").read_text(encoding="utf-8"))
    context.log.info(
        "report written to %s: %d previews, %d could not be made",
        index, written["previews_written"], written["preview_errors"],
    )  # fmt: skip
    headline = pd.DataFrame({"count": counts}).rename_axis("what").reset_index()
    return MaterializeResult(
        metadata={
            "index": MetadataValue.path(str(index)),
            "url": MetadataValue.url(index.as_uri()),
            "# Items": counts["items"],
            "# Pairs": counts["pairs"],
            "# Pairs in train": counts["pairs-train"],
            "# Pairs in val": counts["pairs-val"],
            "# Pairs in test": counts["pairs-test"],
            "# Rejects": counts["rejects"],
            "# Pairs listed": written["pairs_listed"],
            "# Previews not made": written["preview_errors"],
            "headline counts": MetadataValue.md(headline.to_markdown(index=False)),
        }
    )
