"""The whole build job without Dagster: the same crosspair functions called in sequence.

A mirror of what every asset of ``assets/`` calls (``plain_checks.py`` mirrors ``checks/``),
so ``orchestration_overhead.py`` can time the orchestration alone. Tables are written once,
as the IO manager writes them (``tables/<asset>.parquet``, the card as ``.md``), and kept in
memory instead of being read back for each consumer; no source fingerprints, partitions,
Dagster metadata (previews, breakdowns) or event log. Settings come from a
``CrosspairSettings`` built by hand, used only as the holder of the defaults.

When an asset is added to the build job, add its call here: ``orchestration_overhead.py``
fails when the two builds write different sets of tables.

>>> build(Path("corpus/sources.yaml"), Path("/tmp/plain")).seconds   # doctest: +SKIP
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from plain_checks import run_checks, write_card

from crosspair import pairing, schemas
from crosspair.align.export import export_alignments
from crosspair.align.tables import align_pairs
from crosspair.annotation import adjudicate, agreement_table, human_pairs, import_judgements
from crosspair.annotation.floor import agreement_floor
from crosspair.annotation.judgements import find_annotation_files
from crosspair.annotation.overrides import apply_human_overrides
from crosspair.annotation.tables import REMOVED_PAIRS
from crosspair.catalog import (
    build_catalog,
    candidates_from_frame,
    discovered_frame,
    item_keys,
    rejects_frame,
)
from crosspair.discover import discover
from crosspair.duplicates import near_duplicate_clusters
from crosspair.engine import map_items
from crosspair.erasure.ledger import erasure_predicate
from crosspair.export.item_index import item_index
from crosspair.export.manifest import ARROW_SCHEMA, manifest_rows
from crosspair.export.webdataset import resolver_from_roots, write_shards
from crosspair.extract import TrackRequest, extract_track
from crosspair.lineage_index import PARQUET_OPTIONS, lineage_index
from crosspair.pair_union import union_pairs
from crosspair.provenance import code_version, provenance_table
from crosspair.report import ReportTables, render_report
from crosspair.semantic.item_text import item_texts
from crosspair.semantic.noisy import noisy_pairs
from crosspair.semantic.pools import match_sources
from crosspair.semantic.scorer import IMAGE, TEXT, load_image_scorer, load_scorer
from crosspair.semantic.scoring import ItemVectors, score_existing_pairs, scoring_kind
from crosspair.sensors import tables as sensor_tables
from crosspair.sensors.catalog import pair_sensor_catalog
from crosspair.splits import assign_splits
from crosspair.sync import sync_table
from crosspair.weak.tables import label_settings, label_votes, weak_pair_table, weak_unpaired
from dagster_project.resources import CrosspairSettings

MODALITIES = tuple(schemas.CATALOGS)
PAIRED = ("image", "audio", "video", "mesh", "text", "code")
HEURISTIC = (
    "image_caption_pairs",
    "audio_transcript_pairs",
    "video_audio_pairs",
    "video_subtitle_pairs",
    "code_docstring_pairs",
    "mesh_description_pairs",
)


class PlainBuild:
    """One build: the tables so far, the check results, and seconds per step."""

    def __init__(self, sources: Path, data_dir: Path, workers: int = 0):
        self.settings = CrosspairSettings(
            sources_path=str(sources.resolve()), data_dir=str(data_dir.resolve()), workers=workers
        )
        self.config = self.settings.sources
        self.data = self.settings.data
        self.tables: dict[str, pd.DataFrame | str] = {}
        # what the build job materialises: its tables, the ledger it only reads, and the report
        self.assets: set[str] = {"erasure_ledger"}
        self.checks: list[dict] = []
        self.seconds: dict[str, float] = {}
        roots = {source.name: self.config.root_of(source) for source in self.config.sources}
        self.resolver = resolver_from_roots(roots, self.data)

    def catalogs(self, modalities=PAIRED) -> dict[str, pd.DataFrame]:
        return {m: self.tables[f"{m}_catalog"] for m in modalities}

    def store(self, name: str, value) -> None:
        """Keep a table and write it where the IO manager would."""
        self.tables[name] = value
        self.assets.add(name)
        folder = self.data / "tables"
        folder.mkdir(parents=True, exist_ok=True)
        if isinstance(value, str):
            (folder / f"{name}.md").write_text(value, encoding="utf-8")
            return
        options = PARQUET_OPTIONS if name == "lineage_index" else {}
        value.to_parquet(folder / f"{name}.parquet", index=False, **options)

    def step(self, name: str, function) -> None:
        started = time.perf_counter()
        function()
        self.seconds[name] = time.perf_counter() - started

    def ingest(self) -> None:
        """assets/ingest.py (all sources at once; erasure_ledger is only read)."""
        found = discover(self.config, is_erased=erasure_predicate(self.settings.erasure_ledger))
        self.store("discovered_items", discovered_frame(found))
        self.store("discovery_rejects", rejects_frame(found.rejects))
        for modality in MODALITIES:
            candidates = candidates_from_frame(self.tables["discovered_items"], modality)
            catalog, rejects = build_catalog(modality, candidates, self.settings.engine)
            self.store(f"{modality}_catalog", catalog)
            self.store(f"{modality}_rejects", rejects)
        parts = [self.tables["discovery_rejects"]]
        parts += [self.tables[f"{m}_rejects"] for m in MODALITIES]
        self.store("rejects", rejects_frame(pd.concat(parts, ignore_index=True).to_dict("records")))

    def heuristic_pairs(self) -> None:
        """assets/pairing.py (heuristics, extracted audio) and assets/weak.py."""
        t = self.tables
        for name, modality, kind in (
            ("image_caption_pairs", "image", "caption"),
            ("audio_transcript_pairs", "audio", "transcript"),
            ("mesh_description_pairs", "mesh", "description"),
        ):
            self.store(
                name, pairing.pair_by_reference(t[f"{modality}_catalog"], t["text_catalog"], kind)
            )
        code_pairs = pairing.pair_code_docstrings(t["code_catalog"], t["text_catalog"])
        self.store("code_docstring_pairs", code_pairs)
        self.store("extracted_audio", self._extracted_audio())

        videos = t["video_catalog"]
        embedded = pairing.pair_embedded_audio(videos, t["extracted_audio"])
        side_audio = t["audio_catalog"][t["audio_catalog"]["source"].isin(set(videos["source"]))]
        by_stem, _ = pairing.pair_side_files(videos, side_audio)
        rows = pd.concat([embedded, by_stem]).to_dict("records")
        self.store("video_audio_pairs", pairing.pairs_frame(rows))
        subtitles = t["text_catalog"][t["text_catalog"]["kind"] == "subtitles"]
        self.store("video_subtitle_pairs", pairing.pair_side_files(videos, subtitles)[0])

        votes = label_votes(
            t["discovered_items"],
            t["image_catalog"],
            t["text_catalog"],
            label_settings(self.config),
        )
        self.store("weak_label_votes", votes)
        self.store("weak_pairs", weak_pair_table(votes))

    def _extracted_audio(self) -> pd.DataFrame:
        (self.data / "derived" / "audio").mkdir(parents=True, exist_ok=True)
        videos = self.tables["video_catalog"]
        requests = [
            TrackRequest(
                video_id=video["item_id"],
                source=video["source"],
                video_path=video["path"],
                abs_path=str(self.settings.resolve(video)),
                out_path=str(self.data / f"derived/audio/{video['item_id']}.wav"),
                rel_out=f"derived/audio/{video['item_id']}.wav",
            )
            for _, video in videos[videos["has_audio"].astype(bool)].iterrows()
        ]
        rows = [row for row, _ in map_items(extract_track, requests, self.settings.engine) if row]
        if not rows:
            return schemas.empty_frame(schemas.EXTRACTED_AUDIO)
        table = pd.DataFrame(rows, columns=list(schemas.EXTRACTED_AUDIO.columns))
        return table.sort_values("item_id").reset_index(drop=True)

    def _image_vectors(self, texts: dict):
        """assets/semantic.py _image_vectors."""
        s = self.settings
        scorer, why = load_image_scorer(
            s.clip_model, s.clip_checkpoint or None, s.clip_cache_dir or None
        )
        if scorer is None:
            return None, why
        images = self.tables["image_catalog"]
        paths = {row["item_id"]: s.resolve(row) for _, row in images.iterrows()}
        return ItemVectors(scorer, texts=texts, image_paths=paths), ""

    def model_pairs(self) -> None:
        """assets/semantic.py model_pairs (and unmatched_pool_texts)."""
        t = self.tables
        names = (
            "image_caption_pairs",
            "audio_transcript_pairs",
            "mesh_description_pairs",
            "video_subtitle_pairs",
        )
        heuristic = pd.concat([t[name] for name in names], ignore_index=True)
        texts = item_texts(t["text_catalog"], t["code_catalog"])
        matched = match_sources(
            self.config.sources,
            self.catalogs(("code", "image", "audio", "mesh", "video")),
            t["text_catalog"],
            heuristic,
            texts,
            image_vectors=lambda: self._image_vectors(texts),
        )
        self.store("model_pairs", matched.pairs)
        self.store("unmatched_pool_texts", matched.unmatched)

    def reviewed_pairs(self) -> None:
        """assets/pairing.py pair_candidates, assets/annotation.py, then reviewed_pairs."""
        t, s = self.tables, self.settings
        parts = [t[name] for name in (*HEURISTIC, "weak_pairs", "model_pairs")]
        self.store("pair_candidates", union_pairs(parts))

        files, _ = find_annotation_files(s.annotations, Path.cwd())
        items = item_index(self.catalogs(), t["extracted_audio"])
        result = import_judgements(
            files, items, t["pair_candidates"], s.annotation_labels, base=Path.cwd()
        )
        self.store("human_judgements", result.judgements)
        self.store("annotation_rejects", result.rejects)
        self.store("annotation_agreement", agreement_table(result.judgements, s.annotation_labels))
        decisions = adjudicate(result.judgements, s.min_annotators)
        self.store("human_pairs", human_pairs(decisions))
        self.store("human_decisions", decisions)

        verdict = agreement_floor(t["annotation_agreement"], s.agreement_floor)
        if verdict.outcome.passed or verdict.warn_only:
            table, removed = apply_human_overrides(t["pair_candidates"], decisions)
        else:
            table, removed = t["pair_candidates"], schemas.empty_frame(REMOVED_PAIRS)
        self.store("pairs", table)
        self.store("removed_pairs", removed)

    def scores_and_unpaired(self) -> None:
        """assets/semantic.py pair_scores and noisy_pairs; assets/pairing.py unpaired_items."""
        t, s = self.tables, self.settings
        texts = item_texts(t["text_catalog"], t["code_catalog"])
        families = t["pairs"][["left_modality", "right_modality"]].drop_duplicates()
        needed = {scoring_kind(left, right) for left, right in families.itertuples(index=False)}
        vectors = {}
        if TEXT in needed:
            vectors[TEXT] = ItemVectors(load_scorer(s.text_model), texts=texts)
        if IMAGE in needed:
            image_vectors = self._image_vectors(texts)[0]
            if image_vectors is not None:
                vectors[IMAGE] = image_vectors
        scores, _ = score_existing_pairs(t["pairs"], vectors)
        self.store("pair_scores", scores)
        self.store("noisy_pairs", noisy_pairs(scores, z_limit=s.noisy_z, margin=s.noisy_margin))

        videos = t["video_catalog"]
        speech = t["audio_catalog"][~t["audio_catalog"]["source"].isin(set(videos["source"]))]
        subtitles = t["text_catalog"][t["text_catalog"]["kind"] == "subtitles"]
        _, unmatched_subtitles = pairing.pair_side_files(videos, subtitles)
        left = {"image": t["image_catalog"], "audio": speech}
        left |= {"mesh": t["mesh_catalog"], "code": t["code_catalog"]}
        table = pairing.unpaired_items(
            left,
            t["pairs"],
            t["rejects"],
            videos=videos,
            extra=unmatched_subtitles,
            tracks=t["extracted_audio"],
            texts=t["text_catalog"],
            unmatched_pool=t["unmatched_pool_texts"],
            weak=weak_unpaired(t["weak_label_votes"]),
        )
        self.store("unpaired_items", schemas.UNPAIRED.validate(table))

    def timing(self) -> None:
        """assets/alignment.py, assets/sync.py, assets/sensors.py."""
        t, s = self.tables, self.settings
        backend = s.alignment_backend()
        words, phones, summary = align_pairs(
            t["audio_transcript_pairs"],
            t["audio_catalog"],
            t["text_catalog"],
            self.resolver,
            backend,
            s.engine,
        )
        exports = self.data / "exports" / "alignments"
        export_alignments(words, phones, summary, t["text_catalog"], exports)
        self.store("word_alignment", words)
        self.store("phone_alignment", phones)
        self.store("alignment_summary", summary)
        offsets = sync_table(
            t["video_audio_pairs"],
            t["video_catalog"],
            t["extracted_audio"],
            t["audio_catalog"],
            s.resolve,
            tolerance_s=s.sync_tolerance_s,
            engine=s.engine,
        )
        self.store("sync_offsets", offsets)

        def resolve(source: str, path: str):
            return self.config.root_of(self.config.by_name(source)) / path

        pairings = pair_sensor_catalog(
            t["sensor_catalog"],
            resolve,
            tolerance_s=s.sensor_tolerance_s,
            method=s.sensor_method,
            engine=s.engine,
        )
        samples = self.data / "exports" / "sensors"
        samples.mkdir(parents=True, exist_ok=True)
        for source, pairing_result in pairings.items():
            pairing_result.table.to_parquet(samples / f"{source}.parquet", index=False)
        outputs = {
            "sensor_pairing_summary": ("summary", sensor_tables.PAIRING_SUMMARY),
            "sensor_gaps": ("gaps", sensor_tables.SENSOR_GAPS),
            "sensor_dropped": ("dropped", sensor_tables.SENSOR_DROPPED),
            "clock_links": ("links", sensor_tables.CLOCK_LINKS),
        }
        for name, (field, schema) in outputs.items():
            parts = [getattr(result, field) for result in pairings.values()]
            table = pd.concat(parts, ignore_index=True) if parts else schemas.empty_frame(schema)
            self.store(name, table)

    def splits(self) -> None:
        """assets/splits.py (no previous assignments: a fresh data folder)."""
        t, s = self.tables, self.settings
        images = t["image_catalog"][["item_id", "phash"]]
        self.store("near_duplicates", near_duplicate_clusters(images, s.near_duplicate_distance))
        items = item_keys(*self.catalogs().values(), t["extracted_audio"])
        assignments, excluded = assign_splits(
            t["pairs"], items, t["near_duplicates"], ratios=s.ratios, salt=s.split_salt
        )
        self.store("split_assignments", assignments)
        self.store("split_exclusions", excluded)
        rows = manifest_rows(t["pairs"], assignments, self.catalogs(), t["extracted_audio"])
        for split in schemas.SPLITS:
            part = rows[rows["split"] == split].reset_index(drop=True)
            path = self.data / "exports" / "manifests" / f"{split}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            arrow = pa.Table.from_pandas(part, schema=ARROW_SCHEMA, preserve_index=False)
            pq.write_table(arrow, path, compression="zstd")
            self.store(f"{split}_split", part)

    def exports(self) -> None:
        """assets/exports.py webdataset_shards, assets/provenance.py."""
        t = self.tables
        index = write_shards(
            t["pairs"],
            t["split_assignments"],
            self.catalogs(),
            t["extracted_audio"],
            self.resolver,
            self.data / "exports" / "shards",
            self.settings.samples_per_shard,
        )
        self.store("webdataset_shards", index)
        table = provenance_table(
            t["pairs"], self.catalogs(), t["extracted_audio"], code_version(), "plain-build"
        )
        self.store("provenance", table)
        catalogs = self.catalogs(MODALITIES)
        index = lineage_index(
            t["pairs"], t["split_assignments"], index, catalogs, t["extracted_audio"]
        )
        self.store("lineage_index", index)

    def report(self) -> None:
        """assets/report.py dataset_report: the static HTML report."""
        t = self.tables
        tables = ReportTables(
            catalogs=self.catalogs(MODALITIES),
            **{
                name: t[name]
                for name in (
                    "pairs",
                    "split_assignments",
                    "rejects",
                    "split_exclusions",
                    "unpaired_items",
                    "extracted_audio",
                    "word_alignment",
                    "alignment_summary",
                    "sync_offsets",
                    "pair_scores",
                )
            },
        )
        render_report(
            tables,
            self.data / "exports" / "report",
            self.settings.version,
            resolve=self.resolver,
            engine=self.settings.engine,
        )
        self.assets.add("dataset_report")


STEPS = (
    "ingest",
    "heuristic_pairs",
    "model_pairs",
    "reviewed_pairs",
    "scores_and_unpaired",
    "timing",
    "splits",
    "exports",
    "report",
)


def build(sources: Path, data_dir: Path, workers: int = 0) -> PlainBuild:
    """Every asset and check of the build job, in dependency order; seconds per step."""
    plain = PlainBuild(sources, data_dir, workers)
    for name in STEPS:
        plain.step(name, getattr(plain, name))
    plain.step("checks", lambda: run_checks(plain))
    plain.step("card", lambda: write_card(plain))
    return plain
