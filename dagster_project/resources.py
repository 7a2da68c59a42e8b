"""Build settings shared by every asset and check, set in the Dagster UI's launchpad or env."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from crosspair.engine import EngineConfig, workers_from_env
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
    workers: int = Field(
        default_factory=workers_from_env,
        description="processes for per-item work; 0 = in process (local engine) or one per "
        "core (dask LocalCluster) (env CROSSPAIR_WORKERS)",
    )
    engine_kind: str = Field(
        default_factory=lambda: os.environ.get("CROSSPAIR_ENGINE", "local"),
        description="'local' (in process or a process pool) or 'dask' (env CROSSPAIR_ENGINE)",
    )
    dask_address: str = Field(
        default_factory=lambda: os.environ.get("CROSSPAIR_DASK_ADDRESS", ""),
        description="Dask scheduler, e.g. tcp://host:8786; empty = a LocalCluster of `workers` "
        "(env CROSSPAIR_DASK_ADDRESS)",
    )
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
    annotations: str = Field(
        default_factory=lambda: os.environ.get("CROSSPAIR_ANNOTATIONS", "annotations/"),
        description="Label Studio JSON exports and CSV judgements: a folder or a glob, relative "
        "to the working folder; an empty folder means no judgements, and only the default or "
        "a location written optional:PATH may be missing (env CROSSPAIR_ANNOTATIONS)",
    )
    agreement_floor: float = Field(
        default=0.6, description="lowest Krippendorff's alpha the annotation check accepts"
    )
    min_annotators: int = Field(
        default=2, description="annotators a pair needs before a human decision counts"
    )
    annotation_labels: list[str] = Field(
        default=["match", "no_match"],
        description="labels annotators choose from, read as the files' labels are (case, "
        "spaces and hyphens aside: 'No match' is no_match); a pair the majority labels match "
        "becomes a human pair and no_match removes it, so a set with neither changes no pair",
    )
    # semantic pairing (crosspair/semantic): models that score, rank and flag pairs
    text_model: str = Field(default="minilm", description="scorer of text ↔ text/code pairs")
    clip_model: str = Field(
        default_factory=lambda: os.environ.get("CROSSPAIR_CLIP_MODEL", "ViT-B-32"),
        description="open_clip architecture for image ↔ text (env CROSSPAIR_CLIP_MODEL)",
    )
    clip_checkpoint: str = Field(
        default_factory=lambda: os.environ.get("CROSSPAIR_CLIP_CHECKPOINT", ""),
        description="local open_clip checkpoint file or pretrained tag; empty = image ↔ text "
        "pairs are not scored (env CROSSPAIR_CLIP_CHECKPOINT)",
    )
    clip_cache_dir: str = Field(
        default_factory=lambda: os.environ.get("CROSSPAIR_CLIP_CACHE_DIR", ""),
        description="open_clip cache holding a pretrained tag's weights (env "
        "CROSSPAIR_CLIP_CACHE_DIR)",
    )
    noisy_z: float = Field(default=3.5, description="robust z-score below -z flags a pair")
    noisy_margin: float = Field(
        default=0.05, description="flag a pair whose text fits another item better by this"
    )
    max_noisy_share: float = Field(
        default=0.2, description="noisy_pairs check fails when a source's flagged share is above"
    )

    @cached_property
    def sources(self) -> SourcesConfig:
        return load_sources(self.sources_path)

    @property
    def data(self) -> Path:
        return Path(self.data_dir).resolve()

    @property
    def engine(self) -> EngineConfig:
        return EngineConfig(kind=self.engine_kind, workers=self.workers, address=self.dask_address)

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
