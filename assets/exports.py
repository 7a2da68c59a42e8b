"""Export assets: WebDataset shards and the dataset card."""

from dagster import AssetExecutionContext, DagsterEventType, MetadataValue, Output, asset

from assets.metadata import ALL_MODALITIES, by_modality, catalog_ins, table_metadata
from checks.schema_checks import TABLE_SCHEMAS
from crosspair.export.card import render_dataset_card
from crosspair.export.webdataset import resolver_from_roots, write_shards
from dagster_project.resources import CrosspairSettings

GROUP = "export"


@asset(
    group_name=GROUP,
    ins=catalog_ins(
        pairs="pairs", split_assignments="split_assignments", extracted_audio="extracted_audio"
    ),
)
def webdataset_shards(context: AssetExecutionContext, settings: CrosspairSettings, **tables):
    """One tar sample per pair group, sharded per split, byte-identical for equal inputs."""
    config = settings.sources
    roots = {source.name: config.root_of(source) for source in config.sources}
    out_dir = settings.data / "exports" / "shards"
    index = write_shards(
        tables["pairs"],
        tables["split_assignments"],
        by_modality(tables),
        tables["extracted_audio"],
        resolver_from_roots(roots, settings.data),
        out_dir,
        settings.samples_per_shard,
    )
    metadata = table_metadata(index, "samples", "split")
    metadata["# Shards"] = int(index["shard"].nunique()) if len(index) else 0
    metadata["folder"] = str(out_dir)
    return Output(index, metadata=metadata)


def _check_results(context: AssetExecutionContext) -> list[dict]:
    """Check evaluations recorded so far in this run (all checks block, so all are in)."""
    records = context.instance.all_logs(
        context.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    )
    results = []
    for record in records:
        evaluation = record.dagster_event.event_specific_data
        results.append(
            {
                "name": evaluation.check_name,
                "asset": evaluation.asset_key.to_user_string(),
                "passed": evaluation.passed,
                "severity": evaluation.severity.value,
                "description": evaluation.description or "",
            }
        )
    return sorted(results, key=lambda r: (r["asset"], r["name"]))


CARD_INS = catalog_ins(
    *ALL_MODALITIES,
    rejects="rejects",
    pairs="pairs",
    split_assignments="split_assignments",
    split_exclusions="split_exclusions",
    unpaired_items="unpaired_items",
)


@asset(
    group_name=GROUP,
    # after every checked table, so that the card lists every check of its run
    deps=sorted(set(TABLE_SCHEMAS) - set(CARD_INS)),
    ins=CARD_INS,
)
def dataset_card(context: AssetExecutionContext, settings: CrosspairSettings, **tables):
    """Markdown card: counts per modality, source, licence and split, rejects, check results."""
    checks = _check_results(context)
    card = render_dataset_card(
        by_modality(tables),
        tables["rejects"],
        tables["pairs"],
        tables["split_assignments"],
        checks,
        title="crosspair dataset",
        version=settings.version,
        unpaired=tables["unpaired_items"],
        excluded=tables["split_exclusions"],
    )
    path = settings.data / "exports" / "dataset_card.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(card, encoding="utf-8")
    failed = [c for c in checks if not c["passed"]]
    return Output(
        card,
        metadata={
            "card": MetadataValue.md(card),
            "path": str(path),
            "# Checks": len(checks),
            "# Checks not passed": len(failed),
        },
    )
