"""The table stages of a build, one method each, for ``scaling.py``: crosspair calls only.

Each stage calls what the Dagster asset of the same job calls and writes its tables to Parquet
as the IO manager would; tables stay in memory for the next stage. Imports happen inside the
stages' first calls or before the clock (``scaling.measure``).
"""

from __future__ import annotations

from pathlib import Path


class Stages:
    """The build's table stages over one corpus, keeping every table for the next stage."""

    def __init__(self, sources: Path, data: Path, workers: int, shards: bool = True):
        from crosspair.engine import EngineConfig
        from crosspair.export.webdataset import resolver_from_roots
        from crosspair.sources import load_sources

        self.sources, self.data, self.with_shards = sources, data, shards
        self.engine = EngineConfig(workers=workers)
        self.t: dict = {}
        self.config = load_sources(sources)
        roots = {s.name: self.config.root_of(s) for s in self.config.sources}
        self.resolver = resolver_from_roots(roots, data)

    def save(self, **tables) -> None:
        from crosspair.lineage_index import PARQUET_OPTIONS

        folder = self.data / "tables"
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in tables.items():
            self.t[name] = table
            options = PARQUET_OPTIONS if name == "lineage_index" else {}
            table.to_parquet(folder / f"{name}.parquet", index=False, **options)

    def catalogs(self, *modalities: str) -> dict:
        names = modalities or ("image", "audio", "video", "mesh", "text", "code")
        return {m: self.t[f"{m}_catalog"] for m in names}

    def discover(self) -> None:
        from crosspair.catalog import discovered_frame, rejects_frame
        from crosspair.discover import discover
        from crosspair.sources import load_sources

        found = discover(load_sources(self.sources))
        self.save(discovered_items=discovered_frame(found), discovery_rejects=rejects_frame([]))
        if found.rejects:
            raise SystemExit(f"discovery rejected {len(found.rejects)} items: {found.rejects[:3]}")

    def catalog(self) -> None:
        from crosspair.catalog import build_catalog, candidates_from_frame, rejects_frame
        from crosspair.schemas import CATALOGS

        rejected = []
        for modality in CATALOGS:
            candidates = candidates_from_frame(self.t["discovered_items"], modality)
            catalog, rejects = build_catalog(modality, candidates, self.engine)
            rejected += rejects.to_dict("records")
            self.save(**{f"{modality}_catalog": catalog, f"{modality}_rejects": rejects})
        self.save(rejects=rejects_frame(rejected))
        if rejected:
            raise SystemExit(f"{len(rejected)} items rejected, e.g. {rejected[:3]}")

    def pairing(self) -> None:
        import pandas as pd

        from crosspair import pairing
        from crosspair.schemas import EXTRACTED_AUDIO, empty_frame

        t = self.t
        parts = [
            pairing.pair_by_reference(t["image_catalog"], t["text_catalog"], "caption"),
            pairing.pair_by_reference(t["audio_catalog"], t["text_catalog"], "transcript"),
            pairing.pair_by_reference(t["mesh_catalog"], t["text_catalog"], "description"),
            pairing.pair_code_docstrings(t["code_catalog"], t["text_catalog"]),
        ]
        pairs = pairing.pairs_frame(pd.concat(parts, ignore_index=True).to_dict("records"))
        tracks = empty_frame(EXTRACTED_AUDIO)
        unpaired = pairing.unpaired_items(
            {"image": t["image_catalog"], "audio": t["audio_catalog"]}
            | {"mesh": t["mesh_catalog"], "code": t["code_catalog"]},
            pairs,
            t["rejects"],
            videos=t["video_catalog"],
            tracks=tracks,
            texts=t["text_catalog"],
        )
        self.save(pairs=pairs, unpaired_items=unpaired, extracted_audio=tracks)

    def near_duplicates(self) -> None:
        from crosspair.duplicates import near_duplicate_clusters

        images = self.t["image_catalog"][["item_id", "phash"]]
        self.save(near_duplicates=near_duplicate_clusters(images, 6))

    def splits(self) -> None:
        from crosspair.catalog import item_keys
        from crosspair.splits import assign_splits

        items = item_keys(*self.catalogs().values(), self.t["extracted_audio"])
        assignments, excluded = assign_splits(self.t["pairs"], items, self.t["near_duplicates"])
        self.save(split_assignments=assignments, split_exclusions=excluded)

    def manifests(self) -> None:
        from crosspair.export.manifest import write_split_manifests

        write_split_manifests(
            self.t["pairs"],
            self.t["split_assignments"],
            self.catalogs(),
            self.data / "exports" / "manifests",
            self.t["extracted_audio"],
        )

    def shards(self) -> None:
        from crosspair.export.webdataset import write_shards
        from crosspair.schemas import SHARD_INDEX, empty_frame

        if not self.with_shards:
            self.t["webdataset_shards"] = empty_frame(SHARD_INDEX)
            return
        index = write_shards(
            self.t["pairs"],
            self.t["split_assignments"],
            self.catalogs(),
            self.t["extracted_audio"],
            self.resolver,
            self.data / "exports" / "shards",
        )
        self.save(webdataset_shards=index)

    def provenance(self) -> None:
        from crosspair.provenance import provenance_table

        table = provenance_table(
            self.t["pairs"], self.catalogs(), self.t["extracted_audio"], "bench", "scaling"
        )
        self.save(provenance=table)

    def lineage_index(self) -> None:
        from crosspair.lineage_index import lineage_index
        from crosspair.schemas import CATALOGS

        index = lineage_index(
            self.t["pairs"],
            self.t["split_assignments"],
            self.t["webdataset_shards"],
            self.catalogs(*CATALOGS),
            self.t["extracted_audio"],
        )
        self.save(lineage_index=index)

    def checks(self) -> None:
        from crosspair import schemas
        from crosspair.catalog import item_keys
        from crosspair.splits import leakage_violations
        from crosspair.validation import check_conservation, run_pair_expectations, validate_table

        t = self.t
        outcomes = {"pairs schema": validate_table(t["pairs"], schemas.PAIRS)}
        for modality, schema in schemas.CATALOGS.items():
            outcomes[f"{modality} schema"] = validate_table(t[f"{modality}_catalog"], schema)
        outcomes["expectations"] = run_pair_expectations(t["pairs"])
        found = t["discovered_items"][["source", "item_id"]]
        catalogs = self.catalogs(*schemas.CATALOGS)
        outcomes["conservation"] = check_conservation(found, catalogs, t["rejects"])
        failed = [name for name, outcome in outcomes.items() if not outcome.passed]
        items = item_keys(*self.catalogs().values(), t["extracted_audio"])
        leaks = leakage_violations(t["split_assignments"], t["pairs"], items, t["near_duplicates"])
        if failed or len(leaks):
            raise SystemExit(f"checks failed: {failed}; {len(leaks)} leaking groups")


STAGES = (
    "discover",
    "catalog",
    "pairing",
    "near_duplicates",
    "splits",
    "manifests",
    "shards",
    "provenance",
    "lineage_index",
    "checks",
)
