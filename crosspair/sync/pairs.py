"""Sync offsets for the video ↔ audio rows of a pair table (schema ``SYNC_OFFSETS``).

``embedded_stream`` pairs are measured on the video file's own audio stream, not on the
extracted WAV, because extraction drops the stream's start time; ``file_stem`` pairs on the
separate audio file. Per-pair work goes through ``crosspair.engine.map_items``.

>>> table = sync_table(pairs, video_catalog, extracted_audio, audio_catalog,
...                    resolve=settings.resolve, tolerance_s=0.1)   # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import pandas as pd

from crosspair.engine import EngineConfig, map_items
from crosspair.pairing import EMBEDDED_STREAM, FILE_STEM
from crosspair.sync.estimate import estimate_offset
from crosspair.sync.tables import SYNC_OFFSETS

log = logging.getLogger(__name__)

# Sound leading picture by more than ~90 ms is where ITU-R BT.1359 puts the acceptability
# limit; 0.1 s also stays clear of the estimator's one-frame resolution at 25 fps.
DEFAULT_TOLERANCE_S = 0.1

Resolve = Callable[[pd.Series], Path]
"""Absolute path of a catalog row's file (``source`` and ``path`` columns), as
``CrosspairSettings.resolve`` gives it."""


@dataclass(frozen=True)
class SyncJob:
    """One pair to measure; ``audio_path`` None means the video's own stream ``audio_stream``."""

    pair_id: str
    video_id: str
    audio_id: str
    video_path: str
    audio_path: str | None
    audio_stream: int
    max_lag_s: float
    tolerance_s: float
    problem: str = ""  # set when the job could not even be built


def measure(job: SyncJob) -> dict:
    """Row of the sync table for one job; never raises (a failure becomes the reason)."""
    row = {"pair_id": job.pair_id, "video_id": job.video_id, "audio_id": job.audio_id}
    blank = {"offset_s": math.nan, "confidence": 0.0, "frame_duration_s": math.nan}
    if job.problem:
        return {**row, **blank, "within_tolerance": pd.NA, "reason": job.problem}
    try:
        est = estimate_offset(
            job.video_path, job.audio_path, audio_stream=job.audio_stream, max_lag_s=job.max_lag_s
        )
    except (OSError, av.error.FFmpegError) as error:
        log.warning("pair %s: could not read its files: %s", job.pair_id, error)
        return {**row, **blank, "within_tolerance": pd.NA, "reason": f"unreadable: {error}"}
    except Exception as error:  # one bad item must not fail the build; logged with its files
        log.error(
            "pair %s: sync estimate failed on %s (audio %s): %s: %s",
            job.pair_id, job.video_path, job.audio_path or f"stream {job.audio_stream}",
            type(error).__name__, error, exc_info=True,
        )  # fmt: skip
        reason = f"estimate failed: {type(error).__name__}: {error}"
        return {**row, **blank, "within_tolerance": pd.NA, "reason": reason}
    within = abs(est.offset_s) <= job.tolerance_s if est.reliable else pd.NA
    return {
        **row,
        "offset_s": float(est.offset_s),
        "confidence": float(est.confidence),
        "frame_duration_s": float(est.frame_duration_s),
        "within_tolerance": within,
        "reason": est.reason,
    }


def _jobs(pairs, catalogs: dict[str, pd.DataFrame], resolve: Resolve, settings: dict):
    """A job per pair; ``catalogs`` are video, extracted (tracks) and audio, by item_id."""
    videos, tracks, audio = catalogs["video"], catalogs["extracted"], catalogs["audio"]
    for _, pair in pairs.iterrows():
        base = {
            "pair_id": pair["pair_id"],
            "video_id": pair["left_id"],
            "audio_id": pair["right_id"],
            **settings,
        }
        blank = {"video_path": "", "audio_path": None, "audio_stream": 0}
        try:
            video_path = str(resolve(videos.loc[pair["left_id"]]))
            if pair["method"] == EMBEDDED_STREAM:
                stream = json.loads(pair["params"]).get("stream_index")
                if stream is None:
                    stream = int(tracks.loc[pair["right_id"], "stream_index"])
                yield SyncJob(**base, video_path=video_path, audio_path=None, audio_stream=stream)
            else:
                audio_path = str(resolve(audio.loc[pair["right_id"]]))
                yield SyncJob(**base, video_path=video_path, audio_path=audio_path, audio_stream=0)
        except KeyError as error:
            yield SyncJob(**base, **blank, problem=f"not in the catalogs: {error}")
        except ValueError as error:  # a resolver refusing a path that leaves its folder
            yield SyncJob(**base, **blank, problem=f"unresolvable path: {error}")


def sync_table(
    pairs: pd.DataFrame,
    video_catalog: pd.DataFrame,
    extracted_audio: pd.DataFrame,
    audio_catalog: pd.DataFrame,
    resolve: Resolve,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    max_lag_s: float = 1.0,
    engine: EngineConfig | None = None,
) -> pd.DataFrame:
    """A/V offset of every video ↔ audio pair (methods embedded_stream and file_stem).

    ``within_tolerance`` is True/False for reliable estimates (|offset| ≤ ``tolerance_s``)
    and null otherwise, with the reason; rows are sorted by pair_id.
    """
    wanted = pairs[
        (pairs["left_modality"] == "video")
        & (pairs["right_modality"] == "audio")
        & pairs["method"].isin([EMBEDDED_STREAM, FILE_STEM])
    ]
    catalogs = {
        "video": video_catalog.set_index("item_id", drop=False),
        "extracted": extracted_audio.set_index("item_id", drop=False),
        "audio": audio_catalog.set_index("item_id", drop=False),
    }
    settings = {"max_lag_s": max_lag_s, "tolerance_s": tolerance_s}
    jobs = list(_jobs(wanted, catalogs, resolve, settings))
    rows = map_items(measure, jobs, engine)
    table = pd.DataFrame(rows, columns=list(SYNC_OFFSETS.columns))
    table = table.astype(
        {"offset_s": float, "confidence": float, "frame_duration_s": float}
    ).astype({"within_tolerance": "boolean", "reason": str})
    table = table.sort_values("pair_id", kind="mergesort").reset_index(drop=True)

    flags = table["within_tolerance"]
    log.info(
        "sync offsets of %d video ↔ audio pairs: %d within ±%.3f s, %d beyond, %d unreliable",
        len(table),
        int((flags == True).sum()),  # noqa: E712 (nullable boolean)
        tolerance_s,
        int((flags == False).sum()),  # noqa: E712
        int(flags.isna().sum()),
    )
    return SYNC_OFFSETS.validate(table)
