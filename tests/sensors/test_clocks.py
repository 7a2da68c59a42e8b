"""Clock units and boot-to-UTC links, checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crosspair.sensors import ClockLink, boot_seconds, estimate_link, stream_link, utc_ns

NS = 1_000_000_000


def test_units_to_seconds_and_nanoseconds():
    assert boot_seconds([20471648], "boot_us")[0] == pytest.approx(20.471648, abs=1e-12)
    assert boot_seconds([46408.654976041], "boot_s")[0] == 46408.654976041
    # comma2k19 GNSS utc_timestamp is milliseconds although upstream says seconds
    assert int(utc_ns([1533226488299.0], "utc_ms")[0]) == 1_533_226_488_299_000_000
    assert int(utc_ns([1533226488299.5], "utc_ms")[0]) == 1_533_226_488_299_500_000
    assert int(utc_ns(np.array([1618986658600345]), "utc_us")[0]) == 1_618_986_658_600_345_000
    with pytest.raises(ValueError, match="not a boot clock"):
        boot_seconds([1.0], "utc_ms")
    with pytest.raises(ValueError, match="unknown clock"):
        utc_ns([1.0], "tai_s")


def test_comma2k19_gnss_first_row_by_hand(comma_stream):
    # GNSS_live_gnss_ublox.csv row 1: t_boot_s = 46408.654976041, utc_timestamp = 1533226488299
    # ms = 2018-08-02T16:14:48.299Z. UTC at boot = 1,533,226,488.299 - 46,408.654976041
    #                                            = 1,533,180,079.644023959 s (03:21:19.644Z).
    ublox = comma_stream("GNSS_live_gnss_ublox")
    first = ublox.frame.iloc[[0]]
    assert first["t_boot_s"].item() == 46408.654976041
    assert first["utc_timestamp"].item() == 1533226488299.0
    link = estimate_link(first["t_boot_s"], utc_ns(first["utc_timestamp"], "utc_ms"))
    assert link.offset_ns == pytest.approx(1_533_180_079_644_023_959, abs=1)


def test_comma2k19_frames_and_gnss_disagree_by_receiver_latency(frames, comma_stream):
    # Frame 0: boot 46408.547498 s (frame_times.npy) is GPS 2012/404106.397 = UTC
    # 1,533,226,488.397 s (test_gps_time), so UTC at boot = 1,533,180,079.849502 s.
    # The first GNSS row above gives 1,533,180,079.644024 s: 0.205478 s apart by hand.
    boot = frames.frame["t_boot_s"].to_numpy()
    from_frames = estimate_link(boot, frames.utc_ns())
    assert from_frames.offset_ns == 1_533_180_079_849_502_000
    assert from_frames.residual_max_abs_s == 0.0  # all 1200 frames: one exact offset

    from_ublox = stream_link(comma_stream("GNSS_live_gnss_ublox"))
    from_qcom = stream_link(comma_stream("GNSS_live_gnss_qcom"))
    assert (from_ublox.n_rows, from_qcom.n_rows) == (579, 30)
    assert from_ublox.offset_ns == 1_533_180_079_645_616_426
    assert from_ublox.residual_median_abs_s == pytest.approx(0.005288, abs=1e-6)
    assert from_ublox.residual_max_abs_s == pytest.approx(0.037262, abs=1e-6)
    # Not "within a few ms": GNSS rows are stamped when the message was logged, their UTC
    # field when the fix was valid, so the GNSS link runs late by the receiver's output
    # latency, 204 ms for the u-blox and 148 ms for the Qualcomm receiver. frame_gps_times
    # is an exact constant shift of frame_times, so it cannot carry that jitter.
    assert from_frames.offset_s - from_ublox.offset_s == pytest.approx(0.203886, abs=1e-5)
    assert from_frames.offset_s - from_qcom.offset_s == pytest.approx(0.147503, abs=1e-5)


def test_comma2k19_ublox_drift_is_below_one_ppm(comma_stream):
    link = stream_link(comma_stream("GNSS_live_gnss_ublox"), method="theil_sen")
    assert abs(link.drift_ppm) < 1.0  # Theil-Sen: 0.16 ppm; least squares says 14.7 ppm
    assert link.offset_ns == pytest.approx(1_533_180_079_645_616_426, abs=10_000)  # 3.4 us


def test_px4_gps_first_row_and_median_by_hand(px4_stream):
    # vehicle_gps_position_0.csv row 1: timestamp = 20,471,648 us since boot,
    # time_utc_usec = 1,618,986,658,600,345 us (2021-04-21T06:30:58.600345Z).
    # UTC at boot = 1,618,986,658,600,345 - 20,471,648 = 1,618,986,638,128,697 us
    #             = 2021-04-21T06:30:38.128697Z.
    gps = px4_stream("vehicle_gps_position_0")
    first = gps.frame.iloc[[0]]
    one_row = estimate_link(first["timestamp"] / 1e6, utc_ns(first["time_utc_usec"], "utc_us"))
    assert one_row.offset_ns == 1_618_986_638_128_697_000
    # Over all 32 rows the 16th and 17th sorted differences are ...141,643 and ...141,698 us:
    # median 1,618,986,638,141,670.5 us; row 1 is the furthest from it (12.97 ms).
    link = stream_link(gps)
    assert (link.n_rows, link.offset_ns) == (32, 1_618_986_638_141_670_500)
    assert link.residual_max_abs_s == pytest.approx(0.0129735, abs=1e-9)


def test_theil_sen_recovers_a_known_drift():
    boot = np.arange(0.0, 600.0, 0.5)
    utc = 1_700_000_000 * NS + np.round((boot + 40e-6 * (boot - 300.0)) * NS).astype(np.int64)
    utc[::50] += 250_000_000  # late messages the fit must shrug off
    link = estimate_link(boot, utc, method="theil_sen")
    assert link.drift_ppm == pytest.approx(40.0, abs=1e-3)
    assert link.pivot_boot_s == pytest.approx(299.75)
    assert int(link.to_utc_ns(300.0)) == pytest.approx(1_700_000_300 * NS, abs=1_000)
    assert link.residual_median_abs_s < 1e-6


def test_link_round_trip_and_rows_without_fix():
    link = ClockLink(1_600_000_000 * NS, 2e-6, 100.0, "theil_sen", 2, 0.0, 0.0)
    boot = np.array([0.0, 100.0, 12345.678901])
    assert link.to_boot_s(link.to_utc_ns(boot)) == pytest.approx(boot, abs=1e-9)
    rows = pd.DataFrame({"boot": [1.0, 2.0, 3.0], "utc": [0, 1_600_000_002 * NS, 0]})
    fitted = estimate_link(rows["boot"], rows["utc"])  # utc 0: no fix yet, left out
    assert (fitted.n_rows, fitted.offset_ns) == (1, 1_600_000_000 * NS)
    with pytest.raises(ValueError, match="too few"):
        estimate_link([1.0], [0])
