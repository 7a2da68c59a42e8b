"""The one definition of every table crosspair writes.

Assets validate their output with these schemas, checks run them with ``lazy=True`` so every
failing row is reported at once, and exports and tests read column names from here.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.pandas import Check, Column

from crosspair.sources import MEDIA_MODALITIES, TEXT_KINDS
from crosspair.weak.config import HTML_TEXT_KINDS

MODALITIES = (*MEDIA_MODALITIES, "text")
SPLITS = ("train", "val", "test")
REJECT_REASONS = (
    "missing_file",
    "empty_file",
    "truncated",
    "corrupt",
    "unsupported_format",
    "path_outside_root",
    "symlink_outside_root",
    "decompression_bomb",
    "header_mismatch",
    "duplicate_record",
    "empty_text",
    "invalid_record",
    "data_uri",  # an <img> of a saved page embeds its image (crosspair.weak)
    "remote_url",  # an <img> of a saved page points at another host
    "ambiguous_clock",  # a sensor file matched by sensor.streams globs that disagree
)

_HEX64 = Check.str_matches(r"^[0-9a-f]{64}$", name="sha256_hex")
_ID = Check.str_matches(r"^[0-9a-f]{16}$", name="stable_id")


def _id(unique: bool = False) -> Column:
    return Column(str, _ID, unique=unique)


CATALOG_COLUMNS: dict[str, Column] = {
    "item_id": _id(unique=True),
    "source": Column(str),
    "modality": Column(str, Check.isin(MODALITIES)),
    "path": Column(str, Check.str_length(min_value=1)),
    "record_key": Column(str),
    "size_bytes": Column("int64", Check.ge(0)),
    "sha256": Column(str, _HEX64),
    "licence": Column(str, Check.str_length(min_value=1)),
    # people behind the item, sorted and joined by ";" ("" when none is known)
    "subject_ids": Column(str, Check.str_matches(r"^([^;]+(;[^;]+)*)?$", name="semicolon_list")),
}


def _catalog(name: str, extra: dict[str, Column]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {**CATALOG_COLUMNS, **extra}, name=name, strict=True, ordered=True, coerce=False
    )


IMAGE_CATALOG = _catalog(
    "image_catalog",
    {
        "width": Column("int64", Check.gt(0)),
        "height": Column("int64", Check.gt(0)),
        "mode": Column(str),
        "format": Column(str),
        "exif_orientation": Column("int64", Check.in_range(1, 8)),
        "phash": Column(str, Check.str_matches(r"^[0-9a-f]{16}$")),
    },
)

AUDIO_CATALOG = _catalog(
    "audio_catalog",
    {
        "format": Column(str),
        "subtype": Column(str),
        "sample_rate": Column("int64", Check.gt(0)),
        "channels": Column("int64", Check.gt(0)),
        "frames": Column("int64", Check.ge(0)),
        "duration_s": Column(float, Check.ge(0)),
    },
)

VIDEO_CATALOG = _catalog(
    "video_catalog",
    {
        "format": Column(str),
        "duration_s": Column(float, Check.ge(0), nullable=True),
        "duration_from": Column(str, Check.isin(["container", "stream", "decoded"])),
        "video_streams": Column("int64", Check.ge(1)),
        "audio_streams": Column("int64", Check.ge(0)),
        "subtitle_streams": Column("int64", Check.ge(0)),
        "width": Column("int64", Check.gt(0)),
        "height": Column("int64", Check.gt(0)),
        "fps": Column(float, Check.gt(0)),
        "fps_mode": Column(str, Check.isin(["constant", "variable"])),
        "has_audio": Column(bool),
        "audio_sample_rate": Column("Int64", nullable=True),
        "audio_channels": Column("Int64", nullable=True),
        "video_start_s": Column(float),
        "audio_start_s": Column(float, nullable=True),
    },
)

MESH_CATALOG = _catalog(
    "mesh_catalog",
    {
        "format": Column(str),
        "vertices": Column("int64", Check.gt(0)),
        "faces": Column("int64", Check.gt(0)),
        "watertight": Column(bool),
        "triangles_only": Column(bool),
    },
)

SENSOR_CATALOG = _catalog(
    "sensor_catalog",
    {
        "rows": Column("int64", Check.gt(1)),
        "channels": Column("int64", Check.ge(1)),
        "time_column": Column(str),
        "clock": Column(str),
        "rate_hz": Column(float, Check.gt(0)),
        "duration_s": Column(float, Check.ge(0)),
        "max_gap_s": Column(float, Check.ge(0)),
    },
)

TEXT_CATALOG = _catalog(
    "text_catalog",
    {
        "kind": Column(str, Check.isin([*TEXT_KINDS, "subtitles", *HTML_TEXT_KINDS])),
        "anchor": Column(str, description="path or record the text belongs to"),
        "text": Column(str, Check.str_length(min_value=1)),
        "n_chars": Column("int64", Check.gt(0)),
        "n_words": Column("int64", Check.ge(0)),
        "language": Column(str),
    },
)

CODE_CATALOG = _catalog(
    "code_catalog",
    {
        "language": Column(str),
        "entry_point": Column(str),
        "code": Column(str, Check.str_length(min_value=1)),
        "n_lines": Column("int64", Check.gt(0)),
    },
)

CATALOGS: dict[str, pa.DataFrameSchema] = {
    "image": IMAGE_CATALOG,
    "audio": AUDIO_CATALOG,
    "video": VIDEO_CATALOG,
    "mesh": MESH_CATALOG,
    "sensor": SENSOR_CATALOG,
    "text": TEXT_CATALOG,
    "code": CODE_CATALOG,
}

REJECTS = pa.DataFrameSchema(
    {
        "source": Column(str),
        "modality": Column(str, Check.isin(MODALITIES)),
        "path": Column(str),
        "record_key": Column(str),
        "item_id": _id(),
        "stage": Column(str, Check.isin(["discover", "probe"])),
        "reason": Column(str, Check.isin(REJECT_REASONS)),
        "detail": Column(str),
    },
    name="rejects",
    strict=True,
    ordered=True,
)

DISCOVERED = pa.DataFrameSchema(
    {
        "item_id": _id(unique=True),
        "source": Column(str),
        "modality": Column(str, Check.isin(MODALITIES)),
        "path": Column(str, Check.str_length(min_value=1)),
        "record_key": Column(str),
        "abs_path": Column(str, description="checked absolute path; empty for records"),
        "licence": Column(str),
        "subject_ids": Column(str),
        "payload": Column(str, description="JSON: texts, code, sensor clock of records"),
    },
    name="discovered_items",
    strict=True,
    ordered=True,
)

EXTRACTED_AUDIO = pa.DataFrameSchema(
    {
        "item_id": _id(unique=True),
        "video_id": _id(),
        "source": Column(str),
        "path": Column(str, description="relative to the data folder"),
        "stream_index": Column("int64", Check.ge(0)),
        "sample_rate": Column("int64", Check.gt(0)),
        "channels": Column("int64", Check.gt(0)),
        "frames": Column("int64", Check.gt(0)),
        "sha256": Column(str, _HEX64),
    },
    name="extracted_audio",
    strict=True,
    ordered=True,
)

PAIRS = pa.DataFrameSchema(
    {
        "pair_id": _id(unique=True),
        "group_id": _id(),
        "source": Column(str),
        "left_id": _id(),
        "left_modality": Column(str, Check.isin(MODALITIES)),
        "right_id": _id(),
        "right_modality": Column(str, Check.isin(MODALITIES)),
        "method": Column(str),
        "score": Column(
            float,
            Check.in_range(-1.0, 1.0),
            nullable=True,
            description="the method's confidence or similarity; empty for heuristic pairs",
        ),
        "params": Column(str, description="JSON object of the method's parameters"),
    },
    name="pairs",
    strict=True,
    ordered=True,
    unique=["left_id", "right_id", "method"],
)

UNPAIRED = pa.DataFrameSchema(
    {
        "item_id": _id(),
        "source": Column(str),
        "modality": Column(str, Check.isin(MODALITIES)),
        "path": Column(str),
        "wanted": Column(str, description="the pair that could not be made"),
        "reason": Column(str),
    },
    name="unpaired_items",
    strict=True,
    ordered=True,
)

WEAK_LABEL_VOTES = pa.DataFrameSchema(
    {
        "source": Column(str),
        "page": Column(str, Check.str_length(min_value=1), description="saved page, from root"),
        "image_path": Column(str, description="image the text belongs to, from the root"),
        "image_id": _id(),
        "text_id": _id(unique=True),
        "kind": Column(str, Check.isin(list(HTML_TEXT_KINDS))),
        "text": Column(str),
        r"^vote_[a-z][a-z0-9_]*$": Column(
            str, Check.isin(["keep", "drop", "abstain"]), regex=True, description="one per rule"
        ),
        "confidence": Column(float, Check.in_range(0.0, 1.0)),
        "threshold": Column(float, Check.in_range(0.0, 1.0)),
        "decision": Column(str, Check.isin(["keep", "drop"])),
        "reason": Column(str, description="rules that voted drop, or why a kept one was dropped"),
    },
    checks=[
        Check(
            lambda t: (t["decision"] == "drop") | (t["confidence"] >= t["threshold"]),
            name="kept_at_threshold",
        ),
        Check(lambda t: (t["decision"] == "keep") == (t["reason"] == ""), name="drops_say_why"),
    ],
    name="weak_label_votes",
    strict=True,
)

SPLIT_ASSIGNMENTS = pa.DataFrameSchema(
    {
        "pair_id": _id(unique=True),
        "group_id": _id(),
        "leakage_group": Column(str, description="pairs sharing media, near-duplicates or people"),
        "split": Column(str, Check.isin(SPLITS)),
    },
    name="split_assignments",
    strict=True,
    ordered=True,
)


def empty_frame(schema: pa.DataFrameSchema) -> pd.DataFrame:
    """A zero-row frame with the schema's columns and dtypes."""
    columns = {}
    for name, column in schema.columns.items():
        dtype = str(column.dtype) if column.dtype is not None else "object"
        columns[name] = pd.Series(dtype="object" if dtype == "str" else dtype)
    return pd.DataFrame(columns)


EXACT_DUPLICATES = pa.DataFrameSchema(
    {
        "item_id": _id(unique=True),
        "duplicate_group": Column(str, _ID, description="smallest item_id sharing the sha256"),
    },
    name="exact_duplicates",
    strict=True,
    ordered=True,
)

NEAR_DUPLICATES = pa.DataFrameSchema(
    {
        "item_id": _id(unique=True),
        "cluster_id": Column(str, _ID, description="smallest item_id of the cluster"),
        "nearest_id": _id(),
        "distance": Column("int64", Check.in_range(0, 64), description="phash bits to nearest"),
    },
    name="near_duplicates",
    strict=True,
    ordered=True,
)

SPLIT_EXCLUSIONS = pa.DataFrameSchema(
    {
        "pair_id": _id(unique=True),
        "reason": Column(str, Check.str_length(min_value=1)),
    },
    name="split_exclusions",
    strict=True,
    ordered=True,
)

SHARD_INDEX = pa.DataFrameSchema(
    {
        "split": Column(str, Check.isin(SPLITS)),
        "shard": Column(str, description="tar file relative to the export folder"),
        "key": Column(str, Check.str_matches(r"^[^./]+$", name="no_dots")),
        "group_id": _id(),
        "pair_ids": Column(str, description="pairs in the sample, ';'-joined"),
        "members": Column(str, description="tar member suffixes of the sample, ';'-joined"),
    },
    name="shard_index",
    strict=True,
    ordered=True,
    unique=["split", "key"],
)


def _side(prefix: str) -> dict[str, Column]:
    return {
        f"{prefix}_id": _id(),
        f"{prefix}_modality": Column(str, Check.isin(MODALITIES)),
        f"{prefix}_kind": Column(str, nullable=True, description="text kind; null for media"),
        f"{prefix}_path": Column(str),
        f"{prefix}_sha256": Column(str, _HEX64),
        f"{prefix}_licence": Column(str),
        f"{prefix}_subject_ids": Column(str),
        f"{prefix}_text": Column(str, nullable=True, description="text or code; null for media"),
    }


SPLIT_MANIFEST = pa.DataFrameSchema(
    {
        "pair_id": _id(unique=True),
        "group_id": _id(),
        "leakage_group": Column(str),
        "split": Column(str, Check.isin(SPLITS)),
        "source": Column(str),
        "method": Column(str),
        "params": Column(str),
        **_side("left"),
        **_side("right"),
    },
    name="split_manifest",
    strict=True,
    ordered=True,
)


def _provenance_side(prefix: str) -> dict[str, Column]:
    return {
        f"{prefix}_id": _id(),
        f"{prefix}_modality": Column(str, Check.isin(MODALITIES)),
        f"{prefix}_source": Column(str),
        f"{prefix}_path": Column(str, description="file or manifest the item was read from"),
        f"{prefix}_sha256": Column(str, _HEX64),
        f"{prefix}_licence": Column(str),
    }


PROVENANCE = pa.DataFrameSchema(
    {
        "pair_id": _id(unique=True),
        "group_id": _id(),
        **_provenance_side("left"),
        **_provenance_side("right"),
        "method": Column(str),
        "score": Column(float, nullable=True, description="the pair table's score"),
        "params": Column(str, description="JSON object of the method's parameters"),
        "model_name": Column(str, description="model that made the pair; empty for heuristics"),
        "model_version": Column(str),
        "annotator": Column(str, description="person who made the pair; empty when none"),
        "code_version": Column(
            str, Check.str_length(min_value=1), description="git commit, '-dirty', or 'unknown'"
        ),
        "run_id": Column(str, Check.str_length(min_value=1), description="Dagster run id"),
    },
    name="provenance",
    strict=True,
    ordered=True,
)


LINEAGE_INDEX = pa.DataFrameSchema(
    {
        "key": Column(str, description="an item id, or 'subject:' and a subject id"),
        "item_id": _id(),
        "item_table": Column(str, description="catalog (or extracted_audio) holding the item"),
        "pair_id": _id(),
        "group_id": _id(),
        "side": Column(str, Check.isin(["left", "right"])),
        "split": Column(str, Check.isin([*SPLITS, ""]), description="'' when excluded"),
        "shard": Column(str, description="tar relative to exports/shards; '' when not exported"),
    },
    name="lineage_index",
    strict=True,
    ordered=True,
    unique=["key", "pair_id", "side"],
)


JUDGEMENTS = pa.DataFrameSchema(
    {
        "annotator": Column(str, Check.str_length(min_value=1)),
        "source": Column(str, description="source of the left item"),
        "left_id": _id(),
        "left_modality": Column(str, Check.isin(MODALITIES)),
        "right_id": _id(),
        "right_modality": Column(str, Check.isin(MODALITIES)),
        "label": Column(str, Check.str_length(min_value=1), description="from the label set"),
        "source_file": Column(str, description="annotation file the judgement was read from"),
        "task_id": Column(str, description="Label Studio task id, or the CSV line"),
        "created_at": Column(pd.DatetimeTZDtype("ns", "UTC"), nullable=True),
    },
    name="human_judgements",
    strict=True,
    ordered=True,
    unique=["annotator", "left_id", "right_id"],
)
