"""Split assets: near-duplicate clusters, leakage-free assignments, and one asset per split."""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from dagster import AssetExecutionContext, AssetOut, Output, asset, multi_asset

from assets.metadata import by_modality, catalog_ins, table_metadata
from crosspair.catalog import item_keys
from crosspair.duplicates import near_duplicate_clusters
from crosspair.export.manifest import ARROW_SCHEMA, manifest_rows
from crosspair.schemas import SPLITS
from crosspair.splits import assign_splits, split_moves
from dagster_project.resources import CrosspairSettings

GROUP = "splits"
SPLIT_INS = catalog_ins(
    pairs="pairs", near_duplicates="near_duplicates", extracted_audio="extracted_audio"
)


@asset(group_name=GROUP)
def near_duplicates(settings: CrosspairSettings, image_catalog: pd.DataFrame):
    """Clusters of images whose perceptual hashes are close; they must share a split."""
    clusters = near_duplicate_clusters(
        image_catalog[["item_id", "phash"]], settings.near_duplicate_distance
    )
    metadata = table_metadata(clusters, "images in clusters")
    metadata["# Clusters"] = int(clusters["cluster_id"].nunique()) if len(clusters) else 0
    return Output(clusters, metadata=metadata)


@multi_asset(
    outs={
        "split_assignments": AssetOut(description="train/val/test for every pair"),
        "split_exclusions": AssetOut(description="pairs held out because they would leak"),
    },
    ins=SPLIT_INS,
    group_name=GROUP,
)
def split_assignment(context: AssetExecutionContext, settings: CrosspairSettings, **tables):
    """Deterministic, leakage-free splits that keep earlier assignments as sources grow."""
    items = item_keys(*by_modality(tables).values(), tables["extracted_audio"])
    previous_path = settings.data / "tables" / "split_assignments.parquet"
    previous = pd.read_parquet(previous_path) if previous_path.is_file() else None
    assignments, excluded = assign_splits(
        tables["pairs"],
        items,
        tables["near_duplicates"],
        ratios=settings.ratios,
        salt=settings.split_salt,
        previous=previous,
    )
    # pairs the splitter had to move out of their published split to end a leak
    moved = split_moves(previous, assignments) if previous is not None else pd.DataFrame()
    context.log.info(
        "%d pairs assigned, %d excluded, %d moved to fix leaks (previous assignments %s)",
        len(assignments),
        len(excluded),
        len(moved),
        "kept" if previous is not None else "none",
    )
    groups = int(assignments["leakage_group"].nunique()) if len(assignments) else 0
    yield Output(
        assignments,
        "split_assignments",
        metadata={
            **table_metadata(assignments, "pairs", "split"),
            "# Leakage groups": groups,
            "previous assignments kept": previous is not None,
            "# Pairs moved to fix leaks": len(moved),
        },
    )
    yield Output(excluded, "split_exclusions", metadata=table_metadata(excluded, "excluded"))


def split_asset(split: str):
    """The pairs of one split as a Parquet manifest under exports/manifests/."""

    @asset(
        name=f"{split}_split",
        group_name=GROUP,
        ins=catalog_ins(
            pairs="pairs", split_assignments="split_assignments", extracted_audio="extracted_audio"
        ),
    )
    def _split(context: AssetExecutionContext, settings: CrosspairSettings, **tables):
        rows = manifest_rows(
            tables["pairs"],
            tables["split_assignments"],
            by_modality(tables),
            tables["extracted_audio"],
        )
        rows = rows[rows["split"] == split].reset_index(drop=True)
        path = settings.data / "exports" / "manifests" / f"{split}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(rows, schema=ARROW_SCHEMA, preserve_index=False)
        pq.write_table(table, path, compression="zstd")
        metadata = table_metadata(rows, "pairs", "source", "left_modality")
        metadata["manifest"] = str(path)
        return Output(rows, metadata=metadata)

    return _split


split_assets = [split_asset(split) for split in SPLITS]
