"""pair_sensor_catalog over the real sensor catalog of both logs, through map_items."""

from __future__ import annotations

import pytest

from crosspair.catalog import build_catalog
from crosspair.discover import discover
from crosspair.engine import EngineConfig
from crosspair.sensors import estimate_link, pair_sensor_catalog, sources_resolver
from crosspair.sources import load_sources
from tests.conftest import SHARED_SOURCES


@pytest.fixture(scope="module")
def setup(shared_data):
    config = load_sources(SHARED_SOURCES)
    candidates = discover(config, only=["comma2k19", "px4"]).candidates
    catalog, rejects = build_catalog("sensor", candidates)
    assert rejects.empty and len(catalog) == 11
    return catalog, sources_resolver(config)


def _counts(pairing) -> dict[str, tuple[int, int]]:
    summary = pairing.summary.set_index("other")
    return {name: (row.n_paired, row.n_dropped) for name, row in summary.iterrows()}


def test_every_stream_against_the_fastest(setup):
    catalog, resolve = setup
    pairings = pair_sensor_catalog(catalog, resolve, tolerance_s=0.010)
    assert sorted(pairings) == ["comma2k19", "px4"]

    comma = pairings["comma2k19"]
    # accelerometer and gyro share the top rate (104.36 Hz); the first name wins
    assert set(comma.summary["reference"]) == {"IMU_accelerometer"}
    assert _counts(comma) == {
        "CAN_speed": (6222, 34),
        "CAN_steering_angle": (6220, 36),
        "GNSS_live_gnss_qcom": (63, 6193),
        "GNSS_live_gnss_ublox": (1212, 5044),
        "IMU_gyro": (6256, 0),  # same stamps
        "IMU_magnetometer": (1236, 5020),
    }
    links = comma.links.set_index("stream")
    assert links["used"].to_dict() == {"GNSS_live_gnss_qcom": False, "GNSS_live_gnss_ublox": True}
    assert links.loc["GNSS_live_gnss_ublox", "offset_ns"] == 1_533_180_079_645_616_426
    assert comma.table["utc_ns"].notna().all()

    px4 = pairings["px4"]
    assert set(px4.summary["reference"]) == {"sensor_combined_0"}
    assert _counts(px4) == {
        "airspeed_0": (1298, 0),
        "vehicle_air_data_0": (483, 815),
        "vehicle_gps_position_0": (127, 1171),
    }
    assert px4.links["offset_ns"].tolist() == [1_618_986_638_141_670_500]


def test_named_reference_interpolation_in_a_process_pool(setup):
    catalog, resolve = setup
    pairings = pair_sensor_catalog(
        catalog,
        resolve,
        tolerance_s=0.0025,
        method="interpolate",
        references={"px4": "vehicle_air_data_0"},
        engine=EngineConfig(workers=2, chunksize=1),
    )
    px4 = pairings["px4"]
    assert set(px4.summary["reference"]) == {"vehicle_air_data_0"}
    # every baro row lies within 2.5 ms of an IMU row and inside its span
    assert _counts(px4)["sensor_combined_0"] == (120, 0)


def test_unknown_reference_is_named(setup):
    catalog, resolve = setup
    with pytest.raises(ValueError, match="no stream 'baro'"):
        pair_sensor_catalog(catalog, resolve, tolerance_s=0.01, references={"px4": "baro"})
    with pytest.raises(ValueError, match="not in the catalog"):
        pair_sensor_catalog(catalog, resolve, tolerance_s=0.01, references={"lidar": "x"})


def test_a_link_from_frame_gps_times_replaces_the_gnss_one(setup, frames):
    catalog, resolve = setup
    from_frames = estimate_link(frames.frame["t_boot_s"], frames.utc_ns())
    comma = pair_sensor_catalog(
        catalog[catalog["source"] == "comma2k19"],
        resolve,
        tolerance_s=0.010,
        links={"comma2k19": from_frames},
    )["comma2k19"]
    assert not comma.links["used"].any()
    # accelerometer row 0: boot 46408.580034294 s + 1,533,180,079.849502 s
    assert comma.table["utc_ns"].iloc[0] == 1_533_226_488_429_536_294
    with pytest.raises(ValueError, match="not in the catalog"):
        pair_sensor_catalog(catalog, resolve, tolerance_s=0.01, links={"lidar": from_frames})


def test_a_source_with_one_usable_stream_is_skipped_not_fatal(setup):
    catalog, resolve = setup
    lonely = catalog[
        (catalog["source"] == "comma2k19") | (catalog["path"].str.contains("airspeed"))
    ]
    pairings = pair_sensor_catalog(lonely, resolve, tolerance_s=0.010)
    assert sorted(pairings) == ["comma2k19"]  # px4 kept only airspeed: nothing to pair it with
