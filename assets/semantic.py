"""Semantic pairing assets: model scores of existing pairs, noisy pairs, and model-made pairs."""

import pandas as pd
from dagster import AssetExecutionContext, AssetOut, MetadataValue, Output, asset, multi_asset

from assets.metadata import markdown_table, table_metadata
from crosspair.semantic.item_text import item_texts
from crosspair.semantic.noisy import flagged_share
from crosspair.semantic.noisy import noisy_pairs as find_noisy_pairs
from crosspair.semantic.pools import match_sources
from crosspair.semantic.scorer import IMAGE, TEXT, load_image_scorer, load_scorer
from crosspair.semantic.scoring import ItemVectors, score_existing_pairs, scoring_kind
from dagster_project.resources import CrosspairSettings

GROUP = "semantic"


def _image_vectors(settings: CrosspairSettings, texts: dict, image_catalog: pd.DataFrame):
    """(image-text embeddings, "") or (None, why not) when no open_clip model is configured;
    a configured checkpoint that cannot be loaded fails the asset, naming the file."""
    scorer, why = load_image_scorer(
        settings.clip_model, settings.clip_checkpoint or None, settings.clip_cache_dir or None
    )
    if scorer is None:
        return None, why
    paths = {row["item_id"]: settings.resolve(row) for _, row in image_catalog.iterrows()}
    return ItemVectors(scorer, texts=texts, image_paths=paths), ""


def _kinds_needed(pairs: pd.DataFrame) -> set[str]:
    families = pairs[["left_modality", "right_modality"]].drop_duplicates()
    kinds = {scoring_kind(left, right) for left, right in families.itertuples(index=False)}
    return kinds - {None}


@asset(group_name=GROUP)
def pair_scores(
    context: AssetExecutionContext,
    settings: CrosspairSettings,
    pairs: pd.DataFrame,
    text_catalog: pd.DataFrame,
    code_catalog: pd.DataFrame,
    image_catalog: pd.DataFrame,
) -> Output[pd.DataFrame]:
    """Cosine of each text ↔ text/code pair (MiniLM), and image ↔ text with open_clip if set."""
    texts = item_texts(text_catalog, code_catalog)
    needed = _kinds_needed(pairs)
    vectors, image_note = {}, "no image ↔ text pairs"
    if TEXT in needed:
        vectors[TEXT] = ItemVectors(load_scorer(settings.text_model), texts=texts)
    if IMAGE in needed:
        vectors[IMAGE], image_note = _image_vectors(settings, texts, image_catalog)
        if vectors[IMAGE] is None:
            del vectors[IMAGE]
            context.log.info("image ↔ text pairs not scored: %s", image_note)
        else:
            image_note = f"scored with {vectors[IMAGE].scorer.name}"

    table, skipped = score_existing_pairs(pairs, vectors)
    summary = (
        table.groupby(["source", "method", "model_name"])["score"]
        .agg(pairs="size", mean="mean", min="min")
        .round(3)
        .reset_index()
    )
    truncated = {
        f"# Texts truncated ({v.scorer.name})": v.scorer.truncated_count for v in vectors.values()
    }
    return Output(
        table,
        metadata={
            **table_metadata(table, "scored pairs"),
            "scores by source": markdown_table(summary, rows=len(summary)),
            "# Pairs not scored": int(skipped["pairs"].sum()),
            "not scored": markdown_table(skipped, rows=len(skipped)),
            "image ↔ text": MetadataValue.text(image_note),
            **truncated,
        },
    )


@asset(group_name=GROUP)
def noisy_pairs(
    context: AssetExecutionContext, settings: CrosspairSettings, pair_scores: pd.DataFrame
) -> Output[pd.DataFrame]:
    """Scored pairs that probably do not belong together: low outlier scores or better matches."""
    table = find_noisy_pairs(pair_scores, z_limit=settings.noisy_z, margin=settings.noisy_margin)
    shares = flagged_share(pair_scores, table).round({"share": 3})
    return Output(
        table,
        metadata={
            **table_metadata(table, "flagged pairs", "source", "reason"),
            "flagged share by source": markdown_table(shares, rows=len(shares)),
        },
    )


@multi_asset(
    outs={
        "model_pairs": AssetOut(description="pairs an embedding model made for match pools"),
        "unmatched_pool_texts": AssetOut(
            description="pool texts the model paired with nothing, each with the reason"
        ),
    },
    group_name=GROUP,
)
def model_pairs(
    context: AssetExecutionContext,
    settings: CrosspairSettings,
    text_catalog: pd.DataFrame,
    code_catalog: pd.DataFrame,
    image_catalog: pd.DataFrame,
    audio_catalog: pd.DataFrame,
    mesh_catalog: pd.DataFrame,
    video_catalog: pd.DataFrame,
    image_caption_pairs: pd.DataFrame,
    audio_transcript_pairs: pd.DataFrame,
    mesh_description_pairs: pd.DataFrame,
    video_subtitle_pairs: pd.DataFrame,
    weak_pairs: pd.DataFrame,
):
    """New pairs for sources with a ``match`` pool: each unlinked text ranked against the items;
    the texts left without a pair go to ``unpaired_items`` with the reason. Items are known by
    their heuristic and weak-label pairs' texts (images of saved pages by their alt texts)."""
    catalogs = {
        "code": code_catalog,
        "image": image_catalog,
        "audio": audio_catalog,
        "mesh": mesh_catalog,
        "video": video_catalog,
    }
    heuristic = pd.concat(
        [
            image_caption_pairs,
            audio_transcript_pairs,
            mesh_description_pairs,
            video_subtitle_pairs,
            weak_pairs,
        ],
        ignore_index=True,
    )
    texts = item_texts(text_catalog, code_catalog)
    matched = match_sources(
        settings.sources.sources,
        catalogs,
        text_catalog,
        heuristic,
        texts,
        image_vectors=lambda: _image_vectors(settings, texts, image_catalog),
    )
    for note in matched.notes:
        context.log.warning(note)
    yield Output(
        matched.pairs,
        "model_pairs",
        metadata={
            **table_metadata(matched.pairs, "model pairs", "source", "method"),
            "matching by source": markdown_table(matched.report, rows=len(matched.report)),
            "notes": MetadataValue.text("; ".join(matched.notes) or "none"),
        },
    )
    yield Output(
        matched.unmatched,
        "unmatched_pool_texts",
        metadata=table_metadata(matched.unmatched, "unmatched pool texts", "source"),
    )
