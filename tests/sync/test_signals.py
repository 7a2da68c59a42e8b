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


def test_onset_envelope_does_not_depend_on_where_the_track_starts():
    """The same sound, once from 0 s and once after 3 ms more silence: the same envelope."""
    samples = beep_track(FLASHES_S, 3.0, 16_000, 1000.0).astype(np.float32)
    lead = np.zeros(48, np.float32)
    times, strength = onset_envelope(AudioTrack(samples, 16_000, 0.0), hop_s=0.01)
    late_times, late = onset_envelope(AudioTrack(np.r_[lead, samples], 16_000, -0.003), 0.01)
    assert times == pytest.approx((np.arange(len(times)) + 1.5) * 0.01)  # half-hop grid
    assert late_times[: len(times)] == pytest.approx(times)
    assert late[1 : len(times)] == pytest.approx(strength[1:], abs=1e-6)


def test_velocity_change_peaks_where_the_ball_turns(bounce_clip):
    """Steady motion reads low; turns on a frame (1.0 s) or between two (0.5, 1.5 s) read high."""
    with av.open(str(bounce_clip)) as container:
        signal = frame_signal(container)
    change = signal.motion_change
    assert change[0] == change[-1] == 0.0 and change.size == signal.n_frames == 50

    turns = [int(np.argmin(np.abs(signal.times_s - t))) for t in (0.48, 0.52, 1.0, 1.48, 1.52)]
    steady = np.delete(change[2:-1], np.array(turns) - 2)  # frame 1 still sees the start
    assert signal.times_s[np.argmax(change)] == pytest.approx(1.0)
    assert change[turns].min() > 4 * np.median(steady)
    assert np.median(steady) < 0.15 * change.max()


def test_onset_envelope_is_the_same_bits_on_one_blas_thread(video_audio):
    """A Dask worker runs BLAS on one thread; the envelope must not change with that."""
    from threadpoolctl import threadpool_limits

    with av.open(str(video_audio / "big_buck_bunny_0_30.webm")) as container:
        track = decode_track(container)
    times, strength = onset_envelope(track, hop_s=0.01)
    with threadpool_limits(limits=1):
        one_times, one_strength = onset_envelope(track, hop_s=0.01)
    assert strength.size > 2000 and strength.max() > 0
    assert np.array_equal(times, one_times)
    assert np.array_equal(strength, one_strength)


@pytest.mark.parametrize(("rate", "too_slow"), [(0, True), (100, True), (130, True), (200, False)])
def test_tracks_with_no_onset_band_have_an_empty_envelope(rate, too_slow):
    """At 130 Hz the 16-sample frame's bins stop at 56.9 Hz below Nyquist: none above 60 Hz."""
    noise = np.random.default_rng(5).standard_normal(3 * max(rate, 1)).astype(np.float32)
    track = AudioTrack(np.clip(0.3 * noise, -1, 1), rate, 0.0)
    assert track.too_slow is too_slow
    if too_slow:
        assert onset_envelope(track, hop_s=0.05)[1].size == 0
