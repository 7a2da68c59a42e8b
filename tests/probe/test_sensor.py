"""Sensor probe on the real comma2k19 and PX4 streams and on CSVs that are not streams."""

from __future__ import annotations

import pandas as pd
import pytest

from crosspair.probe import probe

from .conftest import check_reject, check_row, make_candidate

COMMA = "sensor/comma2k19_rav4_2018-08-02--08-34-47_seg40/csv"
PX4 = "sensor/px4_sample_log_small/csv"
BOOT_S = {"time_column": "t_boot_s", "clock": "boot_s"}
BOOT_US = {"time_column": "timestamp", "clock": "boot_us"}


def _row(path, payload):
    row, reject = probe(make_candidate("sensor", path, payload))
    assert reject is None, reject
    return check_row("sensor", row)


# file: (rows, channels, rate_hz, duration_s, max_gap_s)
COMMA_EXPECTED = {
    "IMU_accelerometer.csv": (6256, 3, 104.36, 59.992, 0.00964),
    "IMU_gyro.csv": (6256, 3, 104.36, 59.992, 0.00964),
    "IMU_magnetometer.csv": (592, 3, 10.0, 59.885, 0.1476),
    "CAN_speed.csv": (4974, 1, 89.20, 59.988, 0.0265),
    "GNSS_live_gnss_ublox.csv": (579, 6, 9.99, 59.728, 0.1965),  # the one 0.197 s gap
    "GNSS_live_gnss_qcom.csv": (30, 6, 0.50, 58.000, 2.029),
}


@pytest.mark.parametrize("name", sorted(COMMA_EXPECTED))
def test_comma2k19_streams_in_boot_seconds(data, name):
    rows, channels, rate, duration, gap = COMMA_EXPECTED[name]
    row = _row(data / COMMA / name, BOOT_S)
    assert (row["rows"], row["channels"]) == (rows, channels)
    assert (row["time_column"], row["clock"]) == ("t_boot_s", "boot_s")
    assert row["rate_hz"] == pytest.approx(rate, rel=0.005)
    assert row["duration_s"] == pytest.approx(duration, abs=0.002)
    assert row["max_gap_s"] == pytest.approx(gap, rel=0.01)


def test_px4_sensor_combined_in_boot_microseconds(data):
    row = _row(data / PX4 / "sensor_combined_0.csv", BOOT_US)
    assert (row["rows"], row["channels"]) == (1298, 10)
    assert row["rate_hz"] == pytest.approx(204.58, rel=0.005)  # median step 4888 us
    assert row["duration_s"] == pytest.approx(6.496152)  # the CSV spans 6.5 s of the log
    assert row["max_gap_s"] == pytest.approx(0.161303)  # between its first two samples


def test_px4_gps_at_5_hz(data):
    row = _row(data / PX4 / "vehicle_gps_position_0.csv", BOOT_US)
    assert (row["rows"], row["channels"]) == (32, 24)
    assert row["rate_hz"] == pytest.approx(5.0, rel=0.001)


def test_clock_unit_converts_utc_milliseconds(data):
    payload = {"time_column": "utc_timestamp", "clock": "utc_ms"}
    row = _row(data / COMMA / "GNSS_live_gnss_ublox.csv", payload)
    assert row["rate_hz"] == pytest.approx(10.0, rel=0.01)
    assert row["channels"] == 6


def _csv(path, frame):
    frame.to_csv(path, index=False)
    return path


def test_sensor_csv_with_one_row_is_invalid_record(tmp_path):
    path = _csv(tmp_path / "one.csv", pd.DataFrame({"t_boot_s": [1.0], "acc": [9.8]}))
    detail = check_reject(probe(make_candidate("sensor", path, BOOT_S))[1], "invalid_record")
    assert "1 data row" in detail["detail"]


def test_missing_time_column_is_invalid_record(tmp_path):
    path = _csv(tmp_path / "untimed.csv", pd.DataFrame({"t": [1.0, 2.0], "acc": [9.8, 9.7]}))
    detail = check_reject(probe(make_candidate("sensor", path, BOOT_S))[1], "invalid_record")
    assert "'t_boot_s'" in detail["detail"]


def test_time_running_backwards_is_invalid_record(tmp_path):
    frame = pd.DataFrame({"timestamp": [100, 200, 150, 300], "v": [1, 2, 3, 4]})
    path = _csv(tmp_path / "backwards.csv", frame)
    detail = check_reject(probe(make_candidate("sensor", path, BOOT_US))[1], "invalid_record")
    assert "backwards at data row 3" in detail["detail"]


def test_blank_timestamp_is_invalid_record(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("timestamp,v\n100,1\n,2\n300,3\n")
    check_reject(probe(make_candidate("sensor", path, BOOT_US))[1], "invalid_record")


def test_unknown_clock_is_invalid_record(data):
    payload = {"time_column": "t_boot_s", "clock": "sundial"}
    check_reject(
        probe(make_candidate("sensor", data / COMMA / "CAN_speed.csv", payload))[1],
        "invalid_record",
    )


@pytest.mark.parametrize(
    ("body", "row", "value"),
    [
        ("0,1\ninf,2\n", 2, "inf"),  # two rows: the rate would be 0
        ("0,1\n1,2\n2,3\n-inf,4\n5,5\n", 4, "-inf"),
        ("0,1\n1,2\n2,3\n3,4\ninf,5\n", 5, "inf"),  # longer: the duration would be inf
    ],
)
def test_infinite_timestamp_is_invalid_record_naming_its_row(tmp_path, body, row, value):
    path = tmp_path / "infinite.csv"
    path.write_text("t,x\n" + body)
    payload = {"time_column": "t", "clock": "boot_s"}
    detail = check_reject(probe(make_candidate("sensor", path, payload))[1], "invalid_record")
    assert f"infinite, first at data row {row}: {value}" in detail["detail"]


def test_repeated_timestamps_keep_the_true_rate_and_are_logged(tmp_path, caplog):
    path = tmp_path / "repeats.csv"
    path.write_text("t,x\n0,1\n0,2\n1,3\n1,4\n2,5\n")
    with caplog.at_level("WARNING", logger="crosspair.probe.sensor"):
        row = _row(path, {"time_column": "t", "clock": "boot_s"})
    assert (row["rows"], row["rate_hz"]) == (5, 1.0)  # the median of all steps gave 2 Hz
    assert (row["duration_s"], row["max_gap_s"]) == (2.0, 1.0)
    assert "2 samples repeat the timestamp before them" in caplog.text


def test_stream_on_a_single_timestamp_is_invalid_record(tmp_path):
    path = tmp_path / "frozen.csv"
    path.write_text("t,x\n7,1\n7,2\n7,3\n")
    payload = {"time_column": "t", "clock": "boot_s"}
    detail = check_reject(probe(make_candidate("sensor", path, payload))[1], "invalid_record")
    assert "all 3 samples share one timestamp" in detail["detail"]


def test_negative_boot_times_are_invalid_record_naming_the_row(tmp_path):
    path = tmp_path / "early.csv"
    path.write_text("t,x\n-1.0,1\n-0.5,2\n0.0,3\n1.0,4\n")
    payload = {"time_column": "t", "clock": "boot_s"}
    detail = check_reject(probe(make_candidate("sensor", path, payload))[1], "invalid_record")
    assert "2 time value(s) are negative on the boot_s clock" in detail["detail"]
    assert "first at data row 1: -1.0" in detail["detail"]


def test_ragged_csv_is_invalid_record_naming_the_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("t,ax\n0,1\n0.01,2\n0.02,3,4\n0.03,5\n")
    payload = {"time_column": "t", "clock": "boot_s"}
    detail = check_reject(probe(make_candidate("sensor", path, payload))[1], "invalid_record")
    assert "ragged CSV" in detail["detail"]
    assert "Expected 2 fields in line 4, saw 3" in detail["detail"]


def test_utc_times_outside_1980_to_2100_are_invalid_record(tmp_path):
    path = tmp_path / "utc.csv"
    path.write_text("t,x\n1600000000000,1\n100000000000000000,2\n")
    payload = {"time_column": "t", "clock": "utc_ms"}
    detail = check_reject(probe(make_candidate("sensor", path, payload))[1], "invalid_record")
    assert "outside 1980-2100 for a utc_ms clock" in detail["detail"]
    assert "first at data row 2" in detail["detail"]


GPS_WEEK = {"time_column": "week, tow", "clock": "gps_week_s"}


def test_gps_week_and_seconds_of_week_across_a_rollover(tmp_path):
    path = tmp_path / "gnss.csv"
    path.write_text("week,tow,lat\n2150,604799.8,48.1\n2150,604799.9,48.1\n2151,0.0,48.1\n")
    row = _row(path, GPS_WEEK)
    assert (row["rows"], row["channels"], row["clock"]) == (3, 1, "gps_week_s")
    assert row["rate_hz"] == pytest.approx(10.0, rel=1e-9)  # 0.1 s steps, rollover included
    assert row["duration_s"] == pytest.approx(0.2, abs=1e-9)


@pytest.mark.parametrize(
    ("time_column", "body", "expected"),
    [
        ("week", "2150,1.0,1\n2150,2.0,1\n", "names two time columns as 'week,seconds_of_week'"),
        ("week,tow", "2150,604800.0,1\n2151,0.5,1\n", "first at data row 1: week 2150"),
        ("week,tow", "-1,1.0,1\n0,2.0,1\n", "not a week >= 0"),
    ],
)
def test_bad_gps_week_times_are_invalid_record(tmp_path, time_column, body, expected):
    path = tmp_path / "gnss.csv"
    path.write_text("week,tow,lat\n" + body)
    payload = {"time_column": time_column, "clock": "gps_week_s"}
    detail = check_reject(probe(make_candidate("sensor", path, payload))[1], "invalid_record")
    assert expected in detail["detail"]


def test_a_byte_order_mark_is_read_past_and_latin_1_is_named(tmp_path):
    excel = tmp_path / "excel.csv"
    excel.write_bytes("\ufefft,x\n0,1\n0.5,2\n1.0,3\n".encode())
    assert _row(excel, {"time_column": "t", "clock": "boot_s"})["rate_hz"] == 2.0

    latin = tmp_path / "latin.csv"
    latin.write_bytes("t,temp °C\n0,1\n1,2\n".encode("latin-1"))
    detail = check_reject(
        probe(make_candidate("sensor", latin, {"time_column": "t", "clock": "boot_s"}))[1],
        "invalid_record",
    )
    assert (
        "not UTF-8 text (invalid start byte at byte 7); save the file as UTF-8"
        in (detail["detail"])
    )
