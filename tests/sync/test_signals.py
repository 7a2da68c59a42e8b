"""The two signals on their timelines: frame pts, audio start times, onset peaks."""

from __future__ import annotations

import av
import numpy as np
import pytest
from scipy.signal import find_peaks

from crosspair.demo import FLASHES_S
from crosspair.sync.onsets import AudioTrack, decode_track, onset_envelope
from crosspair.sync.visual import frame_signal
from crosspair.synth.clips import beep_track


def test_onsets_of_beeps_are_at_the_beeps():
    samples = beep_track(FLASHES_S, 3.0, 16_000, 1000.0).astype(np.float32)
    times, strength = onset_envelope(AudioTrack(samples, 16_000, 0.5), hop_s=0.005)
    peaks, _ = find_peaks(strength, height=0.5 * strength.max())
    onsets = times[peaks][strength[peaks] > 0.9 * strength.max()]
    assert onsets == pytest.approx(np.array(FLASHES_S) + 0.5, abs=0.005)


def test_streams_keep_their_own_start(video_audio):
    """Big Buck Bunny: first video frame and first decoded Vorbis frame both at 3 ms."""
    clip = str(video_audio / "big_buck_bunny_0_30.webm")
    with av.open(clip) as container:
        track = decode_track(container)
    with av.open(clip) as container:
        assert next(container.decode(video=0)).time == pytest.approx(0.003)
    assert track.sample_rate == 44_100
    assert track.start_s == pytest.approx(0.003)  # ffmpeg's ashowinfo: 132 / 44100 s
    assert track.samples.size == pytest.approx(30 * 44_100, rel=0.01)


def test_external_mp3_starts_at_its_container_start(video_audio):
    """The mp3's first pts is its 1105-sample encoder delay, which is also its start time."""
    with av.open(str(video_audio / "nasa_13013.mp4.audio.mp3")) as container:
        first_pts = next(container.decode(audio=0)).time
        container.seek(0)
        track = decode_track(container)
    assert first_pts == pytest.approx(1105 / 8000)
    assert track.start_s == 0.0 and track.sample_rate == 8000


def test_nasa_video_streams_at_their_own_rates(video_audio):
    clip = str(video_audio / "nasa_13013.mp4")
    with av.open(clip) as container:
        first = frame_signal(container, 0)
    with av.open(clip) as container:
        second = frame_signal(container, 1)
    assert (first.n_frames, second.n_frames) == (325, 390)
    assert first.frame_duration_s == pytest.approx(0.04)
    assert second.frame_duration_s == pytest.approx(1001 / 30000)
