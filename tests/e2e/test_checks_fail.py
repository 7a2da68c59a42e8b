"""Checks can fail: change and delete source files after a build, then rerun the checks."""

from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetKey, AssetSelection, materialize

from dagster_project.build import materialise_all
from dagster_project.definitions import all_assets, all_checks
from dagster_project.io_manager import TableIOManager
from dagster_project.resources import CrosspairSettings
from tests.corpus import write_small_corpus

pytestmark = pytest.mark.slow


def _run_checks(sources: Path, data: Path, instance, *keys: AssetCheckKey):
    result = materialize(
        [*all_assets, *all_checks],
        selection=AssetSelection.checks(*keys),
        instance=instance,
        resources={
            "settings": CrosspairSettings(sources_path=str(sources), data_dir=str(data)),
            "io_manager": TableIOManager(data_dir=str(data)),
        },
        raise_on_error=False,
    )
    return {
        e.check_name + ":" + e.asset_key.to_user_string(): e
        for e in result.get_asset_check_evaluations()
    }


def test_integrity_fails_on_changed_and_missing_files(tmp_path, shared_data, dagster_instance):
    sources = write_small_corpus(tmp_path / "raw", shared_data)
    data = tmp_path / "data"
    assert materialise_all(sources, data, dagster_instance).success

    image = tmp_path / "raw" / "images" / "images" / "000000099053.jpg"
    content = bytearray(image.read_bytes())
    content[-100] ^= 0xFF
    image.write_bytes(bytes(content))
    (tmp_path / "raw" / "speech" / "audio" / "LJ002-0020.wav").unlink()

    evaluations = _run_checks(
        sources,
        data,
        dagster_instance,
        AssetCheckKey(AssetKey("image_catalog"), "integrity"),
        AssetCheckKey(AssetKey("audio_catalog"), "integrity"),
        AssetCheckKey(AssetKey("pairs"), "expectations"),
    )
    images = evaluations["integrity:image_catalog"]
    assert not images.passed
    assert images.metadata["failures_total"].value == 1
    table = images.metadata["failing rows"].value
    assert "000000099053.jpg" in table and "sha256_mismatch" in table

    audio = evaluations["integrity:audio_catalog"]
    assert not audio.passed
    assert "LJ002-0020.wav" in audio.metadata["failing rows"].value
    assert "missing_file" in audio.metadata["failing rows"].value

    assert evaluations["expectations:pairs"].passed
