"""Pair the catalogued streams of each sensor source against one reference stream.

Works from rows of the sensor catalog (``source``, ``path``, ``time_column``, ``clock``,
``rate_hz``) and a resolver from (source, relative path) to the file. Reading each stream is
per-item work and goes through ``crosspair.engine.map_items``, as does pairing each source.
The reference is the highest-rate stream (ties: first name) unless named; the boot-to-UTC
link is fitted on the stream with the most rows that carry both clocks (``LINK_COLUMNS``).

>>> resolve = sources_resolver(load_sources("sources/shared_data.yaml"))   # doctest: +SKIP
>>> pairings = pair_sensor_catalog(catalog, resolve, tolerance_s=0.010)    # doctest: +SKIP
>>> pairings["comma2k19"].summary                                          # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from crosspair.engine import EngineConfig, map_items
from crosspair.schemas import empty_frame
from crosspair.sensors.clocks import ClockLink
from crosspair.sensors.pairing import SensorPairing, pair_streams
from crosspair.sensors.streams import DEFAULT_GAP_FACTOR, Stream, read_stream, stream_link
from crosspair.sensors.tables import CLOCK_LINKS
from crosspair.sources import SourcesConfig

log = logging.getLogger(__name__)

Resolver = Callable[[str, str], Path]


@dataclass(frozen=True)
class StreamFile:
    """One catalogued stream to read: where it is and how it is stamped."""

    source: str
    name: str
    path: str
    time_column: str
    clock: str
    rate_hz: float


@dataclass(frozen=True)
class SourceJob:
    """Everything needed to pair one source's streams (picklable for a process pool)."""

    source: str
    streams: tuple[Stream, ...]
    reference: str
    method: str
    tolerance_s: float
    gap_factor: float
    link_method: str
    link: ClockLink | None = None


def sources_resolver(config: SourcesConfig) -> Resolver:
    """Resolver that puts a catalog path under its source's root folder."""

    def resolve(source: str, path: str) -> Path:
        return config.root_of(config.by_name(source)) / path

    return resolve


def pair_sensor_catalog(
    catalog: pd.DataFrame,
    resolve: Resolver,
    *,
    tolerance_s: float,
    method: str = "nearest",
    references: dict[str, str] | None = None,
    gap_factor: float = DEFAULT_GAP_FACTOR,
    link_method: str = "median",
    links: dict[str, ClockLink] | None = None,
    engine: EngineConfig | None = None,
) -> dict[str, SensorPairing]:
    """One ``SensorPairing`` per source; ``references`` maps source to reference stream name.

    ``links`` gives a source a boot-to-UTC link fitted elsewhere (comma2k19: from
    frame_gps_times, which the GNSS rows' receiver latency does not bias) instead of its own.
    """
    references, links = references or {}, links or {}
    files = [
        StreamFile(
            source=str(row.source),
            name=PurePosixPath(str(row.path)).stem,
            path=str(resolve(str(row.source), str(row.path))),
            time_column=str(row.time_column),
            clock=str(row.clock),
            rate_hz=float(row.rate_hz),
        )
        for row in catalog.sort_values(["source", "path"]).itertuples(index=False)
    ]
    streams = map_items(read_stream_file, files, engine)

    jobs = []
    for source in sorted({file.source for file in files}):
        mine = [(f, s) for f, s in zip(files, streams, strict=True) if f.source == source]
        if len(mine) < 2:
            log.warning(
                "sensor source %s has %d usable stream(s); nothing to pair it with",
                source,
                len(mine),
            )
            continue
        fastest = min(mine, key=lambda pair: (-pair[0].rate_hz, pair[0].name))
        reference = references.get(source, fastest[0].name)
        jobs.append(
            SourceJob(
                source=source,
                streams=tuple(stream for _, stream in mine),
                reference=reference,
                method=method,
                tolerance_s=tolerance_s,
                gap_factor=gap_factor,
                link_method=link_method,
                link=links.get(source),
            )
        )
    unknown = (set(references) | set(links)) - {job.source for job in jobs}
    if unknown:
        raise ValueError(f"references or links name sources not in the catalog: {sorted(unknown)}")
    pairings = map_items(pair_source, jobs, engine)
    log.info("paired the streams of %d sensor source(s) from %d files", len(jobs), len(files))
    return dict(zip((job.source for job in jobs), pairings, strict=True))


def read_stream_file(file: StreamFile) -> Stream:
    """Read one catalogued stream (per-item work for ``map_items``)."""
    return read_stream(file.path, file.time_column, file.clock, name=file.name)


def pair_source(job: SourceJob) -> SensorPairing:
    """Pair one source's streams onto its reference, with the best boot-to-UTC link it has."""
    by_name = {stream.name: stream for stream in job.streams}
    if job.reference not in by_name:
        raise ValueError(
            f"source {job.source!r} has no stream {job.reference!r}; streams are {sorted(by_name)}"
        )
    links = {name: stream_link(stream, job.link_method) for name, stream in by_name.items()}
    links = {name: link for name, link in links.items() if link is not None}
    used = min(links, key=lambda name: (-links[name].n_rows, name), default=None)
    if job.link is not None:
        used = None  # the caller's link wins; the table still lists what the streams give

    pairing = pair_streams(
        by_name[job.reference],
        [stream for name, stream in by_name.items() if name != job.reference],
        job.method,
        tolerance_s=job.tolerance_s,
        link=job.link or links.get(used),
        gap_factor=job.gap_factor,
        source=job.source,
    )
    table = _links_table(job.source, links, used)
    return SensorPairing(pairing.table, pairing.gaps, pairing.dropped, pairing.summary, table)


def _links_table(source: str, links: dict[str, ClockLink], used: str | None) -> pd.DataFrame:
    rows = [
        {
            "source": source,
            "stream": name,
            "method": link.method,
            "n_rows": link.n_rows,
            "offset_ns": link.offset_ns,
            "offset_s": link.offset_s,
            "drift_ppm": link.drift_ppm,
            "pivot_boot_s": link.pivot_boot_s,
            "residual_median_abs_s": link.residual_median_abs_s,
            "residual_max_abs_s": link.residual_max_abs_s,
            "used": name == used,
        }
        for name, link in sorted(links.items())
    ]
    if not rows:
        return empty_frame(CLOCK_LINKS)
    frame = pd.DataFrame(rows, columns=list(CLOCK_LINKS.columns))
    return CLOCK_LINKS.validate(frame.astype({"n_rows": "int64", "offset_ns": "int64"}))
