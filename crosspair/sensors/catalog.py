"""Pair the catalogued streams of each sensor source against one reference stream.

Works from rows of the sensor catalog (``source``, ``path``, ``time_column``, ``clock``,
``rate_hz``) and a resolver from (source, relative path) to the file. Reading each stream is
per-item work and goes through ``crosspair.engine.map_items``, as does pairing each source.
The reference is the highest-rate stream (ties: first name) unless named; the boot-to-UTC
link is fitted on the stream with the most rows that carry both clocks (``LINK_COLUMNS``).
A stream is named by its file stem, or by its path without suffix (``left/imu``) where stems
clash within a source. One bad stream or source never fails the rest: a stream that cannot be
read is left out and a source that cannot be paired is skipped, both logged at ERROR and
recorded (``SensorPairing.notes``, and the ``failures`` the caller passes in).

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
from crosspair.sensors.streams import DEFAULT_GAP_FACTOR, Stream, link_report, read_stream
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
    notes: tuple[str, ...] = ()


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
    failures: dict[str, str] | None = None,
) -> dict[str, SensorPairing]:
    """One ``SensorPairing`` per source; ``references`` maps source to reference stream name.

    ``links`` gives a source a boot-to-UTC link fitted elsewhere (comma2k19: from
    frame_gps_times, which the GNSS rows' receiver latency does not bias) instead of its own.
    A source whose pairing fails is left out of the result and, with the error, put in
    ``failures`` when given.
    """
    references, links = references or {}, links or {}
    rows = catalog.sort_values(["source", "path"])
    names = stream_names(rows["source"].astype(str), rows["path"].astype(str))
    files = [
        StreamFile(
            source=str(row.source),
            name=name,
            path=str(resolve(str(row.source), str(row.path))),
            time_column=str(row.time_column),
            clock=str(row.clock),
            rate_hz=float(row.rate_hz),
        )
        for row, name in zip(rows.itertuples(index=False), names, strict=True)
    ]
    streams = map_items(read_stream_file, files, engine)

    jobs = []
    for source in sorted({file.source for file in files}):
        read = [(f, s) for f, s in zip(files, streams, strict=True) if f.source == source]
        mine = [(f, s) for f, s in read if isinstance(s, Stream)]
        notes = tuple(s for _, s in read if isinstance(s, str))
        if len(mine) < 2:
            log.warning(
                "sensor source %s has %d usable stream(s); nothing to pair it with",
                source,
                len(mine),
            )
            if notes and failures is not None:
                failures[source] = "; ".join(notes)
            continue
        fastest = min(mine, key=lambda pair: (-pair[0].rate_hz, pair[0].name))
        reference = references.get(source, fastest[0].name)
        if reference not in {f.name for f, _ in mine}:  # the caller's mistake: raise
            streams_of = sorted(f.name for f, _ in mine)
            raise ValueError(
                f"source {source!r} has no stream {reference!r}; streams are {streams_of}"
            )
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
                notes=notes,
            )
        )
    unknown = (set(references) | set(links)) - {job.source for job in jobs}
    if unknown:
        raise ValueError(f"references or links name sources not in the catalog: {sorted(unknown)}")
    results = map_items(pair_source_safely, jobs, engine)
    pairings = {}
    for job, result in zip(jobs, results, strict=True):
        if isinstance(result, str):
            if failures is not None:
                failures[job.source] = result
        else:
            pairings[job.source] = result
    log.info(
        "paired the streams of %d of %d sensor source(s) from %d files",
        len(pairings),
        len(jobs),
        len(files),
    )
    return pairings


def stream_names(sources: pd.Series, paths: pd.Series) -> list[str]:
    """File stem per stream, or the path without suffix where stems clash within a source."""
    stems = [PurePosixPath(path).stem for path in paths]
    counts = pd.Series(list(zip(sources, stems, strict=True))).value_counts()
    return [
        str(PurePosixPath(path).with_suffix("")) if counts[(source, stem)] > 1 else stem
        for source, path, stem in zip(sources, paths, stems, strict=True)
    ]


def read_stream_file(file: StreamFile) -> Stream | str:
    """Read one catalogued stream, or the error (logged) when it cannot be read."""
    try:
        return read_stream(file.path, file.time_column, file.clock, name=file.name)
    except Exception as exc:  # one bad file must not fail the build; logged with its source
        log.error(
            "sensor source %s: stream %s (%s) left out of pairing, cannot read it: %s: %s",
            file.source, file.name, file.path, type(exc).__name__, exc, exc_info=True,
        )  # fmt: skip
        return f"stream {file.name!r} ({file.path}) left out: {type(exc).__name__}: {exc}"


def pair_source_safely(job: SourceJob) -> SensorPairing | str:
    """``pair_source``, or the error (logged at ERROR with the source) when it raises."""
    try:
        return pair_source(job)
    except Exception as exc:  # one bad source must not fail the others; logged, not swallowed
        log.error(
            "sensor source %s not paired: %s: %s", job.source, type(exc).__name__, exc,
            exc_info=True,
        )  # fmt: skip
        return f"{type(exc).__name__}: {exc}"


def pair_source(job: SourceJob) -> SensorPairing:
    """Pair one source's streams onto its reference, with the best boot-to-UTC link it has."""
    by_name = {stream.name: stream for stream in job.streams}
    if job.reference not in by_name:
        raise ValueError(
            f"source {job.source!r} has no stream {job.reference!r}; streams are {sorted(by_name)}"
        )
    reports = {name: link_report(stream, job.link_method) for name, stream in by_name.items()}
    links = {name: link for name, (link, _) in reports.items() if link is not None}
    link_notes = tuple(f"{job.source}: {note}" for _, note in reports.values() if note)
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
    notes = (*job.notes, *link_notes, *pairing.notes)
    return SensorPairing(
        pairing.table, pairing.gaps, pairing.dropped, pairing.summary, table, notes
    )


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
