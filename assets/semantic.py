"""Semantic pairing assets: model scores of existing pairs, noisy pairs, and model-made pairs."""

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from assets.metadata import markdown_table, table_metadata
from crosspair.pairing import pairs_frame
from crosspair.semantic.item_text import item_texts
from crosspair.semantic.matching import match_pool
from crosspair.semantic.noisy import flagged_share
from crosspair.semantic.noisy import noisy_pairs as find_noisy_pairs
from crosspair.semantic.pool import pool_texts
from crosspair.semantic.scorer import IMAGE, TEXT, ScorerUnavailable, load_scorer
from crosspair.semantic.scoring import ItemVectors, score_existing_pairs, scoring_kind
from dagster_project.resources import CrosspairSettings

GROUP = "semantic"


def _image_vectors(settings: CrosspairSettings, texts: dict, image_catalog: pd.DataFrame):
    """(image-text embeddings, "") or (None, why not) when no open_clip model is configured."""
    try:
        scorer = load_scorer(
            "open_clip",
            model_name=settings.clip_model,
            checkpoint=settings.clip_checkpoint or None,
            cache_dir=settings.clip_cache_dir or None,
        )
    except ScorerUnavailable as error:
        return None, str(error)
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


@asset(group_name=GROUP)
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
) -> Output[pd.DataFrame]:
    """New pairs for sources with a ``match`` pool: each unlinked text ranked against the items."""
    catalogs = {
        "code": code_catalog,
        "image": image_catalog,
        "audio": audio_catalog,
        "mesh": mesh_catalog,
        "video": video_catalog,
    }
    heuristic = pd.concat(
        [image_caption_pairs, audio_transcript_pairs, mesh_description_pairs, video_subtitle_pairs],
        ignore_index=True,
    )
    texts = item_texts(text_catalog, code_catalog)
    vectors: dict[str, ItemVectors | None] = {}
    unavailable: dict[str, str] = {}
    found, reports, notes = [], [], []
    for source in settings.sources.sources:
        if source.match is None:
            continue
        model = source.match.model
        if model not in vectors and model == "open_clip":
            vectors[model], unavailable[model] = _image_vectors(settings, texts, image_catalog)
        elif model not in vectors:
            vectors[model] = ItemVectors(load_scorer(model), texts=texts)
        if vectors[model] is None:
            notes.append(f"{source.name}: not matched, {unavailable[model]}")
            context.log.warning("source %s not matched: %s", source.name, unavailable[model])
            continue
        catalog = catalogs.get(source.modality)
        if catalog is None:
            notes.append(f"{source.name}: {source.modality} items cannot be matched to texts")
            continue
        items = catalog[catalog["source"] == source.name]
        pool = pool_texts(text_catalog, source.name, source.match.pool)
        pairs, report = match_pool(source.match, pool, items, heuristic, vectors[model])
        found.append(pairs)
        reports.append(report.__dict__)

    table = pairs_frame(pd.concat(found, ignore_index=True).to_dict("records") if found else [])
    report_table = pd.DataFrame(reports)
    return Output(
        table,
        metadata={
            **table_metadata(table, "model pairs", "source", "method"),
            "matching by source": markdown_table(report_table, rows=len(report_table)),
            "notes": MetadataValue.text("; ".join(notes) or "none"),
        },
    )
