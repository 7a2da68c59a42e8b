"""probe() itself: dispatch, missing and empty files, never raising, picklable."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from crosspair.probe import ProbeLimits, probe
from crosspair.schemas import REJECT_REASONS

from .conftest import check_reject, make_candidate

_FILE_MODALITIES = {
    "image": ("jpg", {}),
    "audio": ("wav", {}),
    "video": ("mp4", {}),
    "mesh": ("obj", {}),
    "sensor": ("csv", {"time_column": "t", "clock": "boot_s"}),
    "text": ("srt", {"kind": "subtitles", "anchor": "", "language": ""}),
}


@pytest.mark.parametrize("modality", sorted(_FILE_MODALITIES))
def test_zero_byte_file_is_empty_file_for_every_modality(tmp_path, modality):
    suffix, payload = _FILE_MODALITIES[modality]
    path = tmp_path / f"empty.{suffix}"
    path.write_bytes(b"")
    row, reject = probe(make_candidate(modality, path, payload))
    assert row is None
    check_reject(reject, "empty_file")


@pytest.mark.parametrize("modality", sorted(_FILE_MODALITIES))
def test_vanished_file_is_missing_file(tmp_path, modality):
    suffix, payload = _FILE_MODALITIES[modality]
    row, reject = probe(make_candidate(modality, tmp_path / f"gone.{suffix}", payload))
    assert row is None
    assert "gone." in check_reject(reject, "missing_file")["detail"]


@pytest.mark.parametrize("modality", sorted(_FILE_MODALITIES))
def test_random_bytes_never_raise(tmp_path, modality):
    suffix, payload = _FILE_MODALITIES[modality]
    rng = np.random.default_rng(sum(map(ord, modality)))
    path = tmp_path / f"noise.{suffix}"
    path.write_bytes(rng.integers(0, 256, 8192, dtype=np.uint8).tobytes())
    row, reject = probe(make_candidate(modality, path, payload))
    assert row is None
    assert reject["reason"] in REJECT_REASONS
    assert reject["detail"].startswith("noise.")


def test_media_item_without_a_file_is_invalid_record():
    row, reject = probe(make_candidate("image", None, path="images/x.jpg"))
    check_reject(reject, "invalid_record")


def test_unknown_modality_is_invalid_record(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"data")
    row, reject = probe(make_candidate("smell", path))
    assert row is None
    assert reject["reason"] == "invalid_record"
    assert "'smell'" in reject["detail"]


def test_probe_and_limits_pickle_for_process_pools():
    limits = ProbeLimits(max_image_pixels=1000)
    assert pickle.loads(pickle.dumps(probe)) is probe
    assert pickle.loads(pickle.dumps(limits)) == limits
    candidate = make_candidate("code", None, {"code": "x = 1\n", "language": "python"})
    row, reject = pickle.loads(pickle.dumps(probe))(candidate, limits)
    assert reject is None and row["n_lines"] == 1
