"""Sensor streams on common clocks, paired by time (no Dagster).

- ``clocks`` / ``gps_time``: boot seconds, UTC as int64 ns, GPS week + seconds of week with
  leap seconds, and boot-to-UTC links fitted from rows stamped on both clocks;
- ``streams``: a ``Stream`` (table, time column, clock), gaps, the UTC link a stream carries;
- ``pairing``: ``pair_streams`` by nearest sample or linear interpolation;
- ``catalog``: ``pair_sensor_catalog`` over the rows of the sensor catalog;
- ``tables``: the pandera schemas of every table above; ``ulog``: raw PX4 logs (pyulog).
"""

from crosspair.sensors.catalog import pair_sensor_catalog, sources_resolver
from crosspair.sensors.clocks import ClockLink, boot_seconds, estimate_link, timeline_of, utc_ns
from crosspair.sensors.gps_time import LEAP_SECONDS, gps_to_utc_ns, utc_ns_to_gps
from crosspair.sensors.pairing import SensorPairing, pair_streams
from crosspair.sensors.streams import Stream, find_gaps, read_stream, stream_link

__all__ = [
    "LEAP_SECONDS",
    "ClockLink",
    "SensorPairing",
    "Stream",
    "boot_seconds",
    "estimate_link",
    "find_gaps",
    "gps_to_utc_ns",
    "pair_sensor_catalog",
    "pair_streams",
    "read_stream",
    "sources_resolver",
    "stream_link",
    "timeline_of",
    "utc_ns",
    "utc_ns_to_gps",
]
