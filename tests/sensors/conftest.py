"""Fixtures of the sensor tests: the two real logs in ../shared/data/sensor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crosspair.sensors import Stream, read_stream

COMMA = "sensor/comma2k19_rav4_2018-08-02--08-34-47_seg40"
PX4 = "sensor/px4_sample_log_small"


@pytest.fixture(scope="session")
def comma(shared_data) -> Path:
    return shared_data / COMMA


@pytest.fixture(scope="session")
def px4(shared_data) -> Path:
    return shared_data / PX4


@pytest.fixture(scope="session")
def comma_stream(comma):
    """Read a comma2k19 CSV (stamped in boot seconds) by its stem."""
    return lambda stem: read_stream(comma / "csv" / f"{stem}.csv", "t_boot_s", "boot_s")


@pytest.fixture(scope="session")
def px4_stream(px4):
    """Read a PX4 CSV by its stem, stamped in boot microseconds by ``column``."""
    return lambda stem, column="timestamp": read_stream(
        px4 / "csv" / f"{stem}.csv", column, "boot_us"
    )


@pytest.fixture(scope="session")
def frames(comma) -> Stream:
    """Video frames stamped by GPS week + seconds of week, with their boot time alongside."""
    gps = np.load(comma / "npy" / "frame_gps_times.npy")
    boot = np.load(comma / "npy" / "frame_times.npy")
    table = pd.DataFrame({"week": gps[:, 0], "tow": gps[:, 1], "t_boot_s": boot})
    return Stream("frames", table, "week,tow", "gps_week_s")
