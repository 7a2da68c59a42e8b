"""Which catalogued sensor streams ended up in no stream pair, and why."""

from __future__ import annotations

import pandas as pd

from crosspair.sensors.catalog import stream_names

ONLY_STREAM = "the only usable stream of its source: nothing to pair it with"
SOURCE_SKIPPED = "its source could not be paired: see 'skipped sources' in sensor_pairing metadata"
STREAM_LEFT_OUT = "left out of its source's pairing: see 'notes' in sensor_pairing metadata"


def unpaired_streams(sensor_catalog: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """One row (source, path, stream, reason) per catalogued file absent from ``summary``.

    A stream counts as paired when it is the reference or the other side of a summary row.
    """
    columns = ["source", "path", "stream", "reason"]
    if sensor_catalog.empty:
        return pd.DataFrame(columns=columns)
    sources = sensor_catalog["source"].astype(str)
    paths = sensor_catalog["path"].astype(str)
    names = stream_names(sources, paths)
    paired = set(zip(summary["source"], summary["reference"], strict=True))
    paired |= set(zip(summary["source"], summary["other"], strict=True))
    streams_per_source = sources.value_counts()
    paired_sources = set(summary["source"])

    def why(source: str) -> str:
        if source in paired_sources:
            return STREAM_LEFT_OUT
        return ONLY_STREAM if streams_per_source[source] < 2 else SOURCE_SKIPPED

    rows = [
        (source, path, name, why(source))
        for source, path, name in zip(sources, paths, names, strict=True)
        if (source, name) not in paired
    ]
    return pd.DataFrame(rows, columns=columns).sort_values(["source", "path"], ignore_index=True)
