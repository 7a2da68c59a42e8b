"""The PX4 CSV exports against the raw .ulg read with pyulog (skipped without pyulog)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyulog")

from crosspair.sensors.ulog import read_ulog_topic, ulog_dropouts  # noqa: E402

TOPICS = ["sensor_combined", "vehicle_air_data", "vehicle_gps_position", "airspeed"]


@pytest.mark.parametrize("topic", TOPICS)
def test_csv_matches_the_raw_log(px4, topic):
    raw = read_ulog_topic(px4 / "sample_log_small.ulg", topic)
    csv = pd.read_csv(px4 / "csv" / f"{topic}_0.csv")
    assert list(raw.columns) == list(csv.columns)
    assert (raw["timestamp"].to_numpy() == csv["timestamp"].to_numpy()).all()
    # float32 fields were printed with ~8 significant digits
    for column in csv.columns:
        assert np.allclose(raw[column].astype(float), csv[column], rtol=1e-6, equal_nan=True)


def test_the_30ms_dropout_is_after_the_exported_span(px4):
    dropouts = ulog_dropouts(px4 / "sample_log_small.ulg")
    assert dropouts.values.tolist() == [[1_194_367_328, 30]]
    last_csv_row = pd.read_csv(px4 / "csv" / "sensor_combined_0.csv")["timestamp"].iloc[-1]
    assert last_csv_row == 26_822_868  # the CSVs end 19.5 min before the dropout


def test_unknown_topic_lists_what_is_there(px4):
    with pytest.raises(KeyError, match="sensor_combined"):
        read_ulog_topic(px4 / "sample_log_small.ulg", "lidar")
