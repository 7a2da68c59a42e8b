"""The one definition of the sync table: one row per video ↔ audio pair with its A/V offset."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.pandas import Check, Column

_ID = Check.str_matches(r"^[0-9a-f]{16}$", name="stable_id")

SYNC_OFFSETS = pa.DataFrameSchema(
    {
        "pair_id": Column(str, _ID, unique=True),
        "video_id": Column(str, _ID),
        "audio_id": Column(str, _ID),
        "offset_s": Column(
            float, nullable=True, description="sound time minus picture time; > 0: sound late"
        ),
        "confidence": Column(float, Check.ge(0), description="peak margin in robust σ"),
        "frame_duration_s": Column(float, Check.gt(0), nullable=True),
        "within_tolerance": Column(
            "boolean", nullable=True, description="null when there is no reliable estimate"
        ),
        "reason": Column(str, description="why the estimate is missing or unreliable; '' if ok"),
    },
    name="sync_offsets",
    strict=True,
    ordered=True,
)
