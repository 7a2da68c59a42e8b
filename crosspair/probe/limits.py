"""The knobs of the probe step, passed to every per-modality probe."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProbeLimits:
    """Limits and tolerances of the probes; frozen so it pickles to pool workers unchanged.

    ``max_image_pixels`` matches Pillow's own default: an image with more pixels is a
    ``decompression_bomb``. ``wav_header_tolerance_bytes`` is how many bytes a WAV data chunk
    may claim beyond the end of the file before it is a ``header_mismatch``.
    ``fps_jitter_tolerance`` is the spread of a video's frame intervals, relative to the
    median interval and beyond one tick of timestamp rounding, that makes it ``variable``.
    ``duration_tolerance_s`` is how far the packets or samples of a video, or of an audio file
    read by ffmpeg, may fall short of the duration the file states before it is ``truncated``.
    ``audio_block_frames`` is the block size used to decode audio to its end.
    """

    max_image_pixels: int = 89_478_485
    wav_header_tolerance_bytes: int = 4096
    fps_jitter_tolerance: float = 0.02
    duration_tolerance_s: float = 0.5
    audio_block_frames: int = 1 << 16
    max_detail_chars: int = 500
