"""Provenance and lineage assets: where each pair came from, and where each item ended up."""

import pandas as pd
from dagster import AssetExecutionContext, Output, asset

from assets.metadata import ALL_MODALITIES, by_modality, catalog_ins, table_metadata
from crosspair.lineage_index import PARQUET_OPTIONS, lineage_index
from crosspair.provenance import code_version, provenance_table


@asset(group_name="pairing", ins=catalog_ins(pairs="pairs", extracted_audio="extracted_audio"))
def provenance(context: AssetExecutionContext, **tables) -> Output[pd.DataFrame]:
    """One row per pair: each side's id, source, sha256 and licence, the method and its
    parameters, the model or annotator (empty for heuristics), the code version and run id."""
    version = code_version()
    table = provenance_table(
        tables["pairs"], by_modality(tables), tables["extracted_audio"], version, context.run_id
    )
    context.log.info("provenance of %d pairs, code version %s", len(table), version)
    metadata = table_metadata(table, "pairs", "method", "left_licence")
    metadata["code version"] = version
    return Output(table, metadata=metadata)


@asset(
    name="lineage_index",
    group_name="export",
    ins=catalog_ins(
        *ALL_MODALITIES,
        pairs="pairs",
        split_assignments="split_assignments",
        webdataset_shards="webdataset_shards",
        extracted_audio="extracted_audio",
    ),
    # sorted by key in small row groups: an audit reads one group (see crosspair.lineage)
    metadata={"parquet_options": PARQUET_OPTIONS},
)
def lineage_index_table(context: AssetExecutionContext, **tables) -> Output[pd.DataFrame]:
    """Every item and subject with the pairs, splits and shards that hold it, for audits."""
    index = lineage_index(
        tables["pairs"],
        tables["split_assignments"],
        tables["webdataset_shards"],
        by_modality(tables),
        tables["extracted_audio"],
    )
    metadata = table_metadata(index, "rows", "side", "split")
    metadata["# Keys"] = int(index["key"].nunique()) if len(index) else 0
    return Output(index, metadata=metadata)
