"""Pairing assets: one per kind of heuristic pair, their union, and what stayed unpaired."""

import pandas as pd
from dagster import AssetExecutionContext, AssetOut, Output, asset, multi_asset

from assets.metadata import table_metadata
from crosspair.annotation.floor import agreement_floor
from crosspair.annotation.overrides import apply_human_overrides
from crosspair.annotation.tables import REMOVED_PAIRS
from crosspair.engine import map_items
from crosspair.extract import TrackRequest, extract_track
from crosspair.pair_union import union_pairs
from crosspair.pairing import (
    pair_by_reference,
    pair_code_docstrings,
    pair_embedded_audio,
    pair_side_files,
    pairs_frame,
)
from crosspair.pairing import unpaired_items as find_unpaired
from crosspair.schemas import EXTRACTED_AUDIO, UNPAIRED, empty_frame
from crosspair.weak.tables import weak_unpaired
from dagster_project.resources import CrosspairSettings

GROUP = "pairing"


def _pairs_output(pairs: pd.DataFrame, output_name: str = "result", **extra) -> Output:
    metadata = table_metadata(pairs, "pairs", "source", "method")
    metadata["# Groups"] = int(pairs["group_id"].nunique()) if not pairs.empty else 0
    return Output(pairs, output_name, metadata={**metadata, **extra})


@asset(group_name=GROUP)
def image_caption_pairs(image_catalog: pd.DataFrame, text_catalog: pd.DataFrame):
    """Image ↔ each of its captions, from the manifest's file references."""
    return _pairs_output(pair_by_reference(image_catalog, text_catalog, "caption"))


@asset(group_name=GROUP)
def audio_transcript_pairs(audio_catalog: pd.DataFrame, text_catalog: pd.DataFrame):
    """Speech ↔ its transcript, from the manifest's file references."""
    return _pairs_output(pair_by_reference(audio_catalog, text_catalog, "transcript"))


@asset(group_name=GROUP)
def mesh_description_pairs(mesh_catalog: pd.DataFrame, text_catalog: pd.DataFrame):
    """3D mesh ↔ its description."""
    return _pairs_output(pair_by_reference(mesh_catalog, text_catalog, "description"))


@asset(group_name=GROUP)
def code_docstring_pairs(code_catalog: pd.DataFrame, text_catalog: pd.DataFrame):
    """Code ↔ the docstring of its entry point, from the same record."""
    return _pairs_output(pair_code_docstrings(code_catalog, text_catalog))


@asset(group_name=GROUP)
def extracted_audio(
    context: AssetExecutionContext, settings: CrosspairSettings, video_catalog: pd.DataFrame
) -> Output[pd.DataFrame]:
    """The first audio stream of every video with audio, as a 16-bit WAV under data/derived."""
    # The folder exists even with no video, so DVC always finds the output it tracks.
    (settings.data / "derived" / "audio").mkdir(parents=True, exist_ok=True)
    requests = []
    for _, video in video_catalog[video_catalog["has_audio"].astype(bool)].iterrows():
        rel_out = f"derived/audio/{video['item_id']}.wav"
        requests.append(
            TrackRequest(
                video_id=video["item_id"],
                source=video["source"],
                video_path=video["path"],
                abs_path=str(settings.resolve(video)),
                out_path=str(settings.data / rel_out),
                rel_out=rel_out,
            )
        )
    results = map_items(extract_track, requests, settings.engine)
    rows = [row for row, _ in results if row is not None]
    failures = [
        (req.video_path, why)
        for req, (row, why) in zip(requests, results, strict=True)
        if row is None
    ]
    for path, why in failures:
        context.log.warning("%s: %s", path, why)
    table = (
        pd.DataFrame(rows, columns=list(EXTRACTED_AUDIO.columns))
        if rows
        else empty_frame(EXTRACTED_AUDIO)
    )
    table = table.sort_values("item_id").reset_index(drop=True)
    return Output(
        table,
        metadata={
            **table_metadata(table, "tracks", "source"),
            "# Extraction failures": len(failures),
        },
    )


@asset(group_name=GROUP)
def video_audio_pairs(
    video_catalog: pd.DataFrame, extracted_audio: pd.DataFrame, audio_catalog: pd.DataFrame
):
    """Video ↔ its own audio track, and ↔ separate audio files that share its stem."""
    embedded = pair_embedded_audio(video_catalog, extracted_audio)
    video_sources = set(video_catalog["source"])
    side_audio = audio_catalog[audio_catalog["source"].isin(video_sources)]
    by_stem, unmatched = pair_side_files(video_catalog, side_audio)
    pairs = pairs_frame(pd.concat([embedded, by_stem]).to_dict("records"))
    return _pairs_output(pairs, **{"# Unmatched audio files": len(unmatched)})


@asset(group_name=GROUP)
def video_subtitle_pairs(video_catalog: pd.DataFrame, text_catalog: pd.DataFrame):
    """Video ↔ subtitle files that share its stem."""
    subtitles = text_catalog[text_catalog["kind"] == "subtitles"]
    pairs, unmatched = pair_side_files(video_catalog, subtitles)
    return _pairs_output(pairs, **{"# Unmatched subtitle files": len(unmatched)})


@asset(group_name=GROUP)
def pair_candidates(
    image_caption_pairs: pd.DataFrame,
    audio_transcript_pairs: pd.DataFrame,
    video_audio_pairs: pd.DataFrame,
    video_subtitle_pairs: pd.DataFrame,
    code_docstring_pairs: pd.DataFrame,
    mesh_description_pairs: pd.DataFrame,
    weak_pairs: pd.DataFrame,
    model_pairs: pd.DataFrame,
) -> Output[pd.DataFrame]:
    """Pairs from heuristics, weak labels and models: one row per two items, strongest method
    first (``also_by`` in its parameters names the other methods that found it)."""
    parts = [
        image_caption_pairs,
        audio_transcript_pairs,
        video_audio_pairs,
        video_subtitle_pairs,
        code_docstring_pairs,
        mesh_description_pairs,
        weak_pairs,
        model_pairs,
    ]
    return _pairs_output(union_pairs(parts))


@multi_asset(
    outs={
        "pairs": AssetOut(description="every pair of the dataset, after human review"),
        "removed_pairs": AssetOut(
            description="candidate pairs that human review replaced or removed, with why"
        ),
    },
    group_name=GROUP,
)
def reviewed_pairs(
    context: AssetExecutionContext,
    settings: CrosspairSettings,
    pair_candidates: pd.DataFrame,
    human_decisions: pd.DataFrame,
    annotation_agreement: pd.DataFrame,
):
    """Adjudicated human decisions override weaker methods, when annotators agree enough."""
    verdict = agreement_floor(annotation_agreement, settings.agreement_floor)
    if verdict.outcome.passed or verdict.warn_only:
        table, removed = apply_human_overrides(pair_candidates, human_decisions)
        review = f"{len(human_decisions)} human decisions applied"
    else:
        table, removed = pair_candidates, empty_frame(REMOVED_PAIRS)
        review = (
            f"human decisions NOT applied: agreement below the floor {settings.agreement_floor} "
            "(see the annotation_agreement check)"
        )
    context.log.info(review)
    yield _pairs_output(
        table, "pairs", **{"Human review": review, "# Removed by review": len(removed)}
    )
    yield Output(
        removed,
        "removed_pairs",
        metadata=table_metadata(removed, "removed pairs", "source", "method"),
    )


@asset(group_name=GROUP)
def unpaired_items(
    image_catalog: pd.DataFrame,
    audio_catalog: pd.DataFrame,
    video_catalog: pd.DataFrame,
    mesh_catalog: pd.DataFrame,
    code_catalog: pd.DataFrame,
    text_catalog: pd.DataFrame,
    extracted_audio: pd.DataFrame,
    pairs: pd.DataFrame,
    rejects: pd.DataFrame,
    weak_label_votes: pd.DataFrame,
    unmatched_pool_texts: pd.DataFrame,
) -> Output[pd.DataFrame]:
    """Catalogued items that got no pair they should have, each with the reason."""
    video_sources = set(video_catalog["source"])
    speech = audio_catalog[~audio_catalog["source"].isin(video_sources)]
    subtitles = text_catalog[text_catalog["kind"] == "subtitles"]
    _, unmatched_subtitles = pair_side_files(video_catalog, subtitles)
    table = find_unpaired(
        {"image": image_catalog, "audio": speech, "mesh": mesh_catalog, "code": code_catalog},
        pairs,
        rejects,
        videos=video_catalog,
        extra=unmatched_subtitles,
        tracks=extracted_audio,
        texts=text_catalog,
        unmatched_pool=unmatched_pool_texts,
        weak=weak_unpaired(weak_label_votes),
    )
    table = UNPAIRED.validate(table)
    return Output(table, metadata=table_metadata(table, "unpaired", "source", "reason"))
