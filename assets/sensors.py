"""Sensor assets: the streams of each sensor source paired by time on a common clock."""

import pandas as pd
from dagster import AssetExecutionContext, AssetOut, Output, multi_asset

from assets.metadata import table_metadata
from crosspair.schemas import empty_frame
from crosspair.sensors.catalog import pair_sensor_catalog
from crosspair.sensors.tables import CLOCK_LINKS, PAIRING_SUMMARY, SENSOR_DROPPED, SENSOR_GAPS
from dagster_project.resources import CrosspairSettings

# asset name → (field of SensorPairing, schema)
OUTPUTS = {
    "sensor_pairing_summary": ("summary", PAIRING_SUMMARY),
    "sensor_gaps": ("gaps", SENSOR_GAPS),
    "sensor_dropped": ("dropped", SENSOR_DROPPED),
    "clock_links": ("links", CLOCK_LINKS),
}


@multi_asset(
    outs={
        "sensor_pairing_summary": AssetOut(
            description="per stream pair: paired and dropped reference rows, gaps, clock offset"
        ),
        "sensor_gaps": AssetOut(description="intervals longer than the gap factor × period"),
        "sensor_dropped": AssetOut(description="reference rows with no partner, and why"),
        "clock_links": AssetOut(description="boot-to-UTC links fitted per source"),
    },
    group_name="pairing",
)
def sensor_pairing(
    context: AssetExecutionContext, settings: CrosspairSettings, sensor_catalog: pd.DataFrame
):
    """Pair every stream of a source with its fastest stream, within a tolerance.

    A source that cannot be paired is skipped (logged at ERROR by the pairing); its error is in
    the metadata of every output under ``skipped sources``, next to the pairing ``notes``.
    """
    config = settings.sources

    def resolve(source: str, path: str):
        return config.root_of(config.by_name(source)) / path

    failures: dict[str, str] = {}
    pairings = pair_sensor_catalog(
        sensor_catalog,
        resolve,
        tolerance_s=settings.sensor_tolerance_s,
        method=settings.sensor_method,
        engine=settings.engine,
        failures=failures,
    )
    for source, error in failures.items():
        context.log.error(f"sensor source {source} skipped: {error}")
    notes = [note for pairing in pairings.values() for note in pairing.notes]
    extra = {"skipped sources": failures or "none", "notes": "\n".join(notes) or "none"}
    samples_dir = settings.data / "exports" / "sensors"
    samples_dir.mkdir(parents=True, exist_ok=True)
    for source, pairing in pairings.items():
        pairing.table.to_parquet(samples_dir / f"{source}.parquet", index=False)
    context.log.info("paired the streams of %d sensor sources", len(pairings))

    for name, (field, schema) in OUTPUTS.items():
        parts = [getattr(pairing, field) for pairing in pairings.values()]
        table = pd.concat(parts, ignore_index=True) if parts else empty_frame(schema)
        by = ["source"] if len(table) and "source" in table.columns else []
        metadata = {**table_metadata(table, "rows", *by), **extra}
        yield Output(table, name, metadata=metadata)
