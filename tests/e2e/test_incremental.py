"""Incremental builds: only the sources whose files changed are decoded again, and the result
equals a build from scratch of the same sources."""

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml
from dagster import AssetRecordsFilter, DagsterInstance

from crosspair.fingerprint import fingerprints
from crosspair.sources import load_sources
from dagster_project.build import build_incremental, materialise_all
from dagster_project.definitions import defs
from dagster_project.io_manager import concat_partitions
from dagster_project.partitions import SOURCE_PARTITIONS
from tests.corpus import write_small_corpus

NEW_IMAGES = ["000000078499.jpg", "000000084284.jpg"]
CODE_PROBLEMS = 4


def write_three_sources(raw: Path, shared: Path) -> Path:
    """The small corpus (COCO images 'coco', speech 'speech') plus HumanEval code 'humaneval'."""
    sources = write_small_corpus(raw, shared)
    (raw / "code").mkdir()
    problems = (shared / "text_code" / "humaneval_first50.jsonl").read_text().splitlines()
    kept = problems[:CODE_PROBLEMS]
    (raw / "code" / "problems.jsonl").write_text("".join(f"{line}\n" for line in kept))
    config = yaml.safe_load(sources.read_text())
    config["sources"].append(
        {
            "name": "humaneval",
            "modality": "code",
            "root": "code",
            "licence": "MIT",
            "origin": "openai/human-eval",
            "manifest": {
                "path": "problems.jsonl",
                "kind": "docstring",
                "id_field": "task_id",
                "code_fields": ["prompt", "canonical_solution"],
                "text_field": "nl_docstring",
            },
        }
    )
    sources.write_text(yaml.safe_dump(config))
    return sources


def partitioned_assets():
    graph = defs.resolve_asset_graph()
    return sorted(
        (key for key in graph.get_all_asset_keys() if graph.get(key).partitions_def),
        key=lambda key: key.to_user_string(),
    )


def materialisations(instance: DagsterInstance) -> Counter:
    """How often each (asset, source partition) was materialised, from the instance's events."""
    counts = Counter()
    for key in partitioned_assets():
        records = instance.fetch_materializations(
            AssetRecordsFilter(asset_key=key), limit=10_000
        ).records
        counts.update((key.to_user_string(), record.partition_key) for record in records)
    return counts


def new_materialisations(before: Counter, after: Counter) -> dict[str, set[str]]:
    """Per source partition, the assets materialised between two counts."""
    changed: dict[str, set[str]] = {}
    for (asset, partition), count in after.items():
        if count > before[(asset, partition)]:
            assert count == before[(asset, partition)] + 1, (asset, partition)
            changed.setdefault(partition, set()).add(asset)
    return changed


def output_files(data: Path) -> dict[str, bytes]:
    """Every file a build wrote, by path relative to the data folder."""
    return {
        path.relative_to(data).as_posix(): path.read_bytes()
        for path in sorted(data.rglob("*"))
        if path.is_file()
    }


def assert_same_outputs(data: Path, reference: Path) -> None:
    """Byte-identical files; provenance compared without its Dagster run id (it names the run)."""
    ours, theirs = output_files(data), output_files(reference)
    assert sorted(ours) == sorted(theirs)
    provenance = "tables/provenance.parquet"
    differing = sorted(name for name in ours if ours[name] != theirs[name] and name != provenance)
    assert differing == []
    left = pd.read_parquet(data / provenance).drop(columns="run_id")
    right = pd.read_parquet(reference / provenance).drop(columns="run_id")
    pd.testing.assert_frame_equal(left, right)


def scratch_build(sources: Path, root: Path) -> Path:
    """A build from nothing: a new Dagster instance and an empty data folder."""
    (root / "home").mkdir(parents=True)
    with DagsterInstance.local_temp(str(root / "home")) as instance:
        report = materialise_all(sources, root / "data", instance)
    assert report.success
    return root / "data"


def _add_coco_images(raw: Path, shared: Path) -> None:
    lines = (shared / "image_text" / "captions.jsonl").read_text().splitlines()
    added = [line for line in lines if Path(json.loads(line)["file_name"]).name in NEW_IMAGES]
    assert len(added) == len(NEW_IMAGES)
    for name in NEW_IMAGES:
        shutil.copy(shared / "image_text" / "images" / name, raw / "images" / "images" / name)
    with (raw / "images" / "captions.jsonl").open("a") as handle:
        handle.write("".join(f"{line}\n" for line in added))


@pytest.fixture
def quiet_build_env(monkeypatch, tmp_path):
    # provenance names the code version; pin it so a commit during the test changes nothing
    monkeypatch.setenv("CROSSPAIR_CODE_VERSION", "incremental-test")
    monkeypatch.setenv("CROSSPAIR_ERASURE_LEDGER", str(tmp_path / "erasure" / "ledger.jsonl"))


@pytest.mark.slow
def test_only_changed_sources_are_decoded_again(tmp_path, shared_data, quiet_build_env):
    raw = tmp_path / "raw"
    sources = write_three_sources(raw, shared_data)
    data = tmp_path / "data"
    everything = {key.to_user_string() for key in partitioned_assets()}
    assert len(everything) == 16  # discovery, its rejects, 7 catalogs and their rejects

    home = tmp_path / "home"
    home.mkdir()
    with DagsterInstance.local_temp(str(home)) as instance:
        first = build_incremental(sources, data, instance)
        assert first.success
        assert first.materialised == ["coco", "humaneval", "speech"]
        counts = materialisations(instance)
        assert new_materialisations(Counter(), counts) == {
            "coco": everything,
            "humaneval": everything,
            "speech": everything,
        }
        assert sorted(instance.get_dynamic_partitions(SOURCE_PARTITIONS.name)) == [
            "coco",
            "humaneval",
            "speech",
        ]

        # 1. two images (and their captions) added to one source
        _add_coco_images(raw, shared_data)
        added = build_incremental(sources, data, instance)
        assert added.success and added.materialised == ["coco"]
        assert added.fresh == ["humaneval", "speech"]
        after = materialisations(instance)
        assert new_materialisations(counts, after) == {"coco": everything}
        images = pd.read_parquet(data / "tables" / "image_catalog.parquet")
        assert len(images) == 5

        # 2. one file changed in place: a speech recording replaced by another
        counts = after
        speech = raw / "speech" / "audio" / "LJ002-0020.wav"
        shutil.copy(shared_data / "speech_text" / "audio" / "LJ002-0035.wav", speech)
        changed = build_incremental(sources, data, instance)
        assert changed.success and changed.materialised == ["speech"]
        assert "source files" in changed.reasons["speech"]
        after = materialisations(instance)
        assert new_materialisations(counts, after) == {"speech": everything}
        audio = pd.read_parquet(data / "tables" / "audio_catalog.parquet").set_index("path")
        assert audio.loc["audio/LJ002-0020.wav", "size_bytes"] == speech.stat().st_size

        # 3. a source removed from the sources file: its partitions go, nothing is decoded
        counts = after
        config = yaml.safe_load(sources.read_text())
        config["sources"] = [s for s in config["sources"] if s["name"] != "humaneval"]
        sources.write_text(yaml.safe_dump(config))
        removed = build_incremental(sources, data, instance)
        assert removed.success
        assert removed.materialised == [] and removed.dropped == ["humaneval"]
        assert materialisations(instance) == counts
        assert sorted(instance.get_dynamic_partitions(SOURCE_PARTITIONS.name)) == [
            "coco",
            "speech",
        ]
        assert list((data / "tables" / "partitions").glob("*/humaneval.parquet")) == []
        assert pd.read_parquet(data / "tables" / "code_catalog.parquet").empty

    # Every partition now in use was written by a different incremental build (coco by 1,
    # speech by 2) and the code partitions were dropped by 3: one build from scratch checks all.
    assert_same_outputs(data, scratch_build(sources, tmp_path / "scratch"))


def _image_source(tmp_path: Path) -> Path:
    root = tmp_path / "photos"
    (root / "images").mkdir(parents=True)
    for name in ("a.jpg", "b.jpg"):
        (root / "images" / name).write_bytes(b"x" * 100)
    (root / "captions.jsonl").write_text(
        '{"file_name": "images/a.jpg", "captions": ["one"]}\n'
        '{"file_name": "images/b.jpg", "captions": ["two"]}\n'
        '{"file_name": "elsewhere/c.jpg", "captions": ["named, not globbed"]}\n'
    )
    source = {
        "name": "photos",
        "modality": "image",
        "root": "photos",
        "files": ["images/*.jpg"],
        "licence": "CC0",
        "origin": "test",
        "manifest": {
            "path": "captions.jsonl",
            "kind": "caption",
            "media_field": "file_name",
            "text_field": "captions",
        },
    }
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "sources": [source]}))
    return path


def _digest(sources: Path, **kwargs) -> str:
    return fingerprints(load_sources(sources), **kwargs)["photos"].digest


def test_fingerprint_sees_added_removed_and_changed_files(tmp_path):
    sources = _image_source(tmp_path)
    images = tmp_path / "photos" / "images"
    first = fingerprints(load_sources(sources))["photos"]
    assert (first.files, first.bytes) == (
        4,
        200 + len((tmp_path / "photos/captions.jsonl").read_bytes()),
    )
    assert _digest(sources) == first.digest  # stable

    (images / "c.jpg").write_bytes(b"y")
    added = _digest(sources)
    assert added != first.digest
    (images / "c.jpg").unlink()
    assert _digest(sources) == first.digest  # removed again: as before

    stamp = (images / "a.jpg").stat()
    (images / "a.jpg").write_bytes(b"z" * 100)  # same size, new time
    os.utime(images / "a.jpg", ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1))
    assert _digest(sources) != first.digest
    # same size and same time: by design not seen here (the integrity check re-hashes it)
    os.utime(images / "a.jpg", ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert _digest(sources) == first.digest

    # a file the manifest names outside the globs counts once it appears
    (tmp_path / "photos" / "elsewhere").mkdir()
    (tmp_path / "photos" / "elsewhere" / "c.jpg").write_bytes(b"c")
    assert _digest(sources) != first.digest


def test_fingerprint_covers_manifest_text_ledger_and_code(tmp_path):
    sources = _image_source(tmp_path)
    first = _digest(sources)
    manifest = tmp_path / "photos" / "captions.jsonl"
    stamp = manifest.stat()
    manifest.write_text(manifest.read_text().replace("one", "eno"))  # same size
    os.utime(manifest, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # and the same time
    assert _digest(sources) != first  # texts are hashed, not stat'ed

    second = _digest(sources)
    ledger = tmp_path / "ledger.jsonl"
    assert _digest(sources, ledger=ledger) == second  # no ledger yet
    ledger.write_text('{"request_id": "r1"}\n')
    assert _digest(sources, ledger=ledger) != second
    assert _digest(sources, code="v2") != second


def test_partitions_concatenate_to_the_bytes_of_the_whole_table(tmp_path):
    rows = [
        {"source": "a", "path": "x.wav", "duration_s": 1.5, "frames": 3},
        {"source": "b", "path": "y.txt", "duration_s": None, "frames": None},
    ]
    whole = pd.DataFrame(rows).astype({"frames": "Int64"})
    parts = []
    for source in ("a", "b"):
        part = pd.DataFrame([r for r in rows if r["source"] == source]).astype({"frames": "Int64"})
        part.to_parquet(tmp_path / f"{source}.parquet", index=False)
        parts.append(pd.read_parquet(tmp_path / f"{source}.parquet"))
    empty = pd.DataFrame(columns=whole.columns)
    assert parts[1]["duration_s"].dtype == object  # all null in that source

    combined = concat_partitions([parts[0], empty, parts[1]])
    whole.to_parquet(tmp_path / "whole.parquet", index=False)
    combined.to_parquet(tmp_path / "combined.parquet", index=False)
    assert (tmp_path / "combined.parquet").read_bytes() == (tmp_path / "whole.parquet").read_bytes()
