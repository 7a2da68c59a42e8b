"""Alignment assets: word and phone timings for every speech ↔ transcript pair."""

import pandas as pd
from dagster import AssetExecutionContext, AssetOut, Output, multi_asset

from assets.metadata import table_metadata
from crosspair.align.export import export_alignments
from crosspair.align.tables import align_pairs
from crosspair.export.webdataset import resolver_from_roots
from dagster_project.resources import CrosspairSettings


@multi_asset(
    outs={
        "word_alignment": AssetOut(description="one row per transcript token: start, end, score"),
        "phone_alignment": AssetOut(description="one row per phone inside a token"),
        "alignment_summary": AssetOut(
            description="per pair: coverage, mean score, low-score tokens, status and reason"
        ),
    },
    group_name="alignment",
)
def forced_alignment(
    context: AssetExecutionContext,
    settings: CrosspairSettings,
    audio_transcript_pairs: pd.DataFrame,
    audio_catalog: pd.DataFrame,
    text_catalog: pd.DataFrame,
):
    """Forced alignment of each transcript to its audio; TextGrids and lhotse JSON exported."""
    config = settings.sources
    roots = {source.name: config.root_of(source) for source in config.sources}
    backend = settings.alignment_backend()
    words, phones, summary = align_pairs(
        audio_transcript_pairs,
        audio_catalog,
        text_catalog,
        resolver_from_roots(roots, settings.data),
        backend,
        settings.engine,
    )
    files = export_alignments(
        words, phones, summary, text_catalog, settings.data / "exports" / "alignments"
    )
    context.log.info(
        "aligned %d pairs with %s; %d files exported", len(summary), backend.name, files
    )
    coverage = float(summary["coverage"].mean()) if len(summary) else 0.0
    yield Output(words, "word_alignment", metadata=table_metadata(words, "tokens"))
    yield Output(phones, "phone_alignment", metadata=table_metadata(phones, "phones"))
    yield Output(
        summary,
        "alignment_summary",
        metadata={
            **table_metadata(summary, "pairs", "status"),
            "backend": f"{backend.name} {backend.version}",
            "mean coverage": round(coverage, 4),
        },
    )
