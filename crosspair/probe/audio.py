"""Audio probe: format, subtype, rate, channels and a frame count checked by decoding to the end.

libsndfile reads WAV, FLAC, OGG and MP3; anything else (AAC, Opus in WebM, ...) goes to
ffmpeg through PyAV. Decoding every block is what turns a cut-off compressed file into
``truncated`` instead of a wrong duration taken from its header, and what finds the NaN or
infinite samples that make a float file ``corrupt``.
"""

from __future__ import annotations

import logging

import av
import numpy as np
import soundfile

from crosspair.items import Candidate, Rejected
from crosspair.probe.files import file_base
from crosspair.probe.limits import ProbeLimits
from crosspair.probe.wav_header import check_wav_data_chunk

log = logging.getLogger(__name__)

# MP3 without a Xing/LAME frame count has only an estimated length; decoders also differ by
# encoder delay and padding, so up to two MPEG frames short is not a cut file
_HEADER_SLACK_FRAMES = {"MP3": 2 * 1152}


def probe_audio(candidate: Candidate, limits: ProbeLimits) -> dict:
    """Catalog row of an audio file; ``Rejected`` for header mismatches and truncation."""
    path = candidate.abs_path
    check_wav_data_chunk(path, limits.wav_header_tolerance_bytes)
    try:
        info = soundfile.info(path)
    except soundfile.LibsndfileError as sndfile_error:
        log.debug("audio %s: libsndfile cannot read it (%s); trying ffmpeg", path, sndfile_error)
        row = _probe_with_ffmpeg(path, sndfile_error, limits)
    else:
        slack = _HEADER_SLACK_FRAMES.get(info.format, 0)
        frames = _decoded_frames(path, info.frames, slack, limits.audio_block_frames)
        if frames:
            row = {
                "format": str(info.format),
                "subtype": str(info.subtype),
                "sample_rate": int(info.samplerate),
                "channels": int(info.channels),
                "frames": frames,
                "duration_s": frames / float(info.samplerate),
            }
        else:  # libsndfile finds nothing in some damaged Ogg files; ffmpeg judges them
            row = _probe_with_ffmpeg(path, "libsndfile decoded 0 frames", limits)
    return {**file_base(candidate), **row}


def _decoded_frames(path: str, header_frames: int, slack: int, block: int) -> int:
    """Frames actually decodable; fewer than the header promises means the file is cut short.

    Samples that are NaN or infinite make the file ``corrupt``.
    """
    decoded = non_finite = 0
    with soundfile.SoundFile(path) as sound:
        try:
            while len(samples := sound.read(block, dtype="float32")):
                decoded += len(samples)
                non_finite += int(np.count_nonzero(~np.isfinite(samples)))
        except soundfile.LibsndfileError as exc:
            if decoded == 0:
                raise
            raise Rejected(
                "truncated", f"decoding stopped after {decoded} of {header_frames} frames: {exc}"
            ) from exc
    if non_finite:  # only float subtypes can hold them; every later step would misread them
        raise Rejected(
            "corrupt",
            f"{non_finite} samples are not finite (NaN or inf); re-export the audio from its "
            "source, or replace those samples with zeros",
        )
    if header_frames - decoded > slack:
        raise Rejected("truncated", f"decoded {decoded} of the {header_frames} frames announced")
    if decoded != header_frames:
        log.debug("audio %s: header says %d frames, decoded %d", path, header_frames, decoded)
    return decoded


def _probe_with_ffmpeg(path: str, sndfile_error, limits: ProbeLimits) -> dict:
    """Columns for a file only ffmpeg reads; format and subtype are its demuxer and codec."""
    try:
        container = av.open(path)
    except av.error.EOFError as exc:
        raise Rejected("truncated", f"the file ends inside its headers ({exc})") from exc
    except av.error.FFmpegError as exc:
        raise Rejected(
            "corrupt", f"neither libsndfile ({sndfile_error}) nor ffmpeg ({exc}) can read it"
        ) from exc

    with container:
        if not container.streams.audio:
            raise Rejected("unsupported_format", f"{container.format.name} file has no audio")
        stream = container.streams.audio[0]
        sample_rate = int(stream.codec_context.sample_rate or 0)
        channels = int(stream.codec_context.channels or 0)
        frames = 0
        try:
            for frame in container.decode(stream):
                frames += frame.samples
        except av.error.FFmpegError as exc:
            if frames == 0:
                raise
            raise Rejected("truncated", f"decoding stopped after {frames} frames: {exc}") from exc
        if sample_rate <= 0 or channels <= 0:
            raise Rejected(
                "corrupt", f"no sample rate or channel count ({sample_rate}, {channels})"
            )
        if frames == 0:
            raise Rejected("empty_file", "the audio stream holds no decodable samples")
        _check_complete(container, stream, frames / float(sample_rate), limits.duration_tolerance_s)
        return {
            "format": container.format.name.split(",")[0].upper(),
            "subtype": stream.codec_context.name.upper(),
            "sample_rate": sample_rate,
            "channels": channels,
            "frames": int(frames),
            "duration_s": frames / float(sample_rate),
        }


def _check_complete(container, stream, decoded_s: float, tolerance_s: float) -> None:
    """``truncated`` when ffmpeg decodes well under the duration the stream or file states."""
    if stream.duration and stream.time_base is not None:
        stated_s = float(stream.duration * stream.time_base)
    elif container.duration:
        stated_s = container.duration / av.time_base
    else:
        return
    if stated_s - decoded_s > tolerance_s:
        raise Rejected(
            "truncated", f"the file states {stated_s:.3f} s but only {decoded_s:.3f} s decode"
        )
