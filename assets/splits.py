"""Split assets: near-duplicate clusters, leakage-free assignments, and one asset per split."""

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from dagster import AssetExecutionContext, AssetOut, Output, asset, multi_asset

from assets.metadata import table_metadata
from crosspair.catalog import item_keys
from crosspair.duplicates import near_duplicate_clusters
from crosspair.export.manifest import ARROW_SCHEMA, manifest_rows
from crosspair.schemas import SPLITS
from crosspair.splits import assign_splits
from dagster_project.resources import CrosspairSettings

GROUP = "splits"


@asset(group_name=GROUP)
def near_duplicates(settings: CrosspairSettings, image_catalog: pd.DataFrame):
    """Clusters of images whose perceptual hashes are close; they must share a split."""
    clusters = near_duplicate_clusters(image_catalog[["item_id", "phash"]],
                                       settings.near_duplicate_distance)
    metadata = table_metadata(clusters, "images in clusters")
    metadata["# Clusters"] = int(clusters["cluster_id"].nunique()) if len(clusters) else 0
    return Output(clusters, metadata=metadata)


@multi_asset(
    outs={
        "split_assignments": AssetOut(description="train/val/test for every pair"),
        "split_exclusions": AssetOut(description="pairs held out because they would leak"),
    },
    group_name=GROUP,
)
def split_assignment(
    context: AssetExecutionContext, settings: CrosspairSettings, pairs: pd.DataFrame,
    near_duplicates: pd.DataFrame, image_catalog: pd.DataFrame, audio_catalog: pd.DataFrame,
    video_catalog: pd.DataFrame, mesh_catalog: pd.DataFrame, text_catalog: pd.DataFrame,
    code_catalog: pd.DataFrame, extracted_audio: pd.DataFrame,
):
    """Deterministic, leakage-free splits that keep earlier assignments as sources grow."""
    items = item_keys(image_catalog, audio_catalog, video_catalog, mesh_catalog, text_catalog,
                      code_catalog, extracted_audio)
    previous_path = settings.data / "tables" / "split_assignments.parquet"
    previous = pd.read_parquet(previous_path) if previous_path.is_file() else None
    assignments, excluded = assign_splits(
        pairs, items, near_duplicates, ratios=settings.ratios, salt=settings.split_salt,
        previous=previous,
    )
    context.log.info("%d pairs assigned, %d excluded (previous assignments %s)",
                     len(assignments), len(excluded), "kept" if previous is not None else "none")
    yield Output(assignments, "split_assignments", metadata={
        **table_metadata(assignments, "pairs", "split"),
        "# Leakage groups": int(assignments["leakage_group"].nunique()) if len(assignments) else 0,
        "previous assignments kept": previous is not None,
    })
    yield Output(excluded, "split_exclusions", metadata=table_metadata(excluded, "excluded"))


def split_asset(split: str):
    """The pairs of one split as a Parquet manifest under exports/manifests/."""

    @asset(name=f"{split}_split", group_name=GROUP)
    def _split(context: AssetExecutionContext, settings: CrosspairSettings,
               pairs: pd.DataFrame, split_assignments: pd.DataFrame,
               image_catalog: pd.DataFrame, audio_catalog: pd.DataFrame,
               video_catalog: pd.DataFrame, mesh_catalog: pd.DataFrame,
               text_catalog: pd.DataFrame, code_catalog: pd.DataFrame,
               extracted_audio: pd.DataFrame):
        catalogs = {"image": image_catalog, "audio": audio_catalog, "video": video_catalog,
                    "mesh": mesh_catalog, "text": text_catalog, "code": code_catalog}
        rows = manifest_rows(pairs, split_assignments, catalogs, extracted_audio)
        rows = rows[rows["split"] == split].reset_index(drop=True)
        path = Path(settings.data) / "exports" / "manifests" / f"{split}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(rows, schema=ARROW_SCHEMA, preserve_index=False)
        pq.write_table(table, path, compression="zstd")
        metadata = table_metadata(rows, "pairs", "source", "left_modality")
        metadata["manifest"] = str(path)
        return Output(rows, metadata=metadata)

    return _split


split_assets = [split_asset(split) for split in SPLITS]
