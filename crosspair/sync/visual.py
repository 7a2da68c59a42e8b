"""Visual event signals of a video stream, one value per decoded frame at its real timestamp.

Each frame is shrunk to a small gray picture. Two signals come out, both zero while nothing
new happens, like an audio onset:

- ``values``, brightness rise: the mean brightness *increase* over the previous frame (positive
  flux) in gray levels, stamped at the pts of the first frame that shows it. A flash that lights
  for two frames gives one peak, not one when it lights and one when it goes dark.
- ``motion_change``, velocity change (``crosspair.sync.motion``): motion that starts, stops or
  turns, as a bounce or an impact does; steady motion gives about zero. It needs a frame on
  each side, so the first and last frames have none (0).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import av
import numpy as np

from crosspair.sync.motion import velocity_change

log = logging.getLogger(__name__)

MAX_SIDE_PX = 64


@dataclass(frozen=True)
class FrameSignal:
    """Per-frame signals on the container timeline; ``times_s[0]`` is the first frame's pts."""

    times_s: np.ndarray
    values: np.ndarray
    n_frames: int
    motion_change: np.ndarray | None = None

    @property
    def frame_duration_s(self) -> float:
        """Median interval between frames (robust for variable frame rate)."""
        if self.n_frames < 2:
            return float("nan")
        return float(np.median(np.diff(self.times_s)))

    @property
    def fps(self) -> float:
        """Mean rate over the decoded span: frames per second between first and last pts."""
        span = float(self.times_s[-1] - self.times_s[0]) if self.n_frames >= 2 else 0.0
        return (self.n_frames - 1) / span if span > 0 else float("nan")


def _small_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, MAX_SIDE_PX / max(width, height))
    return max(2, round(width * scale)), max(2, round(height * scale))


def frame_signal(container: av.container.InputContainer, stream_number: int = 0) -> FrameSignal:
    """Decode video stream ``stream_number`` (0 = first video stream) into its event signals.

    Times are ``pts × time_base`` minus the container's start, never frame index / fps, so
    variable frame rate clips keep their real timing. Frames without a pts are skipped.
    Decoding starts where the container stands: pass a freshly opened one.
    """
    stream = container.streams.video[stream_number]
    stream.thread_type = "AUTO"
    origin_s = (container.start_time or 0) / av.time_base
    size = _small_size(stream.codec_context.width, stream.codec_context.height)

    times: list[float] = []
    rises: list[float] = []
    changes: list[float] = [0.0]
    pictures: list[np.ndarray] = []  # the last three, for the velocity change of the middle one
    for frame in container.decode(stream):
        if frame.pts is None:
            continue
        time_s = float(frame.pts * frame.time_base) - origin_s
        if times and time_s <= times[-1]:  # a repeated or out-of-order pts: keep the first
            continue
        small = frame.reformat(width=size[0], height=size[1], format="gray")
        picture = small.to_ndarray().astype(np.float32)
        rise = float(np.clip(picture - pictures[-1], 0, None).mean()) if pictures else 0.0
        times.append(time_s)
        rises.append(rise)
        pictures = [*pictures[-2:], picture]
        if len(pictures) == 3:
            dt_in, dt_out = times[-2] - times[-3], times[-1] - times[-2]
            changes.append(velocity_change(*pictures, dt_in, dt_out))
    if times:
        changes = changes[: len(times) - 1] + [0.0]
    times_s = np.asarray(times, dtype=float)
    log.debug("video stream %d: %d frames, %dx%d gray", stream_number, len(times_s), *size)
    return FrameSignal(
        times_s, np.asarray(rises, dtype=float), len(times_s), np.asarray(changes, dtype=float)
    )
