"""Two sensor streams of one vehicle driving a circle, stamped by different clocks.

The IMU is stamped in seconds since boot (``t_boot_s``, like comma2k19), the GPS in
microseconds since the same boot (``timestamp``, like PX4) plus a UTC link. Both describe the
same motion, so a correct clock conversion lines them up; the IMU has one dropout.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

EARTH_M_PER_DEG = 111_320.0
GRAVITY = 9.81


@dataclass(frozen=True)
class Drive:
    """A constant-speed right turn around a fixed centre."""

    boot_s: float = 512.25  # boot clock at the start of the recording
    utc_us_at_boot: int = 1_714_564_800_000_000 - 512_250_000  # 2024-05-01T12:00:00Z at start
    speed_mps: float = 5.0
    radius_m: float = 25.0
    centre_deg: tuple[float, float] = (52.0116, 4.3571)
    duration_s: float = 6.0

    @property
    def yaw_rate(self) -> float:
        return self.speed_mps / self.radius_m


def _table(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def imu_csv(
    drive: Drive, rng: np.random.Generator, rate_hz: float = 100.0, gap_s=(3.0, 3.25)
) -> str:
    """IMU rows at ~``rate_hz`` (0.3 ms jitter) with no samples inside ``gap_s``."""
    rows = []
    for k in range(round(drive.duration_s * rate_hz)):
        t = k / rate_hz + rng.uniform(-3e-4, 3e-4)
        noise = rng.normal(0.0, [0.05, 0.05, 0.05, 0.002, 0.002, 0.002])
        if gap_s[0] <= t < gap_s[1]:
            continue
        acc = (0.0, drive.speed_mps * drive.yaw_rate, -GRAVITY)  # centripetal to the right
        gyro = (0.0, 0.0, drive.yaw_rate)  # turning right: positive about the down axis
        values = np.add([*acc, *gyro], noise)
        rows.append([f"{drive.boot_s + t:.6f}", *(f"{v:.5f}" for v in values)])
    header = ["t_boot_s", "acc_forward", "acc_right", "acc_down"]
    return _table(header + ["gyro_forward", "gyro_right", "gyro_down"], rows)


def gps_csv(
    drive: Drive, rng: np.random.Generator, rate_hz: float = 10.0, delay_s: float = 0.05
) -> str:
    """GPS fixes every 1/``rate_hz`` s from ``delay_s`` on, with ~0.5 m position noise."""
    lat0, lon0 = drive.centre_deg
    rows = []
    for k in range(round((drive.duration_s - delay_s) * rate_hz)):
        t = delay_s + k / rate_hz
        heading = drive.yaw_rate * t  # clockwise from north
        # start due west of the centre, heading north, so the centre is on the right
        east = -drive.radius_m * math.cos(heading) + rng.normal(0.0, 0.5)
        north = drive.radius_m * math.sin(heading) + rng.normal(0.0, 0.5)
        lat = lat0 + north / EARTH_M_PER_DEG
        lon = lon0 + east / (EARTH_M_PER_DEG * math.cos(math.radians(lat0)))
        stamp_us = round((drive.boot_s + t) * 1e6)
        rows.append(
            [
                str(stamp_us),
                str(drive.utc_us_at_boot + stamp_us),
                f"{lat:.7f}",
                f"{lon:.7f}",
                f"{drive.speed_mps + rng.normal(0.0, 0.05):.3f}",
                f"{heading % (2 * math.pi):.4f}",
                "3",
            ]
        )
    header = ["timestamp", "time_utc_usec", "lat_deg", "lon_deg", "vel_m_s", "cog_rad", "fix_type"]
    return _table(header, rows)
