"""Read PX4 ULog topics as tables, to cross-check CSV exports against the raw log.

Needs ``pyulog`` (a pure-Python wheel: ``pip install pyulog``), which is not a dependency of
crosspair; the import happens on first use. Columns follow ``ulog2csv``: ``timestamp`` (us
since boot) first, then the fields in log order, padding left out.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)


def _open(path: str | Path, topics: list[str] | None = None):
    try:
        from pyulog import ULog
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("reading .ulg files needs pyulog: `pip install pyulog`") from err
    return ULog(str(path), topics)


def read_ulog_topic(path: str | Path, topic: str, multi_id: int = 0) -> pd.DataFrame:
    """One topic instance of a ULog as a table with the columns ``ulog2csv`` writes."""
    ulog = _open(path, [topic])
    for data in ulog.data_list:
        if data.name == topic and data.multi_id == multi_id:
            names = [f.field_name for f in data.field_data if not f.field_name.startswith("_")]
            names = ["timestamp", *(name for name in names if name != "timestamp")]
            frame = pd.DataFrame({name: data.data[name] for name in names})
            log.info("read %d rows of %s/%d from %s", len(frame), topic, multi_id, path)
            return frame
    found = sorted({(d.name, d.multi_id) for d in _open(path).data_list})
    raise KeyError(f"{path}: no topic {topic!r} instance {multi_id}; the log has {found}")


def ulog_dropouts(path: str | Path) -> pd.DataFrame:
    """Logging dropouts the ULog records: start (us since boot) and duration in ms."""
    ulog = _open(path)  # a topic filter would stamp dropouts at the log start
    return pd.DataFrame(
        {
            "timestamp": [int(d.timestamp) for d in ulog.dropouts],
            "duration_ms": [int(d.duration) for d in ulog.dropouts],
        },
        dtype="int64",
    )
