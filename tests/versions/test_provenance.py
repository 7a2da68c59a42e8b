"""Provenance per pair, on the tables of a real small build, and the code version from git."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from crosspair.provenance import CODE_VERSION_ENV, code_version, lookup, provenance_table
from crosspair.schemas import PROVENANCE
from tests.dataset_repo import GIT_ENV

CATALOGS = ("image", "audio", "video", "mesh", "text", "code")


@pytest.mark.slow
def test_every_pair_has_both_sides_origin_and_the_run(small_build):
    table = small_build.table("provenance")
    pairs = small_build.table("pairs")
    PROVENANCE.validate(table)
    assert table["pair_id"].tolist() == pairs["pair_id"].tolist()
    assert len(table) == 17  # 3 images x 5 captions + 2 speech files with transcripts
    assert set(table["run_id"]) == {small_build.run_id}
    assert table["code_version"].str.fullmatch(r"[0-9a-f]{40}(-dirty)?|unknown").all()
    assert (table[["model_name", "model_version", "annotator"]] == "").all().all()

    images = small_build.table("image_catalog").set_index("item_id")
    texts = small_build.table("text_catalog").set_index("item_id")
    captions = table[table["left_modality"] == "image"]
    assert len(captions) == 15
    assert captions["left_sha256"].tolist() == images.loc[captions["left_id"], "sha256"].tolist()
    assert captions["right_sha256"].tolist() == texts.loc[captions["right_id"], "sha256"].tolist()
    assert set(captions["left_licence"]) == {"CC BY 2.0"}
    assert set(captions["method"]) == {"manifest_reference"}
    assert json.loads(captions["params"].iloc[0])["kind"] == "caption"


@pytest.mark.slow
def test_provenance_table_names_the_pairs_whose_items_are_in_no_catalog(small_build):
    pairs = small_build.table("pairs")
    catalogs = {m: small_build.table(f"{m}_catalog") for m in CATALOGS}
    catalogs["text"] = catalogs["text"].iloc[0:0]
    with pytest.raises(KeyError, match="right items of the pair table are in no catalog"):
        provenance_table(pairs, catalogs, small_build.table("extracted_audio"), "abc", "run")


@pytest.mark.slow
def test_lookup_by_pair_and_by_item(small_build):
    speech = small_build.table("audio_catalog")
    speaker_61 = speech.loc[speech["path"] == "audio/61-70968-0000.flac", "item_id"].item()
    rows = lookup(small_build.data, item_id=speaker_61)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["left_id"], row["left_source"], row["left_path"]) == (
        speaker_61,
        "speech",
        "audio/61-70968-0000.flac",
    )
    assert row["right_modality"] == "text" and row["left_licence"] == "CC BY 4.0"

    by_pair = lookup(small_build.data, pair_id=row["pair_id"])
    pd.testing.assert_frame_equal(by_pair, rows)
    caption = small_build.table("text_catalog").iloc[0]["item_id"]
    assert lookup(small_build.data, item_id=caption)["right_id"].tolist() == [caption]


@pytest.mark.slow
def test_cli_prints_readable_rows_and_json(small_build):
    pair = small_build.table("pairs").iloc[0]
    command = [sys.executable, "-m", "crosspair.cli", "provenance", "--pair", pair["pair_id"]]
    command += ["--data", str(small_build.data)]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert f"pair {pair['pair_id']}" in text
    assert "heuristic (no model, no annotator)" in text
    assert f"run {small_build.run_id}" in text

    as_json = subprocess.run([*command, "--json"], capture_output=True, text=True, check=True)
    row = json.loads(as_json.stdout, parse_constant=pytest.fail)  # strict JSON: no NaN
    assert (row["left_id"], row["right_id"]) == (pair["left_id"], pair["right_id"])
    assert row["score"] is None  # a heuristic pair has no score


def test_lookup_without_a_build_names_the_file_and_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"provenance\.parquet not found: build"):
        lookup(tmp_path, pair_id="0123456789abcdef")
    with pytest.raises(ValueError, match="exactly one"):
        lookup(tmp_path)


def _git(folder, *args):
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", *args], cwd=folder, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_code_version_is_the_commit_and_dirty_only_for_tracked_changes(tmp_path, monkeypatch):
    monkeypatch.delenv(CODE_VERSION_ENV, raising=False)
    assert code_version(tmp_path) == "unknown"

    _git(tmp_path, "init", "-q")
    assert code_version(tmp_path) == "unknown"  # no commit yet
    (tmp_path / "stage.py").write_text("x = 1\n")
    _git(tmp_path, "add", "stage.py")
    _git(tmp_path, "commit", "-qm", "one")
    commit = _git(tmp_path, "rev-parse", "HEAD")
    assert code_version(tmp_path) == commit

    (tmp_path / "notes.txt").write_text("untracked files do not count\n")
    assert code_version(tmp_path) == commit
    (tmp_path / "stage.py").write_text("x = 2\n")
    assert code_version(tmp_path) == f"{commit}-dirty"

    monkeypatch.setenv(CODE_VERSION_ENV, "image-2024.06")
    assert code_version(tmp_path) == "image-2024.06"
