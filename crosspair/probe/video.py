"""Video probe: container, streams, geometry, frame rate and timing of a video file.

One demux pass (no full decode) over the file gives the packet timestamps of the first video
stream, from which the frame-rate mode is judged, and the end of the last audio or video
packet, which is the duration when neither the container nor a stream states one. The first
video frame is decoded to prove the codec can read the stream at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import av
import numpy as np

from crosspair.items import Candidate, Rejected
from crosspair.probe.files import file_base
from crosspair.probe.limits import ProbeLimits

log = logging.getLogger(__name__)

# an MP3 or M4A with cover art shows it as a one-picture "video" stream; it is not video
_COVER_ART = av.stream.Disposition.attached_pic
# codecs of still-image files; one frame of these is a picture, not a clip
_IMAGE_CODECS = frozenset({"mjpeg", "png", "bmp", "tiff", "webp", "jpeg2000", "jpegls", "qoi"})


@dataclass
class _Scan:
    """What the demux pass saw."""

    video_pts: list[int] = field(default_factory=list)
    first_video_frame: bool = False
    end_s: float | None = None  # audio and video packets only
    any_end_s: float | None = None  # subtitles too: a cut file loses the tail of every stream
    decode_error: str = ""


def probe_video(candidate: Candidate, limits: ProbeLimits) -> dict:
    """Catalog row of a video file; ``Rejected`` without a decodable video stream or for a still."""
    path = candidate.abs_path
    with av.open(path) as container:
        streams = container.streams
        videos = [s for s in streams.video if not s.disposition & _COVER_ART]
        if not videos:
            raise Rejected("unsupported_format", f"{container.format.name} file has no video")
        video = videos[0]
        audio = streams.audio[0] if streams.audio else None
        if _image_format(container.format.name):
            raise _still_image(container.format.name)
        scan = _demux(container, video)
        if not scan.first_video_frame:
            raise Rejected(
                "corrupt",
                f"no frame of video stream {video.index} could be decoded {scan.decode_error}",
            )
        if len(scan.video_pts) == 1 and video.codec_context.name in _IMAGE_CODECS:
            raise _still_image(f"one {video.codec_context.name} frame")

        duration_s, duration_from = _duration(container, scan)
        if duration_from != "decoded":
            _check_complete(container, scan, duration_s, limits.duration_tolerance_s)
        intervals = _intervals_s(scan.video_pts, video.time_base)
        row = {
            "format": str(container.format.name),
            "duration_s": duration_s,
            "duration_from": duration_from,
            "video_streams": len(videos),
            "audio_streams": len(streams.audio),
            "subtitle_streams": len(streams.subtitles),
            "width": int(video.codec_context.width),
            "height": int(video.codec_context.height),
            "fps": _fps(video, intervals),
            "fps_mode": _fps_mode(intervals, video.time_base, limits.fps_jitter_tolerance),
            "has_audio": audio is not None,
            "audio_sample_rate": _positive(audio.codec_context.sample_rate) if audio else None,
            "audio_channels": _positive(audio.codec_context.channels) if audio else None,
            "video_start_s": _start_s(video, scan.video_pts),
            "audio_start_s": _start_s(audio, []) if audio else None,
        }
    return {**file_base(candidate), **row}


def _image_format(name: str) -> bool:
    """Whether a demuxer reads still images (``image2``, ``jpeg_pipe``, ``png_pipe``...)."""
    return name.startswith("image2") or name.endswith("_pipe")


def _still_image(what: str) -> Rejected:
    return Rejected("unsupported_format", f"a still image ({what}), not a video")


def _demux(container, video) -> _Scan:
    """Read every packet once: video pts, first decodable frame, end of the last A/V packet."""
    scan = _Scan()
    timed = {s.index for s in (*container.streams.video, *container.streams.audio)}
    for packet in container.demux():
        stream = packet.stream
        if packet.pts is not None and stream.time_base is not None:
            end = float((packet.pts + (packet.duration or 0)) * stream.time_base)
            scan.any_end_s = _later(scan.any_end_s, end)
            if stream.index in timed:
                scan.end_s = _later(scan.end_s, end)
        if stream.index != video.index:
            continue
        if packet.pts is not None:
            scan.video_pts.append(packet.pts)
        if not scan.first_video_frame:
            try:
                scan.first_video_frame = bool(packet.decode())  # the last, empty one flushes
            except av.error.FFmpegError as exc:  # a broken first packet; later ones may decode
                scan.decode_error = str(exc)
    return scan


def _duration(container, scan: _Scan) -> tuple[float | None, str]:
    """Container duration, else the longest A/V stream duration, else the last packet's end."""
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base, "container"
    stated = [
        float(s.duration * s.time_base)
        for s in (*container.streams.video, *container.streams.audio)
        if s.duration and s.time_base is not None
    ]
    if stated:
        return max(stated), "stream"
    starts = [
        float(s.start_time * s.time_base)
        for s in (*container.streams.video, *container.streams.audio)
        if s.start_time is not None and s.time_base is not None
    ]
    if scan.end_s is None:
        return None, "decoded"
    return max(scan.end_s - min(starts, default=0.0), 0.0), "decoded"


def _check_complete(container, scan: _Scan, duration_s: float, tolerance_s: float) -> None:
    """``truncated`` when the packets end well before the duration the file states."""
    start_s = container.start_time / av.time_base if container.start_time is not None else 0.0
    held_s = (scan.any_end_s if scan.any_end_s is not None else start_s) - start_s
    if duration_s - held_s > tolerance_s:
        raise Rejected(
            "truncated",
            f"the file states {duration_s:.3f} s but its packets end at {held_s:.3f} s",
        )


def _intervals_s(pts: list[int], time_base) -> np.ndarray:
    """Seconds between consecutive frames in presentation order (B-frames arrive out of it)."""
    if len(pts) < 2 or time_base is None:
        return np.empty(0)
    return np.diff(np.sort(np.asarray(pts, dtype=np.int64))) * float(time_base)


def _fps(video, intervals: np.ndarray) -> float:
    """The stream's average rate, else ffmpeg's guess, else one over the median interval."""
    for rate in (video.average_rate, video.guessed_rate, video.base_rate):
        if rate:
            return float(rate)
    if intervals.size and np.median(intervals) > 0:
        return float(1.0 / np.median(intervals))
    raise Rejected("corrupt", f"video stream {video.index} has no frame rate and too few frames")


def _fps_mode(intervals: np.ndarray, time_base, tolerance: float) -> str:
    """``variable`` when the interval spread, less one tick of rounding, exceeds the tolerance.

    Timestamps are whole ticks of the stream's time base (1 ms in Matroska), so a constant
    24 fps stream alternates 41 and 42 ms intervals; that one-tick spread is not jitter.
    """
    if intervals.size < 2:
        return "constant"
    median = float(np.median(intervals))
    if median <= 0:
        return "variable"
    tick = float(time_base)
    spread = float(intervals.max() - intervals.min())
    return "variable" if (spread - tick) / median > tolerance else "constant"


def _start_s(stream, pts: list[int]) -> float:
    """The stream's start time in seconds; its first packet pts when the container has none."""
    if stream.start_time is not None and stream.time_base is not None:
        return float(stream.start_time * stream.time_base)
    if pts and stream.time_base is not None:
        return float(min(pts) * stream.time_base)
    return 0.0


def _positive(value) -> int | None:
    """A stream parameter, or None where ffmpeg reports it as unknown (0)."""
    return int(value) if value else None


def _later(current: float | None, end: float) -> float:
    return end if current is None else max(current, end)
