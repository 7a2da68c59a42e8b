"""Audio tracks pulled out of video containers, so a video ↔ audio pair has two files."""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import soundfile

from crosspair.ids import item_id, sha256_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrackRequest:
    """Extract audio stream ``stream_index`` (0 = first audio stream) of a video to ``out``."""

    video_id: str
    source: str
    video_path: str
    abs_path: str
    out_path: str
    rel_out: str
    stream_index: int = 0


def track_id(source: str, video_path: str, stream_index: int) -> str:
    """Stable id of an extracted track: video path plus stream number."""
    return item_id(source, video_path, f"audio-stream:{stream_index}")


def extract_track(request: TrackRequest) -> tuple[dict | None, str]:
    """Write the track as 16-bit PCM WAV (bit-exact, so reruns give the same bytes).

    Returns (row of the extracted-audio table, "") or (None, reason); a stream that decodes to
    zero frames is a failure too, and its empty WAV is deleted.
    """
    out = Path(request.out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-i",
        request.abs_path,
        "-map",
        f"0:a:{request.stream_index}",
        "-vn",
        "-c:a",
        "pcm_s16le",
        "-fflags",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-map_metadata",
        "-1",
        str(out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        out.unlink(missing_ok=True)
        reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output"
        log.warning("no audio extracted from %s: %s", request.abs_path, reason)
        return None, f"ffmpeg could not extract audio stream {request.stream_index}: {reason}"
    info = soundfile.info(str(out))
    if info.frames == 0:  # an audio stream without packets; a 0-frame track is no track
        out.unlink()
        reason = f"audio stream {request.stream_index} holds no samples (0 frames decoded)"
        log.warning("no audio extracted from %s: %s", request.abs_path, reason)
        return None, reason
    row = {
        "item_id": track_id(request.source, request.video_path, request.stream_index),
        "video_id": request.video_id,
        "source": request.source,
        "path": request.rel_out,
        "stream_index": request.stream_index,
        "sample_rate": int(info.samplerate),
        "channels": int(info.channels),
        "frames": int(info.frames),
        "sha256": sha256_file(out),
    }
    return row, ""
