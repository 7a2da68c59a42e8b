"""Audio probe on the real speech clips and on broken or unusual files built for the test."""

from __future__ import annotations

import json
import struct
import subprocess

import numpy as np
import pytest
import soundfile

from crosspair.ids import sha256_file
from crosspair.items import Rejected
from crosspair.probe import probe
from crosspair.probe.wav_header import check_wav_data_chunk

from .conftest import check_reject, check_row, make_candidate

AUDIO = "speech_text/audio"
_QUIET_LAVFI = ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"]


def _probe(path):
    return probe(make_candidate("audio", path))


def test_ljspeech_wav_is_22050_hz_mono_pcm16(data):
    path = data / AUDIO / "LJ002-0020.wav"
    row = check_row("audio", _probe(path)[0])
    assert (row["format"], row["subtype"]) == ("WAV", "PCM_16")
    assert (row["sample_rate"], row["channels"], row["frames"]) == (22050, 1, 33949)
    assert row["duration_s"] == pytest.approx(1.5396, abs=1e-4)
    assert row["sha256"] == sha256_file(path)


def test_jfk_flac_is_44100_hz_stereo_24_bit(data):
    row = check_row("audio", _probe(data / AUDIO / "jfk.flac")[0])
    assert (row["format"], row["subtype"]) == ("FLAC", "PCM_24")
    assert (row["sample_rate"], row["channels"], row["frames"]) == (44100, 2, 485100)
    assert row["duration_s"] == 11.0


def test_24_bit_extensible_wav_has_the_frames_of_its_16_bit_twin(data):
    wide = check_row("audio", _probe(data / AUDIO / "mfa_cold_corpus_24bit.wav")[0])
    narrow = check_row("audio", _probe(data / AUDIO / "mfa_cold_corpus.wav")[0])
    assert (wide["format"], wide["subtype"]) == ("WAVEX", "PCM_24")
    assert wide["frames"] == narrow["frames"] == 411481
    assert wide["sha256"] != narrow["sha256"]


def test_common_voice_mp3_is_48_khz_and_counted_by_decoding(data):
    row = check_row("audio", _probe(data / AUDIO / "common_voice_en_22058264.mp3")[0])
    assert (row["format"], row["subtype"]) == ("MP3", "MPEG_LAYER_III")
    assert (row["sample_rate"], row["channels"]) == (48000, 1)
    # libsndfile estimates 197262 frames from the header; 196992 are actually decoded
    assert row["frames"] == 196992


def test_every_clip_agrees_with_the_transcript_manifest(data):
    records = [json.loads(line) for line in (data / "speech_text" / "transcripts.jsonl").open()]
    assert len(records) == 20
    for record in records:
        row = check_row("audio", _probe(data / "speech_text" / record["audio_file"])[0])
        assert row["sample_rate"] == record["sample_rate"], record["audio_file"]
        assert row["channels"] == record["channels"], record["audio_file"]
        assert row["duration_s"] == pytest.approx(record["duration_s"], abs=0.01)
        assert f"{row['format']}/{row['subtype']}" == record["encoding"]


def test_zero_byte_wav_is_empty_file(tmp_path):
    path = tmp_path / "silence.wav"
    path.touch()
    check_reject(_probe(path)[1], "empty_file")


def _wav(path, frames=400, **kwargs):
    tone = (np.sin(np.arange(frames) / 5.0) * 8000).astype(np.int16)
    soundfile.write(path, tone, 16000, subtype="PCM_16", **kwargs)
    return path


def test_wav_claiming_2_gib_of_samples_is_header_mismatch(tmp_path):
    path = _wav(tmp_path / "liar.wav")
    raw = bytearray(path.read_bytes())
    data_at = raw.index(b"data")
    raw[data_at + 4 : data_at + 8] = struct.pack("<I", 2**31)
    path.write_bytes(bytes(raw))
    assert soundfile.info(path).frames == 400  # libsndfile quietly trusts the file size

    detail = check_reject(_probe(path)[1], "header_mismatch")["detail"]
    assert "claims 2147483648 bytes" in detail
    assert "holds 800" in detail


def test_wav_cut_within_the_tolerance_is_kept(tmp_path):
    path = _wav(tmp_path / "short.wav", frames=4000)
    path.write_bytes(path.read_bytes()[:-1000])  # 1000 bytes short, tolerance is 4096
    with pytest.raises(Rejected):
        check_wav_data_chunk(str(path), tolerance_bytes=999)
    row = check_row("audio", _probe(path)[0])
    assert row["frames"] == 3500


def test_stereo_24_bit_extensible_wav_from_soundfile(tmp_path):
    path = tmp_path / "wide.wav"
    soundfile.write(path, np.zeros((1000, 2)), 44100, subtype="PCM_24", format="WAVEX")
    row = check_row("audio", _probe(path)[0])
    assert (row["format"], row["subtype"], row["channels"], row["frames"]) == (
        "WAVEX",
        "PCM_24",
        2,
        1000,
    )


def test_truncated_flac_is_truncated(data, tmp_path):
    whole = (data / AUDIO / "jfk.flac").read_bytes()
    path = tmp_path / "jfk_cut.flac"
    path.write_bytes(whole[: len(whole) * 4 // 10])
    detail = check_reject(_probe(path)[1], "truncated")["detail"]
    assert "of 485100 frames" in detail


def _encode(ffmpeg, path, *codec):
    """A 3 s 440 Hz tone encoded by ffmpeg."""
    subprocess.run(
        [ffmpeg, *_QUIET_LAVFI, "sine=frequency=440:duration=3:sample_rate=48000", *codec, path],
        check=True,
    )
    return path


def test_mp3_with_dots_spaces_and_parentheses_in_its_name(ffmpeg, tmp_path):
    path = _encode(ffmpeg, tmp_path / "Track 2.0 (Clean).mp3", "-c:a", "libmp3lame", "-b:a", "64k")
    row = check_row("audio", _probe(path)[0])
    assert row["path"] == "Track 2.0 (Clean).mp3"
    assert (row["format"], row["sample_rate"], row["channels"]) == ("MP3", 48000, 1)
    assert row["frames"] == 144000


def test_mp3_cut_in_half_is_truncated(ffmpeg, tmp_path):
    path = _encode(ffmpeg, tmp_path / "half.mp3", "-c:a", "libmp3lame", "-b:a", "64k")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    # the LAME/Info header still announces 144000 frames
    assert "of the 144000 frames" in check_reject(_probe(path)[1], "truncated")["detail"]


def test_aac_in_m4a_is_read_through_ffmpeg(ffmpeg, tmp_path):
    path = _encode(ffmpeg, tmp_path / "tone.m4a", "-ac", "2", "-c:a", "aac")
    row = check_row("audio", _probe(path)[0])
    assert (row["format"], row["subtype"]) == ("MOV", "AAC")
    assert (row["sample_rate"], row["channels"]) == (48000, 2)
    assert row["duration_s"] == pytest.approx(3.0, abs=0.05)


def test_video_without_audio_is_unsupported_as_audio(data):
    path = data / "video_audio" / "popeye_T00-1_noaudio.mkv"
    assert "no audio" in check_reject(_probe(path)[1], "unsupported_format")["detail"]


def test_garbage_wav_is_corrupt(tmp_path):
    path = tmp_path / "garbage.wav"
    path.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk")
    detail = check_reject(_probe(path)[1], "corrupt")["detail"]
    assert "libsndfile" in detail and "ffmpeg" in detail


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_float_wav_with_non_finite_samples_is_corrupt(data, tmp_path, bad):
    speech, rate = soundfile.read(data / AUDIO / "61-70968-0000.flac", dtype="float32")
    speech[::1000] = bad
    path = tmp_path / "float.wav"
    soundfile.write(path, speech, rate, subtype="FLOAT")
    reject = check_reject(_probe(path)[1], "corrupt")
    assert f"{len(speech[::1000])} samples are not finite" in reject["detail"]


def test_float_wav_with_finite_samples_is_catalogued(data, tmp_path):
    speech, rate = soundfile.read(data / AUDIO / "61-70968-0000.flac", dtype="float32")
    path = tmp_path / "float.wav"
    soundfile.write(path, speech, rate, subtype="FLOAT")
    row = check_row("audio", _probe(path)[0])
    assert (row["subtype"], row["frames"]) == ("FLOAT", len(speech))
