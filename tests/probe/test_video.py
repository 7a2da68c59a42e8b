"""Video probe on the real clips (VFR, no duration, no audio, multi-stream) and broken files."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from crosspair.ids import sha256_file
from crosspair.probe import DEFAULT_LIMITS, ProbeLimits, probe

from .conftest import check_reject, check_row, make_candidate

VIDEO = "video_audio"


def _lavfi(ffmpeg, source, *args):
    """Run ffmpeg on a generated source (test pattern or tone); the last arg is the output."""
    command = ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, *args]
    subprocess.run([ffmpeg, *command], check=True)
    return args[-1]


def _row(path, limits=DEFAULT_LIMITS):
    row, reject = probe(make_candidate("video", path), limits)
    assert reject is None, reject
    return check_row("video", row)


def test_fire2_is_variable_frame_rate(data):
    row = _row(data / VIDEO / "fire2.mp4")
    assert row["fps_mode"] == "variable"  # frame intervals run from 80 to 100 ms
    assert row["fps"] == pytest.approx(10.505, abs=0.01)
    assert (row["width"], row["height"]) == (1280, 720)
    assert (row["audio_sample_rate"], row["audio_channels"]) == (48000, 1)
    assert row["duration_s"] == pytest.approx(2.3798, abs=1e-3)
    assert row["duration_from"] == "container"


def test_big_buck_bunny_small_is_25_fps_constant_with_51_audio(data):
    path = data / VIDEO / "big_buck_bunny_small.mp4"
    row = _row(path)
    assert row["format"] == "mov,mp4,m4a,3gp,3g2,mj2"
    assert (row["fps"], row["fps_mode"]) == (25.0, "constant")
    assert (row["width"], row["height"]) == (320, 240)  # stored size; SAR 4:3 makes it 16:9
    assert row["has_audio"] is True
    assert (row["audio_sample_rate"], row["audio_channels"]) == (48000, 6)
    assert row["duration_s"] == pytest.approx(5.312)
    assert row["sha256"] == sha256_file(path)


def test_popeye_without_audio_is_still_catalogued(data):
    row = _row(data / VIDEO / "popeye_T00-1_noaudio.mkv")
    assert row["has_audio"] is False
    assert row["audio_streams"] == 0
    assert row["audio_sample_rate"] is None and row["audio_channels"] is None
    assert row["audio_start_s"] is None
    assert row["subtitle_streams"] == 1  # DVD bitmap subtitles
    assert (row["width"], row["height"]) == (720, 478)
    assert row["fps"] == pytest.approx(29.97, abs=0.01)
    assert row["fps_mode"] == "constant"  # 33/34 ms Matroska rounding is not jitter
    # the container's 64.988 s is the subtitle track's; the last video frame ends at 60.06 s
    assert row["duration_s"] == pytest.approx(64.988)


def test_no_duration_webm_gets_its_duration_from_the_packets(data):
    row = _row(data / VIDEO / "no_duration.webm")
    assert row["duration_from"] == "decoded"
    assert row["duration_s"] == pytest.approx(4.938, abs=1e-3)
    assert row["fps"] == pytest.approx(14.985, abs=0.01)
    assert row["fps_mode"] == "variable"  # its frame intervals run from 62 to 72 ms
    assert row["audio_start_s"] == pytest.approx(0.015)
    assert row["video_start_s"] == 0.0


def test_nasa_has_two_of_each_stream_and_the_first_ones_are_described(data):
    row = _row(data / VIDEO / "nasa_13013.mp4")
    assert (row["video_streams"], row["audio_streams"], row["subtitle_streams"]) == (2, 2, 2)
    assert (row["width"], row["height"], row["fps"]) == (320, 180, 25.0)
    assert (row["audio_sample_rate"], row["audio_channels"]) == (8000, 2)
    assert row["duration_s"] == pytest.approx(13.056)


def test_big_buck_bunny_webm_starts_video_3_ms_after_audio(data):
    row = _row(data / VIDEO / "big_buck_bunny_0_30.webm")
    assert row["video_start_s"] == pytest.approx(0.003)
    assert row["audio_start_s"] == 0.0
    assert (row["fps"], row["fps_mode"]) == (24.0, "constant")
    assert (row["audio_sample_rate"], row["audio_channels"]) == (44100, 2)
    assert row["duration_s"] == pytest.approx(30.003)


def test_jitter_tolerance_comes_from_probe_limits(data):
    path = data / VIDEO / "fire2.mp4"
    assert _row(path, ProbeLimits(fps_jitter_tolerance=0.5))["fps_mode"] == "constant"


def test_garbage_mp4_is_corrupt(tmp_path):
    path = tmp_path / "garbage.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypisom" + np.arange(4000, dtype=np.uint32).tobytes())
    row, reject = probe(make_candidate("video", path))
    assert "garbage.mp4" in check_reject(reject, "corrupt")["detail"]


def test_webm_cut_in_half_is_truncated(data, tmp_path):
    whole = (data / VIDEO / "big_buck_bunny_0_30.webm").read_bytes()
    path = tmp_path / "half.webm"
    path.write_bytes(whole[: len(whole) // 2])
    detail = check_reject(probe(make_candidate("video", path))[1], "truncated")["detail"]
    assert "states 30.003 s" in detail


def test_audio_only_file_is_unsupported_as_video(data):
    path = data / "speech_text" / "audio" / "common_voice_en_22058264.mp3"
    check_reject(probe(make_candidate("video", path))[1], "unsupported_format")


def test_silent_constant_rate_clip_made_by_ffmpeg(ffmpeg, tmp_path):
    path = _lavfi(
        ffmpeg, "testsrc=size=64x48:rate=30:duration=1", "-c:v", "mpeg4", tmp_path / "bars.mp4"
    )
    row = _row(path)
    assert (row["width"], row["height"], row["fps"], row["fps_mode"]) == (64, 48, 30.0, "constant")
    assert row["has_audio"] is False and row["audio_streams"] == 0
    assert row["duration_s"] == pytest.approx(1.0, abs=0.05)


def test_mp3_with_cover_art_is_not_a_video(ffmpeg, data, tmp_path):
    tone = tmp_path / "tone.mp3"
    _lavfi(ffmpeg, "sine=duration=1", "-c:a", "libmp3lame", tone)
    path = tmp_path / "with_cover.mp3"
    cover = data / "image_text" / "images" / "000000062554.jpg"
    subprocess.run(
        [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-i", tone, "-i", cover]
        + ["-map", "0", "-map", "1", "-c", "copy", "-disposition:v", "attached_pic", path],
        check=True,
    )
    check_reject(probe(make_candidate("video", path))[1], "unsupported_format")


def test_jpeg_renamed_mp4_is_a_still_image_not_a_video(data, tmp_path):
    path = tmp_path / "photo.mp4"
    path.write_bytes((data / "image_text" / "images" / "000000062554.jpg").read_bytes())
    reject = check_reject(probe(make_candidate("video", path))[1], "unsupported_format")
    assert reject["detail"] == "photo.mp4: a still image (jpeg_pipe), not a video"


def test_one_png_frame_in_matroska_is_a_still_image(ffmpeg, tmp_path):
    path = _lavfi(ffmpeg, "testsrc=size=64x48", "-frames:v", "1", "-c:v", "png", tmp_path / "p.mkv")
    reject = check_reject(probe(make_candidate("video", path))[1], "unsupported_format")
    assert reject["detail"] == "p.mkv: a still image (one png frame), not a video"
