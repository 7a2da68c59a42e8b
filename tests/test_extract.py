"""Audio extraction from videos: a real track, and a stream that holds no samples."""

from __future__ import annotations

import av
import numpy as np
import soundfile

from crosspair.extract import TrackRequest, extract_track, track_id


def _video(path, audio_frames: int) -> None:
    """A 2 s 64x48 MKV with a PCM audio stream carrying ``audio_frames`` 1 kHz-tone samples."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("mpeg4", rate=25)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = out.add_stream("pcm_s16le", rate=16000, layout="mono")
        for number in range(50):
            picture = np.full((48, 64, 3), number * 4, np.uint8)
            out.mux(video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
        out.mux(video.encode())
        if audio_frames:
            tone = np.sin(np.arange(audio_frames) * 2 * np.pi * 1000 / 16000) * 8000
            frame = av.AudioFrame.from_ndarray(
                tone.astype(np.int16)[None, :], format="s16", layout="mono"
            )
            frame.sample_rate = 16000
            out.mux(audio.encode(frame))
            out.mux(audio.encode())


def _request(video, tmp_path) -> TrackRequest:
    return TrackRequest(
        video_id="0123456789abcdef",
        source="clips",
        video_path=video.name,
        abs_path=str(video),
        out_path=str(tmp_path / "derived" / "audio" / "track.wav"),
        rel_out="derived/audio/track.wav",
    )


def test_audio_track_is_extracted_as_wav(tmp_path):
    video = tmp_path / "tone.mkv"
    _video(video, audio_frames=16000)
    row, reason = extract_track(_request(video, tmp_path))
    assert reason == ""
    assert row["item_id"] == track_id("clips", "tone.mkv", 0)
    assert (row["sample_rate"], row["channels"], row["frames"]) == (16000, 1, 16000)
    assert soundfile.info(tmp_path / "derived/audio/track.wav").frames == 16000


def test_audio_stream_without_packets_is_a_failed_extraction(tmp_path):
    video = tmp_path / "silent_stream.mkv"
    _video(video, audio_frames=0)
    with av.open(str(video)) as probe:
        assert len(probe.streams.audio) == 1  # the container does declare an audio stream
    row, reason = extract_track(_request(video, tmp_path))
    assert row is None
    assert reason == "audio stream 0 holds no samples (0 frames decoded)"
    assert not (tmp_path / "derived/audio/track.wav").exists()
