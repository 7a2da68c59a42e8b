"""pair_streams on the real comma2k19 and PX4 logs, and on small streams worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crosspair.sensors import ClockLink, Stream, estimate_link, pair_streams, stream_link
from crosspair.sensors.tables import PAIRING_SUMMARY, SENSOR_DROPPED, SENSOR_GAPS

NS = 1_000_000_000


def _summary(pairing, other: str) -> dict:
    return pairing.summary.set_index("other").loc[other].to_dict()


def test_comma_accelerometer_with_can_speed_nearest_10ms(comma_stream):
    accel, speed = comma_stream("IMU_accelerometer"), comma_stream("CAN_speed")
    pairing = pair_streams(accel, [speed], "nearest", tolerance_s=0.010, source="comma2k19")

    row = _summary(pairing, "CAN_speed")
    # measured: 6256 accelerometer rows (~104 Hz), 4974 CAN rows (~89 Hz)
    assert (row["n_reference"], row["n_other"]) == (6256, 4974)
    assert (row["n_paired"], row["n_dropped"]) == (6222, 34)
    assert row["max_abs_dt_s"] == pytest.approx(0.009967, abs=1e-6)
    assert row["median_abs_dt_s"] == pytest.approx(0.003015, abs=1e-6)
    assert (row["timeline"], row["clock_offset_s"]) == ("boot", 0.0)
    assert len(pairing.table) == 6256 and pairing.table["complete"].sum() == 6222

    dropped = pairing.dropped
    assert len(dropped) == 34 and set(dropped["reason"]) == {"beyond_tolerance"}
    assert (dropped["nearest_dt_s"].abs() > 0.010).all()
    # first dropped row: accelerometer row 227 at 46410.757196 s, nearest CAN 10.548 ms later
    assert dropped.iloc[0]["reference_row"] == 227
    assert dropped.iloc[0]["nearest_dt_s"] == pytest.approx(0.010548, abs=1e-6)

    # pandas merge_asof with the same tolerance keeps the same rows
    expected = pd.merge_asof(
        accel.frame, speed.frame, on="t_boot_s", direction="nearest", tolerance=0.010
    )
    kept = pairing.table["CAN_speed.car_speed_mps"]
    assert kept.isna().to_numpy().tolist() == expected["car_speed_mps"].isna().tolist()
    assert np.allclose(kept.dropna(), expected["car_speed_mps"].dropna())


def test_ublox_gaps_include_the_0197s_one(comma_stream):
    accel, ublox = comma_stream("IMU_accelerometer"), comma_stream("GNSS_live_gnss_ublox")
    pairing = pair_streams(accel, [ublox], tolerance_s=0.010)
    gaps = pairing.gaps[pairing.gaps["stream"] == "GNSS_live_gnss_ublox"]
    # 19 intervals over 1.5 x the 0.100086 s median: the 19 fixes missing from utc_timestamp
    # (19 steps of 200 ms among 559 of 100 ms). The longest, 0.196537 s, starts at row 182.
    assert len(gaps) == 19 and _summary(pairing, "GNSS_live_gnss_ublox")["n_gaps"] == 19
    longest = gaps.loc[gaps["gap_s"].idxmax()]
    assert longest["gap_s"] == pytest.approx(0.196537, abs=1e-6)
    assert longest["start_s"] == pytest.approx(46427.584338378, abs=1e-9)
    assert longest["median_period_s"] == pytest.approx(0.100086, abs=1e-6)
    utc_steps = np.diff(ublox.frame["utc_timestamp"].to_numpy())
    assert np.isin(gaps["start_s"], ublox.frame["t_boot_s"].to_numpy()[:-1][utc_steps > 150]).all()
    assert pairing.gaps[pairing.gaps["stream"] == "IMU_accelerometer"].empty


def test_px4_sensor_combined_with_vehicle_air_data(px4_stream):
    combined, air = px4_stream("sensor_combined_0"), px4_stream("vehicle_air_data_0")

    # 205 Hz reference: 1298 rows, the 20 Hz baro pairs with 483 of them within 10 ms
    fast = pair_streams(combined, [air], tolerance_s=0.010, source="px4")
    row = _summary(fast, "vehicle_air_data_0")
    assert (row["n_reference"], row["n_other"], row["n_paired"]) == (1298, 120, 483)
    assert row["n_gaps"] == 1 and row["max_gap_s"] == pytest.approx(0.160781)  # first step
    # both start with one 0.16 s interval, the only gap of sensor_combined as well
    assert fast.gaps["stream"].tolist() == ["sensor_combined_0", "vehicle_air_data_0"]

    # baro as reference: each of its 120 rows has an IMU row within half the 4.888 ms period
    slow = pair_streams(air, [combined], tolerance_s=0.0025)
    row = _summary(slow, "sensor_combined_0")
    assert (row["n_paired"], row["n_dropped"]) == (120, 0)
    assert row["max_abs_dt_s"] == pytest.approx(0.002432, abs=1e-9)
    assert slow.table["sensor_combined_0.gyro_integral_dt"].dtype == "Int64"

    # by timestamp_sample (17.6-23.0 ms before publication) the first baro sample precedes
    # the IMU log, and one more falls between IMU rows
    sampled = pair_streams(px4_stream("vehicle_air_data_0", "timestamp_sample"), [combined],
                           tolerance_s=0.0025)  # fmt: skip
    assert sampled.dropped["reason"].tolist() == ["outside_span", "beyond_tolerance"]


def _hand_made() -> tuple[Stream, Stream]:
    reference = pd.DataFrame({"t": [0.0, 0.25, 0.6, 1.75, 2.9, 5.0]})
    other = pd.DataFrame(
        {
            "t": [0.0, 1.0, 2.0, 4.0],
            "x": [10.0, 20.0, 40.0, 0.0],
            "count": [1, 2, 3, 4],
            "label": ["a", "b", "c", "d"],
        }
    )
    return Stream("ref", reference, "t", "boot_s"), Stream("other", other, "t", "boot_s")


def test_interpolate_hand_made():
    reference, other = _hand_made()
    pairing = pair_streams(reference, [other], "interpolate", tolerance_s=0.45)
    table = pairing.table
    # t=0.25: x = 10 + 0.25 * (20 - 10) = 12.5, count = 1 + 0.25 = 1.25, label of t=0 "a"
    # t=0.6:  x = 10 + 0.6 * 10 = 16, count 1.6, nearest sample t=1 (0.4 s <= 0.45) "b"
    # t=1.75: x = 20 + 0.75 * (40 - 20) = 35, count 2.75, nearest t=2 (0.25 s) "c"
    # t=2.9:  nearest t=2 is 0.9 s away > 0.45: dropped; t=5.0 lies past the last sample
    assert table["other.x"].tolist()[:4] == pytest.approx([10.0, 12.5, 16.0, 35.0])
    assert table["other.count"].tolist()[:4] == pytest.approx([1.0, 1.25, 1.6, 2.75])
    assert table["other.label"].tolist()[:4] == ["a", "a", "b", "c"]
    assert table["other.dt_s"].tolist()[:4] == pytest.approx([0.0, -0.25, 0.4, 0.25])
    assert table["other.x"].iloc[4:].isna().all() and not table["complete"].iloc[4:].any()
    assert pairing.dropped["reason"].tolist() == ["beyond_tolerance", "outside_span"]
    assert pairing.dropped["nearest_dt_s"].tolist() == pytest.approx([-0.9, -1.0])


def test_nearest_hand_made_keeps_integer_columns():
    reference, other = _hand_made()
    pairing = pair_streams(reference, [other], "nearest", tolerance_s=0.45)
    assert pairing.table["other.x"].tolist()[:4] == [10.0, 10.0, 20.0, 40.0]
    assert pairing.table["other.count"].dtype == "Int64"
    assert pairing.table["other.count"].tolist()[:4] == [1, 1, 2, 3]
    # other: 2 s from t=2 to t=4 is twice its 1 s median interval; ref: 2.1 s > 1.5 x 1.15 s
    gaps = pairing.gaps[["stream", "start_s", "gap_s"]].values.tolist()
    assert gaps == [["ref", 2.9, pytest.approx(2.1)], ["other", 2.0, 2.0]]


def test_tolerance_is_inclusive():
    reference = Stream("ref", pd.DataFrame({"t": [1.0]}), "t", "boot_s")
    other = Stream("other", pd.DataFrame({"t": [1.01], "v": [1.0]}), "t", "boot_s")
    assert pair_streams(reference, [other], tolerance_s=0.01).summary["n_paired"].item() == 1


def test_utc_stream_onto_boot_timeline_through_a_link():
    # link: UTC = boot + 1,600,000,000 s. utc_ms 1,600,000,010,000 -> boot 10.000 s,
    # 1,600,000,011,005 -> boot 11.005 s: 5 ms after the reference's 11.0 s.
    link = ClockLink(1_600_000_000 * NS, 0.0, 0.0, "median", 1, 0.0, 0.0)
    boot = Stream("imu", pd.DataFrame({"t": [10.0, 11.0]}), "t", "boot_s")
    utc = Stream("gnss", pd.DataFrame({"ms": [1600000010000, 1600000011005], "v": [1, 2]}),
                 "ms", "utc_ms")  # fmt: skip
    pairing = pair_streams(boot, [utc], tolerance_s=0.006, link=link)
    assert pairing.table["gnss.dt_s"].tolist() == pytest.approx([0.0, 0.005])
    assert pairing.table["utc_ns"].tolist() == [1_600_000_010 * NS, 1_600_000_011 * NS]
    assert _summary(pairing, "gnss")["clock_offset_s"] == -1.6e9

    reverse = pair_streams(utc, [boot], tolerance_s=0.006, link=link)
    assert reverse.summary["timeline"].item() == "utc"
    assert reverse.table["utc_ns"].tolist() == [1_600_000_010 * NS, 1_600_000_011_005_000_000]
    with pytest.raises(ValueError, match="pass link="):
        pair_streams(boot, [utc], tolerance_s=0.006)


def test_comma_frames_by_gps_time_with_accelerometer(frames, comma_stream):
    link = estimate_link(frames.frame["t_boot_s"], frames.utc_ns())
    accel = comma_stream("IMU_accelerometer")
    pairing = pair_streams(frames, [accel], tolerance_s=0.005, link=link)
    row = _summary(pairing, "IMU_accelerometer")
    # 20 Hz frames on UTC; frame 0 (boot 46408.5475 s) precedes the first IMU row by 32.5 ms
    assert (row["timeline"], row["n_paired"], row["n_dropped"]) == ("utc", 1199, 1)
    assert row["clock_offset_s"] == pytest.approx(1_533_180_079.849502)
    assert pairing.table["utc_ns"].iloc[0] == 1_533_226_488_397_000_000
    assert pairing.dropped["reason"].tolist() == ["outside_span"]


def test_comma_table_carries_utc_from_the_gnss_link(comma_stream):
    ublox = comma_stream("GNSS_live_gnss_ublox")
    pairing = pair_streams(comma_stream("IMU_gyro"), [ublox], tolerance_s=0.01,
                           link=stream_link(ublox))  # fmt: skip
    # gyro row 0 at boot 46408.580034294 s + 1,533,180,079.645616426 s
    assert pairing.table["utc_ns"].iloc[0] == 1_533_226_488_225_650_720


def test_output_tables_match_their_schemas(comma_stream):
    pairing = pair_streams(comma_stream("CAN_speed"), [comma_stream("CAN_steering_angle")],
                           "interpolate", tolerance_s=0.005)  # fmt: skip
    PAIRING_SUMMARY.validate(pairing.summary)
    SENSOR_GAPS.validate(pairing.gaps)
    SENSOR_DROPPED.validate(pairing.dropped)
    assert list(pairing.table.columns[:3]) == ["t_s", "utc_ns", "complete"]


def test_bad_arguments_name_the_way_out():
    reference, other = _hand_made()
    with pytest.raises(ValueError, match="unknown pairing method"):
        pair_streams(reference, [other], "spline", tolerance_s=0.1)
    with pytest.raises(ValueError, match="unique"):
        pair_streams(reference, [reference], tolerance_s=0.1)
    with pytest.raises(ValueError, match="goes backwards at row index 2"):
        Stream("late", pd.DataFrame({"t": [1.0, 3.0, 2.0]}), "t", "boot_s")
    with pytest.raises(ValueError, match="no time column"):
        Stream("untimed", pd.DataFrame({"x": [1.0]}), "t", "boot_s")


def test_tolerance_is_inclusive_on_the_utc_timeline_too():
    """UTC seconds near 1.6e9 round to 2.4e-7 s; a partner exactly 10 ms away still pairs."""
    ms = 1_600_000_000_000 + np.arange(0, 10_000, 20)
    reference = Stream("ref", pd.DataFrame({"t": ms, "a": 1.0}), "t", "utc_ms")
    other = Stream("other", pd.DataFrame({"t": ms + 10, "b": 2.0}), "t", "utc_ms")
    summary = pair_streams(reference, [other], tolerance_s=0.01).summary
    assert summary[["n_paired", "n_dropped"]].values.tolist() == [[500, 0]]
    assert summary["max_abs_dt_s"].item() == pytest.approx(0.01, abs=1e-6)
