"""Fixtures of the sync tests: the demo's flash and bounce clips (true offset 0), real clips."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from crosspair.demo import BOUNCE_PERIOD_S, CLIP_FPS, CLIP_SIZE, FLASHES_S, SPEECH_RATE
from crosspair.synth.clips import beep_track, bounce_frames, flash_frames, write_clip

VIDEO_AUDIO = Path(__file__).resolve().parents[3] / "shared" / "data" / "video_audio"
FRAME_S = 1 / CLIP_FPS
BOUNCE_TURNS_S = [0.5, 1.0, 1.5]  # as crosspair.demo makes it; 0.5 and 1.5 fall between frames


@pytest.fixture(scope="session")
def flash_clip(tmp_path_factory) -> Path:
    """The demo's flash.mp4: white frames and 1 kHz beeps starting together (offset 0)."""
    path = tmp_path_factory.mktemp("sync") / "flash.mp4"
    audio = beep_track(FLASHES_S, 3.0, SPEECH_RATE, 1000.0)
    frames = flash_frames(FLASHES_S, CLIP_SIZE, CLIP_FPS)
    write_clip(path, frames, audio, duration_s=3.0, fps=CLIP_FPS, sample_rate=SPEECH_RATE)
    return path


@pytest.fixture(scope="session")
def bounce_clip(tmp_path_factory) -> Path:
    """The demo's bounce.mp4: a ball that turns at a wall every 0.5 s, a beep at each turn."""
    path = tmp_path_factory.mktemp("sync") / "bounce.mp4"
    audio = beep_track(BOUNCE_TURNS_S, 2.0, SPEECH_RATE, 660.0)
    frames = bounce_frames(BOUNCE_PERIOD_S, CLIP_SIZE)
    write_clip(path, frames, audio, duration_s=2.0, fps=CLIP_FPS, sample_rate=SPEECH_RATE)
    return path


@pytest.fixture(scope="session")
def video_audio() -> Path:
    """The shared real clips (../shared/data/video_audio next to the repository)."""
    if not VIDEO_AUDIO.is_dir():
        pytest.skip(f"real test data not found at {VIDEO_AUDIO}")
    return VIDEO_AUDIO


def ffmpeg(*args: str) -> None:
    """Run the ffmpeg that imageio-ffmpeg ships, quietly; fail the test on error."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y", *args]
    subprocess.run(command, check=True)
