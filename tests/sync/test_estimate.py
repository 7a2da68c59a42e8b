"""estimate_offset on the demo's flash/beep clip, shifted copies of it, and the real clips."""

from __future__ import annotations

import math

import av
import numpy as np
import pytest
import soundfile

from crosspair.demo import CLIP_FPS, CLIP_SIZE, FLASHES_S, SPEECH_RATE
from crosspair.sync import estimate_offset
from crosspair.sync.estimate import MIN_CONFIDENCE
from crosspair.sync.shift import remux_with_track, write_shifted_track
from crosspair.sync.visual import frame_signal
from crosspair.synth.clips import BACKGROUND, beep_track, flash_frames, write_clip

from .conftest import FRAME_S, ffmpeg

SHIFTS_S = [-0.4, -0.12, 0.08, 0.3]


def test_demo_clip_is_in_sync(flash_clip):
    est = estimate_offset(flash_clip)
    assert abs(est.offset_s) < FRAME_S
    assert est.reason == "" and est.reliable
    assert est.confidence >= MIN_CONFIDENCE
    assert (est.fps, est.n_frames) == (pytest.approx(25.0), 75)
    assert est.frame_duration_s == pytest.approx(FRAME_S)


@pytest.mark.parametrize("shift_s", SHIFTS_S)
def test_shifted_audio_remuxed_gives_the_shift_back(flash_clip, tmp_path, shift_s):
    """Samples moved with numpy, written with soundfile, re-muxed beside the copied video."""
    wav = write_shifted_track(flash_clip, tmp_path / "shifted.wav", shift_s)
    est = estimate_offset(remux_with_track(flash_clip, wav, tmp_path / "shifted.mkv"))
    assert est.offset_s == pytest.approx(shift_s, abs=FRAME_S)
    assert est.reliable


@pytest.mark.parametrize("shift_s", [-0.253, 0.137])
def test_shifted_external_file_off_the_grid(flash_clip, tmp_path, shift_s):
    """Shifts between grid steps come back through the parabolic refinement."""
    wav = write_shifted_track(flash_clip, tmp_path / "shifted.wav", shift_s)
    est = estimate_offset(flash_clip, wav)
    assert est.offset_s == pytest.approx(shift_s, abs=0.005)


@pytest.mark.parametrize("start_s", [0.3, -0.2])
def test_stream_start_times_are_honoured(flash_clip, tmp_path, start_s):
    """The same audio packets, only their stream starting later/earlier than the video."""
    out = tmp_path / "late.mkv"
    ffmpeg("-i", str(flash_clip), "-itsoffset", str(start_s), "-i", str(flash_clip),
           *("-map", "0:v", "-map", "1:a", "-c", "copy"), str(out))  # fmt: skip
    est = estimate_offset(out)
    assert est.offset_s == pytest.approx(start_s, abs=FRAME_S)


def test_variable_frame_rate_uses_real_timestamps(flash_clip, tmp_path):
    """A 0.44 s hole before the first flash: frame index / fps would put it at 0.08 s."""
    vfr = tmp_path / "vfr.mp4"
    ffmpeg("-i", str(flash_clip), "-vf", r"select=not(between(n\,1\,10))",
           *("-fps_mode", "passthrough", "-c:v", "libx264", "-c:a", "copy"), str(vfr))  # fmt: skip
    with av.open(str(vfr)) as container:
        signal = frame_signal(container)
    assert signal.n_frames == 65
    assert signal.times_s[:3] == pytest.approx([0.0, 0.44, 0.48])
    assert signal.values[2] == signal.values.max()  # the first flash, at its real time

    est = estimate_offset(vfr)
    assert abs(est.offset_s) < FRAME_S and est.reliable


def test_bounce_clip_is_in_sync_but_periodic(bounce_clip):
    """Sounds where the ball turns, not where it moves most: the estimate is 0 to a frame.

    The turns come every 0.5 s, so ±0.5 s correlate almost as well, and the estimate says so.
    """
    est = estimate_offset(bounce_clip)
    assert abs(est.offset_s) < FRAME_S / 4
    assert est.confidence < MIN_CONFIDENCE and est.reason.startswith("flat correlation")


@pytest.mark.parametrize("shift_s", [-0.3, 0.2])
def test_shifted_bounce_gives_the_shift_back(bounce_clip, tmp_path, shift_s):
    wav = write_shifted_track(bounce_clip, tmp_path / "shifted.wav", shift_s)
    est = estimate_offset(remux_with_track(bounce_clip, wav, tmp_path / "shifted.mkv"))
    assert est.offset_s == pytest.approx(shift_s, abs=FRAME_S / 4)


def _turning_ball(turns_s: list[float], size: tuple[int, int], duration_s: float):
    """A ball gliding from wall to wall at a steady speed, turning at each of ``turns_s``."""
    width, height = size
    radius = height // 8
    knots = np.array([0.0, *turns_s, duration_s])
    walls = np.array([radius + (width - 2 * radius - 1) * (i % 2) for i in range(len(knots))])
    yy, xx = np.mgrid[0:height, 0:width]

    def frame_at(t: float) -> np.ndarray:
        frame = np.empty((height, width, 3), np.uint8)
        frame[:] = BACKGROUND
        centre = np.interp(t, knots, walls)
        frame[(xx - centre) ** 2 + (yy - height / 2) ** 2 <= radius**2] = (240, 180, 40)
        return frame

    return frame_at


@pytest.mark.parametrize("shift_s", [0.0, -0.3, 0.17])
def test_irregular_turns_give_the_shift_back(tmp_path, shift_s):
    """Turns at uneven times (no period to confuse) and a steady brightness: motion alone."""
    turns = [0.44, 1.16, 1.6, 2.36]
    clip = tmp_path / "turns.mp4"
    audio = beep_track(turns, 3.0, SPEECH_RATE, 660.0)
    frames = _turning_ball(turns, CLIP_SIZE, 3.0)
    write_clip(clip, frames, audio, duration_s=3.0, fps=CLIP_FPS, sample_rate=SPEECH_RATE)
    est = estimate_offset(clip, write_shifted_track(clip, tmp_path / "shifted.wav", shift_s))
    assert est.offset_s == pytest.approx(shift_s, abs=0.005)


def test_fire2_variable_frame_rate(video_audio):
    est = estimate_offset(video_audio / "fire2.mp4")
    assert math.isfinite(est.offset_s) and abs(est.offset_s) <= 1.0
    assert est.n_frames == 25
    assert est.fps == pytest.approx(10.53, abs=0.01)  # 24 intervals over 2.28 s of pts
    assert est.frame_duration_s == pytest.approx(0.1, abs=0.001)  # median of 80-100 ms gaps
    assert est.reason.startswith("flat correlation")  # fire noise, no visual/audio events


def test_nasa_second_audio_stream_and_external_mp3(video_audio):
    """Same narration three ways: stream 0 (8 kHz), stream 1 (16 kHz), the exported mp3."""
    clip = video_audio / "nasa_13013.mp4"
    first = estimate_offset(clip)
    second = estimate_offset(clip, audio_stream=1)
    mp3 = estimate_offset(clip, video_audio / "nasa_13013.mp4.audio.mp3")
    assert first.n_frames == second.n_frames == 325
    # the mp3's first packet pts is 0.138 s (encoder delay), yet its samples start at 0: the
    # file's own container start is its zero, so it agrees with the stream it came from
    assert mp3.offset_s == pytest.approx(first.offset_s, abs=0.002)
    assert second.offset_s == pytest.approx(first.offset_s, abs=FRAME_S)
    # voice-over on footage: there is nothing to sync, and the estimate says so
    assert all(e.reason.startswith("flat correlation") for e in (first, second, mp3))

    other_video = estimate_offset(clip, video_stream=1, audio_stream=1)
    assert (other_video.n_frames, other_video.fps) == (390, pytest.approx(29.97, abs=0.01))


def test_missing_streams_give_a_reason(video_audio):
    popeye = estimate_offset(video_audio / "popeye_T00-1_noaudio.mkv")
    assert popeye.reason == "no audio stream 0 in the video (has none)"
    assert math.isnan(popeye.offset_s) and popeye.confidence == 0.0
    assert popeye.fps == pytest.approx(29.97, abs=0.01) and not popeye.reliable

    third = estimate_offset(video_audio / "nasa_13013.mp4", audio_stream=2)
    assert third.reason == "no audio stream 2 in the video (has 2 audio streams)"


def test_silent_audio(video_audio, flash_clip, tmp_path):
    """A real clip whose Opus track is digital silence, and the demo clip with a mute file."""
    real = estimate_offset(video_audio / "no_duration.webm")
    assert real.reason.startswith("silent audio") and real.confidence == 0.0

    mute = tmp_path / "mute.wav"
    soundfile.write(mute, np.zeros(48_000), 16_000)
    est = estimate_offset(flash_clip, mute)
    assert est.reason.startswith("silent audio") and math.isnan(est.offset_s)


def test_still_picture_has_no_motion(tmp_path):
    still = tmp_path / "still.mp4"
    audio = beep_track(FLASHES_S, 2.0, SPEECH_RATE, 1000.0)
    frames = flash_frames([], CLIP_SIZE, CLIP_FPS)  # never flashes
    write_clip(still, frames, audio, duration_s=2.0, fps=CLIP_FPS, sample_rate=SPEECH_RATE)
    est = estimate_offset(still)
    assert est.reason == "no motion: the picture barely changes" and est.n_frames == 50


def test_noise_gives_low_confidence(flash_clip, tmp_path):
    """Steady noise has no onsets that line up with the flashes."""
    noisy = tmp_path / "noise.wav"
    soundfile.write(noisy, 0.1 * np.random.default_rng(7).standard_normal(48_000), 16_000)
    est = estimate_offset(flash_clip, noisy)
    assert est.confidence < MIN_CONFIDENCE and est.reason.startswith("flat correlation")


def test_max_lag_must_be_positive(flash_clip):
    with pytest.raises(ValueError, match="max_lag_s"):
        estimate_offset(flash_clip, max_lag_s=0)


@pytest.mark.parametrize("rate", [100, 121])
def test_audio_sampled_too_slowly_gives_a_reason(flash_clip, tmp_path, rate):
    """No FFT bin lies between 60 Hz and Nyquist (at 121 Hz the 16-bin frame's last is 60.5)."""
    slow = tmp_path / "slow.wav"
    soundfile.write(slow, 0.5 * np.random.default_rng(3).standard_normal(3 * rate), rate)
    est = estimate_offset(flash_clip, slow)
    assert est.reason == f"audio rate too low ({rate} Hz): no band above 60 Hz"
    assert math.isnan(est.offset_s) and est.confidence == 0.0 and not est.reliable
