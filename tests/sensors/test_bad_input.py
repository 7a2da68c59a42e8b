"""Bad sensor input the probe lets through: pairing copes, counts it, never fails the build."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crosspair.sensors import find_gaps, pair_sensor_catalog
from crosspair.sensors.coverage import (
    NO_SAMPLE_PAIRED,
    ONLY_STREAM,
    SOURCE_SKIPPED,
    STREAM_LEFT_OUT,
    unpaired_streams,
)

UTC0_MS = 1_600_000_000_000  # 2020-09-13T12:26:40Z


def _imu(folder: Path, name: str = "imu.csv") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.round(np.arange(200) * 0.01, 2)
    pd.DataFrame({"t": t, "ax": np.arange(200) * 1.0}).to_csv(path, index=False)
    return path


def _gps(folder: Path, **columns) -> Path:
    t = columns.pop("t", np.round(np.arange(20) * 0.1, 1))
    path = folder / "gps.csv"
    pd.DataFrame({"t": t, "lat": np.linspace(48.0, 48.1, len(t)), **columns}).to_csv(
        path, index=False
    )
    return path


def _catalog(root: Path, clocks: dict[str, str], source: str = "rig") -> pd.DataFrame:
    """Catalog rows of every CSV under ``root`` (time column ``t``, rate from the file)."""
    rows = []
    for path in sorted(root.rglob("*.csv")):
        relative = path.relative_to(root).as_posix()
        t = pd.read_csv(path, usecols=["t"])["t"].to_numpy(dtype=float)
        steps = np.diff(t)
        rate = 1.0 / float(np.median(steps[steps > 0]))
        rows.append((source, relative, "t", clocks.get(relative, "boot_s"), rate))
    return pd.DataFrame(rows, columns=["source", "path", "time_column", "clock", "rate_hz"])


def _pair(roots: dict[str, Path], catalog: pd.DataFrame, failures=None):
    return pair_sensor_catalog(
        catalog, lambda source, path: roots[source] / path, tolerance_s=0.01, failures=failures
    )


def test_gaps_come_from_positive_intervals():
    seconds = np.array([0.0, 0.0, 0.1, 0.1, 0.2, 0.2, 0.5, 0.5])
    gaps = find_gaps(seconds)
    assert gaps[["start_s", "end_s"]].values.tolist() == [[0.2, 0.5]]
    assert gaps["median_period_s"].tolist() == pytest.approx([0.1])  # 0 with repeats in
    assert find_gaps(np.array([3.0, 3.0])).empty  # no period, no gap


def test_stamps_written_twice_pair_and_are_counted(tmp_path):
    _imu(tmp_path)
    _gps(tmp_path, t=np.repeat(np.round(np.arange(20) * 0.1, 1), 2))
    pairing = _pair({"rig": tmp_path}, _catalog(tmp_path, {}))["rig"]
    assert pairing.gaps.empty
    assert (
        pairing.summary.set_index("other").loc["gps", "n_paired"] == 59
    )  # 3 IMU rows per stamp, 2 at 0 s
    assert any("20 of 40 samples of 'gps' repeat" in note for note in pairing.notes)


@pytest.mark.parametrize(
    ("values", "usable"),
    [
        ([0] * 20, 0),  # receiver without fix
        (["no fix"] * 20, 0),
        ([0] * 19 + [100_000_000_000_000_000], 0),  # 1e17 ms overflows int64 in ns
    ],
)
def test_unusable_utc_column_gives_no_link_not_a_failure(tmp_path, values, usable):
    _imu(tmp_path)
    _gps(tmp_path, utc_timestamp=values)
    failures = {}
    pairing = _pair({"rig": tmp_path}, _catalog(tmp_path, {}), failures)["rig"]
    assert failures == {}
    assert pairing.links.empty and pairing.table["utc_ns"].isna().all()
    assert any(f"{usable} of 20 UTC value(s) usable" in note for note in pairing.notes)


def test_out_of_range_utc_values_are_missing_and_counted(tmp_path):
    _imu(tmp_path)
    utc = UTC0_MS + np.arange(20) * 100
    utc[3], utc[4] = 100_000_000_000_000_000, 0
    _gps(tmp_path, utc_timestamp=utc)
    pairing = _pair({"rig": tmp_path}, _catalog(tmp_path, {}))["rig"]
    link = pairing.links.set_index("stream").loc["gps"]
    assert (link["n_rows"], link["offset_ns"]) == (18, UTC0_MS * 1_000_000)
    assert pairing.table["utc_ns"].iloc[0] == UTC0_MS * 1_000_000  # 2020, not 1976
    assert any("2 of 20 UTC value(s)" in note for note in pairing.notes)


def test_mixed_clocks_without_a_link_skip_only_that_source(tmp_path, caplog):
    rig, good = tmp_path / "rig", tmp_path / "good"
    _imu(rig)
    _gps(rig, t=UTC0_MS + np.arange(20) * 100)
    _imu(good)
    _gps(good)
    catalog = pd.concat([_catalog(rig, {"gps.csv": "utc_ms"}), _catalog(good, {}, source="good")])
    failures = {}
    with caplog.at_level(logging.ERROR, logger="crosspair.sensors.catalog"):
        pairings = _pair({"rig": rig, "good": good}, catalog, failures)
    assert sorted(pairings) == ["good"]
    assert "utc_timestamp" in failures["rig"] and "sources file" in failures["rig"]
    assert "pass link=" not in failures["rig"].split("from Python")[0]
    assert "sensor source rig not paired" in caplog.text


def test_a_data_column_named_dt_s_keeps_its_name(tmp_path):
    _imu(tmp_path)
    _gps(tmp_path, dt_s=np.full(20, 0.5))
    pairing = _pair({"rig": tmp_path}, _catalog(tmp_path, {}))["rig"]
    assert pairing.table["gps.dt_s"].dropna().unique().tolist() == [0.5]  # the data
    assert pairing.table["gps._dt_s"].iloc[10] == pytest.approx(0.0)  # the match distance


def test_clashing_stems_are_named_by_path(tmp_path):
    _imu(tmp_path, "left/imu.csv")
    _imu(tmp_path, "right/imu.csv")
    pairing = _pair({"rig": tmp_path}, _catalog(tmp_path, {}))["rig"]
    assert pairing.summary["other"].tolist() == ["right/imu"]
    assert set(pairing.summary["reference"]) == {"left/imu"}

    _gps(tmp_path)
    pairing = _pair({"rig": tmp_path}, _catalog(tmp_path, {}))["rig"]
    assert sorted(pairing.summary["other"]) == ["gps", "right/imu"]


def test_a_stream_that_cannot_be_read_is_left_out_and_noted(tmp_path, caplog):
    _imu(tmp_path)
    _gps(tmp_path)
    catalog = _catalog(tmp_path, {})
    (tmp_path / "wind.csv").write_text("t,v\n0,1\n0.1,2,3\n")
    catalog.loc[len(catalog)] = ["rig", "wind.csv", "t", "boot_s", 10.0]
    with caplog.at_level(logging.ERROR, logger="crosspair.sensors.catalog"):
        pairing = _pair({"rig": tmp_path}, catalog)["rig"]
    assert pairing.summary["other"].tolist() == ["gps"]
    assert any("'wind' (" in note and "left out" in note for note in pairing.notes)
    assert "stream wind" in caplog.text
    assert unpaired_streams(catalog, pairing.summary).to_dict("records") == [
        {"source": "rig", "path": "wind.csv", "stream": "wind", "reason": STREAM_LEFT_OUT}
    ]


def test_streams_of_a_skipped_or_lone_source_are_listed_as_unpaired_with_why(tmp_path):
    rig, good, lone = tmp_path / "rig", tmp_path / "good", tmp_path / "lone"
    _imu(rig)
    _gps(rig, t=UTC0_MS + np.arange(20) * 100)  # UTC without a link: the source fails
    _imu(good)
    _gps(good)
    _imu(lone)
    catalog = pd.concat(
        [
            _catalog(rig, {"gps.csv": "utc_ms"}),
            _catalog(good, {}, source="good"),
            _catalog(lone, {}, source="lone"),
        ],
        ignore_index=True,
    )
    pairings = _pair({"rig": rig, "good": good, "lone": lone}, catalog)
    summary = pd.concat([p.summary for p in pairings.values()], ignore_index=True)
    unpaired = unpaired_streams(catalog, summary)
    assert unpaired.to_dict("records") == [
        {"source": "lone", "path": "imu.csv", "stream": "imu", "reason": ONLY_STREAM},
        {"source": "rig", "path": "gps.csv", "stream": "gps", "reason": SOURCE_SKIPPED},
        {"source": "rig", "path": "imu.csv", "stream": "imu", "reason": SOURCE_SKIPPED},
    ]
    assert unpaired_streams(catalog[catalog["source"] == "good"], summary).empty


def test_the_check_warns_in_dagster_with_the_unpaired_streams(tmp_path, dagster_instance):
    from dagster import AssetCheckSeverity, asset, materialize

    from checks.timing import sensor_streams_paired

    _imu(tmp_path / "good")
    _gps(tmp_path / "good")
    _imu(tmp_path / "lone")
    catalog = pd.concat(
        [_catalog(tmp_path / name, {}, source=name) for name in ("good", "lone")],
        ignore_index=True,
    )
    pairings = _pair({"good": tmp_path / "good", "lone": tmp_path / "lone"}, catalog)
    summary = pd.concat([p.summary for p in pairings.values()], ignore_index=True)

    @asset(name="sensor_catalog")
    def catalog_asset() -> pd.DataFrame:
        return catalog

    @asset(name="sensor_pairing_summary")
    def summary_asset() -> pd.DataFrame:
        return summary

    result = materialize(
        [catalog_asset, summary_asset, sensor_streams_paired], instance=dagster_instance
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == AssetCheckSeverity.WARN
    metadata = {key: value.value for key, value in evaluation.metadata.items()}
    assert metadata["streams"] == 3 and metadata["stream_pairs"] == 1
    assert metadata["unpaired_streams"] == 1
    assert metadata["sources_with_unpaired_streams"] == 1
    rows = metadata["failing rows"].splitlines()[2:]  # after the header and its rule
    assert [[cell.strip() for cell in row.split("|")[1:4]] for row in rows] == [
        ["lone", "imu.csv", "imu"]
    ]


def test_a_stream_that_paired_no_sample_is_listed(tmp_path):
    _imu(tmp_path)
    _gps(tmp_path, t=np.round(np.arange(20) * 0.1, 1) + 1000.0)  # no overlap with the IMU
    catalog = _catalog(tmp_path, {})
    pairing = _pair({"rig": tmp_path}, catalog)["rig"]
    assert pairing.summary[["other", "n_paired"]].values.tolist() == [["gps", 0]]
    assert unpaired_streams(catalog, pairing.summary).to_dict("records") == [
        {"source": "rig", "path": "gps.csv", "stream": "gps", "reason": NO_SAMPLE_PAIRED},
        {"source": "rig", "path": "imu.csv", "stream": "imu", "reason": NO_SAMPLE_PAIRED},
    ]
