"""Known-offset test material: a video's own track moved by a set time, as a file or re-muxed.

The track is decoded on the container timeline (so a stream that starts late keeps its
delay), moved by ``shift_s`` (positive: the sound comes later), cut or padded with silence
back to its length, and written as 16-bit PCM. Used by the sync tests and benchmark.

>>> write_shifted_track("clip.mp4", "late.wav", 0.3)           # doctest: +SKIP
>>> remux_with_track("clip.mp4", "late.wav", "late.mkv")       # doctest: +SKIP
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import av
import imageio_ffmpeg
import numpy as np
import soundfile

from crosspair.sync.onsets import decode_track

log = logging.getLogger(__name__)


def shifted(samples: np.ndarray, sample_rate: int, shift_s: float) -> np.ndarray:
    """``samples`` delayed by ``shift_s`` (advanced when negative), same length."""
    n = round(shift_s * sample_rate)
    out = np.zeros_like(samples)
    if n >= 0:
        out[n:] = samples[: max(0, len(samples) - n)]
    else:
        out[: len(samples) + n] = samples[-n:]
    return out


def write_shifted_track(
    video_path: str | Path, out_wav: str | Path, shift_s: float, audio_stream: int = 0
) -> Path:
    """Write audio stream ``audio_stream`` of a video, moved by ``shift_s``, as a mono WAV.

    The WAV starts at the container's zero: the track's own start is written as silence.
    """
    with av.open(str(video_path)) as container:
        track = decode_track(container, audio_stream)
    lead = round(track.start_s * track.sample_rate)
    samples = track.samples
    if lead > 0:
        samples = np.concatenate([np.zeros(lead, samples.dtype), samples])
    elif lead < 0:
        samples = samples[-lead:]
    out = Path(out_wav)
    soundfile.write(out, shifted(samples, track.sample_rate, shift_s), track.sample_rate, "PCM_16")
    return out


def remux_with_track(video_path: str | Path, wav_path: str | Path, out_path: str | Path) -> Path:
    """Copy the first video stream and put ``wav_path`` beside it as PCM (use an .mkv name)."""
    out = Path(out_path)
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        *("-nostdin", "-v", "error", "-y"),
        *("-i", str(video_path), "-i", str(wav_path)),
        *("-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "pcm_s16le"),
        str(out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg could not re-mux {video_path} with {wav_path}: {done.stderr}")
    log.debug("re-muxed %s with %s into %s", video_path, wav_path, out)
    return out
