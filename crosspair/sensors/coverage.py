"""Which catalogued sensor streams ended up in no stream pair, and why."""

from __future__ import annotations

import pandas as pd

from crosspair.sensors.catalog import stream_names

ONLY_STREAM = "the only usable stream of its source: nothing to pair it with"
SOURCE_SKIPPED = "its source could not be paired: see 'skipped sources' in sensor_pairing metadata"
NO_SAMPLE_PAIRED = "no sample matched within the tolerance: its drop rows in sensor_dropped say why"
STREAM_LEFT_OUT = "left out of its source's pairing: see 'notes' in sensor_pairing metadata"


def unpaired_streams(sensor_catalog: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """One row (source, path, stream, reason) per catalogued stream that paired no sample.

    A stream counts as paired when it is the reference or the other side of a summary row
    with at least one paired sample; a stream in summary rows that paired nothing is listed
    with ``NO_SAMPLE_PAIRED`` (e.g. time ranges that do not overlap).
    """
    columns = ["source", "path", "stream", "reason"]
    if sensor_catalog.empty:
        return pd.DataFrame(columns=columns)
    sources = sensor_catalog["source"].astype(str)
    paths = sensor_catalog["path"].astype(str)
    names = stream_names(sources, paths)
    paired = _streams_in(summary[summary["n_paired"] > 0])
    in_summary = _streams_in(summary)
    streams_per_source = sources.value_counts()
    paired_sources = set(summary["source"])

    def why(source: str, name: str) -> str:
        if (source, name) in in_summary:
            return NO_SAMPLE_PAIRED
        if source in paired_sources:
            return STREAM_LEFT_OUT
        return ONLY_STREAM if streams_per_source[source] < 2 else SOURCE_SKIPPED

    rows = [
        (source, path, name, why(source, name))
        for source, path, name in zip(sources, paths, names, strict=True)
        if (source, name) not in paired
    ]
    return pd.DataFrame(rows, columns=columns).sort_values(["source", "path"], ignore_index=True)


def _streams_in(summary: pd.DataFrame) -> set[tuple[str, str]]:
    """(source, stream) of both sides of every summary row."""
    sides = [zip(summary["source"], summary[side], strict=True) for side in ("reference", "other")]
    return set().union(*sides)
