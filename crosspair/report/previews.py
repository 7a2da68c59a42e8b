"""Preview jobs, one per media item or timed pair, run through ``crosspair.engine.map_items``.

A job carries absolute paths and returns the files' bytes under their report paths; it never
raises, so one unreadable file costs one preview (recorded with its error), not the report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from crosspair.report.charts import Word, waveform_png
from crosspair.report.media import audio_envelope, image_thumbnail, keyframe_strip

log = logging.getLogger(__name__)

THUMBNAIL, KEYFRAMES, WAVEFORM = "thumbnail", "keyframes", "waveform"
STRIP_FRAMES = 4


def thumbnail_path(item_id: str) -> str:
    return f"assets/thumbs/{item_id}.jpg"


def keyframes_path(item_id: str) -> str:
    return f"assets/keyframes/{item_id}.jpg"


def waveform_path(pair_id: str) -> str:
    return f"assets/waveforms/{pair_id}.png"


@dataclass(frozen=True)
class PreviewJob:
    """``thumbnail`` of an image, ``keyframes`` of a video, or ``waveform`` of a pair's audio
    (with its words, or with the keyframe times of ``video_path`` and the A/V offset)."""

    kind: str
    key: str
    path: str
    words: tuple[Word, ...] = ()
    video_id: str = ""
    video_path: str = ""
    offset_s: float | None = None
    title: str = ""


@dataclass(frozen=True)
class PreviewResult:
    """Files written (report path, bytes), files that could not be made (report path, error),
    and the times of the keyframes shown for ``video_id``."""

    key: str
    files: tuple[tuple[str, bytes], ...] = ()
    failed: tuple[tuple[str, str], ...] = ()
    video_id: str = ""
    frame_times_s: tuple[float, ...] = ()


def _attempt(path: str, make, files: list, failed: list, job: PreviewJob):
    try:
        made = make()
    except Exception as err:  # one bad file must not stop the report
        log.warning("no preview %s for %s (%s): %s", path, job.key, job.path, err)
        failed.append((path, f"{type(err).__name__}: {err}"))
        return None
    files.append((path, made if isinstance(made, bytes) else made.jpeg))
    return made


def render_preview(job: PreviewJob) -> PreviewResult:
    """The job's files, and the error of each file it could not make (never raises)."""
    files: list[tuple[str, bytes]] = []
    failed: list[tuple[str, str]] = []
    if job.kind == THUMBNAIL:
        _attempt(thumbnail_path(job.key), lambda: image_thumbnail(job.path), files, failed, job)
        return PreviewResult(job.key, tuple(files), tuple(failed))
    if job.kind == KEYFRAMES:
        strip = _attempt(
            keyframes_path(job.key),
            lambda: keyframe_strip(job.path, STRIP_FRAMES),
            files,
            failed,
            job,
        )
        times = strip.times_s if strip else ()
        return PreviewResult(job.key, tuple(files), tuple(failed), job.key, times)
    if job.kind != WAVEFORM:
        raise ValueError(f"unknown preview kind {job.kind!r}")

    times: tuple[float, ...] = ()
    if job.video_path:
        strip = _attempt(
            keyframes_path(job.video_id),
            lambda: keyframe_strip(job.video_path, STRIP_FRAMES),
            files,
            failed,
            job,
        )
        times = strip.times_s if strip else ()
    _attempt(
        waveform_path(job.key),
        lambda: waveform_png(audio_envelope(job.path), job.words, times, job.offset_s, job.title),
        files,
        failed,
        job,
    )
    return PreviewResult(job.key, tuple(files), tuple(failed), job.video_id, times)
