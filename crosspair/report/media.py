"""Small previews of media files: image thumbnails, video keyframe strips, audio envelopes.

Each function returns bytes or arrays (nothing is written here), so the work can run in a
worker process and the report writer alone touches the output folder. JPEG settings are
fixed, so equal inputs give equal bytes.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import soundfile as sf
from PIL import Image, ImageOps

THUMBNAIL_SIZE = (240, 240)
STRIP_HEIGHT = 90
STRIP_GAP = 4
JPEG_QUALITY = 80
ENVELOPE_COLUMNS = 1200


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=False)
    return buffer.getvalue()


def image_thumbnail(path: str | Path, size: tuple[int, int] = THUMBNAIL_SIZE) -> bytes:
    """A JPEG no larger than ``size``, upright by its EXIF orientation."""
    with Image.open(path) as image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail(size, Image.Resampling.LANCZOS)
        return _jpeg(upright)


@dataclass(frozen=True)
class KeyframeStrip:
    """A JPEG of frames side by side and the presentation time of each frame."""

    jpeg: bytes
    times_s: tuple[float, ...]


def _frame_time(frame, stream) -> float:
    if frame.pts is None:
        return float(frame.time or 0.0)
    return float(frame.pts * stream.time_base)


def keyframe_strip(path: str | Path, frames: int = 4, height: int = STRIP_HEIGHT) -> KeyframeStrip:
    """``frames`` frames evenly spread over a video (the first at or after each target time),
    scaled to ``height`` and joined left to right."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        if stream.duration:
            duration = float(stream.duration * stream.time_base)
        elif container.duration:
            duration = container.duration / av.time_base
        else:
            duration = 0.0
        targets = [start + (i + 0.5) * duration / frames for i in range(frames)]
        images, times = [], []
        for target in targets:
            container.seek(int(target / stream.time_base), stream=stream, backward=True)
            chosen = None
            for frame in container.decode(stream):
                chosen = frame
                if _frame_time(frame, stream) >= target:
                    break
            if chosen is None:
                continue
            times.append(round(_frame_time(chosen, stream), 6))
            images.append(chosen.to_image())
    if not images:
        raise ValueError(f"{path}: no video frame could be decoded")

    scaled = [
        image.resize((max(1, round(image.width * height / image.height)), height))
        for image in images
    ]
    width = sum(image.width for image in scaled) + STRIP_GAP * (len(scaled) - 1)
    strip = Image.new("RGB", (width, height), "white")
    x = 0
    for image in scaled:
        strip.paste(image, (x, 0))
        x += image.width + STRIP_GAP
    return KeyframeStrip(_jpeg(strip), tuple(times))


@dataclass(frozen=True)
class Envelope:
    """Per-column minimum and maximum of a mono mix, and the audio's duration."""

    low: np.ndarray
    high: np.ndarray
    duration_s: float


def _columns(samples: np.ndarray, per_column: int) -> tuple[np.ndarray, np.ndarray]:
    pad = (-len(samples)) % per_column
    if pad:
        samples = np.concatenate([samples, np.full(pad, samples[-1], dtype=samples.dtype)])
    shaped = samples.reshape(-1, per_column)
    return shaped.min(axis=1), shaped.max(axis=1)


def _pyav_samples(path: str | Path) -> tuple[np.ndarray, int]:
    # TODO: decodes the whole track into memory; fine for clips, heavy for hour-long files
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        chunks = [
            frame.to_ndarray().astype(np.float32).reshape(frame.layout.nb_channels, -1).mean(0)
            for frame in container.decode(stream)
        ]
        rate = stream.rate
    return (np.concatenate(chunks) if chunks else np.zeros(0, np.float32)), int(rate)


def audio_envelope(path: str | Path, columns: int = ENVELOPE_COLUMNS) -> Envelope:
    """Min/max envelope in at most ``columns`` columns, read block by block (soundfile, or
    PyAV for formats libsndfile cannot open)."""
    try:
        info = sf.info(str(path))
    except sf.LibsndfileError:
        samples, rate = _pyav_samples(path)
        if not len(samples):
            raise ValueError(f"{path}: no audio samples") from None
        per_column = max(1, math.ceil(len(samples) / columns))
        low, high = _columns(samples, per_column)
        return Envelope(low, high, len(samples) / rate)

    if info.frames <= 0:
        raise ValueError(f"{path}: no audio samples")
    per_column = max(1, math.ceil(info.frames / columns))
    lows, highs = [], []
    for block in sf.blocks(str(path), blocksize=per_column * 256, always_2d=True, dtype="float32"):
        low, high = _columns(block.mean(axis=1), per_column)
        lows.append(low)
        highs.append(high)
    return Envelope(np.concatenate(lows), np.concatenate(highs), info.frames / info.samplerate)
