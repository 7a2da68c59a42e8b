"""Short video clips whose beeps start exactly on visual events: known-sync test material.

Frames are numpy arrays drawn per time step; the audio is a sine beep at each event. moviepy
writes H.264 + AAC MP4 through the ffmpeg that imageio-ffmpeg bundles. With one encoder
thread and ffmpeg's bit-exact flags, the same arguments give the same bytes.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

BITEXACT_FFMPEG_PARAMS = [
    "-fflags", "+bitexact",
    "-flags:v", "+bitexact",
    "-flags:a", "+bitexact",
]  # fmt: skip
BACKGROUND = (20, 30, 60)
BEEP_S = 0.08


def beep_track(
    events_s: Sequence[float], duration_s: float, sample_rate: int, tone_hz: float
) -> np.ndarray:
    """Float mono audio: silence with a short sine beep starting at each event time."""
    audio = np.zeros(round(duration_s * sample_rate))
    beep = np.arange(round(BEEP_S * sample_rate))
    ramp = np.minimum(1.0, np.minimum(beep, beep[::-1]) / (0.005 * sample_rate))  # no clicks
    tone = 0.5 * ramp * np.sin(2 * np.pi * tone_hz * beep / sample_rate)
    for event in events_s:
        start = round(event * sample_rate)
        stop = min(start + len(tone), len(audio))
        audio[start:stop] += tone[: stop - start]
    return audio


def write_clip(
    path: Path,
    frame_at: Callable[[float], np.ndarray],
    audio: np.ndarray,
    *,
    duration_s: float,
    fps: int,
    sample_rate: int,
) -> None:
    """Encode frames and a mono track as MP4 (libx264 + aac), reproducibly."""
    from moviepy import VideoClip
    from moviepy.audio.AudioClip import AudioArrayClip

    # moviepy 2.x hands ffmpeg a two-column array but declares one channel for a mono clip,
    # which doubles the audio's length; a stereo clip with equal channels avoids that.
    track = AudioArrayClip(np.column_stack([audio, audio]), fps=sample_rate)
    clip = VideoClip(frame_at, duration=duration_s).with_audio(track)
    with tempfile.TemporaryDirectory(prefix="crosspair-clip-") as scratch:
        clip.write_videofile(
            str(path),
            fps=fps,
            codec="libx264",
            audio_codec="aac",
            audio_fps=sample_rate,
            preset="medium",
            threads=1,
            pixel_format="yuv420p",
            ffmpeg_params=BITEXACT_FFMPEG_PARAMS,
            temp_audiofile_path=scratch,
            logger=None,
        )
    clip.close()


def flash_frames(
    events_s: Sequence[float], size: tuple[int, int], fps: int
) -> Callable[[float], np.ndarray]:
    """Dark frames that turn white for two frames from each event time on."""
    width, height = size
    held = 2 / fps

    def frame_at(t: float) -> np.ndarray:
        lit = any(event <= t + 1e-9 < event + held for event in events_s)
        frame = np.empty((height, width, 3), np.uint8)
        frame[:] = (255, 255, 255) if lit else BACKGROUND
        return frame

    return frame_at


def bounce_frames(period_s: float, size: tuple[int, int]) -> Callable[[float], np.ndarray]:
    """A ball crossing the frame, touching a side wall every ``period_s / 2`` seconds."""
    width, height = size
    radius = height // 8
    yy, xx = np.mgrid[0:height, 0:width]

    def frame_at(t: float) -> np.ndarray:
        phase = (t / period_s) % 1.0
        travel = 2 * phase if phase < 0.5 else 2 - 2 * phase  # 0 at the left wall, 1 at right
        cx = radius + travel * (width - 2 * radius - 1)
        frame = np.empty((height, width, 3), np.uint8)
        frame[:] = BACKGROUND
        frame[(xx - cx) ** 2 + (yy - height / 2) ** 2 <= radius**2] = (240, 180, 40)
        return frame

    return frame_at


def srt(cues: Sequence[tuple[float, float, str]]) -> str:
    """SubRip text for (start_s, end_s, text) cues."""

    def stamp(seconds: float) -> str:
        ms = round(seconds * 1000)
        return (
            f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"
        )

    blocks = [
        f"{n}\n{stamp(start)} --> {stamp(end)}\n{text}\n"
        for n, (start, end, text) in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)
