"""Assets that find and decode items: discovery, one catalog per modality, and rejects.

Discovery and the catalogs keep one partition per source (the "sources" partitions), so a
build decodes again only the sources whose files changed; ``rejects`` and everything
downstream read all partitions together.
"""

from pathlib import Path

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
from crosspair.fingerprint import SourceFingerprint, code_digest, fingerprints
from crosspair.schemas import CATALOGS
from dagster_project import io_manager
from dagster_project.partitions import FINGERPRINT, SOURCE_PARTITIONS
from dagster_project.resources import CrosspairSettings

MODALITIES = tuple(CATALOGS)
# The code whose change rebuilds every source partition: these crosspair modules and what they
# import, this file, and the IO manager that writes the partition files.
INGEST_MODULES = ("crosspair.catalog", "crosspair.discover", "crosspair.erasure.ledger")
INGEST_FILES = (Path(__file__), Path(io_manager.__file__))


def source_fingerprints(
    settings: CrosspairSettings, names: list[str] | None = None
) -> dict[str, SourceFingerprint]:
    """Fingerprints of the sources as this build's discovery and catalogs would see them."""
    return fingerprints(
        settings.sources,
        names=names,
        ledger=settings.erasure_ledger,
        code=code_digest(INGEST_MODULES, INGEST_FILES),
    )


def _partition_source(context: AssetExecutionContext, settings: CrosspairSettings):
    """The source of this partition and its fingerprint, taken before any file is read."""
    name = context.partition_key
    if name not in {source.name for source in settings.sources.sources}:
        raise KeyError(
            f"partition '{name}' names no source in {settings.sources_path}; run "
            "`crosspair build`, which drops the partitions of removed sources"
        )
    return name, source_fingerprints(settings, [name])[name]


def _partition_output(frame, name: str, fingerprint: SourceFingerprint, metadata: dict):
    """An output of one source partition that records the fingerprint it was built from."""
    metadata = {
        **metadata,
        FINGERPRINT: fingerprint.digest,
        "# Source files": fingerprint.files,
        "source bytes": fingerprint.bytes,
    }
    return Output(frame, name, metadata=metadata)


@multi_asset(
    outs={
        "discovered_items": AssetOut(description="every item found in the sources, undecoded"),
        "discovery_rejects": AssetOut(description="items that could not even be located"),
    },
    partitions_def=SOURCE_PARTITIONS,
    group_name="ingest",
    deps=["erasure_ledger"],
)
def discovery(context: AssetExecutionContext, settings: CrosspairSettings):
    """Walk one source: media files, manifest records and side files.

    Items named in the erasure ledger, and what hangs on them, are left out and only counted.
    """
    name, fingerprint = _partition_source(context, settings)
    found = discover(
        settings.sources, only=[name], is_erased=erasure_predicate(settings.erasure_ledger)
    )
    items = discovered_frame(found)
    rejects = rejects_frame(found.rejects)
    context.log.info("%s: found %d items and %d discovery rejects", name, len(items), len(rejects))
    metadata = table_metadata(items, "items", "modality")
    metadata["# Erased"] = sum(found.erased.values())
    yield _partition_output(items, "discovered_items", fingerprint, metadata)
    yield _partition_output(
        rejects,
        "discovery_rejects",
        fingerprint,
        table_metadata(rejects, "rejects", "reason"),
    )


def catalog_asset(modality: str):
    """The catalog asset of one modality, with its rejects as a second output, per source."""

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
        partitions_def=SOURCE_PARTITIONS,
        group_name="catalog",
    )
    def _build(
        context: AssetExecutionContext, settings: CrosspairSettings, discovered_items: pd.DataFrame
    ):
        name, fingerprint = _partition_source(context, settings)
        candidates = candidates_from_frame(discovered_items, modality)
        catalog, rejects = build_catalog(modality, candidates, settings.engine)
        context.log.info(
            "%s, %s: %d catalogued, %d rejected", name, modality, len(catalog), len(rejects)
        )
        yield _partition_output(
            catalog, f"{modality}_catalog", fingerprint, table_metadata(catalog, modality)
        )
        yield _partition_output(
            rejects,
            f"{modality}_rejects",
            fingerprint,
            table_metadata(rejects, "rejects", "reason"),
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
