"""Build settings shared by every asset and check, set in the Dagster UI's launchpad or env."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from crosspair.engine import EngineConfig
from crosspair.sources import SourcesConfig, load_sources

DEFAULT_SOURCES = "data/demo_input/sources.yaml"


class CrosspairSettings(ConfigurableResource):
    """Where the sources file and the data folder are, and the knobs of the build."""

    sources_path: str = Field(
        default_factory=lambda: os.environ.get("CROSSPAIR_SOURCES", DEFAULT_SOURCES),
        description="sources YAML (env CROSSPAIR_SOURCES)",
    )
    data_dir: str = Field(
        default_factory=lambda: os.environ.get("CROSSPAIR_DATA", "data"),
        description="folder for tables, extracted audio and exports (env CROSSPAIR_DATA)",
    )
    erasure_ledger: str = Field(
        default_factory=lambda: os.environ.get("CROSSPAIR_ERASURE_LEDGER", "erasure/ledger.jsonl"),
        description="erasure ledger, relative to the working folder (env CROSSPAIR_ERASURE_LEDGER)",
    )
    version: str = Field(default="unreleased", description="dataset version named in the card")
    workers: int = Field(default=0, description="processes for per-item work; 0 = in process")
    split_salt: str = Field(default="crosspair", description="changes every split when changed")
    train_share: float = 0.8
    val_share: float = 0.1
    near_duplicate_distance: int = Field(default=6, description="max pHash Hamming distance")
    samples_per_shard: int = 500
    duration_tolerance_s: float = 0.05
    sensor_tolerance_s: float = Field(default=0.01, description="max time between paired samples")
    align_backend: str = Field(
        default="auto",
        description="'auto' (WhisperX on a GPU with a local model, else pocketsphinx), "
        "'pocketsphinx' or 'whisperx'",
    )
    whisperx_model_dir: str = Field(
        default_factory=lambda: os.environ.get("CROSSPAIR_WHISPERX_MODEL_DIR", ""),
        description="local wav2vec2 alignment model folder (env CROSSPAIR_WHISPERX_MODEL_DIR)",
    )
    sync_tolerance_s: float = Field(default=0.1, description="max picture-to-sound offset")
    sensor_method: str = Field(default="nearest", description="'nearest' or 'interpolate'")
    max_unpaired_share: float = 0.5

    @cached_property
    def sources(self) -> SourcesConfig:
        return load_sources(self.sources_path)

    @property
    def data(self) -> Path:
        return Path(self.data_dir).resolve()

    @property
    def engine(self) -> EngineConfig:
        return EngineConfig(workers=self.workers)

    def alignment_backend(self):
        """The forced-alignment backend this configuration asks for."""
        from crosspair.align.backend import get_backend

        try:
            from crosspair.align.whisperx_backend import choose_backend
        except ImportError:  # the WhisperX adapter is optional
            return get_backend("pocketsphinx")
        return choose_backend(self.align_backend, self.whisperx_model_dir or None)

    @property
    def ratios(self) -> dict[str, float]:
        test = round(1.0 - self.train_share - self.val_share, 6)
        return {"train": self.train_share, "val": self.val_share, "test": test}

    def resolve(self, row) -> Path:
        """Absolute path of a catalog row's file (extracted tracks live in the data folder).

        An extracted-audio row is told apart by its ``video_id`` column, not by its path: a
        source may well keep its own files under a folder named ``derived/``.
        """
        if "video_id" in row:
            return self.data / row["path"]
        return self.sources.root_of(self.sources.by_name(row["source"])) / row["path"]
