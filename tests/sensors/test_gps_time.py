"""GPS week + seconds of week to UTC, against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from crosspair.sensors.gps_time import (
    LEAP_SECONDS,
    gps_to_utc_ns,
    leap_seconds_at_gps,
    leap_seconds_at_utc,
    utc_ns_to_gps,
)

NS = 1_000_000_000


def _utc_ns(*args) -> int:
    when = dt.datetime(*args, tzinfo=dt.UTC)
    return round(when.timestamp()) * NS


def test_first_comma2k19_frame_by_hand(frames):
    # frame_gps_times.npy row 0 is (week 2012, 404106.397 s of week). By hand:
    #   GPS epoch 1980-01-06T00:00:00Z                  =   315,964,800 s since 1970
    #   2012 weeks x 604,800 s                          = 1,216,857,600 s
    #   start of week 2012 (Sunday 2018-07-29, GPS)     = 1,532,822,400 s
    #   + 404,106.397 s = 4 d (345,600 s) + 16 h 15 min 06.397 s
    #     -> Thursday 2018-08-02T16:15:06.397 on the GPS scale = 1,533,226,506.397 s
    #   - 18 leap seconds (GPS-UTC since 2017-01-01)
    #     -> 2018-08-02T16:14:48.397Z                   = 1,533,226,488.397 s
    week, tow = frames.frame.loc[0, ["week", "tow"]]
    assert (week, tow) == (2012.0, 404106.397)
    assert int(gps_to_utc_ns(week, tow)) == 1_533_226_488_397_000_000
    assert int(gps_to_utc_ns(week, tow)) == _utc_ns(2018, 8, 2, 16, 14, 48) + 397_000_000


def test_utc_back_to_gps_week_and_seconds():
    week, tow = utc_ns_to_gps(1_533_226_488_397_000_000)
    assert int(week) == 2012
    assert float(tow) == pytest.approx(404106.397, abs=1e-9)


def test_gps_epoch_has_no_leap_seconds():
    assert int(gps_to_utc_ns(0, 0.0)) == _utc_ns(1980, 1, 6)
    assert int(leap_seconds_at_utc(_utc_ns(1980, 1, 6))) == 0


@pytest.mark.parametrize(
    ("utc", "leap"),
    [
        ((1981, 6, 30, 23, 59, 59), 0),
        ((1981, 7, 1), 1),
        ((1985, 7, 1), 4),
        ((2010, 5, 1), 15),
        ((2016, 12, 31, 23, 59, 59), 17),
        ((2017, 1, 1), 18),
        ((2021, 4, 21), 18),
    ],
)
def test_leap_seconds_by_utc_date(utc, leap):
    assert int(leap_seconds_at_utc(_utc_ns(*utc))) == leap


def test_leap_second_changes_at_new_offset_on_gps_scale():
    # 2017-01-01T00:00:00Z is 1,483,228,800 s since 1970; on the GPS scale that instant reads
    # 18 s later. One GPS second earlier the old 17 s still applies.
    midnight = 1_483_228_800
    assert int(leap_seconds_at_gps(midnight + 18)) == 18
    assert int(leap_seconds_at_gps(midnight + 16)) == 17
    week, tow = divmod(midnight + 16 - 315_964_800, 604_800)
    assert int(gps_to_utc_ns(week, tow)) == (midnight - 1) * NS  # 2016-12-31T23:59:59Z


def test_table_is_eighteen_ordered_one_second_steps():
    dates = [date for date, _ in LEAP_SECONDS]
    offsets = [offset for _, offset in LEAP_SECONDS]
    assert dates == sorted(dates) and dates[-1] == dt.date(2017, 1, 1)
    assert offsets == list(range(1, 19))


def test_vectorised_and_rejects_bad_input():
    utc = gps_to_utc_ns(np.array([2012, 2012]), np.array([404106.397, 404106.447008]))
    assert np.diff(utc).tolist() == [50_008_000]
    with pytest.raises(ValueError, match="seconds of week"):
        gps_to_utc_ns(2012, 604_800.0)
    with pytest.raises(ValueError, match="whole"):
        gps_to_utc_ns(2012.5, 0.0)
