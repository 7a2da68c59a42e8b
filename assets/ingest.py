"""Assets that find and decode items: discovery, one catalog per modality, and rejects."""

import pandas as pd
from dagster import AssetExecutionContext, AssetOut, Output, asset, multi_asset

from assets.metadata import counts_by, table_metadata
from crosspair.catalog import (
    build_catalog,
    candidates_from_frame,
    discovered_frame,
    rejects_frame,
)
from crosspair.discover import discover
from crosspair.erasure.ledger import erasure_predicate
from crosspair.schemas import CATALOGS
from dagster_project.resources import CrosspairSettings

MODALITIES = tuple(CATALOGS)


@multi_asset(
    outs={
        "discovered_items": AssetOut(description="every item found in the sources, undecoded"),
        "discovery_rejects": AssetOut(description="items that could not even be located"),
    },
    group_name="ingest",
    deps=["erasure_ledger"],
)
def discovery(context: AssetExecutionContext, settings: CrosspairSettings):
    """Walk the sources file: media files, manifest records and side files.

    Items named in the erasure ledger, and what hangs on them, are left out and only counted.
    """
    found = discover(settings.sources, is_erased=erasure_predicate(settings.erasure_ledger))
    items = discovered_frame(found)
    rejects = rejects_frame(found.rejects)
    context.log.info("found %d items and %d discovery rejects", len(items), len(rejects))
    metadata = table_metadata(items, "items", "source", "modality")
    metadata["# Erased"] = sum(found.erased.values())
    metadata.update({f"# Erased ({name})": n for name, n in sorted(found.erased.items())})
    yield Output(items, "discovered_items", metadata=metadata)
    yield Output(
        rejects,
        "discovery_rejects",
        metadata=table_metadata(rejects, "rejects", "source", "reason"),
    )


def catalog_asset(modality: str):
    """The catalog asset of one modality, with its rejects as a second output."""

    @multi_asset(
        name=f"{modality}_catalog_build",
        outs={
            f"{modality}_catalog": AssetOut(
                description=f"one row per usable {modality} item, with decoded metadata"
            ),
            f"{modality}_rejects": AssetOut(
                description=f"{modality} items that could not be decoded, with the reason"
            ),
        },
        group_name="catalog",
    )
    def _build(
        context: AssetExecutionContext, settings: CrosspairSettings, discovered_items: pd.DataFrame
    ):
        candidates = candidates_from_frame(discovered_items, modality)
        catalog, rejects = build_catalog(modality, candidates, settings.engine)
        context.log.info("%s: %d catalogued, %d rejected", modality, len(catalog), len(rejects))
        yield Output(
            catalog, f"{modality}_catalog", metadata=table_metadata(catalog, modality, "source")
        )
        yield Output(
            rejects,
            f"{modality}_rejects",
            metadata=table_metadata(rejects, "rejects", "source", "reason"),
        )

    return _build


catalog_assets = [catalog_asset(modality) for modality in MODALITIES]


@asset(group_name="catalog")
def rejects(
    discovery_rejects: pd.DataFrame,
    image_rejects: pd.DataFrame,
    audio_rejects: pd.DataFrame,
    video_rejects: pd.DataFrame,
    mesh_rejects: pd.DataFrame,
    sensor_rejects: pd.DataFrame,
    text_rejects: pd.DataFrame,
    code_rejects: pd.DataFrame,
) -> Output[pd.DataFrame]:
    """Every item that cannot be used, from discovery or decoding, with its reason."""
    parts = [
        discovery_rejects,
        image_rejects,
        audio_rejects,
        video_rejects,
        mesh_rejects,
        sensor_rejects,
        text_rejects,
        code_rejects,
    ]
    table = rejects_frame(pd.concat(parts, ignore_index=True).to_dict("records"))
    metadata = table_metadata(table, "rejects", "reason")
    metadata["by source"] = counts_by(table, "source", "modality")
    return Output(table, metadata=metadata)
